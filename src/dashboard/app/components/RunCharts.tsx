/**
 * The run's time charts, sharing one time range and cursor: per member raft applied-index lag and DB size
 * (from the executor's observations), and the canary's throughput, error rate and latency percentiles per
 * op type (per second, from its operation histories); member events are marked on each.
 */
import type { CanaryBucket, RunView } from '../../../runview/model.js';
import { TimeChart, type SeriesSpec } from './TimeChart.js';

const MEMBER_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2'];
const OP_COLORS: Record<string, string> = { put: '#1f77b4', get: '#2ca02c' };

function withGaps(buckets: CanaryBucket[]): CanaryBucket[] {
  const out: CanaryBucket[] = [];
  for (const b of buckets) {
    const prev = out[out.length - 1];
    if (prev && b.t - prev.t > 2) out.push({ t: prev.t + 1, ops: {} });
    out.push(b);
  }
  return out;
}

export function RunCharts({ view, range }: { view: RunView; range: [number, number] }) {
  const obsX = view.observations.map((o) => o.t / 1000);
  const memberSeries: SeriesSpec[] = view.members.map((m, i) => ({ label: m, color: MEMBER_COLORS[i % MEMBER_COLORS.length]! }));
  const lag = [obsX, ...view.members.map((m) => view.observations.map((o) => o.members[m]?.lag))];
  const db = [obsX, ...view.members.map((m) => view.observations.map((o) => (o.members[m]?.dbSize !== undefined ? o.members[m]!.dbSize! / 1048576 : undefined)))];

  const ops = ['put', 'get'].filter((k) => view.canary.some((b) => b.ops[k]));
  // A second without ops (the canary stopped: a pause, a killed process) breaks the lines instead of bridging them.
  const canary = withGaps(view.canary);
  const cx = canary.map((b) => b.t);
  const tput = [cx, ...ops.map((k) => canary.map((b) => b.ops[k]?.n ?? 0)), canary.map((b) => Object.values(b.ops).reduce((a, o) => a + o.err, 0))];
  const tputSeries: SeriesSpec[] = [...ops.map((k) => ({ label: `${k} ops/s`, color: OP_COLORS[k] ?? '#333' })), { label: 'errors/s', color: '#c0392b' }];
  const errRate = [
    cx,
    canary.map((b) => {
      const all = Object.values(b.ops);
      const n = all.reduce((a, o) => a + o.n, 0);
      return n > 0 ? (100 * all.reduce((a, o) => a + o.err, 0)) / n : null;
    }),
  ];
  const latSeries: SeriesSpec[] = [];
  const lat: (number | null | undefined)[][] = [cx];
  for (const k of ops) {
    for (const [p, dash, width] of [['p50', [2, 3], 1], ['p90', [6, 3], 1], ['p99', undefined, 2]] as const) {
      latSeries.push({ label: `${k} ${p}`, color: OP_COLORS[k] ?? '#333', ...(dash ? { dash: [...dash] } : {}), width });
      lat.push(canary.map((b) => b.ops[k]?.[p]));
    }
  }
  const common = { events: view.events, range };
  return (
    <div class="charts">
      <TimeChart id="chart-throughput" title="Canary throughput" unit="ops/s" data={tput} series={tputSeries} {...common} />
      <TimeChart id="chart-latency" title="Canary latency percentiles (per second)" unit="ms" data={lat} series={latSeries} {...common} />
      <TimeChart id="chart-errors" title="Canary error rate (after safe retries)" unit="%" data={errRate} series={[{ label: 'error rate %', color: '#c0392b' }]} {...common} />
      <TimeChart id="chart-lag" title="Raft applied-index lag behind the leader" unit="entries" data={lag} series={memberSeries} {...common} />
      <TimeChart id="chart-db" title="DB size" unit="MiB" data={db} series={memberSeries} {...common} fmt={(v) => (v < 10 ? v.toFixed(2) : v.toFixed(0))} />
    </div>
  );
}
