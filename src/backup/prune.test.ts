import { test } from 'node:test';
import assert from 'node:assert/strict';
import { periodOf, planPrune, type PruneCandidate, type PrunePolicy } from './prune.js';

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

const HOUR = 3_600_000;

test('calendar periods are UTC; ISO weeks belong to the year of their Thursday', () => {
  const t = Date.parse('2026-11-21T11:43:00Z');
  assert.equal(periodOf('hourly', t), '2026-11-21T11');
  assert.equal(periodOf('daily', t), '2026-11-21');
  assert.equal(periodOf('monthly', t), '2026-11');
  assert.equal(periodOf('weekly', t), '2026-W47');
  assert.equal(periodOf('weekly', Date.parse('2027-01-01T00:00:00Z')), '2026-W53'); // a Friday
  assert.equal(periodOf('weekly', Date.parse('2024-12-30T00:00:00Z')), '2025-W01'); // a Monday
  assert.equal(periodOf('weekly', Date.parse('2026-01-04T23:59:00Z')), '2026-W01'); // a Sunday
});

/** Grandfather-father-son, table-driven: backups given as hours before `now`, all verified unless marked. */
const gfsTable: { name: string; hoursAgo: number[]; policy: Omit<PrunePolicy, 'now'>; keep: number[] }[] = [
  { name: 'hourly 3 keeps the newest of the 3 newest hours', hoursAgo: [0, 0.5, 1, 1.5, 2, 3, 4], policy: { hourly: 3 }, keep: [0, 1, 2] },
  { name: 'hourly skips empty hours (slots count hours with a backup)', hoursAgo: [0, 5, 9, 30], policy: { hourly: 3 }, keep: [0, 5, 9] },
  { name: 'daily 2 with several per day', hoursAgo: [1, 3, 25, 27, 49], policy: { daily: 2 }, keep: [1, 25] },
  { name: 'weekly 2 over a month of dailies', hoursAgo: Array.from({ length: 30 }, (_, d) => d * 24), policy: { weekly: 2 }, keep: [0, 6 * 24] },
  { name: 'monthly 3 over a year of weeklies', hoursAgo: Array.from({ length: 52 }, (_, w) => w * 7 * 24), policy: { monthly: 3 }, keep: [0, 3 * 7 * 24, 8 * 7 * 24] }, // Nov 21; Oct 31; Sep 26 (Oct 3 is still October)
  { name: 'GFS combined: 24 hourly, 7 daily, 4 weekly, 6 monthly over 90 days of 6-hourly backups', hoursAgo: Array.from({ length: 360 }, (_, i) => i * 6), policy: { hourly: 24, daily: 7, weekly: 4, monthly: 6 }, keep: [] },
  { name: 'GFS and keep-last together: a backup either keeps stays', hoursAgo: [0, 1, 2, 50, 100], policy: { keepLast: 2, daily: 3 }, keep: [0, 1, 50, 100] },
];

for (const row of gfsTable) {
  test(`GFS: ${row.name}`, () => {
    const now2 = Date.parse('2026-11-21T11:59:00Z');
    const cands = row.hoursAgo.map((h) => ({ file: `h${h}`, createdAt: new Date(now2 - h * HOUR).toISOString(), revision: 1_000_000 - Math.round(h * 10), verified: true }));
    const p = planPrune(cands, { ...row.policy, now: now2 });
    if (row.name.startsWith('GFS combined')) {
      // 24 hourly slots (6-hourly backups: one per hour with a backup), then days/weeks/months overlap them.
      const kept = new Set(p.keep);
      assert.ok(kept.has('h0'));
      assert.equal(p.keep.length, new Set([...Array.from({ length: 24 }, (_, i) => `h${i * 6}`)]).size + p.keep.filter((f) => Number(f.slice(1)) >= 24 * 6).length);
      assert.ok(p.keep.length <= 24 + 7 + 4 + 6);
      for (const d of p.decisions) assert.ok(d.action === 'delete' || /hourly|daily|weekly|monthly|newest verified/.test(d.reason), d.reason);
      return;
    }
    assert.deepEqual(p.keep, row.keep.map((h) => `h${h}`), JSON.stringify(p.decisions, null, 1));
  });
}

test('GFS never deletes the newest verified backup, and says why each one stays', () => {
  const p = planPrune(
    [c('new-broken', 0, false), c('ok', 1), c('old', 40)],
    { daily: 1, now },
  );
  assert.deepEqual(p.keep, ['new-broken', 'ok']);
  assert.match(p.decisions[0]!.reason, /daily 1\/1: newest of/);
  assert.match(p.decisions[1]!.reason, /newest verified/);
  assert.equal(p.decisions[2]!.reason, 'outside the retention rules');
});

test('an object under lock retention is kept until it expires', () => {
  const locked = { ...c('locked', 10), lockedUntil: new Date(now + DAY).toISOString() };
  const expired = { ...c('expired', 11), lockedUntil: new Date(now - DAY).toISOString() };
  const p = planPrune([c('new', 0), locked, expired], { keepLast: 1, now });
  assert.deepEqual(p.keep, ['new', 'locked']);
  assert.match(p.decisions[1]!.reason, /object lock until/);
});
