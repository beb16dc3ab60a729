// The dashboard during a real upgrade, in headless Chromium (Debian's /usr/bin/chromium through playwright-core):
// a 3-member 3.4.23 cluster, upgraded to 3.5.30 by `upshift upgrade --log-format json --metrics-addr`
// as its own process, watched from `upshift serve`'s pages. The runs list and the run page advance without a
// reload (server-sent events); every chart gets data points; the gate table fills; the run is paused and then
// resumed from the browser (both confirmed) and succeeds; no console error and no request to anything but the
// served origin; a screenshot is saved (UPSHIFT_TEST_ARTIFACTS, default $TMPDIR/upshift-test-artifacts).
// /metrics of the upgrade process and of serve parse with upshift's own Prometheus parser and carry the run,
// gate, canary and backup families during the run. report.html opens offline with the same charts. Every
// stderr line of the upgrade and of the resume parses as JSON. (Secrets: test/log-format.test.ts.) Skipped when the etcd versions or Chromium are missing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasTestVersion } from './support/home.js';
import { binPath, repoRoot } from './support/cli.js';
import { upgradeTestCluster, runIds, type UpgradeTestCluster } from './upgrade-support.js';
import { startDashboard, type Dashboard } from '../src/dashboard/server.js';
import { parsePrometheus, metricValue, type MetricFamily } from '../src/client/prometheus.js';
import { killQuietly, isAlive } from '../src/cluster/process.js';
import { CHROMIUM, hasChromium, launchChromium, wireCounter } from './support/chromium.js';

const FROM = '3.4.23';
const TO = '3.5.30';
const skip = !hasTestVersion(FROM) || !hasTestVersion(TO) ? `etcd ${FROM} and ${TO} are needed` : !hasChromium() ? `${CHROMIUM} is not installed (apt-get install chromium)` : false;
const ARTIFACTS = process.env.UPSHIFT_TEST_ARTIFACTS ?? join(tmpdir(), 'upshift-test-artifacts');

/** Evaluated in the page: how many values each chart (and the member timeline) draws. */
const POINTS = "Object.fromEntries([...document.querySelectorAll('[data-points]')].map((e) => [e.id, Number(e.getAttribute('data-points'))]))";

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
});

async function until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('upgrade exited')) throw e;
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

async function metrics(url: string, headers: Record<string, string> = {}): Promise<Map<string, MetricFamily>> {
  const r = await fetch(url, { headers });
  assert.equal(r.status, 200, url);
  return parsePrometheus(await r.text());
}

test('serve: a live upgrade watched, paused and resumed in Chromium; metrics, report, JSON logs', { skip, timeout: 600_000 }, async (t) => {
  const t0 = Date.now();
  const tc: UpgradeTestCluster = await upgradeTestCluster(FROM, 3);
  cleanups.push(() => tc.stop());
  const name = tc.cluster.name;

  const env = { ...tc.env, UPSHIFT_LOG_FORMAT: 'json' };
  const d: Dashboard = await startDashboard({ home: tc.home, env, addr: { host: '127.0.0.1', port: 0 } });
  cleanups.push(() => d.close());
  const origin = d.url;
  const auth = { authorization: `Bearer ${d.secrets.token}` };

  const browser = await launchChromium();
  cleanups.push(() => browser.close());
  const ctx = browser.ctx;
  const page = await ctx.newPage();
  const problems: string[] = [];
  const foreign: string[] = [];
  const seen: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('request', (r) => {
    seen.push(r.url());
    if (new URL(r.url()).origin !== origin) foreign.push(r.url());
  });
  const confirms: string[] = [];
  page.on('dialog', (dlg) => {
    confirms.push(dlg.message());
    void dlg.accept();
  });

  // The runs page, open before the run exists.
  await page.goto(d.loginUrl);
  assert.equal(new URL(page.url()).search, '', 'the token left the URL');
  await page.waitForSelector('body[data-rendered="true"]');

  // The upgrade, as its own process, with JSON logs and its own /metrics.
  const args = ['upgrade', '--cluster', name, '--to', TO, '--yes', '--load', '60', '--soak', '2s', '--baseline', '1s', '--max-p99', '60s', '--max-p99-factor', '1000', '--max-p99-slack', '60s', '--max-error-rate', '0.5', '--metrics-addr', '127.0.0.1:0', '--log-format', 'json', '-o', 'json'];
  const child: ChildProcess = spawn(process.execPath, [binPath, ...args], { env: { ...tc.env, UPSHIFT_FROM_SOURCE: '1' }, cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(() => {
    if (child.pid !== undefined) killQuietly(child.pid);
  });
  let upOut = '';
  let upErr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (upOut += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (upErr += s));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));

  // The run appears in the list without a reload; its page is one click away.
  let upCode: number | undefined;
  void exited.then((c) => (upCode = c));
  const runId = await until('the run to exist', () => {
    if (upCode !== undefined) throw new Error(`upgrade exited ${upCode}: ${upErr.slice(-1500)}`);
    return runIds(tc.home)[0];
  }, 120_000);
  const link = page.locator(`a[href="/runs/${runId}"]`);
  await link.waitFor({ timeout: 30_000 });
  await link.click();
  await page.waitForSelector('#live-run .run');
  let navigations = 0;
  page.on('framenavigated', (f) => f === page.mainFrame() && navigations++);
  const stepsDone = async (): Promise<number> => Number(await page.locator('.run').getAttribute('data-steps-done'));
  const firstDone = await stepsDone();

  // /metrics of the upgrade process: its address is in its (JSON) log.
  const metricsUrl = await until('the --metrics-addr URL in the log', () => /metrics of this run at (http:\/\/[^"\s]+)/.exec(upErr)?.[1], 60_000);

  // The first soak window: the gate table fills, and the metrics carry the gates while the run goes on.
  await page.waitForSelector('#gates tr.pass td[data-gate="p99"]', { timeout: 240_000 });
  const during = await metrics(metricsUrl);
  const served = await metrics(`${origin}/metrics`, auth);
  for (const [where, fams] of [['--metrics-addr', during], ['serve', served]] as const) {
    const L = { cluster: name, run_id: runId };
    const has = (n: string): MetricFamily => fams.get(n) ?? assert.fail(`${where}: no ${n} in ${[...fams.keys()].join(' ')}`);
    const dump = (n: string): string => `${where} ${n}: ${JSON.stringify(fams.get(n)?.samples)}`;
    assert.equal(metricValue(fams, 'upshift_run_state', { ...L, state: 'running' }), 1, dump('upshift_run_state'));
    assert.ok(has('upshift_run_step').samples.some((s) => s.labels.run_id === runId), dump('upshift_run_step'));
    assert.ok((metricValue(fams, 'upshift_run_steps_done', L) ?? 0) > 0, dump('upshift_run_steps_done'));
    has('upshift_run_members_upgraded');
    assert.ok(has('upshift_gate_value').samples.some((s) => s.labels.gate === 'p99' && s.value > 0), dump('upshift_gate_value'));
    assert.ok(has('upshift_gate_threshold').samples.length > 0, dump('upshift_gate_threshold'));
    assert.ok(has('upshift_gate_passed').samples.length > 0, dump('upshift_gate_passed'));
    assert.ok((metricValue(fams, 'upshift_canary_ops_total', { ...L, op: 'put' }) ?? 0) > 0, dump('upshift_canary_ops_total'));
    has('upshift_canary_errors_total');
    assert.equal(has('upshift_canary_latency_seconds').type, 'histogram');
    assert.ok(has('upshift_canary_latency_seconds').samples.some((s) => s.name.endsWith('_bucket') && s.labels.le === '+Inf' && s.value > 0), dump('upshift_canary_latency_seconds'));
    assert.ok((has('upshift_backup_last_success_timestamp_seconds').samples[0]?.value ?? 0) * 1000 > t0, `${dump('upshift_backup_last_success_timestamp_seconds')}: the run took a backup`);
    has('upshift_backup_last_size_bytes');
    has('upshift_backup_failures');
  }

  // Pause from the browser (confirmed): the run stops at its next step boundary, paused, exit 4.
  await page.locator('#pause').click();
  await page.waitForSelector('#run-state.paused', { timeout: 120_000 });
  const pausedCode = await exited;
  assert.equal(pausedCode, 4, upErr.slice(-2000));
  const pausedResult = JSON.parse(upOut);
  assert.equal(pausedResult.result, 'paused');
  assert.ok(pausedResult.reportHtml && existsSync(pausedResult.reportHtml), 'the paused run links its report');

  // Resume from the browser (confirmed): `upgrade resume` runs as its own process; the page follows it to the end.
  await page.locator('#resume').click();
  await page.waitForSelector('#run-state.running', { timeout: 60_000 });
  const resumePid = await until('the resume record', () => {
    const j = readFileSync(join(tc.home, 'runs', runId, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    return j.filter((r) => r.type === 'resume').pop()?.pid as number | undefined;
  }, 30_000);
  cleanups.push(() => killQuietly(resumePid));
  await page.waitForSelector('#run-state.succeeded', { timeout: 300_000 });
  await until('the resume process to exit', () => !isAlive(resumePid), 60_000);
  assert.equal(confirms.length, 2, 'pause and resume each asked for confirmation');

  // The page advanced without a reload, and every chart has data.
  assert.equal(navigations, 0, 'no navigation while the run advanced');
  assert.ok((await stepsDone()) > firstDone, 'the step count grew on the page');
  assert.ok(Number(await page.locator('#live-run').getAttribute('data-updates')) > 10, 'the page applied updates');
  const points = await page.evaluate<Record<string, number>>(POINTS);
  for (const id of ['member-timeline', 'chart-throughput', 'chart-latency', 'chart-errors', 'chart-lag', 'chart-db']) assert.ok((points[id] ?? 0) > 0, `${id} has data points: ${JSON.stringify(points)}`);
  assert.ok((await page.locator('#gates tbody tr').count()) >= 3, 'a soak window per member');
  assert.equal(await page.locator('#verification tr.pass').count(), 1, 'verified');
  mkdirSync(ARTIFACTS, { recursive: true });
  const shot = join(ARTIFACTS, 'dashboard-run.png');
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(statSync(shot).size > 20_000, 'a real screenshot');
  t.diagnostic(`screenshot: ${shot}`);

  // Page weight and first render of the run page (a fresh load of the finished run, cache off).
  const wire = await wireCounter(ctx, page);
  await page.goto(`${origin}/runs/${runId}`);
  await page.waitForSelector('#live-run .run');
  await sleep(300);
  const bytes = wire.bytes();
  const firstRenderMs = await page.evaluate(() => performance.getEntriesByName('upshift-run-rendered')[0]?.startTime ?? -1);
  t.diagnostic(`run page: ${(bytes / 1024).toFixed(1)} KB transferred, first render ${Math.round(firstRenderMs)} ms (loopback, cache off)`);
  assert.ok(firstRenderMs > 0, 'the first-render mark was set');

  assert.deepEqual(problems, [], 'no console errors');
  assert.deepEqual(foreign, [], `only ${origin} was asked`);
  assert.ok(seen.some((u) => /\/api\/runs\/[^/]+\/events/.test(u)), 'the run page used its event stream');

  // Without the token: 401 (pages, API, events); a POST without the CSRF header: refused.
  for (const p of ['/', `/runs/${runId}`, `/api/runs/${runId}`, `/api/runs/${runId}/events`, '/api/events', '/metrics']) assert.equal((await fetch(`${origin}${p}`)).status, 401, p);
  assert.equal((await fetch(`${origin}/api/runs/${runId}/resume`, { method: 'POST', headers: auth })).status, 403);

  // report.html (written by the resume at the end) opens offline with the same charts.
  const resumeFiles = readdirSync(join(tc.home, 'runs', runId)).filter((f) => f.startsWith('resume-'));
  const resumeResult = JSON.parse(readFileSync(join(tc.home, 'runs', runId, resumeFiles.find((f) => f.endsWith('.json'))!), 'utf8'));
  assert.equal(resumeResult.result, 'succeeded');
  const report: string = resumeResult.reportHtml;
  assert.equal(report, join(tc.home, 'runs', runId, 'report.html'));
  const offline = await ctx.newPage();
  await ctx.setOffline(true);
  const reportProblems: string[] = [];
  const reportRequests: string[] = [];
  offline.on('console', (m) => m.type() === 'error' && reportProblems.push(m.text()));
  offline.on('pageerror', (e) => reportProblems.push(e.message));
  offline.on('request', (r) => reportRequests.push(r.url()));
  await offline.goto(`file://${report}`);
  await offline.waitForSelector('body[data-rendered="true"]');
  const reportPoints = await offline.evaluate<Record<string, number>>(POINTS);
  for (const id of Object.keys(points)) assert.ok((reportPoints[id] ?? 0) > 0, `report ${id}: ${JSON.stringify(reportPoints)}`);
  assert.equal(await offline.locator('#run-state').textContent(), 'succeeded');
  assert.equal(await offline.locator('#gates tbody tr').count(), await page.locator('#gates tbody tr').count());
  assert.deepEqual(reportProblems, []);
  assert.deepEqual(reportRequests.filter((u) => !u.startsWith('file://')), [], 'the report asks for nothing');
  await offline.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
  await ctx.setOffline(false);

  // JSON logs: every stderr line of the upgrade and of the resume parses; step records carry run id, step, member.
  const resumeLog = readFileSync(join(tc.home, 'runs', runId, resumeFiles.find((f) => f.endsWith('.log'))!), 'utf8');
  for (const [what, text] of [['upgrade', upErr], ['resume', resumeLog]] as const) {
    const lines = text.split('\n').filter((l) => l !== '');
    assert.ok(lines.length > 10, `${what} logged`);
    for (const l of lines) {
      const rec = JSON.parse(l) as { level?: number; msg?: string };
      assert.equal(typeof rec.level, 'number', `${what}: ${l}`);
      assert.equal(typeof rec.msg, 'string', `${what}: ${l}`);
    }
    const stepRecs = lines.map((l) => JSON.parse(l)).filter((r) => r.step);
    assert.ok(stepRecs.length > 5 && stepRecs.every((r) => r.runId === runId), `${what}: step records carry the run id`);
    assert.ok(stepRecs.some((r) => r.member && /^hop1\/m\d\//.test(r.step)), `${what}: member steps carry the member`);
  }

  const clusters = await (await fetch(`${origin}/api/clusters`, { headers: auth })).text();
  assert.ok(clusters.includes(name) && clusters.includes(TO), 'the clusters API answered with the live cluster');
  t.diagnostic(`wall time ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});
