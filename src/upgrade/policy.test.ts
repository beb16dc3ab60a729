import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideOnFailure, rollbackPossible, downgradePath } from './policy.js';

test('rollback is possible while mixed, or for a patch hop', () => {
  assert.equal(rollbackPossible('3.4.23', '3.5.30', '3.4.0'), true);
  assert.equal(rollbackPossible('3.4.23', '3.5.30', '3.5.0'), false);
  assert.equal(rollbackPossible('3.4.23', '3.5.30', undefined), false);
  assert.equal(rollbackPossible('3.5.16', '3.5.30', '3.5.0'), true);
});

test('mixed cluster + rollback policy: put the failed member back', () => {
  const d = decideOnFailure({ policy: 'rollback', from: '3.4.23', to: '3.5.30', clusterVersion: '3.4.0', member: 'm2', stepKind: 'wait-ready' });
  assert.deepEqual({ action: d.action, member: d.action === 'rollback-member' ? d.member : '', to: d.action === 'rollback-member' ? d.toVersion : '' }, { action: 'rollback-member', member: 'm2', to: '3.4.23' });
});

test('pause policy pauses; untouched member or cluster-level step pauses too', () => {
  assert.equal(decideOnFailure({ policy: 'pause', from: '3.4.23', to: '3.5.30', clusterVersion: '3.4.0', member: 'm2', stepKind: 'start' }).action, 'pause');
  assert.equal(decideOnFailure({ policy: 'rollback', from: '3.4.23', to: '3.5.30', clusterVersion: '3.4.0', member: 'm2', stepKind: 'quorum-check' }).action, 'pause');
  assert.equal(decideOnFailure({ policy: 'rollback', from: '3.4.23', to: '3.5.30', clusterVersion: '3.4.0', stepKind: 'check-consistency' }).action, 'pause');
});

test('after the cluster-version bump: never pretend, give the way down', () => {
  const d = decideOnFailure({ policy: 'rollback', from: '3.4.23', to: '3.5.30', clusterVersion: '3.5.0', member: 'm3', stepKind: 'soak' });
  assert.equal(d.action, 'stop-no-rollback');
  if (d.action === 'stop-no-rollback') assert.match(d.downgradePath, /next-cluster-version-compatible/);
  assert.match(downgradePath('3.5.30', '3.6.14'), /etcdctl downgrade enable 3\.5/);
  assert.match(downgradePath('3.3.25', '3.4.23'), /restore the backup/);
});
