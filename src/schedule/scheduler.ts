/**
 * The backup scheduler's loop: wait for the next run (regular + jitter, or a backoff retry), take the
 * cluster's backup lock (lease-backed, the upgrade lock's protocol under its own key) so two schedulers of
 * one cluster never overlap, run the job, record metrics and JSON log lines, release the lock. Stops when
 * `signal` aborts: between runs at once; during a run by aborting it (the save aborts its upload, so no
 * half object is left) and releasing the lock. Never exits on a failed run: transient failures (network,
 * etcd or store unavailable) retry with backoff, others wait for the next regular run; both are logged.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../core/log.js';
import { errorMessage, isUpshiftError } from '../core/errors.js';
import type { ScheduleMetrics } from './metrics.js';
import { nextRunAt, type Schedule } from './timing.js';

export interface JobResult {
  file: string;
  size: number;
  revision: number;
  /** The cluster the snapshot came from (hex), the `cluster_id` label of the metrics. */
  clusterId: string;
  [k: string]: unknown;
}

export interface Lock {
  release(): Promise<void>;
}

export interface SchedulerDeps {
  schedule: Schedule;
  jitterMs: number;
  log: Logger;
  metrics: ScheduleMetrics;
  /** Take the cluster lock; throws an error with code `backup-locked` when another scheduler holds it. */
  lock: (runId: string, onLost: (why: string) => void) => Promise<Lock>;
  job: (signal: AbortSignal, runId: string) => Promise<JobResult>;
  /** Whether a failure is worth a quick retry (etcd or store unreachable, timeouts). */
  transient: (e: unknown) => boolean;
  signal: AbortSignal;
  now?: () => Date;
  random?: () => number;
}

export interface SchedulerSummary {
  runs: number;
  succeeded: number;
  failed: number;
  skipped: number;
  lastSuccess: string | null;
  stoppedBy: string;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export async function runScheduler(d: SchedulerDeps): Promise<SchedulerSummary> {
  const now = d.now ?? (() => new Date());
  const random = d.random ?? Math.random;
  const sum: SchedulerSummary = { runs: 0, succeeded: 0, failed: 0, skipped: 0, lastSuccess: null, stoppedBy: '' };
  let transientInARow = 0;
  /** The cluster of the last successful run (labels the gauges); unknown until one succeeded. */
  let clusterId = '';
  d.log.info({ event: 'started', schedule: d.schedule.describe, jitterMs: d.jitterMs }, `backup scheduler started: ${d.schedule.describe}`);
  while (!d.signal.aborted) {
    const plan = nextRunAt(d.schedule, now(), d.jitterMs, random(), transientInARow);
    d.metrics.nextRun.set(plan.at.getTime() / 1000);
    d.log.info({ event: plan.retry ? 'retry-scheduled' : 'scheduled', nextRun: plan.at.toISOString(), ...(plan.retry ? { attempt: transientInARow + 1 } : {}) }, `next run at ${plan.at.toISOString()}${plan.retry ? ` (retry ${transientInARow + 1} after a transient failure)` : ''}`);
    await sleep(plan.at.getTime() - now().getTime(), d.signal);
    if (d.signal.aborted) break;
    const runId = randomUUID();
    const run = new AbortController();
    const stop = (): void => run.abort(d.signal.reason);
    d.signal.addEventListener('abort', stop, { once: true });
    const t0 = performance.now();
    let lock: Lock | undefined;
    try {
      try {
        lock = await d.lock(runId, (why) => {
          d.log.error({ event: 'lock-lost', runId, why }, `the cluster lock was lost (${why}): stopping this run`);
          run.abort(new Error(`the backup lock was lost: ${why}`));
        });
      } catch (e) {
        if (isUpshiftError(e) && e.code === 'backup-locked') {
          sum.skipped++;
          d.metrics.runs.labels('skipped').inc();
          d.log.warn({ event: 'skipped', runId, reason: 'locked', holder: e.details?.holder ?? null }, `skipped: ${e.message}`);
          continue;
        }
        throw e;
      }
      sum.runs++;
      d.metrics.running.set(1);
      d.log.info({ event: 'run-started', runId }, 'backup run started');
      const r = await d.job(run.signal, runId);
      const secs = (performance.now() - t0) / 1000;
      sum.succeeded++;
      sum.lastSuccess = now().toISOString();
      transientInARow = 0;
      d.metrics.runs.labels('success').inc();
      clusterId = r.clusterId;
      d.metrics.lastSuccess.labels(clusterId).set(Date.now() / 1000);
      d.metrics.lastDuration.labels(clusterId).set(secs);
      d.metrics.lastSize.labels(clusterId).set(r.size);
      d.metrics.lastRevision.labels(clusterId).set(r.revision);
      d.log.info({ event: 'run-succeeded', runId, durationMs: Math.round(secs * 1000), ...r }, `backup run succeeded: ${r.file}`);
    } catch (e) {
      const secs = (performance.now() - t0) / 1000;
      if (d.signal.aborted) {
        d.log.warn({ event: 'run-interrupted', runId, error: errorMessage(e) }, 'backup run interrupted by a signal');
        break;
      }
      const transient = d.transient(e);
      transientInARow = transient ? transientInARow + 1 : 0;
      sum.failed++;
      d.metrics.runs.labels('failure').inc();
      d.metrics.failures.labels(String(transient)).inc();
      if (clusterId) d.metrics.lastDuration.labels(clusterId).set(secs);
      d.log.error(
        { event: 'run-failed', runId, transient, error: errorMessage(e), code: isUpshiftError(e) ? e.code : 'internal', hint: isUpshiftError(e) ? e.hint : undefined },
        `backup run failed${transient ? ' (transient: retrying with backoff)' : ' (retrying at the next regular run)'}: ${errorMessage(e)}`,
      );
    } finally {
      d.signal.removeEventListener('abort', stop);
      d.metrics.running.set(0);
      if (lock) await lock.release().catch((e: unknown) => d.log.warn({ event: 'lock-release-failed', runId, error: errorMessage(e) }, 'could not release the cluster lock (it expires with its lease)'));
    }
  }
  sum.stoppedBy = d.signal.aborted ? errorMessage(d.signal.reason) : 'done';
  d.log.info({ event: 'stopped', ...sum }, 'backup scheduler stopped');
  return sum;
}
