// The exec driver against a cluster started by plain shell scripts (not by upshift): a target binary
// that cannot start is rolled back (exit 4, cluster healthy on the old version); then the real upgrade
// 3.4.23 -> 3.5.30 through the same templates succeeds under load.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { hasTestVersion, makeTestHome, type TestHome } from './support/home.js';
import { startShellCluster, type ShellCluster } from './support/shell-cluster.js';
import { runCliSubprocess, binPath, repoRoot } from './support/cli.js';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { readLock } from '../src/upgrade/lock.js';
import { resolveConnection } from '../src/client/connection.js';

const FROM = '3.4.23';
const TO = '3.5.30';
const skip = !hasTestVersion(FROM) || !hasTestVersion(TO);
let sc: ShellCluster;
let home: TestHome;

before(async () => {
  if (skip) return;
  home = makeTestHome();
  sc = await startShellCluster({ version: FROM, members: 3 });
});
after(async () => {
  await sc?.stop();
  home?.cleanup();
});

function config(start: string): string {
  const f = join(home.home, `driver-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    f,
    [
      `# exec driver for the shell-made test cluster`,
      `stop: "sh ${sc.root}/{{member}}/stop.sh"`,
      `install: "test -x {{binDir}}/etcd"`,
      `start: ${JSON.stringify(start)}`,
      `timeouts: { stop: 30s, start: 30s }`,
      '',
    ].join('\n'),
  );
  return f;
}

const versions = async (): Promise<string[]> => {
  const r = await runCliSubprocess(['status', '--endpoints', sc.endpoints.join(','), '-o', 'json'], home.env);
  return JSON.parse(r.stdout).members.map((m: { version: string }) => m.version);
};

test('a target binary that cannot start: rolled back, exit 4, healthy on the old version', { skip, timeout: 240_000 }, async () => {
  // A "3.5.30" that dies at once: the first member to get it never becomes ready.
  const fake = join(home.home, 'broken-bin');
  mkdirSync(fake);
  writeFileSync(join(fake, 'etcd'), '#!/bin/sh\necho "etcd: this binary cannot start" >&2\nexit 1\n');
  chmodSync(join(fake, 'etcd'), 0o755);
  const drv = config(`if [ {{version}} = ${TO} ]; then sh ${sc.root}/{{member}}/start.sh ${fake}; else sh ${sc.root}/{{member}}/start.sh {{binDir}}; fi`);
  const r = await runCliSubprocess(
    ['upgrade', '--endpoints', sc.endpoints.join(','), '--driver', 'exec', '--driver-config', drv, '--to', TO, '--yes', '--load', '40', '--soak', '1s', '--baseline', '1s', '--ready-timeout', '6s', '-o', 'json'],
    home.env,
    200_000,
  );
  assert.equal(r.code, 4, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.result, 'rolled-back');
  assert.match(rep.message, /put back on etcd 3\.4\.23/);
  assert.equal(rep.verification.lostWrites, 0);
  assert.equal(rep.verification.ok, true, JSON.stringify(rep.verification));
  assert.deepEqual(await versions(), [FROM, FROM, FROM]);
  const st = await runCliSubprocess(['status', '--endpoints', sc.endpoints.join(','), '-o', 'json'], home.env);
  assert.equal(st.code, 0, st.stdout);
  assert.equal(JSON.parse(st.stdout).healthy, true);
});

test('upgrade abort: a running upgrade pauses at a step boundary, the run is closed and the lock freed', { skip, timeout: 240_000 }, async () => {
  const drv = config(`sh ${sc.root}/{{member}}/start.sh {{binDir}}`);
  const child = spawn(process.execPath, [binPath, 'upgrade', '--endpoints', sc.endpoints.join(','), '--driver', 'exec', '--driver-config', drv, '--to', TO, '--yes', '--load', '20', '--soak', '60s', '--baseline', '1s', '-o', 'json'], {
    env: { ...home.env, UPSHIFT_FROM_SOURCE: '1' },
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  try {
    // Wait for the first soak, then abort from another process.
    const until = Date.now() + 120_000;
    for (;;) {
      const st = await runCliSubprocess(['upgrade', 'status', '-o', 'json'], home.env);
      if (st.code === 0 && /\/soak$/.test(JSON.parse(st.stdout).steps.current ?? '')) break;
      assert.ok(Date.now() < until, 'no soak step seen');
      await sleep(300);
    }
    const ab = await runCliSubprocess(['upgrade', 'abort', '--endpoints', sc.endpoints.join(','), '-o', 'json'], home.env);
    assert.equal(ab.code, 0, ab.stderr);
    assert.equal(JSON.parse(ab.stdout).signalled, true);
    assert.equal(await exited, 4);
    const rep = JSON.parse(out);
    assert.equal(rep.result, 'paused');
    assert.equal(rep.verification.ok, true);
    const st = JSON.parse((await runCliSubprocess(['upgrade', 'status', '-o', 'json'], home.env)).stdout);
    assert.equal(st.result, 'aborted');
    assert.equal(await readLock(resolveConnection({ endpoints: sc.endpoints.join(',') }, {}, home.home)), undefined);
    const h = JSON.parse((await runCliSubprocess(['status', '--endpoints', sc.endpoints.join(','), '-o', 'json'], home.env)).stdout);
    assert.equal(h.healthy, true);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('exec driver: 3.4.23 -> 3.5.30 through shell templates, dry run shows the commands', { skip, timeout: 240_000 }, async () => {
  const drv = config(`sh ${sc.root}/{{member}}/start.sh {{binDir}}`);
  const base = ['upgrade', '--endpoints', sc.endpoints.join(','), '--driver', 'exec', '--driver-config', drv, '--to', TO];
  const dry = await runCliSubprocess([...base, '--dry-run', '-o', 'json'], home.env);
  assert.equal(dry.code, 0, dry.stderr);
  const stopCmd = JSON.parse(dry.stdout).steps.find((s: { id: string }) => /\/stop$/.test(s.id)).command as string;
  assert.match(stopCmd, new RegExp(`^sh ${sc.root}/s\\d/stop\\.sh$`));
  const r = await runCliSubprocess([...base, '--yes', '--load', '40', '--soak', '1s', '--baseline', '1s', '-o', 'json'], home.env, 200_000);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.result, 'succeeded');
  assert.equal(rep.clusterVersion, '3.5.0');
  assert.equal(rep.workload.failed, 0);
  assert.equal(rep.verification.ok, true);
  assert.deepEqual(await versions(), [TO, TO, TO]);
});

test('exec driver config errors exit 2 naming the file and field', { skip, timeout: 60_000 }, async () => {
  const f = join(home.home, 'bad.yaml');
  writeFileSync(f, 'stop: "x"\ninstall: "y"\nstart: "run {{host}}"\n');
  const r = await runCliSubprocess(['upgrade', '--endpoints', sc.endpoints.join(','), '--driver', 'exec', '--driver-config', f, '--to', TO, '--dry-run'], home.env);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.yaml: start: unknown template variable \{\{host\}\}/);
});
