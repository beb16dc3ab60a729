/**
 * `bench compare --html`: the report is self-contained and renders in a real browser (Chromium headless
 * through playwright-core), charts drawn, no script errors; a screenshot is taken. Skipped, with a message,
 * when /usr/bin/chromium is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliInProcess } from './support/cli.js';
import { newHistogram, encodeHistogram, summarize, ladder } from '../src/bench/histogram.js';
import type { BenchResult } from '../src/bench/result.js';

const CHROMIUM = '/usr/bin/chromium';

function result(scaleMs: number, tput: number): BenchResult {
  const h = newHistogram();
  const timeline = [];
  let ops = 0;
  for (let t = 0; t < 8; t++) {
    const n = Math.round(tput * (1 + 0.03 * Math.sin(t)));
    for (let i = 0; i < n; i++) h.recordValue(Math.round(scaleMs * 1000 * (0.5 + ((i * 7919) % 1000) / 1000)));
    timeline.push({ t, sec: 1, ops: n, errors: 0, opsPerSec: n, meanMs: scaleMs, maxMs: scaleMs * 1.5 });
    ops += n;
  }
  return {
    workload: 'put',
    config: { workload: 'put', endpoints: ['http://127.0.0.1:2379'], clients: 64, conns: 8, durationMs: 8000, keySize: 32, valSize: 256, keySpace: 100000, keyPrefix: 'bench/', sequentialKeys: false, warmupMs: 0, workers: 2, consistency: 'l', prefix: false, limit: 0, readRatio: 0.9, watchers: 64, leaseTtlSec: 30, commandTimeoutMs: 5000, dialTimeoutMs: 2000 },
    ops,
    errors: 0,
    durationSec: 8,
    throughput: ops / 8,
    latencyMs: summarize(h),
    percentiles: ladder(h),
    clientCpuUsPerOp: 70,
    clientCpu: { userMs: 100, systemMs: 20, cores: 0.4 },
    errorsByType: {},
    timeline,
    histogram: encodeHistogram(h),
    host: { cpus: 2, loadAvg1AtStart: 1 },
    startedAt: new Date().toISOString(),
  };
}

test('bench compare --html writes a report that renders in Chromium (screenshot)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'upshift-bench-report-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'before.json'), JSON.stringify(result(5, 2000)));
  writeFileSync(join(dir, 'after.json'), JSON.stringify(result(10, 1900)));
  const html = join(dir, 'report.html');
  const r = await runCliInProcess(['bench', 'compare', join(dir, 'before.json'), join(dir, 'after.json'), '--html', html]);
  assert.equal(r.code, 1, `a doubled latency is a regression: exit 1\n${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /latency p99 \(ms\)/);
  assert.match(r.stdout, /worse/);
  const text = readFileSync(html, 'utf8');
  assert.ok(!/<script[^>]+src=/.test(text) && !/<link[^>]+href=/.test(text), 'self-contained: no external scripts or stylesheets');

  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is not installed (apt-get install chromium): the browser rendering check did not run`);
    return;
  }
  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'upshift-chromium-'));
  t.after(() => rmSync(userDataDir, { recursive: true, force: true }));
  const ctx = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto('file://' + html);
    await page.waitForSelector('body[data-rendered="true"]', { timeout: 15_000 });
    assert.deepEqual(errors, []);
    assert.equal(await page.locator('canvas').count(), 3, 'latency, throughput and mean-latency charts');
    assert.equal(await page.locator('tr.worse').count() > 0, true);
    const shot = join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000, 'a non-trivial screenshot');
  } finally {
    await ctx.close();
  }
});
