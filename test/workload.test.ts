// The canary workload against a real 3-member cluster: a member drained, stopped and restarted mid-run;
// the recorded history must check clean (no lost writes, linearizable registers, complete watch).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestCluster, trackCluster, type TestCluster } from './support/cluster.js';
import { hasTestVersion } from './support/home.js';
import { loadCluster, startMember, stopMember } from '../src/cluster/local.js';
import { resolveConnection } from '../src/client/connection.js';
import { CanaryWorkload } from '../src/workload/canary.js';
import { readHistory } from '../src/history/io.js';
import { checkHistory } from '../src/history/check.js';

const VERSION = '3.5.30';
let tc: TestCluster;

before(async () => {
  if (!hasTestVersion(VERSION)) return;
  tc = await startTestCluster({ version: VERSION, members: 3 });
});
after(async () => tc?.stop());

/**
 * Wait (deadline 60 s) until the canary has completed `n` ops in its last 10 s: how much load ran is the
 * condition, never how long we slept (a starved timer on a loaded machine issues fewer ops per second).
 */
async function opsInWindow(w: CanaryWorkload, n: number): Promise<void> {
  const until = Date.now() + 60_000;
  while (w.windowStats(10_000).ops < n) {
    assert.ok(Date.now() < until, `the canary did ${w.windowStats(10_000).ops} ops in 10 s, waited for ${n}`);
    await sleep(100);
  }
}

test('canary history stays clean across a graceful member restart', { skip: !hasTestVersion(VERSION), timeout: 90_000 }, async () => {
  const config = resolveConnection({ cluster: tc.cluster.name }, {}, tc.home);
  const historyFile = join(tc.home, 'history.jsonl');
  const w = new CanaryWorkload({ config, prefix: '/upshift-test/canary/', historyFile, opsPerSec: 100 });
  await w.start();
  await opsInWindow(w, 60);
  const baseline = w.windowStats();
  assert.ok(baseline.ops > 50, `ops in window: ${baseline.ops}`);
  assert.equal(baseline.errors, 0);

  // Restart m2 the careful way: drain it from the canary, stop gracefully, start again.
  const m2 = tc.cluster.members.find((m) => m.name === 'm2')!;
  assert.equal(await w.drain(m2.clientURL), true);
  const cl = await loadCluster(tc.home, tc.cluster.name);
  await stopMember(cl, 'm2', { signal: 'SIGTERM', timeoutMs: 20_000 });
  await sleep(500);
  await startMember(tc.home, cl, 'm2', { wait: 'healthy', timeoutMs: 30_000 });
  trackCluster(cl);
  w.undrain(m2.clientURL);
  // Enough load after the restart for the totals below (70 % of ops are writes, each a watch event).
  await opsInWindow(w, 250);

  const report = await w.stop();
  assert.ok(report.ops > 200, `ops: ${report.ops}`);
  assert.ok(report.readback && report.readback.keys > 0);
  assert.equal(report.watch.lastRevision >= report.watch.expected, true);
  const h = await readHistory(historyFile);
  const check = checkHistory(h);
  assert.deepEqual(check.violations, []);
  assert.equal(check.ok, true);
  assert.ok(check.summary.registersChecked > 0);
  assert.ok(check.summary.watchEvents > 100);
  // Draining before the stop means nothing failed.
  assert.equal(report.failed + report.indeterminate, 0, JSON.stringify(report.firstAttemptFailures));
});
