/**
 * The backup scheduler's Prometheus families, on a registry of its own (with the process metrics), served at
 * /metrics by the shared listener. Names match the `serve` families of src/metrics/upshift.ts where they
 * mean the same (last success, duration, size, revision), with the same `cluster_id` label, so one alert rule
 * serves both; these describe this scheduler's own runs.
 */
import { Counter, Gauge } from 'prom-client';
import { newRegistry, parseListenAddr, startMetricsServer, type MetricsServer } from '../metrics/registry.js';

export class ScheduleMetrics {
  readonly registry = newRegistry({ process: true });
  readonly lastSuccess = new Gauge({ labelNames: ['cluster_id'], name: 'upshift_backup_last_success_timestamp_seconds', help: 'Unix time the last successful backup finished', registers: [this.registry] });
  readonly lastDuration = new Gauge({ labelNames: ['cluster_id'], name: 'upshift_backup_last_duration_seconds', help: 'Duration of the last backup run (save, verify, upload, prune)', registers: [this.registry] });
  readonly lastSize = new Gauge({ labelNames: ['cluster_id'], name: 'upshift_backup_last_size_bytes', help: 'Size of the last successful snapshot', registers: [this.registry] });
  readonly lastRevision = new Gauge({ labelNames: ['cluster_id'], name: 'upshift_backup_last_revision', help: 'etcd revision of the last successful snapshot', registers: [this.registry] });
  readonly runs = new Counter({ name: 'upshift_backup_runs_total', help: 'Backup runs by result (success, failure, skipped: another scheduler held the cluster lock)', labelNames: ['result'], registers: [this.registry] });
  readonly failures = new Counter({ name: 'upshift_backup_failures_total', help: 'Failed backup runs', labelNames: ['transient'], registers: [this.registry] });
  readonly nextRun = new Gauge({ name: 'upshift_backup_next_run_timestamp_seconds', help: 'Unix time of the next planned run (a retry or the regular one)', registers: [this.registry] });
  readonly running = new Gauge({ name: 'upshift_backup_in_progress', help: '1 while a run is in progress', registers: [this.registry] });

  constructor() {
    for (const r of ['success', 'failure', 'skipped']) this.runs.labels(r).inc(0);
    for (const t of ['true', 'false']) this.failures.labels(t).inc(0);
  }

  /** Serve /metrics on `addr` (HOST:PORT; port 0 picks one) through the shared listener (src/metrics/registry.ts). */
  serve(addr: string): Promise<MetricsServer> {
    return startMetricsServer(parseListenAddr(addr, '--metrics-addr'), this.registry);
  }
}
