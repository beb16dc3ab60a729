// etcd's downgrade API on real servers, one 3-member cluster through every way down, each under the canary
// with 0 lost writes: `downgrade --to 3.6` from 3.7.4; an upgrade 3.6 -> 3.7 whose last step fails after the
// cluster-version bump rolls back to 3.6 on its own (the downgrade API, exit 4); a downgrade to 3.5 stopped
// half-way (--on-failure pause), seen by `status`, then `downgrade cancel`led (newer binaries back); a
// downgrade to 3.5 killed -9 mid-way and resumed. Plus the refusals: more than one minor, and 3.5 -> 3.4.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hasTestVersion } from './support/home.js';
import { runCliInProcess, runCliSubprocess } from './support/cli.js';
import { trackCluster } from './support/cluster.js';
import { upgradeTestCluster, journalRecords, runIds, spawnCli, killWhen, type UpgradeTestCluster } from './upgrade-support.js';

const V37 = '3.7.4';
const V36 = '3.6.17';
const V35 = '3.5.36';
const skip = ![V37, V36, V35].every(hasTestVersion);
let tc: UpgradeTestCluster;
const LOAD = ['--yes', '--load', '30', '--soak', '0s', '--baseline', '1s', '-o', 'json'];

before(async () => {
  if (!skip) tc = await upgradeTestCluster(V37, 3);
});
after(async () => tc?.stop());

async function cli(args: string[], env: NodeJS.ProcessEnv = tc.env): Promise<{ code: number; json: Record<string, any>; stderr: string }> {
  const r = await runCliSubprocess(args, env, 300_000);
  trackCluster(await tc.reload());
  return { code: r.code, json: JSON.parse(r.stdout || '{}'), stderr: r.stderr };
}

async function status(): Promise<Record<string, any>> {
  const r = await runCliInProcess(['status', '--cluster', tc.cluster.name, '-o', 'json'], tc.env);
  return JSON.parse(r.stdout);
}

/** The canary's figures, for the test log (and the issue note). */
function figures(t: { diagnostic(m: string): void }, rep: Record<string, any>): void {
  const w = rep.workload;
  t.diagnostic(`${rep.operation} ${rep.result} ${rep.path.join(' -> ')}: ${w.ops} ops, ${w.failed} failed, ${w.indeterminate} indeterminate, longest write gap ${w.maxWriteGapMs} ms, P99 ${w.p99Ms} ms (baseline ${w.baselineP99Ms} ms); per hop ${JSON.stringify(w.perHop)}`);
}

function proven(rep: Record<string, any>): void {
  assert.equal(rep.verification.lostWrites, 0, JSON.stringify(rep.verification));
  assert.equal(rep.verification.ok, true, JSON.stringify(rep.verification));
  assert.equal(rep.verification.consistent, true);
  assert.ok(rep.workload.ops > 0, JSON.stringify(rep.workload));
}

test('downgrade --to 3.6 from 3.7.4 under load; more than one minor is refused', { skip, timeout: 240_000 }, async (t) => {
  const far = await runCliInProcess(['downgrade', '--cluster', tc.cluster.name, '--to', '3.5', '--yes', '-o', 'json'], tc.env);
  assert.equal(far.code, 2, far.stderr);
  assert.equal(JSON.parse(far.stdout).error.code, 'downgrade-too-far');
  const r = await cli(['downgrade', '--cluster', tc.cluster.name, '--to', '3.6', ...LOAD]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.result, 'succeeded');
  assert.equal(r.json.operation, 'downgrade');
  assert.deepEqual(r.json.path, [V37, V36]);
  assert.equal(r.json.clusterVersion, '3.6.0');
  proven(r.json);
  figures(t, r.json);
  const s = await status();
  assert.ok(s.members.every((m: { version: string; storageVersion: string; downgradeInfo: { enabled: boolean } }) => m.version === V36 && m.storageVersion === '3.6.0' && !m.downgradeInfo?.enabled), JSON.stringify(s.members));
  // The journal shows the API calls, the storage-version wait and the end of the downgrade.
  const steps = journalRecords(tc.home, r.json.runId).filter((x) => x.type === 'step-end' && x.ok).map((x) => x.step);
  for (const id of ['hop1/downgrade-validate', 'hop1/downgrade-enable', 'hop1/wait-storage-version', 'hop1/wait-downgrade-complete']) assert.ok(steps.includes(id), id);
});

test('upgrade 3.6 -> 3.7 failing after the bump rolls back to 3.6 through the downgrade API on its own', { skip, timeout: 300_000 }, async (t) => {
  const r = await cli(['upgrade', '--cluster', tc.cluster.name, '--to', V37, ...LOAD], { ...tc.env, UPSHIFT_FAULT_FAIL_STEP: 'hop1/check-consistency' });
  assert.equal(r.code, 4, r.stderr);
  assert.equal(r.json.result, 'rolled-back');
  assert.deepEqual(r.json.rollback, { mode: 'downgrade', failedStep: 'hop1/check-consistency' });
  assert.equal(r.json.clusterVersion, '3.6.0');
  proven(r.json);
  figures(t, r.json);
  const members = (await tc.reload()).members;
  assert.ok(members.every((m) => m.version === V36), JSON.stringify(members.map((m) => [m.name, m.version])));
  // Per-hop canary figures: the way up and the way back, each its own row.
  assert.deepEqual(r.json.workload.perHop.map((h: { from: string; to: string }) => `${h.from}->${h.to}`), [`${V36}->${V37}`, `${V37}->${V36}`]);
  const recs = journalRecords(tc.home, r.json.runId);
  assert.ok(recs.some((x) => x.type === 'rollback-plan' && x.mode === 'downgrade'));
});

test('a downgrade to 3.5 stopped half-way shows in status, and downgrade cancel puts the newer binaries back', { skip, timeout: 300_000 }, async (t) => {
  const dry = await runCliInProcess(['downgrade', '--cluster', tc.cluster.name, '--to', '3.5', '--dry-run', '-o', 'json'], tc.env);
  assert.equal(dry.code, 0, dry.stderr);
  const firstReady = (JSON.parse(dry.stdout).steps as { id: string }[]).find((s) => s.id.endsWith('/wait-ready'))!.id;
  const member = firstReady.split('/')[1];
  const paused = await cli(['downgrade', '--cluster', tc.cluster.name, '--to', '3.5', '--on-failure', 'pause', ...LOAD], { ...tc.env, UPSHIFT_FAULT_FAIL_STEP: firstReady });
  assert.equal(paused.code, 4, paused.stderr);
  assert.equal(paused.json.result, 'paused');
  const s = await status();
  const dg = s.findings.find((f: { code: string }) => f.code === 'downgrade-in-progress');
  assert.ok(dg, JSON.stringify(s.findings));
  assert.equal(s.clusterVersion, '3.5.0');
  assert.equal(s.members.find((m: { name: string }) => m.name === member).version, V35);
  const c = await cli(['downgrade', 'cancel', '--cluster', tc.cluster.name, '-o', 'json']);
  assert.equal(c.code, 4, c.stderr);
  assert.equal(c.json.result, 'rolled-back');
  assert.equal(c.json.rollback.mode, 'cancel');
  assert.equal(c.json.clusterVersion, '3.6.0');
  proven(c.json);
  figures(t, c.json);
  const after = await status();
  assert.ok(after.members.every((m: { version: string }) => m.version === V36));
  assert.ok(!after.findings.some((f: { code: string }) => f.code === 'downgrade-in-progress'));
});

test('downgrade --to 3.5 killed -9 mid-way, resumed to the end; 3.5 -> 3.4 is refused with the documented procedure', { skip, timeout: 300_000 }, async (t) => {
  const before = runIds(tc.home).length;
  const dry = await runCliInProcess(['downgrade', '--cluster', tc.cluster.name, '--to', '3.5', '--dry-run', '-o', 'json'], tc.env);
  const second = (JSON.parse(dry.stdout).steps as { id: string }[]).filter((s) => s.id.endsWith('/start'))[1]!.id;
  const p = spawnCli(['downgrade', '--cluster', tc.cluster.name, '--to', '3.5', ...LOAD], tc.env);
  await killWhen(tc, p, (r) => r.type === 'step-begin' && r.step === second, `${second} begun`);
  assert.equal(runIds(tc.home).length, before + 1);
  const r = await cli(['upgrade', 'resume', '--cluster', tc.cluster.name, '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.result, 'succeeded');
  assert.equal(r.json.operation, 'downgrade');
  assert.equal(r.json.clusterVersion, '3.5.0');
  assert.equal(r.json.verification.histories.length, 2, 'the killed process and the resumed one');
  proven(r.json);
  figures(t, r.json);
  const members = (await tc.reload()).members;
  assert.ok(members.every((m) => m.version === V35), JSON.stringify(members.map((m) => [m.name, m.version])));
  const old = await runCliInProcess(['downgrade', '--cluster', tc.cluster.name, '--to', '3.4.23', '--yes', '-o', 'json'], tc.env);
  assert.equal(old.code, 1, old.stderr);
  const err = JSON.parse(old.stdout).error;
  assert.equal(err.code, 'downgrade-unsupported');
  assert.match(err.hint, /3\.4\.32/);
});
