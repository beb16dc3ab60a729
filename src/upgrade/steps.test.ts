import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planRun } from './steps.js';
import { cluster } from './testing.js';

const opts = { backup: true, loadOpsPerSec: 100, soakMs: 5000, drain: true };

test('a hop: run-level steps around per-member blocks, followers first, the leader last', () => {
  const steps = planRun(cluster(3, { leader: 'm2' }), [{ from: '3.4.23', to: '3.5.30' }], opts);
  const ids = steps.map((s) => s.id);
  assert.deepEqual(ids.slice(0, 4), ['preflight', 'acquire-lock', 'backup', 'baseline']);
  assert.deepEqual(ids.slice(-5), ['hop1/wait-cluster-version', 'hop1/check-consistency', 'stop-workload', 'verify', 'release-lock']);
  const memberOrder = [...new Set(steps.filter((s) => s.member).map((s) => s.member))];
  assert.deepEqual(memberOrder, ['m1', 'm3', 'm2']);
  assert.deepEqual(
    steps.filter((s) => s.member === 'm1').map((s) => s.kind),
    ['quorum-check', 'leadership', 'drain', 'stop', 'install', 'start', 'wait-ready', 'undrain', 'soak'],
  );
  assert.equal(new Set(ids).size, ids.length, 'step ids are unique');
});

test('no load: no baseline, drain, workload or verify steps; no backup when turned off; no soak', () => {
  const steps = planRun(cluster(3), [{ from: '3.4.23', to: '3.5.30' }], { backup: false, loadOpsPerSec: 0, soakMs: 0, drain: true });
  const kinds = new Set(steps.map((s) => s.kind));
  for (const k of ['baseline', 'drain', 'undrain', 'stop-workload', 'verify', 'backup', 'soak'] as const) assert.ok(!kinds.has(k), k);
});

test('two hops: every member in each hop, each hop ends with the cluster-version bump', () => {
  const steps = planRun(cluster(3, { version: '3.3.25', clusterVersion: '3.3.0' }), [{ from: '3.3.25', to: '3.4.23' }, { from: '3.4.23', to: '3.5.30' }], opts);
  const starts = steps.filter((s) => s.kind === 'start').map((s) => `${s.hop}:${s.member}:${s.to}`);
  assert.deepEqual(starts, ['1:m2:3.4.23', '1:m3:3.4.23', '1:m1:3.4.23', '2:m2:3.5.30', '2:m3:3.5.30', '2:m1:3.5.30']);
  const hopEnds = steps.filter((s) => s.kind === 'wait-cluster-version').map((s) => s.id);
  assert.deepEqual(hopEnds, ['hop1/wait-cluster-version', 'hop2/wait-cluster-version']);
});

test('members already on the target are skipped (partial upgrades)', () => {
  const obs = cluster(3, { leader: 'm1', over: { m3: { version: '3.5.30' } } });
  const members = [...new Set(planRun(obs, [{ from: '3.4.23', to: '3.5.30' }], opts).filter((s) => s.member).map((s) => s.member))];
  assert.deepEqual(members, ['m2', 'm1']);
});

test('the plan is deterministic', () => {
  const a = planRun(cluster(5, { leader: 'm4' }), [{ from: '3.4.23', to: '3.5.30' }], opts);
  const b = planRun(cluster(5, { leader: 'm4' }), [{ from: '3.4.23', to: '3.5.30' }], opts);
  assert.deepEqual(a, b);
});
