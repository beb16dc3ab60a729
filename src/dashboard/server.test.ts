// The dashboard's HTTP surface on a hand-made run (no etcd): the token guards every page, asset, API call,
// event stream and /metrics; a POST needs the CSRF header and a same-origin request; the Host must be ours;
// the event stream starts with the full view; /metrics parses with upshift's own Prometheus parser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { startDashboard, type Dashboard } from './server.js';
import { writeSampleRun, RUN_ID } from '../runview/testing.js';
import { parsePrometheus, metricValue, histogram } from '../client/prometheus.js';
import { runCliInProcess } from '../../test/support/cli.js';

let home: string;
let d: Dashboard;

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'upshift-serve-'));
  writeSampleRun(home);
  d = await startDashboard({ home, env: { UPSHIFT_HOME: home }, addr: { host: '127.0.0.1', port: 0 } });
});
after(async () => {
  await d?.close();
  rmSync(home, { recursive: true, force: true });
});

/** A raw request (fetch cannot set Host or omit Origin at will). */
function req(path: string, opts: { method?: string; headers?: Record<string, string>; maxBytes?: number } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port: d.port, path, method: opts.method ?? 'GET', headers: opts.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
        // Event streams do not end: stop after the first event.
        if (opts.maxBytes && body.length >= opts.maxBytes) {
          res.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    r.on('error', reject);
    r.end();
  });
}

const bearer = (): Record<string, string> => ({ authorization: `Bearer ${d.secrets.token}` });

test('without the token: 401 for pages, assets, API, event streams and /metrics', async () => {
  for (const p of ['/', `/runs/${RUN_ID}`, '/clusters', '/backups', '/assets/app.js', '/api/runs', `/api/runs/${RUN_ID}`, `/api/runs/${RUN_ID}/events`, '/api/events', '/api/clusters', '/api/backups', '/metrics']) {
    const r = await req(p);
    assert.equal(r.status, 401, p);
    assert.ok(!r.body.includes(RUN_ID), `${p} leaks nothing`);
  }
  assert.equal((await req('/api/runs', { headers: { authorization: 'Bearer wrong' } })).status, 401);
  assert.equal((await req('/api/runs', { headers: { cookie: 'upshift_token=wrong' } })).status, 401);
});

test('the token in the URL logs a browser in: HttpOnly SameSite=Strict cookie, redirect without the token', async () => {
  const r = await req(`/runs/${RUN_ID}?token=${d.secrets.token}`);
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, `/runs/${RUN_ID}`);
  const cookie = String(r.headers['set-cookie']);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  const page = await req(`/runs/${RUN_ID}`, { headers: { cookie: cookie.split(';')[0]! } });
  assert.equal(page.status, 200);
  assert.match(page.body, /upshift-boot/);
  assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
  assert.ok(!page.body.includes(d.secrets.token), 'the page does not carry the token');
});

test('a Host that is not this server is refused (DNS rebinding)', async () => {
  assert.equal((await req('/api/runs', { headers: { ...bearer(), host: `evil.example:${d.port}` } })).status, 421);
  assert.equal((await req('/api/runs', { headers: { ...bearer(), host: `localhost:${d.port}` } })).status, 200);
});

test('POST without the CSRF defence is refused; with it the action is reached', async () => {
  const path = `/api/runs/${RUN_ID}/pause`;
  const noHeader = await req(path, { method: 'POST', headers: bearer() });
  assert.equal(noHeader.status, 403);
  assert.equal(JSON.parse(noHeader.body).error.code, 'csrf');
  const csrf = { 'x-upshift-csrf': d.secrets.csrf };
  assert.equal((await req(path, { method: 'POST', headers: { ...bearer(), ...csrf, 'x-upshift-csrf': 'nope' } })).status, 403);
  assert.equal((await req(path, { method: 'POST', headers: { ...bearer(), ...csrf, origin: 'http://evil.example' } })).status, 403);
  assert.equal((await req(path, { method: 'POST', headers: { ...bearer(), ...csrf, 'sec-fetch-site': 'cross-site' } })).status, 403);
  assert.equal((await req(path, { method: 'DELETE', headers: { ...bearer(), ...csrf } })).status, 403);
  assert.equal((await req(`/api/runs/${RUN_ID}`, { method: 'GET', headers: bearer() })).status, 200);
  // Same origin with the header: past the defence; the run's process is not here, so 409 (nothing changed).
  const ok = await req(path, { method: 'POST', headers: { ...bearer(), ...csrf, origin: `http://127.0.0.1:${d.port}`, 'sec-fetch-site': 'same-origin' } });
  assert.equal(ok.status, 409, ok.body);
});

test('the run event stream starts with the full view', async () => {
  const r = await req(`/api/runs/${RUN_ID}/events`, { headers: bearer(), maxBytes: 2000 });
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /text\/event-stream/);
  assert.match(r.body, /^event: snapshot\ndata: \{"version":1,"runId":"20260102T030405Z-abcdef"/);
});

test('the bundle is served gzipped and small', async () => {
  const r = await req('/assets/app.js', { headers: { ...bearer(), 'accept-encoding': 'gzip' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-encoding'], 'gzip');
  assert.ok(Number(r.headers['content-length'] ?? r.body.length) < 100_000, 'under 100 KB');
});

test('/metrics parses with upshift’s Prometheus parser and has the run, gate, canary families', async () => {
  await d.store.refresh();
  const r = await req('/metrics', { headers: bearer() });
  assert.equal(r.status, 200);
  const fams = parsePrometheus(r.body);
  const L = { cluster: 'c1', run_id: RUN_ID };
  assert.equal(metricValue(fams, 'upshift_run_info', { ...L, from: '3.4.23', to: '3.5.30' }), 1);
  // Its process is on another host: whether it still lives is unknown, so it counts as running.
  assert.equal(metricValue(fams, 'upshift_run_state', { ...L, state: 'running' }), 1);
  assert.equal(metricValue(fams, 'upshift_run_state', { ...L, state: 'succeeded' }), 0);
  assert.equal(metricValue(fams, 'upshift_run_step', { ...L, step: 'hop1/m3/stop' }), fams.get('upshift_run_step')!.samples[0]!.value);
  assert.equal(metricValue(fams, 'upshift_run_members_upgraded', L), 1);
  assert.equal(metricValue(fams, 'upshift_gate_value', { ...L, member: 'm2', gate: 'p99' }), 12.5);
  assert.equal(metricValue(fams, 'upshift_gate_threshold', { ...L, member: 'm2', gate: 'p99' }), 300);
  assert.equal(metricValue(fams, 'upshift_gate_passed', { ...L, member: 'm2', gate: 'p99' }), 1);
  assert.equal(metricValue(fams, 'upshift_canary_ops_total', { ...L, op: 'put' }), 25);
  assert.equal(metricValue(fams, 'upshift_canary_errors_total', { ...L, op: 'get' }), 5, 'one get in ten failed');
  const h = histogram(fams, 'upshift_canary_latency_seconds', { ...L, op: 'put' });
  assert.equal(h?.count, 25);
  assert.equal(fams.get('upshift_canary_latency_seconds')?.type, 'histogram');
});

test('serve refuses a non-loopback address unless asked explicitly', async () => {
  const r = await runCliInProcess(['serve', '--bind', '0.0.0.0', '--port', '0', '-o', 'json'], { UPSHIFT_HOME: home });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(JSON.parse(r.stdout).error.code, 'non-loopback-bind');
  assert.match(r.stderr, /--allow-remote/);
});
