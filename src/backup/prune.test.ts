import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planPrune, type PruneCandidate } from './prune.js';

const DAY = 86_400_000;
const now = Date.parse('2026-11-21T12:00:00Z');
const at = (daysAgo: number): string => new Date(now - daysAgo * DAY).toISOString();
const c = (file: string, daysAgo: number, verified = true): PruneCandidate => ({ file, createdAt: at(daysAgo), revision: 100 - daysAgo, verified });

test('keep-last keeps the newest N and deletes the rest', () => {
  const p = planPrune([c('a', 3), c('b', 1), c('c', 2), c('d', 4)], { keepLast: 2, now });
  assert.deepEqual(p.keep, ['b', 'c']);
  assert.deepEqual(p.delete, ['a', 'd']);
});

test('keep-within keeps backups younger than the duration', () => {
  const p = planPrune([c('a', 0.5), c('b', 1.5), c('c', 3)], { keepWithinMs: 2 * DAY, now });
  assert.deepEqual(p.keep, ['a', 'b']);
  assert.deepEqual(p.delete, ['c']);
});

test('with both rules, a backup either rule keeps is kept', () => {
  const p = planPrune([c('a', 0.5), c('b', 1.5), c('c', 3), c('d', 5)], { keepLast: 3, keepWithinMs: 1 * DAY, now });
  assert.deepEqual(p.keep, ['a', 'b', 'c']);
  assert.deepEqual(p.delete, ['d']);
});

test('the newest verified backup is never deleted, even with keep-last 0', () => {
  const p = planPrune([c('new-broken', 0, false), c('older-ok', 1), c('oldest', 2)], { keepLast: 0, now });
  assert.equal(p.newestVerified, 'older-ok');
  assert.deepEqual(p.keep, ['older-ok']);
  assert.deepEqual(p.delete, ['new-broken', 'oldest']);
  assert.match(p.decisions.find((d) => d.file === 'older-ok')!.reason, /newest verified/);
});

test('the newest verified backup survives keep-within too', () => {
  const p = planPrune([c('x', 10), c('y', 20)], { keepWithinMs: DAY, now });
  assert.deepEqual(p.keep, ['x']);
  assert.deepEqual(p.delete, ['y']);
});

test('nothing is deleted when no backup is verified', () => {
  const p = planPrune([c('a', 5, false), c('b', 6, false)], { keepLast: 0, now });
  assert.equal(p.newestVerified, null);
  assert.deepEqual(p.delete, []);
});

test('same createdAt: the higher revision counts as newer', () => {
  const same = at(1);
  const p = planPrune(
    [
      { file: 'r1', createdAt: same, revision: 1, verified: true },
      { file: 'r2', createdAt: same, revision: 2, verified: true },
    ],
    { keepLast: 1, now },
  );
  assert.deepEqual(p.keep, ['r2']);
});

test('a policy without rules is a programming error', () => {
  assert.throws(() => planPrune([], { now }));
});
