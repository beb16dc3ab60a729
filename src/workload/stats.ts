/**
 * Live statistics of the canary workload, for the gates and the report: error rate and P99 over a
 * sliding window, totals, longest gap between successful writes, stalls, first-attempt failures by error.
 */

export interface OpSample {
  /** End time (epoch ms). */
  end: number;
  latencyMs: number;
  /** Failed after any safe retry (indeterminate writes count as failed here). */
  error: boolean;
}

export interface WindowStats {
  ops: number;
  errors: number;
  p99Ms?: number | undefined;
}

export interface TotalStats {
  ops: number;
  writes: number;
  reads: number;
  failed: number;
  indeterminate: number;
  retries: number;
  /** Ops that took longer than the stall threshold (1 s), whatever their outcome. */
  stalled: number;
  maxWriteGapMs: number;
  p99Ms?: number | undefined;
  /** First-attempt failures by error code (before any safe retry). */
  firstAttemptFailures: Record<string, number>;
}

export const STALL_MS = 1000;

/** Nearest-rank percentile of an unsorted list (copying it). */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

export class WorkloadStats {
  private window: OpSample[] = [];
  private all: number[] = [];
  ops = 0;
  writes = 0;
  reads = 0;
  failed = 0;
  indeterminate = 0;
  retries = 0;
  stalled = 0;
  maxWriteGapMs = 0;
  private lastOkWriteEnd: number | undefined;
  readonly firstAttemptFailures: Record<string, number> = {};

  constructor(private readonly windowMs = 10_000) {}

  record(kind: 'read' | 'write', sample: OpSample, outcome: 'ok' | 'failed' | 'indeterminate', attempts: number): void {
    this.ops++;
    if (kind === 'write') this.writes++;
    else this.reads++;
    if (outcome === 'failed') this.failed++;
    if (outcome === 'indeterminate') this.indeterminate++;
    this.retries += Math.max(0, attempts - 1);
    if (sample.latencyMs > STALL_MS) this.stalled++;
    this.all.push(sample.latencyMs);
    this.window.push(sample);
    this.trim(sample.end);
    if (kind === 'write' && outcome === 'ok') {
      if (this.lastOkWriteEnd !== undefined) this.maxWriteGapMs = Math.max(this.maxWriteGapMs, sample.end - this.lastOkWriteEnd);
      this.lastOkWriteEnd = Math.max(this.lastOkWriteEnd ?? 0, sample.end);
    }
  }

  firstAttemptFailure(code: string): void {
    this.firstAttemptFailures[code] = (this.firstAttemptFailures[code] ?? 0) + 1;
  }

  private trim(now: number): void {
    const from = now - this.windowMs;
    let i = 0;
    while (i < this.window.length && this.window[i]!.end < from) i++;
    if (i > 0) this.window.splice(0, i);
  }

  /** Stats over the last `ms` (at most the configured window) before `now`. */
  windowStats(now: number, ms = this.windowMs): WindowStats {
    const from = now - Math.min(ms, this.windowMs);
    const w = this.window.filter((s) => s.end >= from && s.end <= now);
    return { ops: w.length, errors: w.filter((s) => s.error).length, p99Ms: percentile(w.map((s) => s.latencyMs), 99) };
  }

  totals(): TotalStats {
    return {
      ops: this.ops,
      writes: this.writes,
      reads: this.reads,
      failed: this.failed,
      indeterminate: this.indeterminate,
      retries: this.retries,
      stalled: this.stalled,
      maxWriteGapMs: Math.round(this.maxWriteGapMs * 10) / 10,
      p99Ms: percentile(this.all, 99),
      firstAttemptFailures: { ...this.firstAttemptFailures },
    };
  }
}
