/**
 * Before/after comparison of two benchmark results (pure). For each metric: before, after, change %, and
 * whether the change lies inside run-to-run variation ("noise"). How noise is decided:
 *
 * - Throughput: the per-second throughput buckets of each run (full 1 s buckets) are samples; the
 *   difference of the means is noise when it is smaller than its 95% confidence half-width
 *   (1.96 * sqrt(s1²/n1 + s2²/n2), Welch).
 * - Latency percentiles: a distribution-free 95% confidence interval of each quantile from the run's
 *   own histogram (order statistics: the values at ranks n*q ± 1.96*sqrt(n*q*(1-q))); the change is
 *   noise when the two intervals overlap. Mean: 1.96 * stddev / sqrt(n) per run, same overlap rule.
 * - Error rate: two-proportion z-test at 95%.
 * - On top of the statistics, a change smaller than a floor (default 5%; 10% for CPU/op, 25% for max,
 *   which is a single sample) is always called noise: requests in one run are not independent
 *   (they share connections, GC pauses and the leader's fsyncs), so the within-run intervals above
 *   are narrower than the real run-to-run spread.
 */
import { decodeHistogram, type Histogram } from './histogram.js';
import type { BenchResult } from './result.js';

export type Direction = 'higher-better' | 'lower-better';
export type Verdict = 'better' | 'worse' | 'noise' | 'same';

export interface CompareRow {
  metric: string;
  unit: string;
  before: number;
  after: number;
  /** (after - before) / before * 100; null when before is 0. */
  changePct: number | null;
  direction: Direction;
  /** True when the difference is within run-to-run variation (see module comment). */
  noise: boolean;
  verdict: Verdict;
  /** How noise was judged, for the reader. */
  basis: string;
}

export interface Comparison {
  before: { file?: string; workload: string; startedAt: string; ops: number };
  after: { file?: string; workload: string; startedAt: string; ops: number };
  noiseFloorPct: number;
  rows: CompareRow[];
  /** Changes beyond noise in the bad direction. */
  regressions: string[];
  improvements: string[];
  notes: string[];
}

const Z95 = 1.96;

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
function variance(xs: number[]): number {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1);
}

/** Per-second throughput samples: full buckets only (the partial last bucket would bias them). */
export function throughputSamples(r: BenchResult): number[] {
  return r.timeline.filter((b) => b.sec >= 0.999).map((b) => b.ops / b.sec);
}

/** 95% CI of the q-quantile (0..1) from a histogram, by order statistics. */
export function quantileCi(h: Histogram, q: number): [number, number] {
  const n = h.totalCount;
  if (n === 0) return [0, 0];
  const half = Z95 * Math.sqrt((q * (1 - q)) / n);
  const lo = Math.max(0, q - half) * 100;
  const hi = Math.min(1, q + half) * 100;
  return [h.getValueAtPercentile(lo) / 1000, h.getValueAtPercentile(hi) / 1000];
}

const overlap = (a: [number, number], b: [number, number]): boolean => a[0] <= b[1] && b[0] <= a[1];

function pct(before: number, after: number): number | null {
  if (before === 0) return after === 0 ? 0 : null;
  return Math.round(((after - before) / before) * 1000) / 10;
}

function row(metric: string, unit: string, before: number, after: number, direction: Direction, statNoise: boolean, floorPct: number, basis: string): CompareRow {
  const changePct = pct(before, after);
  const belowFloor = changePct !== null && Math.abs(changePct) < floorPct;
  const noise = statNoise || belowFloor;
  let verdict: Verdict;
  if (before === after) verdict = 'same';
  else if (noise) verdict = 'noise';
  else verdict = (after > before) === (direction === 'higher-better') ? 'better' : 'worse';
  return { metric, unit, before, after, changePct, direction, noise, verdict, basis: belowFloor && !statNoise ? `${basis}; below the ${floorPct}% floor` : basis };
}

export interface CompareOptions {
  noiseFloorPct?: number;
  beforeFile?: string;
  afterFile?: string;
}

export function compareResults(before: BenchResult, after: BenchResult, o: CompareOptions = {}): Comparison {
  const floor = o.noiseFloorPct ?? 5;
  const rows: CompareRow[] = [];
  const notes: string[] = [];

  // Throughput: Welch CI of the difference of per-second means.
  const tb = throughputSamples(before);
  const ta = throughputSamples(after);
  if (tb.length >= 2 && ta.length >= 2) {
    const half = Z95 * Math.sqrt(variance(tb) / tb.length + variance(ta) / ta.length);
    const diff = Math.abs(after.throughput - before.throughput);
    rows.push(row('throughput', 'ops/s', before.throughput, after.throughput, 'higher-better', diff < half, floor, `±${Math.round(half)} ops/s (95% CI from ${tb.length}+${ta.length} one-second buckets)`));
  } else {
    rows.push(row('throughput', 'ops/s', before.throughput, after.throughput, 'higher-better', false, floor, 'runs shorter than 2 s: floor only'));
    notes.push('A run is shorter than 2 seconds: throughput noise is judged by the floor only; use --duration of 10s or more for a real comparison.');
  }

  // Latency: CIs from the histograms (when both carry one).
  const hb = before.histogram ? decodeHistogram(before.histogram) : undefined;
  const ha = after.histogram ? decodeHistogram(after.histogram) : undefined;
  const lat = before.latencyMs;
  const latA = after.latencyMs;
  if (hb && ha && hb.totalCount > 0 && ha.totalCount > 0) {
    const ciMean = (h: Histogram): [number, number] => {
      const hw = (Z95 * h.stdDeviation) / Math.sqrt(h.totalCount) / 1000;
      return [h.mean / 1000 - hw, h.mean / 1000 + hw];
    };
    rows.push(row('latency mean', 'ms', lat.mean, latA.mean, 'lower-better', overlap(ciMean(hb), ciMean(ha)), floor, '95% CI of the mean'));
    for (const [name, q] of [
      ['p50', 0.5],
      ['p90', 0.9],
      ['p99', 0.99],
      ['p999', 0.999],
    ] as const) {
      const cb = quantileCi(hb, q);
      const ca = quantileCi(ha, q);
      rows.push(row(`latency ${name}`, 'ms', lat[name], latA[name], 'lower-better', overlap(cb, ca), floor, `95% CI ${cb[0]}-${cb[1]} vs ${ca[0]}-${ca[1]} ms`));
    }
  } else {
    for (const name of ['mean', 'p50', 'p90', 'p99', 'p999'] as const) rows.push(row(`latency ${name}`, 'ms', lat[name], latA[name], 'lower-better', false, floor, 'no histogram: floor only'));
  }
  rows.push(row('latency max', 'ms', lat.max, latA.max, 'lower-better', false, Math.max(25, floor), 'single sample'));

  // Error rate: two-proportion z-test.
  const nb = before.ops + before.errors;
  const na = after.ops + after.errors;
  const pb = nb ? before.errors / nb : 0;
  const pa = na ? after.errors / na : 0;
  const pool = nb + na ? (before.errors + after.errors) / (nb + na) : 0;
  const se = Math.sqrt(pool * (1 - pool) * (1 / Math.max(1, nb) + 1 / Math.max(1, na)));
  const errNoise = se === 0 ? pa === pb : Math.abs(pa - pb) / se < Z95;
  rows.push(row('error rate', '%', Math.round(pb * 1e6) / 1e4, Math.round(pa * 1e6) / 1e4, 'lower-better', errNoise, 0, 'two-proportion z-test'));

  rows.push(row('client CPU/op', 'us', before.clientCpuUsPerOp, after.clientCpuUsPerOp, 'lower-better', false, Math.max(10, floor), 'floor only'));

  if (before.workload !== after.workload) notes.push(`Different workloads (${before.workload} vs ${after.workload}): the comparison is probably meaningless.`);
  const cb = before.config;
  const ca = after.config;
  for (const k of ['clients', 'conns', 'keySize', 'valSize', 'keySpace', 'rate', 'consistency'] as const) {
    if (cb[k] !== ca[k]) notes.push(`config differs: ${k} ${String(cb[k])} vs ${String(ca[k])}`);
  }
  if (before.host?.machineBusyPct !== undefined && after.host?.machineBusyPct !== undefined) {
    notes.push(`machine busy: ${before.host.machineBusyPct}% before, ${after.host.machineBusyPct}% after (load generator and servers included)`);
  }

  const side = (r: BenchResult, file?: string) => ({ ...(file ? { file } : {}), workload: r.workload, startedAt: r.startedAt, ops: r.ops });
  return {
    before: side(before, o.beforeFile),
    after: side(after, o.afterFile),
    noiseFloorPct: floor,
    rows,
    regressions: rows.filter((r) => r.verdict === 'worse').map((r) => r.metric),
    improvements: rows.filter((r) => r.verdict === 'better').map((r) => r.metric),
    notes,
  };
}
