import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDowngrade, resolveDowngradeTarget } from './downgrade.js';
import { latestPatch } from '../knowledge/index.js';

test('--to X.Y is the newest release of the line upshift knows; X.Y.Z as given; junk is exit 2', () => {
  assert.equal(resolveDowngradeTarget('3.6'), latestPatch('3.6'));
  assert.equal(resolveDowngradeTarget('3.5.36'), '3.5.36');
  assert.throws(() => resolveDowngradeTarget('three'), (e: Error & { exitCode?: number }) => e.exitCode === 2);
  assert.throws(() => resolveDowngradeTarget('9.9'), /not a release line/);
});

test('one minor below the cluster version, from 3.6 on; 3.5 -> 3.4 refused with the documented procedure', () => {
  assert.doesNotThrow(() => checkDowngrade('3.7.4', '3.7.0', '3.6.17'));
  assert.doesNotThrow(() => checkDowngrade('3.6.17', '3.6.0', '3.5.36'));
  assert.throws(() => checkDowngrade('3.7.4', '3.7.0', '3.5.36'), (e: Error & { code?: string }) => e.code === 'downgrade-too-far');
  assert.throws(() => checkDowngrade('3.6.17', '3.6.0', '3.7.4'), (e: Error & { code?: string }) => e.code === 'not-a-downgrade');
  assert.throws(() => checkDowngrade('3.6.17', '3.6.0', '3.6.10'), (e: Error & { code?: string }) => e.code === 'not-a-downgrade');
  assert.throws(
    () => checkDowngrade('3.5.36', '3.5.0', '3.4.45'),
    (e: Error & { code?: string; exitCode?: number; hint?: string }) => e.code === 'downgrade-unsupported' && e.exitCode === 1 && /3\.4\.32/.test(e.hint ?? ''),
  );
});
