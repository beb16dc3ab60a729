/** Messages between the benchmark engine (parent thread) and its workers. */
import type { BenchConfig, WorkerShare } from './config.js';

export interface WorkerInit {
  config: BenchConfig;
  share: WorkerShare;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: boolean };
  /** Never logged or echoed; only used to authenticate each connection. */
  auth?: { user: string; password: string };
}

export type ToWorker =
  | { type: 'start'; begin: number; measureStart: number; measureEnd?: number }
  | { type: 'stop' }
  | { type: 'drain'; putsPerKey: number[] };

export interface TimelineBucket {
  ops: number;
  errors: number;
  latSumUs: number;
  latMaxUs: number;
}

export interface WorkerResult {
  type: 'result';
  ops: number;
  errors: number;
  conflicts: number;
  errorsByType: Record<string, number>;
  histogram: string;
  serviceHistogram: string | undefined;
  auxHistogram: string | undefined;
  timeline: TimelineBucket[];
  /** Epoch ms of the first measured send and the last measured completion. */
  firstAt: number;
  lastAt: number;
  /** Ops issued including warmup. */
  seq: number;
  extra: Record<string, number>;
}

export type FromWorker =
  | { type: 'progress'; ops: number; errors: number }
  | { type: 'ready' } | { type: 'fatal'; message: string } | { type: 'putsDone'; putsPerKey: number[] } | WorkerResult;
