/**
 * The operation history: what a client did against etcd and what it saw, one JSON record per line.
 * It is the interchange format between the canary workload (which records it during an upgrade) and
 * `upshift verify` (which checks it), after etcd's robustness suite, where histories are the hand-off
 * between traffic and validation (etcd:tests/robustness/{traffic,validate}).
 *
 * Times are milliseconds on one clock (epoch ms with sub-ms precision from performance.now()), so
 * real-time order between operations of one history is meaningful.
 */
import { z } from 'zod';

export const HISTORY_FORMAT = 'upshift-history';
export const HISTORY_VERSION = 1;

/** ok: the server acknowledged; failed: proven not applied; indeterminate: may or may not have happened. */
export const OUTCOMES = ['ok', 'failed', 'indeterminate'] as const;
export type Outcome = (typeof OUTCOMES)[number];

const num = z.number().finite();

const opBase = {
  type: z.literal('op'),
  id: z.number().int().nonnegative(),
  key: z.string(),
  start: num,
  /** Absent only for an operation still pending when the history ended (it is then indeterminate). */
  end: num.optional(),
  outcome: z.enum(OUTCOMES),
  /** Response header revision (put: the revision the write created; get: the store revision read at). */
  revision: z.number().int().nonnegative().optional(),
  error: z.string().optional(),
  /** How many times the client sent it (> 1 only after a retry that was proven safe). */
  attempts: z.number().int().positive().default(1),
  endpoint: z.string().optional(),
};

export const putOpSchema = z.object({
  ...opBase,
  kind: z.literal('put'),
  value: z.string(),
  /** Lease the key was attached to (hex); such keys may vanish when the lease ends. */
  lease: z.string().optional(),
});

export const getOpSchema = z.object({
  ...opBase,
  kind: z.literal('get'),
  /** The value read; null when the key was absent. Meaningful only when outcome is ok. */
  value: z.string().nullable().optional(),
  modRevision: z.number().int().nonnegative().optional(),
});

export const watchEventOpSchema = z.object({
  ...opBase,
  kind: z.literal('watch-event'),
  eventType: z.enum(['put', 'delete']),
  value: z.string().nullable().optional(),
  /** For watch events, `revision` is the event's mod revision. */
  revision: z.number().int().nonnegative(),
});

export const leaseOpSchema = z.object({
  ...opBase,
  kind: z.literal('lease'),
  action: z.enum(['grant', 'keepalive', 'revoke']),
  lease: z.string().optional(),
  ttl: z.number().optional(),
});

export const opSchema = z.discriminatedUnion('kind', [putOpSchema, getOpSchema, watchEventOpSchema, leaseOpSchema]);

export const headerSchema = z.object({
  type: z.literal('header'),
  format: z.literal(HISTORY_FORMAT),
  version: z.literal(HISTORY_VERSION),
  /** Key prefix the workload owned; every key in the history is under it. */
  prefix: z.string(),
  startedAt: z.string(),
  /** Values of keys before the first operation (absent = key did not exist). */
  initial: z.record(z.string(), z.string()).optional(),
  runId: z.string().optional(),
});

/** Lifecycle of the watch on the prefix: start/resume carry the revision asked for; end the revision it reached. */
export const watchRecordSchema = z.object({
  type: z.literal('watch'),
  action: z.enum(['start', 'resume', 'end', 'error']),
  revision: z.number().int().nonnegative().optional(),
  at: num,
  error: z.string().optional(),
  /** On `end`: the highest acknowledged write revision the watch should have delivered. */
  expected: z.number().int().nonnegative().optional(),
  /** On `end`: the history was cut short (the recording process died); events are owed only up to `revision`. */
  truncated: z.boolean().optional(),
});

/** The final read-back: the whole prefix, read linearizably at one revision. */
export const readbackSchema = z.object({
  type: z.literal('readback'),
  start: num,
  end: num,
  revision: z.number().int().nonnegative(),
  entries: z.array(
    z.object({
      key: z.string(),
      value: z.string(),
      modRevision: z.number().int().nonnegative(),
      lease: z.string().optional(),
    }),
  ),
});

export type PutOp = z.infer<typeof putOpSchema>;
export type GetOp = z.infer<typeof getOpSchema>;
export type WatchEventOp = z.infer<typeof watchEventOpSchema>;
export type LeaseOp = z.infer<typeof leaseOpSchema>;
export type Operation = PutOp | GetOp | WatchEventOp | LeaseOp;
export type OperationKind = Operation['kind'];
export type HistoryHeader = z.infer<typeof headerSchema>;
export type WatchRecord = z.infer<typeof watchRecordSchema>;
export type Readback = z.infer<typeof readbackSchema>;
export type HistoryRecord = HistoryHeader | Operation | WatchRecord | Readback;

/** A history in memory. */
export interface History {
  header: HistoryHeader;
  ops: Operation[];
  watch: WatchRecord[];
  readback?: Readback;
}

export function newHeader(prefix: string, extra: Partial<HistoryHeader> = {}): HistoryHeader {
  return { type: 'header', format: HISTORY_FORMAT, version: HISTORY_VERSION, prefix, startedAt: new Date().toISOString(), ...extra };
}
