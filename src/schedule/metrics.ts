/**
 * The backup scheduler's Prometheus metrics on their own registry, served at /metrics (prom-client's text
 * exposition). A small module of its own; a project-wide metrics module may absorb it later.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import { UsageError } from '../core/errors.js';

export class ScheduleMetrics {
  readonly registry = new Registry();
  readonly lastSuccess = new Gauge({ name: 'upshift_backup_last_success_timestamp_seconds', help: 'Unix time the last successful backup finished', registers: [this.registry] });
  readonly lastDuration = new Gauge({ name: 'upshift_backup_last_duration_seconds', help: 'Duration of the last backup run (save, verify, upload, prune)', registers: [this.registry] });
  readonly lastSize = new Gauge({ name: 'upshift_backup_last_size_bytes', help: 'Size of the last successful snapshot', registers: [this.registry] });
  readonly lastRevision = new Gauge({ name: 'upshift_backup_last_revision', help: 'etcd revision of the last successful snapshot', registers: [this.registry] });
  readonly runs = new Counter({ name: 'upshift_backup_runs_total', help: 'Backup runs by result (success, failure, skipped: another scheduler held the cluster lock)', labelNames: ['result'], registers: [this.registry] });
  readonly failures = new Counter({ name: 'upshift_backup_failures_total', help: 'Failed backup runs', labelNames: ['transient'], registers: [this.registry] });
  readonly nextRun = new Gauge({ name: 'upshift_backup_next_run_timestamp_seconds', help: 'Unix time of the next planned run (a retry or the regular one)', registers: [this.registry] });
  readonly running = new Gauge({ name: 'upshift_backup_in_progress', help: '1 while a run is in progress', registers: [this.registry] });

  constructor() {
    for (const r of ['success', 'failure', 'skipped']) this.runs.labels(r).inc(0);
    for (const t of ['true', 'false']) this.failures.labels(t).inc(0);
  }

  /** Serve /metrics on `addr` (host:port; port 0 picks one). Resolves with the bound address. */
  async serve(addr: string): Promise<{ server: Server; url: string }> {
    const m = /^(.*):(\d+)$/.exec(addr);
    if (!m) throw new UsageError(`--metrics-addr: "${addr}" is not HOST:PORT`, { hint: 'e.g. --metrics-addr 127.0.0.1:9464 (or 0.0.0.0:9464 inside a pod)' });
    const host = m[1]!.replace(/^\[|\]$/g, '');
    const server = createServer((req, res) => {
      if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
        this.registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'content-type': this.registry.contentType });
            res.end(text);
          },
          (e: Error) => {
            res.writeHead(500);
            res.end(e.message);
          },
        );
        return;
      }
      res.writeHead(404);
      res.end('see /metrics\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) => reject(new UsageError(`--metrics-addr: cannot listen on ${addr}: ${e.message}`)));
      server.listen(Number(m[2]), host, () => resolve());
    });
    const a = server.address();
    const port = typeof a === 'object' && a ? a.port : Number(m[2]);
    return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics` };
  }
}
