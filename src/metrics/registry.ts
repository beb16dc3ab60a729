/**
 * Prometheus exposition for upshift's long-running processes (`serve`, `upgrade --metrics-addr`, and any
 * other daemon such as a backup scheduler): a prom-client registry and a minimal HTTP listener serving
 * `GET /metrics` in the text format (0.0.4). Families are defined by their owners (e.g. upshift.ts);
 * this module knows nothing about runs or backups.
 */
import { createServer, type Server } from 'node:http';
import { isIP } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { EnvironmentError, UsageError } from '../core/errors.js';

/** A registry; `process: true` adds prom-client's process metrics (CPU, memory, event loop lag) as `upshift_process_*`. */
export function newRegistry(opts: { process?: boolean } = {}): Registry {
  const reg = new Registry();
  if (opts.process) collectDefaultMetrics({ register: reg, prefix: 'upshift_' });
  return reg;
}

/** The exposition of `reg` (content type and body), for any HTTP framework. */
export async function exposition(reg: Registry): Promise<{ contentType: string; body: string }> {
  return { contentType: reg.contentType, body: await reg.metrics() };
}

export interface ListenAddr {
  host: string;
  port: number;
}

/** `HOST:PORT`, `:PORT` (loopback) or `[::1]:PORT`; exit 2 naming `flag` otherwise. */
export function parseListenAddr(addr: string, flag: string): ListenAddr {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(addr.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new UsageError(`${flag}: "${addr}" is not HOST:PORT`, { hint: `e.g. ${flag} 127.0.0.1:9464` });
  const host = m[1] ?? (m[2] || '127.0.0.1');
  if (host !== 'localhost' && isIP(host) === 0) throw new UsageError(`${flag}: "${host}" is not an IP address`, { hint: `e.g. ${flag} 127.0.0.1:9464` });
  return { host, port };
}

/** Loopback addresses: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464/metrics */
  url: string;
  port: number;
  close(): Promise<void>;
}

export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Serve `GET /metrics` from `reg` on `addr` (read-only; 404 for anything else). */
export async function startMetricsServer(addr: ListenAddr, reg: Registry): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: only GET /metrics\n');
      return;
    }
    exposition(reg).then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body),
      (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics: ${String(e)}\n`),
    );
  });
  await listen(server, addr);
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${urlHost(addr.host)}:${port}/metrics`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Listen on `addr`; a port in use or an address not on this machine is exit 3, naming it. */
export function listen(server: Server, addr: ListenAddr): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (e: NodeJS.ErrnoException): void =>
      reject(new EnvironmentError('listen-failed', `cannot listen on ${urlHost(addr.host)}:${addr.port}: ${e.code ?? e.message}`, { hint: e.code === 'EADDRINUSE' ? 'pick another port (0 picks a free one)' : 'use an address of this machine, e.g. 127.0.0.1', cause: e }));
    server.once('error', fail);
    server.listen(addr.port, addr.host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}
