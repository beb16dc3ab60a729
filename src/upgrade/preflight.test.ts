import { test } from 'node:test';
import assert from 'node:assert/strict';
import { preflight } from './preflight.js';
import { cluster } from './testing.js';

const codes = (r: ReturnType<typeof preflight>): string[] => r.findings.filter((f) => f.severity === 'blocker').map((f) => f.code).sort();

test('a healthy 3-member cluster passes', () => {
  const r = preflight(cluster(3));
  assert.equal(r.ok, true);
  assert.deepEqual(r.findings, []);
});

test('a member down: refused, naming it', () => {
  const r = preflight(cluster(3, { over: { m3: { reachable: false, healthy: false, errors: ['connection refused'] } } }));
  assert.equal(r.ok, false);
  assert.deepEqual(r.down, ['m3']);
  assert.deepEqual(codes(r), ['member-down', 'quorum-at-risk']);
  assert.match(r.findings[0]!.message, /m3 does not answer: connection refused/);
});

test('no leader, alarms, a member far behind', () => {
  const nl = cluster(3);
  nl.members.forEach((m) => (m.isLeader = false));
  nl.leaderId = undefined;
  assert.deepEqual(codes(preflight(nl)), ['no-leader']);
  const al = { ...cluster(3), alarms: [{ memberId: 'id-m1', alarm: 'NOSPACE' }] };
  assert.deepEqual(codes(preflight(al)), ['alarms-active']);
  assert.deepEqual(codes(preflight(cluster(3, { over: { m1: { raftAppliedIndex: 5000 }, m2: { raftAppliedIndex: 10 }, m3: { raftAppliedIndex: 4990 } } }))), ['member-behind']);
});

test('one or two members: a rolling upgrade would lose quorum', () => {
  assert.deepEqual(codes(preflight(cluster(1))), ['quorum-at-risk']);
  assert.deepEqual(codes(preflight(cluster(2))), ['quorum-at-risk']);
});

test('mixed versions are only noted', () => {
  const r = preflight(cluster(3, { over: { m2: { version: '3.5.30' } } }));
  assert.equal(r.ok, true);
  assert.equal(r.findings[0]!.code, 'mixed-version');
});
