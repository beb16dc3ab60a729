/**
 * When the backup scheduler runs (pure): `--every D` fires on multiples of D since the epoch (so two
 * schedulers with the same interval fire together and the cluster lock decides, and a restart keeps the
 * rhythm), `--cron EXPR` on a five-field cron expression in UTC (croner). Jitter is added on top; transient
 * failures retry with exponential backoff, never past the next regular run.
 */
import { Cron } from 'croner';
import { UsageError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';

export interface Schedule {
  describe: string;
  /** The first regular run strictly after `after`. */
  next(after: Date): Date;
  /** The usual gap between runs (for the default jitter). */
  periodMs: number;
}

export function parseSchedule(opts: { every?: string; cron?: string }): Schedule {
  if ((opts.every === undefined) === (opts.cron === undefined)) {
    throw new UsageError('backup schedule needs exactly one of --every DURATION or --cron EXPR', { hint: 'e.g. --every 1h, or --cron "0 */6 * * *" (UTC)' });
  }
  if (opts.every !== undefined) {
    const ms = parseDuration(opts.every, '--every');
    if (ms < 1000) throw new UsageError(`--every: "${opts.every}" is shorter than 1s`, { hint: 'e.g. --every 1h' });
    return { describe: `every ${opts.every}`, periodMs: ms, next: (after) => new Date((Math.floor(after.getTime() / ms) + 1) * ms) };
  }
  let cron: Cron;
  try {
    cron = new Cron(opts.cron!, { paused: true, timezone: 'UTC' });
  } catch (e) {
    throw new UsageError(`--cron: "${opts.cron}" is not a cron expression: ${(e as Error).message}`, { hint: 'five fields: minute hour day-of-month month day-of-week, e.g. "0 */6 * * *" (UTC)' });
  }
  const first = cron.nextRun(new Date(0));
  const second = first ? cron.nextRun(first) : null;
  if (!first || !second) throw new UsageError(`--cron: "${opts.cron}" never fires`);
  return {
    describe: `cron "${opts.cron}" (UTC)`,
    periodMs: second.getTime() - first.getTime(),
    next: (after) => {
      const n = cron.nextRun(after);
      if (!n) throw new UsageError(`--cron: "${opts.cron}" has no run after ${after.toISOString()}`);
      return n;
    },
  };
}

/** Default jitter: a tenth of the period, at most 5 minutes. */
export function defaultJitterMs(periodMs: number): number {
  return Math.min(Math.floor(periodMs / 10), 300_000);
}

/** Backoff after the n-th transient failure in a row (n >= 1): 10 s, 20 s, 40 s … up to 10 min. */
export function backoffMs(n: number): number {
  return Math.min(10_000 * 2 ** Math.max(0, n - 1), 600_000);
}

/** When to run next: the retry time after a transient failure (not past the next regular run), else the next regular run plus jitter. */
export function nextRunAt(s: Schedule, now: Date, jitterMs: number, random: number, transientFailures: number): { at: Date; retry: boolean } {
  const regular = new Date(s.next(now).getTime() + Math.floor(random * jitterMs));
  if (transientFailures > 0) {
    const retry = new Date(now.getTime() + backoffMs(transientFailures));
    if (retry < regular) return { at: retry, retry: true };
  }
  return { at: regular, retry: false };
}
