import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, defaultJitterMs, nextRunAt, parseSchedule } from './timing.js';

const t = (s: string): Date => new Date(s);

test('--every fires on multiples of the interval since the epoch', () => {
  const s = parseSchedule({ every: '1h' });
  assert.equal(s.next(t('2026-11-21T11:59:00Z')).toISOString(), '2026-11-21T12:00:00.000Z');
  assert.equal(s.next(t('2026-11-21T12:00:00Z')).toISOString(), '2026-11-21T13:00:00.000Z');
  assert.equal(parseSchedule({ every: '15m' }).next(t('2026-11-21T12:07:00Z')).toISOString(), '2026-11-21T12:15:00.000Z');
});

test('--cron in UTC; its period is the gap between two runs', () => {
  const s = parseSchedule({ cron: '0 */6 * * *' });
  assert.equal(s.next(t('2026-11-21T11:59:00Z')).toISOString(), '2026-11-21T12:00:00.000Z');
  assert.equal(s.next(t('2026-11-21T12:00:00Z')).toISOString(), '2026-11-21T18:00:00.000Z');
  assert.equal(s.periodMs, 6 * 3_600_000);
});

test('schedule errors are usage errors (exit 2)', () => {
  for (const bad of [{}, { every: '1h', cron: '* * * * *' }, { every: '500ms' }, { every: 'soon' }, { cron: 'every day' }, { cron: '0 0 31 2 *' }]) {
    assert.throws(() => parseSchedule(bad), (e: Error & { exitCode?: number }) => e.exitCode === 2, JSON.stringify(bad));
  }
});

test('jitter and backoff', () => {
  assert.equal(defaultJitterMs(3_600_000), 300_000);
  assert.equal(defaultJitterMs(60_000), 6_000);
  assert.deepEqual([1, 2, 3, 7, 20].map(backoffMs), [10_000, 20_000, 40_000, 600_000, 600_000]);
  const s = parseSchedule({ every: '1h' });
  const now = t('2026-11-21T11:00:30Z');
  assert.deepEqual(nextRunAt(s, now, 60_000, 0.5, 0), { at: t('2026-11-21T12:00:30Z'), retry: false });
  assert.deepEqual(nextRunAt(s, now, 0, 0, 2), { at: t('2026-11-21T11:00:50Z'), retry: true });
  // A retry never pushes past the next regular run.
  assert.deepEqual(nextRunAt(s, t('2026-11-21T11:59:55Z'), 0, 0, 3), { at: t('2026-11-21T12:00:00Z'), retry: false });
});
