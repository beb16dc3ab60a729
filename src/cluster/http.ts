/**
 * Minimal HTTP(S) requests for the cluster layer's own needs (readiness via /health, the auth bootstrap
 * through etcd's gRPC-gateway). Every request has a deadline; nothing is retried here.
 */
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';

export interface TlsFiles {
  cacert?: string;
  cert?: string;
  key?: string;
}

export interface HttpResponse {
  status: number;
  body: string;
}

export function httpRequest(
  url: string,
  opts: { method?: string; body?: unknown; headers?: Record<string, string>; tls?: TlsFiles; timeoutMs: number },
): Promise<HttpResponse> {
  const u = new URL(url);
  const isHttps = u.protocol === 'https:';
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  const base = { method: opts.method ?? 'GET', headers, timeout: opts.timeoutMs };
  return new Promise((resolve, reject) => {
    const onRes = (res: http.IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    };
    const req = isHttps
      ? https.request(
          u,
          {
            ...base,
            ca: opts.tls?.cacert ? readFileSync(opts.tls.cacert) : undefined,
            cert: opts.tls?.cert ? readFileSync(opts.tls.cert) : undefined,
            key: opts.tls?.key ? readFileSync(opts.tls.key) : undefined,
            agent: false,
          },
          onRes,
        )
      : http.request(u, { ...base, agent: false }, onRes);
    const timer = setTimeout(() => req.destroy(new Error(`${u.origin}${u.pathname}: no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(new Error(`${u.origin}${u.pathname}: no answer within ${opts.timeoutMs} ms`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** etcd's /health: `{"health":"true"}` (a string since 3.3; some builds used a bool). */
export function isHealthyBody(body: string): boolean {
  try {
    const h = (JSON.parse(body) as { health?: unknown }).health;
    return h === true || h === 'true';
  } catch {
    return false;
  }
}
