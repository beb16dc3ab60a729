/**
 * A parser for the Prometheus text exposition format (0.0.4), which etcd serves on /metrics.
 *
 * Hand-written on purpose: the only npm parser (`parse-prometheus-text-format`, last released 2020) is
 * unmaintained and untyped, and prom-client only *produces* the format. The grammar is small
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): `# HELP`, `# TYPE`, other comments, and
 * `name{label="value",...} value [timestamp]` lines, with `\\`, `\"` and `\n` escapes in label values and
 * `+Inf`, `-Inf`, `NaN` values. Histogram/summary series (`_bucket`, `_sum`, `_count`) join their family.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  /** The series name as written (e.g. `etcd_disk_wal_fsync_duration_seconds_bucket`). */
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Milliseconds since the epoch, when the line had one. */
  timestamp?: number | undefined;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help?: string | undefined;
  samples: Sample[];
}

export class PrometheusParseError extends Error {
  constructor(readonly line: number, message: string) {
    super(`metrics line ${line}: ${message}`);
    this.name = 'PrometheusParseError';
  }
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function unescapeHelp(s: string): string {
  return s.replace(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

export function parseValue(s: string): number {
  switch (s) {
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    case 'NaN':
      return Number.NaN;
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`not a number: "${s}"`);
  return Number(s);
}

/** Parse `{a="x",b="y"}` starting at `s[0] === '{'`; returns labels and the rest after `}`. */
function parseLabels(s: string, lineNo: number): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 1;
  const skipWs = (): void => {
    while (s[i] === ' ' || s[i] === '\t') i++;
  };
  for (;;) {
    skipWs();
    if (s[i] === '}') return { labels, rest: s.slice(i + 1) };
    const m = LABEL_RE.exec(s.slice(i));
    if (!m) throw new PrometheusParseError(lineNo, `bad label name at "${s.slice(i, i + 20)}"`);
    const name = m[0];
    i += name.length;
    skipWs();
    if (s[i] !== '=') throw new PrometheusParseError(lineNo, `expected = after label ${name}`);
    i++;
    skipWs();
    if (s[i] !== '"') throw new PrometheusParseError(lineNo, `expected " to open the value of label ${name}`);
    i++;
    let value = '';
    for (;;) {
      const c = s[i];
      if (c === undefined) throw new PrometheusParseError(lineNo, `unterminated value of label ${name}`);
      if (c === '\\') {
        const n = s[i + 1];
        value += n === 'n' ? '\n' : n === '"' ? '"' : n === '\\' ? '\\' : `\\${n ?? ''}`;
        i += 2;
        continue;
      }
      if (c === '"') {
        i++;
        break;
      }
      value += c;
      i++;
    }
    labels[name] = value;
    skipWs();
    if (s[i] === ',') {
      i++;
      continue;
    }
    if (s[i] === '}') return { labels, rest: s.slice(i + 1) };
    throw new PrometheusParseError(lineNo, `expected , or } after label ${name}`);
  }
}

export interface ParseOptions {
  /**
   * Only these families (names without _bucket/_sum/_count). Other lines are skipped after reading their name,
   * which makes picking 3 gauges out of etcd's ~150 KB exposition several times cheaper than a full parse.
   */
  only?: ReadonlySet<string> | readonly string[];
}

/** Parse an exposition into families keyed by family name, in order of appearance. */
export function parsePrometheus(text: string, opts: ParseOptions = {}): Map<string, MetricFamily> {
  const only = opts.only === undefined ? undefined : opts.only instanceof Set ? (opts.only as ReadonlySet<string>) : new Set(opts.only as readonly string[]);
  const wanted = (series: string): boolean =>
    only === undefined || only.has(series) || ['_bucket', '_sum', '_count'].some((sfx) => series.endsWith(sfx) && only.has(series.slice(0, -sfx.length)));
  const families = new Map<string, MetricFamily>();
  const family = (name: string): MetricFamily => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: 'untyped', samples: [] };
      families.set(name, f);
    }
    return f;
  };
  /** The family a series belongs to: `x_bucket`/`x_sum`/`x_count` join a histogram/summary `x`. */
  const familyOf = (series: string): MetricFamily => {
    for (const suffix of ['_bucket', '_sum', '_count']) {
      if (series.endsWith(suffix)) {
        const base = families.get(series.slice(0, -suffix.length));
        if (base && (base.type === 'histogram' || (base.type === 'summary' && suffix !== '_bucket'))) return base;
      }
    }
    return family(series);
  };

  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const line = lines[n]!.replace(/\r$/, '').trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s*(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s+(.*))?$/.exec(line);
      if (!m) continue; // a plain comment
      if (!wanted(m[2]!)) continue;
      const f = family(m[2]!);
      if (m[1] === 'HELP') f.help = unescapeHelp(m[3] ?? '');
      else {
        const t = (m[3] ?? '').trim() as MetricType;
        if (!TYPES.has(t)) throw new PrometheusParseError(lineNo, `unknown metric type "${m[3] ?? ''}"`);
        f.type = t;
      }
      continue;
    }
    const nm = NAME_RE.exec(line);
    if (!nm) throw new PrometheusParseError(lineNo, `bad metric name at "${line.slice(0, 30)}"`);
    const name = nm[0];
    if (!wanted(name)) continue;
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, lineNo));
    const parts = rest.trim().split(/\s+/);
    if (parts.length < 1 || parts[0] === '' || parts.length > 2) throw new PrometheusParseError(lineNo, `expected "value [timestamp]" after ${name}`);
    let value: number;
    try {
      value = parseValue(parts[0]!);
    } catch (e) {
      throw new PrometheusParseError(lineNo, (e as Error).message);
    }
    let timestamp: number | undefined;
    if (parts[1] !== undefined) {
      if (!/^-?\d+$/.test(parts[1])) throw new PrometheusParseError(lineNo, `bad timestamp "${parts[1]}"`);
      timestamp = Number(parts[1]);
    }
    familyOf(name).samples.push({ name, labels, value, ...(timestamp !== undefined ? { timestamp } : {}) });
  }
  return families;
}

function matches(labels: Record<string, string>, want: Record<string, string> | undefined): boolean {
  if (!want) return true;
  return Object.entries(want).every(([k, v]) => labels[k] === v);
}

/** The value of the first sample of `name` whose labels include `labels`; undefined when absent. */
export function metricValue(families: Map<string, MetricFamily>, name: string, labels?: Record<string, string>): number | undefined {
  const f = families.get(name);
  return f?.samples.find((s) => s.name === name && matches(s.labels, labels))?.value;
}

/** The value of label `label` on the first sample of `name` (e.g. etcd_cluster_version's cluster_version). */
export function metricLabel(families: Map<string, MetricFamily>, name: string, label: string): string | undefined {
  return families.get(name)?.samples.find((s) => s.name === name && label in s.labels)?.labels[label];
}

export interface HistogramData {
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
}

/** Cumulative buckets, sum and count of histogram `name`, summed over series matching `labels`. */
export function histogram(families: Map<string, MetricFamily>, name: string, labels?: Record<string, string>): HistogramData | undefined {
  const f = families.get(name);
  if (!f || f.type !== 'histogram') return undefined;
  const byLe = new Map<number, number>();
  let sum = 0;
  let count = 0;
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    if (!matches(rest, labels)) continue;
    if (s.name === `${name}_bucket` && le !== undefined) {
      const bound = parseValue(le);
      byLe.set(bound, (byLe.get(bound) ?? 0) + s.value);
    } else if (s.name === `${name}_sum`) sum += s.value;
    else if (s.name === `${name}_count`) count += s.value;
  }
  const buckets = [...byLe.entries()].sort((a, b) => a[0] - b[0]).map(([le, c]) => ({ le, count: c }));
  return { buckets, sum, count };
}

/**
 * Quantile estimate from cumulative buckets with linear interpolation inside a bucket, like PromQL's
 * histogram_quantile. Returns NaN for an empty histogram.
 */
export function histogramQuantile(h: HistogramData, q: number): number {
  const total = h.buckets.length > 0 ? h.buckets[h.buckets.length - 1]!.count : 0;
  if (total === 0 || q < 0 || q > 1) return Number.NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (b.le === Number.POSITIVE_INFINITY) return prevLe;
      const inBucket = b.count - prevCount;
      if (inBucket === 0) return b.le;
      return prevLe + ((b.le - prevLe) * (rank - prevCount)) / inBucket;
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}
