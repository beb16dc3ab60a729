/**
 * The dashboard server (`upshift serve`): hono on node:http. Pages are one HTML shell plus the bundled
 * front end (bundle.ts); data comes from JSON endpoints and server-sent event streams fed by the RunStore
 * (the run journals and canary histories, polled every 0.5 s server-side: browsers never poll runs).
 * Security in auth.ts; nothing here is fetched from anywhere but this server, and no response carries a
 * credential (run views hold none; cluster rows are built field by field).
 *
 * Routes (all behind the token):
 *   GET  /, /runs/:id, /clusters, /backups     the pages (one shell)
 *   GET  /assets/app.js, /assets/app.css       the bundle (gzip when accepted, immutable by hash)
 *   GET  /api/runs                             runs list;  GET /api/events: SSE `runs` (list on every change)
 *   GET  /api/runs/:id                         full run view; GET /api/runs/:id/events: SSE `snapshot`, then `update`s
 *   POST /api/runs/:id/pause | /resume         actions (CSRF header required)
 *   GET  /api/clusters, /api/backups           live cluster status, backup catalogue
 *   GET  /topology, /api/topology              the latest service graph of this home (src/topology/store.ts)
 *   GET  /metrics                              Prometheus (metrics/upshift.ts)
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { compress } from 'hono/compress';
import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import { appBundle, type Asset } from './bundle.js';
import { csrfCheck, hostCheck, newSecrets, tokenAuth, type Secrets } from './auth.js';
import { listItem } from './runs.js';
import { clusterRows, backupRows } from './data.js';
import { scriptJson } from './report.js';
import { readLatest } from '../topology/store.js';
import { RunStore, runAlive } from '../runview/store.js';
import type { RunView } from '../runview/model.js';
import { newRegistry, exposition, listen, urlHost, isLoopback, type ListenAddr } from '../metrics/registry.js';
import { runMetrics } from '../metrics/upshift.js';
import { askRunToStop, canSignal } from '../upgrade/control.js';
import { errorMessage } from '../core/errors.js';

export interface DashboardOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  addr: ListenAddr;
  /** Secrets to use (tests); default: fresh random ones. */
  secrets?: Secrets;
  /** Progress lines (stderr). */
  log?: (line: string) => void;
}

export interface Dashboard {
  /** The base URL (no token). */
  url: string;
  /** The URL to open: carries the token. */
  loginUrl: string;
  port: number;
  secrets: Secrets;
  store: RunStore;
  close(): Promise<void>;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = join(HERE, '..', '..', 'bin', 'upshift.js');
const HEARTBEAT_MS = 15_000;

function shell(csrf: string, hash: string, run?: { view: RunView; cursor: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>upshift</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/app.css?v=${hash}"></head>
<body><div id="app"></div>
<script id="upshift-boot" type="application/json">${scriptJson({ mode: 'live', csrf, ...(run ? { run } : {}) })}</script>
<script src="/assets/app.js?v=${hash}" defer></script></body></html>
`;
}

function sendAsset(c: Context, a: Asset): Response {
  const gz = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
  const body = gz ? a.gzip : a.body;
  return new Response(new Uint8Array(body), {
    headers: { 'content-type': a.type, 'cache-control': 'private, max-age=31536000, immutable', vary: 'accept-encoding', ...(gz ? { 'content-encoding': 'gzip' } : {}) },
  });
}

/** Build the app (exported for in-process tests with app.request). */
export function dashboardApp(opts: { home: string; env: NodeJS.ProcessEnv; secrets: Secrets; store: RunStore; hosts: () => Set<string>; metrics: () => Promise<{ contentType: string; body: string }>; log: (line: string) => void }): Hono {
  const { store, secrets } = opts;
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    c.header('x-frame-options', 'DENY');
    c.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
  });
  app.use('*', hostCheck(opts.hosts));
  // gzip for pages and JSON (not event streams: hono's compress leaves text/event-stream alone).
  app.use('*', compress());
  app.use('*', tokenAuth(secrets));
  app.use('*', csrfCheck(secrets));

  const page = async (c: Context): Promise<Response> => c.html(shell(secrets.csrf, (await appBundle()).hash));
  app.get('/', page);
  app.get('/clusters', page);
  app.get('/backups', page);
  app.get('/topology', page);
  // A run's page comes with its view: drawn at once, then its event stream continues from that cursor.
  app.get('/runs/:id', async (c) => c.html(shell(secrets.csrf, (await appBundle()).hash, await store.snapshot(c.req.param('id')))));
  app.get('/assets/app.js', async (c) => sendAsset(c, (await appBundle()).js));
  app.get('/assets/app.css', async (c) => sendAsset(c, (await appBundle()).css));

  const items = () =>
    store
      .views()
      .map(listItem)
      .sort((a, b) => (a.state === 'running' ? 0 : 1) - (b.state === 'running' ? 0 : 1) || b.startedAt - a.startedAt);
  app.get('/api/runs', (c) => c.json(items()));
  app.get('/api/events', (c) =>
    streamSSE(c, async (stream) => {
      let last = '';
      const send = async (): Promise<void> => {
        const text = JSON.stringify(items());
        if (text === last) return;
        last = text;
        await stream.writeSSE({ event: 'runs', data: text });
      };
      await send();
      // Durations of running runs grow: resend at least every 5 s while one runs.
      const off = store.onIndexChange(() => void send());
      const t = setInterval(() => void (items().some((i) => i.state === 'running') ? send() : stream.write(': keep-alive\n\n')), 5000);
      await new Promise<void>((resolve) => stream.onAbort(resolve));
      off();
      clearInterval(t);
    }),
  );
  app.get('/api/runs/:id', async (c) => {
    const v = await store.view(c.req.param('id'));
    return v ? c.json(v) : c.json({ error: { code: 'no-run', message: `no run ${c.req.param('id')}` } }, 404);
  });
  app.get('/api/runs/:id/events', (c) =>
    streamSSE(c, async (stream) => {
      // Writes are queued in order: the snapshot (or the updates missed since the cursor) first, then live ones.
      let chain: Promise<void> = Promise.resolve();
      const send = (event: string, data: string, id?: string): void => {
        chain = chain.then(() => stream.writeSSE({ event, data, ...(id ? { id } : {}) })).catch(() => undefined);
      };
      // A reconnecting EventSource sends the last id it saw; a page that came with the view sends ?since=.
      const since = c.req.header('last-event-id') ?? c.req.query('since');
      const off = await store.subscribe(
        c.req.param('id'),
        since,
        (v, cursor) => send('snapshot', JSON.stringify(v), cursor),
        (u, cursor) => send('update', JSON.stringify(u), cursor),
      );
      if (!off) {
        send('problem', JSON.stringify({ message: `no run ${c.req.param('id')}` }));
        await chain;
        return;
      }
      const t = setInterval(() => void stream.write(': keep-alive\n\n'), HEARTBEAT_MS);
      await new Promise<void>((resolve) => stream.onAbort(resolve));
      clearInterval(t);
      off();
    }),
  );

  app.post('/api/runs/:id/pause', async (c) => {
    const v = await store.view(c.req.param('id'));
    if (!v) return c.json({ error: { code: 'no-run', message: `no run ${c.req.param('id')}` } }, 404);
    if (v.state !== 'running' || runAlive(v) === false) return c.json({ error: { code: 'not-running', message: `run ${v.runId} is not running (${v.state})` } }, 409);
    if (!canSignal(v)) {
      if (v.pid === process.pid) {
        // The run is this very process's (demo --serve): the same as Ctrl-C on it.
        process.kill(process.pid, 'SIGTERM');
        return c.json({ message: `run ${v.runId} stops at its next step boundary` });
      }
      return c.json({ error: { code: 'not-here', message: `run ${v.runId} runs as pid ${v.pid} on ${v.host}: pause it there (upshift upgrade abort)` } }, 409);
    }
    await askRunToStop(v);
    opts.log(`upshift serve: asked run ${v.runId} (pid ${v.pid}) to pause at its next step boundary`);
    return c.json({ message: `run ${v.runId} (pid ${v.pid}) asked to stop at its next step boundary; it pauses and can be resumed` });
  });
  app.post('/api/runs/:id/resume', async (c) => {
    const v = await store.view(c.req.param('id'));
    if (!v) return c.json({ error: { code: 'no-run', message: `no run ${c.req.param('id')}` } }, 404);
    const resumable = v.state === 'paused' || (v.state === 'running' && runAlive(v) === false);
    if (!resumable) return c.json({ error: { code: 'not-resumable', message: `run ${v.runId} is ${v.state === 'running' ? 'still running' : v.state}: only a paused or interrupted run resumes` } }, 409);
    const { pid, log, result } = resumeInBackground(opts.home, opts.env, v);
    opts.log(`upshift serve: resuming run ${v.runId}: upshift upgrade resume runs as pid ${pid} (progress in ${log}, result in ${result})`);
    return c.json({ message: `resuming run ${v.runId}: upshift upgrade resume runs as pid ${pid}`, pid });
  });

  app.get('/api/clusters', async (c) => c.json({ clusters: await clusterRows(opts.home, opts.env, store.views()) }));
  app.get('/api/backups', async (c) => c.json(await backupRows(opts.home, opts.env)));
  app.get('/api/topology', async (c) => c.json((await readLatest(opts.home)) ?? { empty: true }));
  app.get('/metrics', async (c) => {
    const m = await opts.metrics();
    return c.body(m.body, 200, { 'content-type': m.contentType });
  });
  app.onError((e, c) => {
    opts.log(`upshift serve: ${c.req.method} ${new URL(c.req.url).pathname}: ${errorMessage(e)}`);
    return c.json({ error: { code: 'internal', message: errorMessage(e) } }, 500);
  });
  return app;
}

/**
 * `upshift upgrade resume --run ID` as its own process (the same command a person runs), detached so it
 * outlives the dashboard; beside the journal, its stderr goes to resume-<time>.log and its JSON result to
 * resume-<time>.json.
 */
function resumeInBackground(home: string, env: NodeJS.ProcessEnv, v: RunView): { pid: number; log: string; result: string } {
  const base = join(home, 'runs', v.runId, `resume-${new Date().toISOString().replace(/[-:.]/g, '')}`);
  const log = `${base}.log`;
  const result = `${base}.json`;
  const err = openSync(log, 'a', 0o600);
  const out = openSync(result, 'a', 0o600);
  try {
    const child = spawn(process.execPath, [BIN, 'upgrade', 'resume', '--run', v.runId, '-o', 'json'], { env: { ...env, UPSHIFT_HOME: home }, stdio: ['ignore', out, err], detached: true });
    child.unref();
    return { pid: child.pid ?? -1, log, result };
  } finally {
    closeSync(err);
    closeSync(out);
  }
}

/** Start the dashboard on `addr`. */
export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const secrets = opts.secrets ?? newSecrets();
  const log = opts.log ?? (() => undefined);
  const store = new RunStore(opts.home);
  const reg = newRegistry({ process: true });
  runMetrics(reg, store);
  await store.refresh();
  store.start();
  let port = opts.addr.port;
  const hosts = (): Set<string> => {
    const names = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${urlHost(opts.addr.host)}:${port}`]);
    return new Set([...names].map((h) => h.toLowerCase()));
  };
  const app = dashboardApp({ home: opts.home, env: opts.env, secrets, store, hosts, metrics: () => exposition(reg), log });
  const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server;
  await appBundle(); // built before the first page is asked for
  await listen(server, opts.addr);
  port = (server.address() as { port: number }).port;
  const host = isLoopback(opts.addr.host) || opts.addr.host === '0.0.0.0' || opts.addr.host === '::' ? '127.0.0.1' : opts.addr.host;
  const url = `http://${urlHost(host)}:${port}`;
  return {
    url,
    loginUrl: `${url}/?token=${secrets.token}`,
    port,
    secrets,
    store,
    close: async () => {
      store.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
