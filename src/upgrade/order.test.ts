import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderMembers, leadershipAction, chooseTransferee, nextMember } from './order.js';
import { cluster } from './testing.js';

test('followers first (by name), the leader last, learners before both', () => {
  const obs = cluster(5, { leader: 'm2', over: { m5: { isLearner: true } } });
  assert.deepEqual(
    orderMembers(obs, '3.5.30').map((m) => `${m.name}:${m.role}`),
    ['m5:learner', 'm1:follower', 'm3:follower', 'm4:follower', 'm2:leader'],
  );
});

test('members already on the target are left out', () => {
  const obs = cluster(3, { leader: 'm1', over: { m2: { version: '3.5.30' } } });
  assert.deepEqual(orderMembers(obs, '3.5.30').map((m) => m.name), ['m3', 'm1']);
});

test('leader last with every other voter upgraded: rely on the graceful-stop transfer', () => {
  const obs = cluster(3, { leader: 'm1', over: { m2: { version: '3.5.30' }, m3: { version: '3.5.30' } } });
  assert.equal(leadershipAction(obs, 'm1', '3.5.30').action, 'graceful-stop');
  const forced = leadershipAction(obs, 'm1', '3.5.30', 'move-leader');
  assert.equal(forced.action, 'move-leader');
});

test('leader while old members remain: move leadership to an upgraded healthy member', () => {
  const obs = cluster(3, { leader: 'm3', over: { m1: { version: '3.5.30', raftAppliedIndex: 990 }, m2: { version: '3.5.30', raftAppliedIndex: 1000 } } });
  // m3 leads, nobody else old: graceful
  assert.equal(leadershipAction(obs, 'm3', '3.5.30').action, 'graceful-stop');
  const mid = cluster(3, { leader: 'm2', over: { m1: { version: '3.5.30' } } });
  const a = leadershipAction(mid, 'm2', '3.5.30');
  assert.equal(a.action, 'move-leader');
  if (a.action === 'move-leader') assert.equal(a.to, 'm1');
});

test('the most caught-up healthy upgraded member is the transferee; unhealthy ones never are', () => {
  const obs = cluster(5, {
    leader: 'm5',
    over: {
      m1: { version: '3.5.30', raftAppliedIndex: 900 },
      m2: { version: '3.5.30', raftAppliedIndex: 1000, healthy: false },
      m3: { version: '3.5.30', raftAppliedIndex: 950 },
    },
  });
  assert.equal(chooseTransferee(obs, 'm5', '3.5.30')?.name, 'm3');
});

test('leader with no upgraded member yet: pick another member first', () => {
  const obs = cluster(3, { leader: 'm1' });
  assert.equal(leadershipAction(obs, 'm1', '3.5.30').action, 'pick-another-member');
  assert.equal(nextMember(obs, ['m1', 'm2', 'm3']), 'm2');
  assert.equal(nextMember(obs, ['m1']), 'm1');
});

test('not the leader: nothing to do', () => {
  assert.equal(leadershipAction(cluster(3, { leader: 'm1' }), 'm2', '3.5.30').action, 'none');
});
