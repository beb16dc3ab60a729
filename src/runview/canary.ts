/**
 * Canary statistics per second, from the operation histories the canary writes (history/model.ts): for
 * each op type, ops that ended in that second, how many failed (after safe retries) and latency
 * percentiles. Fed one history line at a time, so the same code reads a finished run (report) and follows
 * a live one (dashboard, /metrics). Seconds stay open (latencies kept) until an op ends OPEN_SECONDS later;
 * then only their summary is kept.
 */
import type { CanaryBucket, OpStats } from './model.js';

/** Op types charted: writes and linearizable reads (watch deliveries and lease calls are not load). */
export const CHARTED_OPS = ['put', 'get'] as const;

const OPEN_SECONDS = 3;

/** The fields of a history `op` record this needs. */
export interface OpLike {
  type?: string;
  kind: string;
  start: number;
  end?: number | undefined;
  outcome: string;
}

/** Nearest-rank percentile of sorted values. */
function pct(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

const round2 = (x: number | undefined): number | undefined => (x === undefined ? undefined : Math.round(x * 100) / 100);

export function summarize(latencies: number[], errors: number): OpStats {
  const s = [...latencies].sort((a, b) => a - b);
  return { n: s.length, err: errors, p50: round2(pct(s, 50)), p90: round2(pct(s, 90)), p99: round2(pct(s, 99)), max: round2(s[s.length - 1]) };
}

interface OpenSecond {
  lat: Map<string, number[]>;
  err: Map<string, number>;
}

export class CanaryAggregator {
  private readonly open = new Map<number, OpenSecond>();
  private readonly closed = new Map<number, CanaryBucket>();
  private readonly dirty = new Set<number>();
  private latest = 0;

  /** One history record (a parsed line). Only completed op records of the charted types count. */
  add(rec: OpLike): { kind: string; latencyMs: number; error: boolean } | undefined {
    if (rec.type !== undefined && rec.type !== 'op') return undefined;
    if (rec.end === undefined || !(CHARTED_OPS as readonly string[]).includes(rec.kind)) return undefined;
    const sec = Math.floor(rec.end / 1000);
    const latencyMs = rec.end - rec.start;
    const error = rec.outcome !== 'ok';
    let o = this.open.get(sec);
    if (!o) {
      o = { lat: new Map(), err: new Map() };
      this.open.set(sec, o);
    }
    const l = o.lat.get(rec.kind) ?? [];
    l.push(latencyMs);
    o.lat.set(rec.kind, l);
    if (error) o.err.set(rec.kind, (o.err.get(rec.kind) ?? 0) + 1);
    this.dirty.add(sec);
    if (sec > this.latest) {
      this.latest = sec;
      this.closeBefore(sec - OPEN_SECONDS);
    }
    return { kind: rec.kind, latencyMs, error };
  }

  private bucket(sec: number, o: OpenSecond): CanaryBucket {
    const ops: Record<string, OpStats> = {};
    for (const [kind, lat] of o.lat) ops[kind] = summarize(lat, o.err.get(kind) ?? 0);
    return { t: sec, ops };
  }

  private closeBefore(limit: number): void {
    for (const [sec, o] of [...this.open].sort((a, b) => a[0] - b[0])) {
      if (sec >= limit) break;
      this.closed.set(sec, this.bucket(sec, o));
      this.open.delete(sec);
    }
  }

  /** Seconds that changed since the last call (open ones as they are now), oldest first. */
  takeChanged(): CanaryBucket[] {
    const out: CanaryBucket[] = [];
    for (const sec of [...this.dirty].sort((a, b) => a - b)) {
      const o = this.open.get(sec);
      const b = o ? this.bucket(sec, o) : this.closed.get(sec);
      if (b) out.push(b);
    }
    this.dirty.clear();
    return out;
  }

  /** Every second so far, oldest first. */
  all(): CanaryBucket[] {
    const open = [...this.open].sort((a, b) => a[0] - b[0]).map(([sec, o]) => this.bucket(sec, o));
    return [...this.closed.values(), ...open].sort((a, b) => a.t - b.t);
  }
}
