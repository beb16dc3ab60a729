/**
 * The result of one benchmark run (SPEC: `{workload, config, ops, errors, durationSec, throughput,
 * latencyMs: {mean, p50, p90, p99, p999, max}}`, extended), and its human rendering, modelled on etcd's
 * tools/benchmark report (Summary, Response time histogram, Latency distribution).
 */
import type { BenchConfig } from './config.js';
import { bins, decodeHistogram, type LatencySummaryMs } from './histogram.js';

export interface TimelinePoint {
  /** Second since the measured phase started. */
  t: number;
  /** Length of this bucket in seconds (1, except a partial last bucket). */
  sec: number;
  ops: number;
  errors: number;
  opsPerSec: number;
  meanMs: number;
  maxMs: number;
}

export interface BenchResult {
  workload: string;
  config: BenchConfig & { workers: number };
  /** Measured successful operations (watch: delivered events). txn conflicts are included. */
  ops: number;
  errors: number;
  durationSec: number;
  /** ops / durationSec (watch: events/s). */
  throughput: number;
  /** Under --rate: from each op's intended start time (coordinated-omission corrected). */
  latencyMs: LatencySummaryMs;
  percentiles: { p: number; ms: number }[];
  /** Client CPU time (all threads of this process) per measured op, in microseconds. */
  clientCpuUsPerOp: number;
  clientCpu: { userMs: number; systemMs: number; cores: number };
  errorsByType: Record<string, number>;
  timeline: TimelinePoint[];
  /** The merged HDR histogram (us), compressed base64: lets `bench compare` compute confidence intervals. */
  histogram: string;
  host: { cpus: number; loadAvg1AtStart: number; machineBusyPct?: number };
  startedAt: string;
  /** txn: compare-and-swap attempts that lost the race (counted in ops, not in errors). */
  conflicts?: number;
  /** --rate only: latency from the actual send (without queueing behind the schedule). */
  serviceLatencyMs?: LatencySummaryMs;
  watch?: {
    watchers: number;
    keys: number;
    puts: number;
    eventsExpected: number;
    eventsReceived: number;
    eventsPerSec: number;
    putLatencyMs: LatencySummaryMs;
  };
  lease?: { leasesGranted: number };
  /**
   * --rate: the target and what was achieved. notStarted (duration runs): intended starts inside the
   * window that no client was free to begin before the end — the server could not keep up.
   */
  rate?: { target: number; achieved: number; notStarted?: number };
  interrupted?: boolean;
}

const f = (ms: number): string => (ms >= 100 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(3) : ms.toFixed(4));

export function renderResult(r: BenchResult): string {
  const c = r.config;
  const out: string[] = [];
  const what = r.workload === 'watch' ? 'events' : 'requests';
  out.push(
    `${r.workload}: ${c.clients} clients, ${c.conns} conns, ${c.workers} worker thread(s), key ${c.keySize} B, value ${c.valSize} B, key-space ${c.keySpace}` +
      (c.rate !== undefined ? `, rate ${c.rate}/s (open loop)` : ''),
  );
  if (r.interrupted) out.push('INTERRUPTED: partial results');
  out.push('', 'Summary:');
  out.push(`  Total:\t${r.durationSec.toFixed(4)} secs.`);
  out.push(`  Slowest:\t${f(r.latencyMs.max)} ms.`);
  out.push(`  Fastest:\t${f(r.percentiles[0]?.ms ?? 0)} ms.`);
  out.push(`  Average:\t${f(r.latencyMs.mean)} ms.`);
  out.push(`  ${what === 'events' ? 'Events' : 'Requests'}/sec:\t${r.throughput.toFixed(1)}`);
  out.push(`  Ops:\t${r.ops}   Errors:\t${r.errors}` + (r.conflicts !== undefined ? `   Conflicts:\t${r.conflicts}` : ''));
  out.push(`  Client CPU:\t${r.clientCpuUsPerOp.toFixed(1)} us/op (${r.clientCpu.cores.toFixed(2)} cores)`);
  if (r.rate) out.push(`  Rate:\ttarget ${r.rate.target}/s, achieved ${r.rate.achieved}/s` + (r.rate.notStarted ? `, ${r.rate.notStarted} intended ops not started (clients all busy)` : ''));
  if (r.serviceLatencyMs) out.push(`  Service time (from actual send):\tp50 ${f(r.serviceLatencyMs.p50)} ms, p99 ${f(r.serviceLatencyMs.p99)} ms`);
  if (r.watch) {
    out.push(`  Watchers:\t${r.watch.watchers} on ${r.watch.keys} keys; ${r.watch.puts} puts; events ${r.watch.eventsReceived}/${r.watch.eventsExpected}`);
    out.push(`  Put latency:\tp50 ${f(r.watch.putLatencyMs.p50)} ms, p99 ${f(r.watch.putLatencyMs.p99)} ms`);
  }
  if (r.host.machineBusyPct !== undefined) out.push(`  Machine:\t${r.host.cpus} CPUs, ${r.host.machineBusyPct}% busy during the run, load ${r.host.loadAvg1AtStart} at start`);

  if (r.ops > 0 && r.histogram) {
    out.push('', 'Response time histogram (ms):');
    const b = bins(decodeHistogram(r.histogram), 10);
    const maxCount = Math.max(1, ...b.map((x) => x.count));
    for (const x of b) out.push(`  ${f(x.upToMs).padStart(10)} [${x.count}]\t|${'∎'.repeat(Math.round((x.count / maxCount) * 40))}`);
    out.push('', 'Latency distribution:');
    for (const p of r.percentiles) {
      if (p.p === 0 || p.p === 100) continue;
      out.push(`  ${p.p}% in ${f(p.ms)} ms.`);
    }
  }
  const errs = Object.entries(r.errorsByType).sort((a, b) => b[1] - a[1]);
  if (errs.length) {
    out.push('', 'Errors:');
    for (const [k, n] of errs) out.push(`  ${n}\t${k}`);
  }
  if (r.timeline.length > 1) {
    out.push('', 'Throughput over time (ops/s per second):');
    out.push('  ' + r.timeline.map((p) => p.opsPerSec).join(' '));
  }
  return out.join('\n') + '\n';
}
