/**
 * Latency histograms: HDR histograms (hdr-histogram-js) in microseconds, one per worker, shipped to the
 * parent as compressed base64 and merged there. The same encoding is kept in the JSON result so
 * `bench compare` can compute confidence intervals of percentiles later.
 */
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

/** 3 significant digits, 1 us .. auto-resized: relative error <= 0.1% at any latency. */
export function newHistogram(): Histogram {
  return hdr.build({ bitBucketSize: 32, numberOfSignificantValueDigits: 3, lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, autoResize: true });
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(b64: string): Histogram {
  const h = hdr.decodeFromCompressedBase64(b64, 32, false);
  return h;
}

export function mergeHistograms(encoded: string[]): Histogram {
  const out = newHistogram();
  for (const e of encoded) {
    if (!e) continue;
    const h = decodeHistogram(e);
    out.add(h);
  }
  return out;
}

/** The percentile ladder reported in full (etcd's benchmark prints 10..99.9; we go to 99.999). */
export const LADDER = [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 99.999, 100] as const;

export interface LatencySummaryMs {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

const usToMs = (us: number): number => Math.round(us) / 1000;

export function summarize(h: Histogram): LatencySummaryMs {
  if (h.totalCount === 0) return { mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    mean: Math.round(h.mean) / 1000,
    p50: usToMs(h.getValueAtPercentile(50)),
    p90: usToMs(h.getValueAtPercentile(90)),
    p99: usToMs(h.getValueAtPercentile(99)),
    p999: usToMs(h.getValueAtPercentile(99.9)),
    max: usToMs(h.maxValue),
  };
}

export function ladder(h: Histogram): { p: number; ms: number }[] {
  if (h.totalCount === 0) return [];
  return LADDER.map((p) => ({ p, ms: usToMs(p === 0 ? h.minNonZeroValue : p === 100 ? h.maxValue : h.getValueAtPercentile(p)) }));
}

/**
 * An etcd-benchmark-style response time histogram: `buckets` equal-width bins between the fastest and
 * slowest latency, with counts (ms bounds).
 */
export function bins(h: Histogram, buckets = 10): { upToMs: number; count: number }[] {
  if (h.totalCount === 0) return [];
  const lo = h.minNonZeroValue;
  const hi = h.maxValue;
  const width = Math.max(1, (hi - lo) / buckets);
  const counts = new Array<number>(buckets + 1).fill(0);
  // Walk the recorded values once (hdr-histogram-js exposes counts per equivalent-value range).
  const js = h as unknown as { getCountAtIndex?: (i: number) => number; valueFromIndex?: (i: number) => number; countsArrayLength?: number };
  if (typeof js.getCountAtIndex === 'function' && typeof js.valueFromIndex === 'function' && js.countsArrayLength) {
    for (let i = 0; i < js.countsArrayLength; i++) {
      const n = js.getCountAtIndex!(i);
      if (n === 0) continue;
      const v = js.valueFromIndex!(i);
      const b = Math.min(buckets, Math.max(0, Math.ceil((v - lo) / width)));
      counts[b] += n;
    }
  } else {
    // Fallback: approximate from the cumulative distribution at each bin edge.
    let prev = 0;
    for (let b = 0; b <= buckets; b++) {
      const edge = lo + b * width;
      const below = countAtOrBelow(h, edge);
      counts[b] = below - prev;
      prev = below;
    }
  }
  return counts.map((count, b) => ({ upToMs: usToMs(lo + b * width), count }));
}

function countAtOrBelow(h: Histogram, valueUs: number): number {
  // Binary search on percentiles (monotone) — only used when index access is unavailable.
  let lo = 0;
  let hi = 100;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (h.getValueAtPercentile(mid) <= valueUs) lo = mid;
    else hi = mid;
  }
  return Math.round((lo / 100) * h.totalCount);
}
