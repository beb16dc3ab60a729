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
