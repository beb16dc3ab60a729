import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planDowngrade, planDowngradeCancel, planDowngradeRollback, planRun } from './steps.js';
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

test('a hop into 3.6+ starts with its readiness step; patch hops and older minors have none', () => {
  const obs = cluster(3, { version: '3.5.30', clusterVersion: '3.5.0' });
  const hops = [{ from: '3.5.30', to: '3.5.36' }, { from: '3.5.36', to: '3.6.17' }, { from: '3.6.17', to: '3.7.4' }];
  const steps = planRun(obs, hops, opts);
  const ready = steps.filter((s) => s.kind === 'readiness').map((s) => s.id);
  assert.deepEqual(ready, ['hop2/readiness', 'hop3/readiness']);
  const i = steps.findIndex((s) => s.id === 'hop2/readiness');
  assert.equal(steps[i + 1]!.hop, 2, 'right before the hop\'s first member');
  assert.equal(steps[i - 1]!.id, 'hop1/check-consistency');
});

test('downgrade: validate, enable, storage version, members (leader last), the end of the downgrade', () => {
  const steps = planDowngrade(cluster(3, { version: '3.6.17', clusterVersion: '3.6.0', leader: 'm1' }), { ...opts, from: '3.6.17', to: '3.5.36' });
  const ids = steps.map((s) => s.id);
  assert.deepEqual(ids.slice(4, 7), ['hop1/downgrade-validate', 'hop1/downgrade-enable', 'hop1/wait-storage-version']);
  assert.deepEqual([...new Set(steps.filter((s) => s.member).map((s) => s.member))], ['m2', 'm3', 'm1']);
  assert.ok(steps.filter((s) => s.kind === 'start').every((s) => s.to === '3.5.36' && s.from === '3.6.17'));
  assert.deepEqual(ids.slice(-5), ['hop1/wait-downgrade-complete', 'hop1/check-consistency', 'stop-workload', 'verify', 'release-lock']);
  assert.equal(new Set(ids).size, ids.length);
});

test('ways back: a downgrade rollback of a hop, and a cancel restoring only the members already downgraded', () => {
  const up = cluster(3, { version: '3.7.4', clusterVersion: '3.7.0', leader: 'm3' });
  const back = planDowngradeRollback(up, { from: '3.6.17', to: '3.7.4' }, 1, { load: true, drain: true });
  assert.ok(back.every((s) => s.id.startsWith('rollback/')));
  assert.deepEqual([...new Set(back.filter((s) => s.member).map((s) => s.member))], ['m1', 'm2', 'm3']);
  assert.ok(!back.some((s) => s.kind === 'soak'), 'no soak on the way back');
  const mixed = cluster(3, { version: '3.6.17', clusterVersion: '3.5.0', leader: 'm2', over: { m1: { version: '3.5.36' }, m3: { version: '3.5.36' } } });
  const cancel = planDowngradeCancel(mixed, { m1: '3.6.17', m2: '3.6.17', m3: '3.6.17' }, { n: 1, to: '3.5.36', load: false, drain: false });
  assert.equal(cancel[0]!.kind, 'downgrade-cancel');
  assert.deepEqual(cancel.filter((s) => s.kind === 'start').map((s) => `${s.member}:${s.from}->${s.to}`), ['m1:3.5.36->3.6.17', 'm3:3.5.36->3.6.17']);
  assert.deepEqual(cancel.slice(-3).map((s) => s.id), ['cancel/wait-cluster-version', 'cancel/check-consistency', 'cancel/release-lock']);
});
