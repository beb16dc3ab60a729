/**
 * Latency per edge: a log-linear histogram of microseconds (64 sub-buckets per power of two, so any
 * percentile is within 1.6% of the true value), mergeable and stored sparsely in JSON so topology
 * snapshots over days add up. Hand-written because the linker records one value per call and must stay
 * well under a microsecond per span; hdr-histogram-js (used by `upshift bench`) takes ~0.7 µs a record here.
 */

const SUB = 64;
const LINEAR = 2 * SUB; // values below 128 µs are exact
const MAX_SHIFT = 25; // up to 2^31 µs (~36 min); larger values land in the last bucket
const SIZE = LINEAR + MAX_SHIFT * SUB;

function indexOf(us: number): number {
  const v = us <= 0 ? 0 : us >= 0x7fffffff ? 0x7fffffff : Math.floor(us);
  if (v < LINEAR) return v;
  const shift = 31 - Math.clz32(v) - 6;
  return LINEAR + (shift - 1) * SUB + ((v >>> shift) - SUB);
}

/** The middle of a bucket. */
function valueOf(index: number): number {
  if (index < LINEAR) return index;
  const shift = Math.floor((index - LINEAR) / SUB) + 1;
  const sub = ((index - LINEAR) % SUB) + SUB;
  return sub * 2 ** shift + 2 ** (shift - 1);
}

export class LatencyHistogram {
  private counts: Uint32Array | undefined;
  total = 0;
  max = 0;

  record(us: number): void {
    if (!(us >= 0)) return;
    (this.counts ??= new Uint32Array(SIZE))[indexOf(us)]!++;
    this.total++;
    if (us > this.max) this.max = us;
  }

  add(o: LatencyHistogram): void {
    if (!o.counts) return;
    const c = (this.counts ??= new Uint32Array(SIZE));
    for (let i = 0; i < SIZE; i++) c[i]! += o.counts[i]!;
    this.total += o.total;
    if (o.max > this.max) this.max = o.max;
  }

  /** The value at percentile p (0..100), microseconds; 0 when empty. */
  percentile(p: number): number {
    if (!this.counts || this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < SIZE; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(valueOf(i), this.max);
    }
    return this.max;
  }

  /** Sparse form for JSON: [[bucket, count], ...]. */
  toJSON(): { buckets: [number, number][]; max: number } {
    const buckets: [number, number][] = [];
    if (this.counts) for (let i = 0; i < SIZE; i++) if (this.counts[i]) buckets.push([i, this.counts[i]!]);
    return { buckets, max: this.max };
  }

  static fromJSON(j: { buckets: [number, number][]; max: number } | undefined): LatencyHistogram {
    const h = new LatencyHistogram();
    if (!j) return h;
    for (const [i, n] of j.buckets) {
      if (i >= 0 && i < SIZE && n > 0) {
        (h.counts ??= new Uint32Array(SIZE))[i]! += n;
        h.total += n;
      }
    }
    h.max = j.max;
    return h;
  }
}
