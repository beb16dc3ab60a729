/**
 * `upshift backup schedule --every D | --cron EXPR [--to s3://...] [--dir D] [--keep-* ...] [--jitter D]
 *  [--metrics-addr HOST:PORT]`: a long-running process that saves (verifying etcd's trailer and the bbolt
 * data), uploads (verifying the stored object) and prunes on a schedule, one run at a time per cluster
 * (a lease-backed lock in the cluster), with JSON log lines on stderr and Prometheus metrics.
 *
 * Exits non-zero only on configuration errors found at start (flags, schedule, retention, credentials or
 * bucket); everything after that is logged, counted and retried. SIGTERM/SIGINT stop it cleanly (exit 0):
 * a run in progress is aborted (its upload too, so no object appears) and the lock released.
 */
import { Writable } from 'node:stream';
import type { CommandContext } from '../core/context.js';
import { UsageError, isUpshiftError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { createLoggerTo, type Logger } from '../core/log.js';
import type { ConnectionFlags } from '../cli/common.js';
import { resolveConnection } from '../client/connection.js';
import { EtcdError } from '../client/errors.js';
import { UpgradeLock } from '../upgrade/lock.js';
import { resolveS3Settings, type S3Flags } from '../s3/options.js';
import { ObjectStore } from '../s3/store.js';
import { isTransient } from '../s3/errors.js';
import { parseS3Location } from '../s3/url.js';
import { ScheduleMetrics } from '../schedule/metrics.js';
import { defaultJitterMs, parseSchedule } from '../schedule/timing.js';
import { runScheduler, type SchedulerSummary } from '../schedule/scheduler.js';
import { policyFromFlags, run as prune } from './backup-prune.js';
import { run as save } from './backup-save.js';

/** The scheduler's lock: the upgrade lock's protocol (src/upgrade/lock.ts) under its own key. */
export const BACKUP_LOCK_KEY = '/upshift/locks/backup';

export interface BackupScheduleOptions extends ConnectionFlags, S3Flags {
  every?: string;
  cron?: string;
  jitter?: string;
  to?: string;
  dir?: string;
  from?: string;
  inactivityTimeout?: string;
  keepLast?: string;
  keepWithin?: string;
  keepHourly?: string;
  keepDaily?: string;
  keepWeekly?: string;
  keepMonthly?: string;
  metricsAddr?: string;
  lockTtl?: string;
  output?: string;
}

/** Lines a sub-command writes as progress become `note` log lines. */
function noteStream(log: Logger, runId: () => string): Writable {
  let buf = '';
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      buf += chunk.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (line) log.info({ event: 'note', runId: runId() }, line);
      }
      cb();
    },
  });
}

/** Failures worth a quick retry: the store or etcd unreachable or overloaded, deadlines. */
function transient(e: unknown): boolean {
  if (isTransient(e)) return true;
  if (e instanceof EtcdError) return e.exitCode === 3 || ['UNAVAILABLE', 'DEADLINE_EXCEEDED', 'RESOURCE_EXHAUSTED'].includes(e.grpcCodeName ?? '');
  return isUpshiftError(e) && ['etcd-unavailable', 'snapshot-stalled', 'no-leader'].includes(e.code);
}

export async function run(opts: BackupScheduleOptions, ctx: CommandContext): Promise<SchedulerSummary> {
  // Configuration first: anything wrong here exits (2 or 3) before the first run.
  const schedule = parseSchedule(opts);
  const jitterMs = opts.jitter !== undefined ? parseDuration(opts.jitter, '--jitter') : defaultJitterMs(schedule.periodMs);
  const lockTtlSec = Math.max(5, Math.round(parseDuration(opts.lockTtl ?? '15s', '--lock-ttl') / 1000));
  const keepFlags = { keepLast: opts.keepLast, keepWithin: opts.keepWithin, keepHourly: opts.keepHourly, keepDaily: opts.keepDaily, keepWeekly: opts.keepWeekly, keepMonthly: opts.keepMonthly };
  const pruning = Object.values(keepFlags).some((v) => v !== undefined);
  if (pruning) policyFromFlags(keepFlags);
  const config = resolveConnection(opts, ctx.env, ctx.home);
  const log = createLoggerTo(ctx.stderr, ctx.env.UPSHIFT_LOG ?? 'info', { cmd: 'backup-schedule' });
  if (opts.to !== undefined) {
    const loc = parseS3Location(opts.to, '--to');
    const store = new ObjectStore(resolveS3Settings(opts, ctx.env));
    try {
      await store.checkAccess(loc, ctx.signal);
    } catch (e) {
      // Wrong credentials or a missing bucket are configuration; an unreachable store may come back.
      if (!isTransient(e)) throw e;
      log.warn({ event: 'store-unreachable', error: (e as Error).message }, 'the store is not reachable now; the runs will retry');
    } finally {
      store.close();
    }
  } else if (opts.dir === undefined) {
    throw new UsageError('backup schedule needs --to s3://BUCKET/PREFIX/ and/or --dir DIR', { hint: 'a backup on the same machine as the cluster is not off-site: prefer --to' });
  }
  const metrics = new ScheduleMetrics();
  let server: Awaited<ReturnType<ScheduleMetrics['serve']>> | undefined;
  if (opts.metricsAddr) {
    server = await metrics.serve(opts.metricsAddr);
    log.info({ event: 'metrics', url: server.url }, `metrics at ${server.url}`);
  }
  let currentRun = '';
  const sub: CommandContext = { ...ctx, interactive: false, stderr: noteStream(log, () => currentRun) };
  const s3Flags: S3Flags = Object.fromEntries(Object.entries(opts).filter(([k]) => k.startsWith('s3'))) as S3Flags;
  try {
    return await runScheduler({
      schedule,
      jitterMs,
      log,
      metrics,
      signal: ctx.signal,
      transient,
      lock: (runId, onLost) =>
        UpgradeLock.acquire(config, { runId, to: 'backup' }, { key: BACKUP_LOCK_KEY, purpose: 'backup', ttlSec: lockTtlSec, onLost }),
      job: async (signal, runId) => {
        currentRun = runId;
        const c: CommandContext = { ...sub, signal };
        const conn: ConnectionFlags = { endpoints: opts.endpoints, cluster: opts.cluster, cacert: opts.cacert, cert: opts.cert, key: opts.key, user: opts.user, password: opts.password, insecureSkipTlsVerify: opts.insecureSkipTlsVerify, dialTimeout: opts.dialTimeout, commandTimeout: opts.commandTimeout };
        const saved = await save({ ...conn, ...s3Flags, to: opts.to, dir: opts.dir, from: opts.from, inactivityTimeout: opts.inactivityTimeout }, c);
        const pruned: Record<string, number> = {};
        if (pruning) {
          for (const where of [opts.to, opts.dir].filter((x): x is string => x !== undefined)) {
            const p = await prune({ ...s3Flags, ...keepFlags, dir: where }, c);
            pruned[where] = p.deleted.length;
          }
        }
        return { file: saved.file, size: saved.size, revision: saved.revision ?? 0, clusterId: saved.clusterId ?? 'unknown', object: saved.object?.url ?? null, verifiedBy: saved.object?.verifiedBy ?? null, localFile: saved.localFile, pruned };
      },
    });
  } finally {
    await server?.close();
  }
}

export function render(r: SchedulerSummary): string {
  return `backup scheduler stopped (${r.stoppedBy}): ${r.runs} run(s), ${r.succeeded} succeeded, ${r.failed} failed, ${r.skipped} skipped (lock held elsewhere); last success ${r.lastSuccess ?? 'never'}\n`;
}
