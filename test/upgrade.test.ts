// `upshift upgrade` on a real 3-member 3.4.23 cluster (local driver): a member down is refused with
// nothing touched; --dry-run touches nothing; a concurrent second upgrade is refused by the cluster
// lock; the upgrade to 3.5.30 under load succeeds with no failed and no lost writes, verified.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasTestVersion } from './support/home.js';
import { binPath, repoRoot, runCliInProcess, type CliRun } from './support/cli.js';
import { trackCluster } from './support/cluster.js';
import { startMember, stopMember } from '../src/cluster/local.js';
import { resolveConnection } from '../src/client/connection.js';
import { readLock } from '../src/upgrade/lock.js';
import { upgradeTestCluster, runIds, journalRecords, type UpgradeTestCluster } from './upgrade-support.js';

const FROM = '3.4.23';
const TO = '3.5.30';
const skip = !hasTestVersion(FROM) || !hasTestVersion(TO);
let tc: UpgradeTestCluster;

before(async () => {
  if (!skip) tc = await upgradeTestCluster(FROM, 3);
});
after(async () => tc?.stop());

const cli = (args: string[]): Promise<CliRun> => runCliInProcess(args, tc.env);
const pids = async (): Promise<(number | undefined)[]> => (await tc.reload()).members.map((m) => m.pid);

test('a member already down: refused with exit 1 naming it, nothing touched', { skip, timeout: 120_000 }, async () => {
  const cl = await tc.reload();
  await stopMember(cl, 'm3', { signal: 'SIGTERM', timeoutMs: 20_000 });
  try {
    const before = await pids();
    const r = await cli(['upgrade', '--cluster', tc.cluster.name, '--to', TO, '--yes', '-o', 'json']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /m3/);
    assert.match(r.stderr, /nothing was touched/);
    assert.equal(JSON.parse(r.stdout).error.code, 'preflight-failed');
    assert.deepEqual(runIds(tc.home), [], 'no run was created');
    assert.deepEqual(await pids(), before);
    assert.ok((await tc.reload()).members.every((m) => m.version === FROM));
  } finally {
    await startMember(tc.home, await tc.reload(), 'm3', { wait: 'healthy', timeoutMs: 30_000 });
    trackCluster(await tc.reload());
  }
});

test('--dry-run prints the exact steps and touches nothing', { skip, timeout: 60_000 }, async () => {
  const before = await pids();
  const r = await cli(['upgrade', '--cluster', tc.cluster.name, '--to', TO, '--dry-run', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const d = JSON.parse(r.stdout);
  assert.equal(d.dryRun, true);
  assert.deepEqual(d.path, [FROM, TO]);
  assert.equal(d.preflight.ok, true);
  const ids: string[] = d.steps.map((s: { id: string }) => s.id);
  assert.equal(ids[0], 'preflight');
  assert.ok(ids.includes('hop1/m1/stop') && ids.includes('hop1/wait-cluster-version') && ids.includes('verify'));
  // The leader's block comes last.
  const lastMember = ids.filter((i) => i.startsWith('hop1/m')).pop()!.split('/')[1];
  const status = JSON.parse((await cli(['status', '--cluster', tc.cluster.name, '-o', 'json'])).stdout);
  assert.equal(status.members.find((m: { isLeader: boolean }) => m.isLeader).name, lastMember);
  assert.deepEqual(runIds(tc.home), []);
  assert.deepEqual(await pids(), before);
  assert.equal(await readLock(resolveConnection({ cluster: tc.cluster.name }, {}, tc.home)), undefined);
});

test('3.4.23 -> 3.5.30 under load: a second upgrade is refused meanwhile; no failed or lost writes', { skip, timeout: 300_000 }, async () => {
  const args = ['upgrade', '--cluster', tc.cluster.name, '--to', TO, '--yes', '--load', '100', '--soak', '2s', '--baseline', '2s', '-o', 'json'];
  const child = spawn(process.execPath, [binPath, ...args], { env: { ...tc.env, UPSHIFT_FROM_SOURCE: '1' }, cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  try {
    // Wait until the first run holds the lock, then try a second one.
    const config = resolveConnection({ cluster: tc.cluster.name }, {}, tc.home);
    const until = Date.now() + 60_000;
    while (!(await readLock(config).catch(() => undefined)) && Date.now() < until) await sleep(200);
    const holder = await readLock(config);
    assert.ok(holder, `the first run took the lock; its stderr: ${stderr}`);
    const second = await cli(['upgrade', '--cluster', tc.cluster.name, '--to', TO, '--yes', '--load', '0', '-o', 'json']);
    assert.equal(second.code, 1, second.stderr);
    assert.equal(JSON.parse(second.stdout).error.code, 'upgrade-locked');
    assert.match(second.stderr, new RegExp(holder.runId));
    assert.equal(runIds(tc.home).length, 1, 'the refused run created nothing');

    const code = await exited;
    assert.equal(code, 0, stderr);
    const rep = JSON.parse(stdout);
    assert.equal(rep.result, 'succeeded');
    assert.equal(rep.clusterVersion, '3.5.0');
    assert.ok(rep.backup.file);
    assert.deepEqual(rep.members.map((m: { name: string }) => m.name).sort(), ['m1', 'm2', 'm3']);
    assert.ok(rep.workload.ops > 500, `ops ${rep.workload.ops}`);
    assert.equal(rep.workload.failed, 0, JSON.stringify(rep.workload));
    assert.equal(rep.verification.lostWrites, 0);
    assert.equal(rep.verification.watchViolations, 0);
    assert.equal(rep.verification.linearizabilityViolations, 0);
    assert.equal(rep.verification.ok, true);
    assert.equal(rep.verification.consistent, true);
    const cl = await tc.reload();
    trackCluster(cl);
    assert.ok(cl.members.every((m) => m.version === TO));
    // The lock is released; the journal says every step began and ended.
    assert.equal(await readLock(config), undefined);
    const recs = journalRecords(tc.home, rep.runId);
    const begun = recs.filter((r) => r.type === 'step-begin').length;
    const ended = recs.filter((r) => r.type === 'step-end' && r.ok).length;
    assert.equal(begun, ended);
    assert.equal(recs.at(-1)!.type, 'run-end');
    // `upshift verify` agrees on the recorded history; `upgrade status` shows the finished run.
    const v = await cli(['verify', rep.verification.histories[0], '-o', 'json']);
    assert.equal(v.code, 0, v.stdout);
    const st = JSON.parse((await cli(['upgrade', 'status', '-o', 'json'])).stdout);
    assert.equal(st.state, 'finished');
    assert.equal(st.result, 'succeeded');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    trackCluster(await tc.reload());
  }
});
