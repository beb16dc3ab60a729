import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judge, type MemberHash } from './consistency.js';

const m = (name: string, hash: number | null, extra: Partial<MemberHash> = {}): MemberHash => ({ name, id: name, endpoint: `http://${name}`, hash, hashRevision: 10, compactRevision: 5, ...extra });

test('all equal: consistent', () => {
  const r = judge(10, [m('a', 1), m('b', 1), m('c', 1)], 1);
  assert.equal(r.consistent, true);
  assert.deepEqual(r.differing, []);
});

test('one differs: names it', () => {
  const r = judge(10, [m('a', 1), m('b', 2), m('c', 1)], 1);
  assert.equal(r.consistent, false);
  assert.deepEqual(r.differing, ['b']);
  assert.match(r.problems[0]!, /b differs from the majority hash 1 at revision 10/);
});

test('no majority: names every member', () => {
  const r = judge(10, [m('a', 1), m('b', 2)], 1);
  assert.deepEqual(r.differing, ['a', 'b']);
  assert.match(r.problems[0]!, /no majority/);
});

test('an unreachable member makes the result not consistent, with its error', () => {
  const r = judge(10, [m('a', 1), m('b', null, { error: 'connection refused' })], 1);
  assert.equal(r.consistent, false);
  assert.deepEqual(r.differing, []);
  assert.match(r.problems[0]!, /b: connection refused/);
});
