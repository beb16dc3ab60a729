import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quorumGuard } from './quorum.js';
import { cluster } from './testing.js';

test('3 healthy members: stopping one keeps quorum', () => {
  const v = quorumGuard(cluster(3), 'm2');
  assert.equal(v.ok, true);
  assert.equal(v.healthyAfter, 2);
  assert.equal(v.quorum, 2);
});

test('a member already down: stopping another is refused, naming the down member', () => {
  const v = quorumGuard(cluster(3, { over: { m3: { reachable: false, healthy: false } } }), 'm2');
  assert.equal(v.ok, false);
  if (!v.ok) {
    assert.deepEqual(v.down, ['m3']);
    assert.match(v.message, /leave 1 of 3 .* quorum of 2; down: m3/);
  }
});

test('stopping the member that is itself down is fine when the rest keep quorum', () => {
  assert.equal(quorumGuard(cluster(3, { over: { m3: { healthy: false } } }), 'm3').ok, true);
});

test('5 members tolerate two down, not three', () => {
  assert.equal(quorumGuard(cluster(5, { over: { m4: { healthy: false } } }), 'm5').ok, true);
  const v = quorumGuard(cluster(5, { over: { m4: { healthy: false }, m5: { reachable: false, healthy: false } } }), 'm3');
  assert.equal(v.ok, false);
  if (!v.ok) assert.deepEqual(v.down, ['m4', 'm5']);
});

test('learners do not count toward quorum, and stopping one never costs it', () => {
  const obs = cluster(4, { over: { m4: { isLearner: true } } });
  assert.equal(quorumGuard(obs, 'm4').ok, true);
  const two = cluster(3, { over: { m3: { isLearner: true } } });
  // voters m1, m2 (quorum 2): stopping the learner is fine, stopping a voter is not
  assert.equal(quorumGuard(two, 'm3').ok, true);
  assert.equal(quorumGuard(two, 'm1').ok, false);
});

test('a single-member cluster cannot be stopped without downtime', () => {
  const v = quorumGuard(cluster(1), 'm1');
  assert.equal(v.ok, false);
  if (!v.ok) assert.match(v.message, /only voting member/);
});
