/** adjustArgsForVersion: the flag rewrites an upgrade or rollback applies when switching binaries. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adjustArgsForVersion } from '../src/plan/args.js';

test('upgrade to 3.5: capnslog -> zap, removed flags renamed or dropped', () => {
  const r = adjustArgsForVersion(['--name=a', '--logger=capnslog', '--log-package-levels=etcdserver=DEBUG', '--experimental-backend-bbolt-freelist-type=map', '--next-cluster-version-compatible', '--debug'], '3.5.30');
  assert.deepEqual(r.args, ['--name=a', '--logger=zap', '--backend-bbolt-freelist-type=map', '--log-level=debug']);
  assert.deepEqual(r.adjustments.map((a) => a.action), ['rewritten', 'dropped', 'renamed', 'dropped', 'rewritten']);
  assert.deepEqual(r.unresolved, []);
  for (const a of r.adjustments) assert.ok(a.source);
});

test('3.7: experimental flags renamed, booleans merged into one --feature-gates', () => {
  const r = adjustArgsForVersion(['--experimental-corrupt-check-time', '5m', '--experimental-initial-corrupt-check', '--experimental-stop-grpc-service-on-defrag=true', '--feature-gates=LeaseCheckpoint=true', '--discovery=https://d'], '3.7.1');
  assert.deepEqual(r.args, ['--corrupt-check-time=5m', '--feature-gates=InitialCorruptCheck=true,StopGRPCServiceOnDefrag=true,LeaseCheckpoint=true']);
  assert.ok(r.adjustments.some((a) => a.from === '--discovery=https://d' && a.action === 'dropped'));
});

test('3.6: deprecated experimental flags move to their new names and feature gates now (3.7 refuses the old ones)', () => {
  const r = adjustArgsForVersion(['--experimental-corrupt-check-time=5m', '--enable-v2=true', '--experimental-initial-corrupt-check=true', '--experimental-watch-progress-notify-interval=5s', '--experimental-compact-hash-check-enabled', '--experimental-enable-distributed-tracing=false'], '3.6.14');
  assert.deepEqual(r.args, ['--corrupt-check-time=5m', '--feature-gates=InitialCorruptCheck=true,CompactHashCheck=true', '--watch-progress-notify-interval=5s', '--enable-distributed-tracing=false']);
  assert.equal(r.adjustments[0]!.from, '--experimental-corrupt-check-time=5m');
  assert.equal(r.adjustments[0]!.action, 'renamed');
  assert.match(r.adjustments[0]!.source, /upgrade_3_6/);
  assert.ok(r.adjustments.some((a) => a.from === '--enable-v2=true' && a.action === 'dropped'));
  assert.deepEqual(r.unresolved, []);
  // Already on the new names: nothing to do.
  assert.deepEqual(adjustArgsForVersion(r.args, '3.6.14').adjustments, []);
  // And 3.7 takes them as they are.
  assert.deepEqual(adjustArgsForVersion(r.args, '3.7.1').args, r.args);
});

test('rollback 3.6 -> 3.5: new names back to the experimental ones, gates split', () => {
  const r = adjustArgsForVersion(['--corrupt-check-time=5m', '--feature-gates=InitialCorruptCheck=true,StopGRPCServiceOnDefrag=false'], '3.5.33');
  assert.deepEqual(r.args, ['--experimental-corrupt-check-time=5m', '--experimental-initial-corrupt-check=true', '--experimental-stop-grpc-service-on-defrag=false']);
});

test('unknown flags are kept and reported', () => {
  const r = adjustArgsForVersion(['--no-such=1', '--name', 'a'], '3.5.30');
  assert.deepEqual(r.args, ['--no-such=1', '--name=a']);
  assert.deepEqual(r.unresolved, ['--no-such=1']);
  assert.throws(() => adjustArgsForVersion([], '3.9.0'));
});

test('downgrade 3.7 -> 3.6: feature gates 3.6 does not know are dropped (it would refuse to start)', () => {
  const r = adjustArgsForVersion(['--feature-gates=InitialCorruptCheck=true,PriorityRequest=true'], '3.6.14');
  assert.deepEqual(r.args, ['--feature-gates=InitialCorruptCheck=true']);
  assert.deepEqual(r.adjustments.map((a) => [a.from, a.action]), [['--feature-gates=PriorityRequest=true', 'dropped']]);
  assert.deepEqual(adjustArgsForVersion(['--feature-gates=PriorityRequest=true'], '3.6.14').args, []);
});
