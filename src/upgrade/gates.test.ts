import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateGates, DEFAULT_GATES, READY_GATES, type GateInput } from './gates.js';
import { cluster } from './testing.js';

const upgraded = (over = {}) => cluster(3, { leader: 'm1', over: { m2: { version: '3.5.30', raftAppliedIndex: 995 }, ...over } });

const input = (o: Partial<GateInput> = {}): GateInput => ({
  member: 'm2',
  target: '3.5.30',
  observations: [upgraded(), upgraded(), upgraded()],
  workload: { ops: 1000, errors: 0, p99Ms: 8 },
  baseline: { p99Ms: 6, alarms: [] },
  ...o,
});

const failed = (r: ReturnType<typeof evaluateGates>): string[] => r.checks.filter((c) => !c.ok).map((c) => c.name);

test('a healthy window passes every gate', () => {
  const r = evaluateGates(input());
  assert.equal(r.ok, true, JSON.stringify(r.checks));
  assert.deepEqual(r.checks.map((c) => c.name).sort(), ['alarms', 'catch-up', 'error-rate', 'health', 'leader', 'member-healthy', 'p99', 'version']);
});

test('no data is a failed check', () => {
  assert.deepEqual(failed(evaluateGates(input({ observations: [] }))).sort(), ['alarms', 'catch-up', 'health', 'leader', 'member-healthy', 'version']);
  assert.deepEqual(failed(evaluateGates(input({ workload: { ops: 3, errors: 0, p99Ms: 5 } }))), ['error-rate', 'p99']);
  assert.deepEqual(failed(evaluateGates(input({ workload: { ops: 500, errors: 0 } }))), ['p99']);
});

test('no load: the workload gates are off, not failed', () => {
  const r = evaluateGates(input({ workload: undefined }));
  assert.equal(r.ok, true);
  assert.ok(!r.checks.some((c) => c.name === 'error-rate' || c.name === 'p99'));
});

test('error rate over the limit fails; at the limit passes', () => {
  assert.deepEqual(failed(evaluateGates(input({ workload: { ops: 1000, errors: 11, p99Ms: 8 } }))), ['error-rate']);
  assert.equal(evaluateGates(input({ workload: { ops: 1000, errors: 10, p99Ms: 8 } })).ok, true);
  assert.equal(evaluateGates(input({ workload: { ops: 1000, errors: 40, p99Ms: 8 } }), { ...DEFAULT_GATES, maxErrorRate: 0.05 }).ok, true);
});

test('P99: absolute cap and relative to the baseline', () => {
  assert.deepEqual(failed(evaluateGates(input({ workload: { ops: 1000, errors: 0, p99Ms: 307 } }))), ['p99']); // > 6 + 300
  assert.equal(evaluateGates(input({ workload: { ops: 1000, errors: 0, p99Ms: 305 } })).ok, true);
  const slowBase = input({ baseline: { p99Ms: 400, alarms: [] }, workload: { ops: 1000, errors: 0, p99Ms: 1500 } });
  assert.deepEqual(failed(evaluateGates(slowBase)), ['p99']); // 5x400 = 2000 but absolute 1000
});

test('two failed health checks in the window fail; one passes if healthy now', () => {
  const sick = upgraded({ m3: { healthy: false } });
  assert.equal(evaluateGates(input({ observations: [sick, upgraded(), upgraded()] })).ok, true);
  assert.deepEqual(failed(evaluateGates(input({ observations: [sick, sick, upgraded()] }))), ['health']);
  assert.ok(failed(evaluateGates(input({ observations: [upgraded(), sick] }))).includes('health'));
});

test('catch-up: lag above the limit fails', () => {
  const behind = cluster(3, { leader: 'm1', over: { m2: { version: '3.5.30', raftAppliedIndex: 800 } } });
  assert.deepEqual(failed(evaluateGates(input({ observations: [behind] }))), ['catch-up']);
  // 3.3 reports no applied index: the committed index stands in
  const old = cluster(3, { leader: 'm1', over: { m1: { raftAppliedIndex: undefined }, m2: { version: '3.5.30', raftAppliedIndex: undefined, raftIndex: 990 } } });
  assert.equal(evaluateGates(input({ observations: [old] })).ok, true);
});

test('wrong version, no leader, new alarms', () => {
  assert.deepEqual(failed(evaluateGates(input({ observations: [cluster(3)] }))), ['version']);
  const noLeader = { ...upgraded(), leaderId: undefined, members: upgraded().members.map((m) => ({ ...m, isLeader: false })) };
  assert.ok(failed(evaluateGates(input({ observations: [noLeader] }))).includes('leader'));
  const alarmed = { ...upgraded(), alarms: [{ memberId: 'id-m2', alarm: 'NOSPACE' }] };
  assert.deepEqual(failed(evaluateGates(input({ observations: [alarmed] }))), ['alarms']);
  assert.equal(evaluateGates(input({ observations: [alarmed], baseline: { p99Ms: 6, alarms: ['NOSPACE@id-m2'] } })).ok, true);
});

test('ready gates look only at the member now', () => {
  const starting = cluster(3, { leader: 'm1', over: { m2: { reachable: false, healthy: false, version: undefined, raftIndex: undefined, raftAppliedIndex: undefined } } });
  assert.deepEqual(failed(evaluateGates(input({ observations: [starting] }), DEFAULT_GATES, READY_GATES)).sort(), ['catch-up', 'member-healthy', 'version']);
  assert.equal(evaluateGates(input({ observations: [starting, upgraded()] }), DEFAULT_GATES, READY_GATES).ok, true);
});
