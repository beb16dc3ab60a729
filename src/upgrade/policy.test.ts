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

test('after the bump into 3.6+: --on-failure rollback goes back through the downgrade API, pause stops', () => {
  const d = decideOnFailure({ policy: 'rollback', from: '3.6.17', to: '3.7.4', clusterVersion: '3.7.0', stepKind: 'check-consistency' });
  assert.equal(d.action, 'downgrade-rollback');
  if (d.action === 'downgrade-rollback') assert.equal(d.toVersion, '3.6.17');
  const p = decideOnFailure({ policy: 'pause', from: '3.6.17', to: '3.7.4', clusterVersion: '3.7.0', stepKind: 'check-consistency' });
  assert.equal(p.action, 'stop-no-rollback');
  if (p.action === 'stop-no-rollback') assert.match(p.downgradePath, /upshift downgrade --to 3\.6\.17/);
  // Unknown cluster version: no guess.
  assert.equal(decideOnFailure({ policy: 'rollback', from: '3.5.36', to: '3.6.17', stepKind: 'soak', member: 'm1' }).action, 'stop-no-rollback');
  // A failure of the way back is not rolled back again.
  assert.equal(decideOnFailure({ policy: 'rollback', from: '3.6.17', to: '3.7.4', clusterVersion: '3.7.0', stepKind: 'start', member: 'm1', inRollbackPlan: true }).action, 'stop-no-rollback');
});

test('a downgrade run: nothing to undo before ENABLE; after it, cancel (or pause as asked)', () => {
  const base = { operation: 'downgrade' as const, from: '3.6.17', to: '3.5.36', clusterVersion: '3.5.0', stepKind: 'wait-ready', member: 'm1' };
  assert.equal(decideOnFailure({ ...base, policy: 'rollback', downgradeEnabled: false }).action, 'pause');
  assert.equal(decideOnFailure({ ...base, policy: 'rollback', downgradeEnabled: true }).action, 'cancel-downgrade');
  assert.equal(decideOnFailure({ ...base, policy: 'pause', downgradeEnabled: true }).action, 'pause');
});
