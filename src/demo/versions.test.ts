import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseDemoVersions } from './versions.js';
import { UsageError } from '../core/errors.js';

test('oldest and newest, with the newest patch of each minor in between', () => {
  assert.deepEqual(chooseDemoVersions(['3.5.30', '3.3.25', '3.4.23', '3.5.16', '3.5.30', '3.4.20']), { from: '3.3.25', to: '3.5.30', via: ['3.4.23'] });
});

test('one minor apart needs no intermediate', () => {
  assert.deepEqual(chooseDemoVersions(['3.4.23', '3.5.30']), { from: '3.4.23', to: '3.5.30', via: [] });
});

test('pinned versions win; a patch upgrade has no via', () => {
  assert.deepEqual(chooseDemoVersions(['3.3.25', '3.5.16', '3.5.30'], { from: '3.5.16' }), { from: '3.5.16', to: '3.5.30', via: [] });
});

test('a missing intermediate minor is a usage error naming it', () => {
  assert.throws(() => chooseDemoVersions(['3.3.25', '3.5.30']), (e: unknown) => e instanceof UsageError && /passes through 3\.4/.test(e.message));
});

test('fewer than two versions, or from >= to, is a usage error', () => {
  assert.throws(() => chooseDemoVersions(['3.5.30']), UsageError);
  assert.throws(() => chooseDemoVersions(['3.4.23', '3.5.30'], { from: '3.5.30', to: '3.4.23' }), UsageError);
  assert.throws(() => chooseDemoVersions(['3.4.23', '3.5.30'], { from: 'latest', to: '3.5.30' }), UsageError);
});

test('today\'s path with Go-built versions: through the newest 3.5 (>= the 3.5.32 floor) and 3.6 to 3.7; no pre-releases', () => {
  const offered = ['3.3.25', '3.4.23', '3.5.16', '3.5.30', '3.5.33', '3.5.36', '3.6.0', '3.6.17', '3.7.0-rc.0', '3.7.4', '3.8.0-alpha.0'];
  assert.deepEqual(chooseDemoVersions(offered), { from: '3.3.25', to: '3.7.4', via: ['3.4.23', '3.5.36', '3.6.17'] });
});

test('a start below its line\'s floor first moves to the newest patch of its line', () => {
  assert.deepEqual(chooseDemoVersions(['3.5.30', '3.5.36', '3.6.17', '3.7.4'], { from: '3.5.30' }), { from: '3.5.30', to: '3.7.4', via: ['3.5.36', '3.6.17'] });
  assert.throws(() => chooseDemoVersions(['3.5.30', '3.6.17'], { from: '3.5.30' }), (e: unknown) => e instanceof UsageError && /3\.5\.x >= 3\.5\.32 before 3\.6/.test(e.message));
  assert.deepEqual(chooseDemoVersions(['3.5.30', '3.5.36'], { from: '3.5.30' }), { from: '3.5.30', to: '3.5.36', via: [] }, 'a patch upgrade needs no floor');
});

test('an intermediate minor whose newest patch is below its floor is refused', () => {
  assert.throws(() => chooseDemoVersions(['3.4.23', '3.5.30', '3.6.17']), (e: unknown) => e instanceof UsageError && /3\.5\.x >= 3\.5\.32 before 3\.6, and the newest 3\.5 here is 3\.5\.30/.test(e.message));
});
