import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { isAlive, isEtcdProcess, killQuietly, processArgv, waitForExit } from './process.js';
import { allocateFreePorts } from './ports.js';

test('isEtcdProcess: a live non-etcd process (this one) is not an etcd member', () => {
  assert.equal(isAlive(process.pid), true);
  assert.ok(processArgv(process.pid)?.length);
  assert.equal(isEtcdProcess(process.pid, '/nope'), false);
  assert.equal(isEtcdProcess(undefined, '/nope'), false);
});

test('isAlive/waitForExit: a killed child counts as gone (zombies are not alive)', async () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const pid = child.pid!;
  assert.equal(isAlive(pid), true);
  process.kill(pid, 'SIGKILL');
  assert.equal(await waitForExit(pid, 5000), true);
  assert.equal(isAlive(pid), false);
});

test('killQuietly: kills a live process, and does not throw for one that is gone', async () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const pid = child.pid!;
  const exited = new Promise((r) => child.once('exit', r));
  killQuietly(pid);
  await exited; // reaped: the PID no longer exists, so a second kill gets ESRCH
  assert.equal(isAlive(pid), false);
  assert.doesNotThrow(() => killQuietly(pid));
});

test('allocateFreePorts: distinct ports', async () => {
  const ports = await allocateFreePorts(9);
  assert.equal(new Set(ports).size, 9);
  for (const p of ports) assert.ok(p > 0 && p < 65536);
});
