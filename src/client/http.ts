/**
 * etcd's HTTP endpoints on the client URL: `/version` (the only place with the cluster version besides
 * Downgrade VALIDATE), `/health`, `/metrics` — over http or https with the same CA and client certificate as
 * gRPC. Every request has a deadline. (etcd@v3.6.14:server/etcdhttp/version.go, health.go; served on client
 * URLs and --listen-metrics-urls: server/embed/etcd.go:877-879.)
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { nodeTlsOptions, type ConnectionConfig } from './connection.js';
import { EtcdDeadlineError, EtcdServerError, EtcdUnavailableError, EtcdCancelledError } from './errors.js';
import type { VersionInfo } from './types.js';
import { parsePrometheus, type MetricFamily, type ParseOptions } from './prometheus.js';

export interface HttpOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A keep-alive agent (see `httpAgent`) to reuse connections across requests; default: one connection per request. */
  agent?: http.Agent | undefined;
}

/** A keep-alive agent for `endpoint`'s scheme with the connection's TLS material. Destroy it when done. */
export function httpAgent(endpoint: string, config: Pick<ConnectionConfig, 'tls'>): http.Agent {
  if (!endpoint.startsWith('https:')) return new http.Agent({ keepAlive: true, maxSockets: 4 });
  return new https.Agent({ keepAlive: true, maxSockets: 4, ...nodeTlsOptions(config.tls) });
}

export interface HttpResult {
  status: number;
  body: string;
}

/** GET `path` on `endpoint`. Any status is returned; only transport failures throw. */
export function httpGet(endpoint: string, path: string, config: Pick<ConnectionConfig, 'tls' | 'commandTimeoutMs'>, opts: HttpOptions = {}): Promise<HttpResult> {
  const url = new URL(path, endpoint);
  const timeoutMs = opts.timeoutMs ?? config.commandTimeoutMs;
  const ctx = { endpoint, method: `GET ${path}` };
  return new Promise<HttpResult>((resolve, reject) => {
    const isHttps = url.protocol === 'https:';
    const options: https.RequestOptions = {
      method: 'GET',
      headers: { accept: 'application/json, text/plain' },
      ...(isHttps ? nodeTlsOptions(config.tls) : {}),
      agent: opts.agent ?? false,
    };
    let sent = false;
    const onAbort = (): void => {
      req.destroy(new Error('aborted'));
    };
    const req = (isHttps ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (e) => fail(e));
    });
    req.on('socket', (s) => s.once(isHttps ? 'secureConnect' : 'connect', () => (sent = true)));
    const fail = (e: Error): void => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      const code = (e as NodeJS.ErrnoException).code;
      if (opts.signal?.aborted) return reject(new EtcdCancelledError(`GET ${url.href} cancelled`, { outcome: 'definite', ...ctx }));
      reject(new EtcdUnavailableError(`cannot reach etcd (${url.href}): ${code ? `${code} ` : ''}${e.message}`, { outcome: sent ? 'indeterminate' : 'definite', etcdMessage: e.message, ...ctx }, { cause: e }));
    };
    req.on('error', fail);
    const timer = setTimeout(() => {
      opts.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      reject(new EtcdDeadlineError(`GET ${url.href}: no answer within ${timeoutMs} ms`, { outcome: sent ? 'indeterminate' : 'definite', ...ctx }));
    }, timeoutMs);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.end();
  });
}

/** GET /version: server, cluster and (3.6+) storage version. */
export async function getVersion(endpoint: string, config: Pick<ConnectionConfig, 'tls' | 'commandTimeoutMs'>, opts: HttpOptions = {}): Promise<VersionInfo> {
  const r = await httpGet(endpoint, '/version', config, opts);
  if (r.status !== 200) throw new EtcdServerError('etcd-http-status', `GET ${endpoint}/version answered ${r.status}: ${r.body.slice(0, 200)}`, { outcome: 'definite', endpoint });
  let j: { etcdserver?: string; etcdcluster?: string; storage?: string };
  try {
    j = JSON.parse(r.body) as typeof j;
  } catch {
    throw new EtcdServerError('etcd-http-body', `GET ${endpoint}/version: not JSON: ${r.body.slice(0, 200)}`, { outcome: 'definite', endpoint });
  }
  return { etcdserver: j.etcdserver ?? '', etcdcluster: j.etcdcluster ?? '', ...(j.storage ? { storage: j.storage } : {}) };
}

export interface HttpHealth {
  healthy: boolean;
  status: number;
  /** 3.5+: why not healthy ("RAFT NO LEADER", "ALARM NOSPACE", ...). */
  reason?: string | undefined;
}

/** GET /health (503 when an alarm is active, there is no leader, or a 1-key read fails: etcdhttp/health.go). */
export async function getHealth(endpoint: string, config: Pick<ConnectionConfig, 'tls' | 'commandTimeoutMs'>, opts: HttpOptions & { serializable?: boolean } = {}): Promise<HttpHealth> {
  const r = await httpGet(endpoint, opts.serializable ? '/health?serializable=true' : '/health', config, opts);
  try {
    const j = JSON.parse(r.body) as { health?: string | boolean; reason?: string };
    return { healthy: r.status === 200 && String(j.health) === 'true', status: r.status, reason: j.reason || undefined };
  } catch {
    return { healthy: false, status: r.status, reason: r.body.slice(0, 200) };
  }
}

/** GET /metrics, parsed (only the families in `only`, when given: see ParseOptions). */
export async function getMetrics(endpoint: string, config: Pick<ConnectionConfig, 'tls' | 'commandTimeoutMs'>, opts: HttpOptions & ParseOptions = {}): Promise<Map<string, MetricFamily>> {
  const r = await httpGet(endpoint, '/metrics', config, opts);
  if (r.status !== 200) throw new EtcdServerError('etcd-http-status', `GET ${endpoint}/metrics answered ${r.status}`, { outcome: 'definite', endpoint });
  return parsePrometheus(r.body, opts.only !== undefined ? { only: opts.only } : {});
}
