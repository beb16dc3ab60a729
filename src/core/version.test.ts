import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareVersionParts, minorOf, versionAtLeast, versionParts } from './version.js';

test('versionParts: v prefix and suffixes ignored, missing parts are 0', () => {
  assert.deepEqual(versionParts('3.5.30'), [3, 5, 30]);
  assert.deepEqual(versionParts('v3.6.0-rc.1'), [3, 6, 0]);
  assert.deepEqual(versionParts('3.4'), [3, 4, 0]);
});

test('compareVersionParts / versionAtLeast / minorOf', () => {
  assert.ok(compareVersionParts('3.5.9', '3.5.10') < 0);
  assert.ok(compareVersionParts('3.10.0', '3.9.9') > 0);
  assert.equal(compareVersionParts('v3.5.1', '3.5.1'), 0);
  assert.equal(versionAtLeast('3.6.0-rc.1', '3.6.0'), true);
  assert.equal(versionAtLeast('3.3.25', '3.4.0'), false);
  assert.equal(versionAtLeast(undefined, '3.4.0'), false);
  assert.equal(minorOf('v3.5.30'), '3.5');
  assert.deepEqual(['3.5.10', '3.4.23', '3.5.9'].sort(compareVersionParts), ['3.4.23', '3.5.9', '3.5.10']);
});
