/**
 * Benchmark: the dashboard's run page in headless Chromium on loopback — bytes transferred (cache off) and
 * time to first render (navigation start to the run drawn with its data: the `upshift-run-rendered` mark),
 * against a baseline measured in the same run: a minimal HTML page from a bare node:http server, loaded by
 * the same browser. Targets: under 300 KB and under 1 s. Also: report.html's size, and the bundle build time.
 *
 *   node --import tsx bench/dashboard-page.ts [--runs 7] [--seconds 600] [--ops 100] [--home DIR --run ID]
 *
 * Without --home: a synthetic run of --seconds with --ops canary ops per second (3 members, one soak).
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDashboard } from '../src/dashboard/server.js';
import { writeRunReport } from '../src/dashboard/report.js';
import { appBundle } from '../src/dashboard/bundle.js';
import { sampleHistory, sampleJournal, writeSampleRun, RUN_ID } from '../src/runview/testing.js';
import { launchChromium, wireCounter } from '../test/support/chromium.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : def;
};
const RUNS = Number(arg('runs', '7'));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const scratch = mkdtempSync(join(tmpdir(), 'upshift-bench-dash-'));
let home = arg('home', '');
let runId = arg('run', '');
if (!home) {
  home = scratch;
  runId = RUN_ID;
  writeSampleRun(home, sampleJournal({ end: 'succeeded' }), sampleHistory(Number(arg('seconds', '600')), Number(arg('ops', '100'))));
}

const t0 = performance.now();
await appBundle();
const buildMs = performance.now() - t0;
const d = await startDashboard({ home, env: { UPSHIFT_HOME: home }, addr: { host: '127.0.0.1', port: 0 } });
const blank = createServer((_q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>x</title><p>x</p>'));
await new Promise<void>((r) => blank.listen(0, '127.0.0.1', r));
const blankUrl = `http://127.0.0.1:${(blank.address() as { port: number }).port}/`;

const browser = await launchChromium();
try {
  const page = await browser.ctx.newPage();
  await page.goto(d.loginUrl); // sets the cookie
  const wire = await wireCounter(browser.ctx, page);
  const run: number[] = [];
  const base: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await page.goto(blankUrl);
    base.push(await page.evaluate<number>("performance.getEntriesByType(\"navigation\")[0].duration"));
    wire.reset();
    await page.goto(`${d.url}/runs/${runId}`);
    await page.waitForSelector('#live-run .run');
    await page.waitForTimeout(300);
    weights.push(wire.bytes());
    run.push(await page.evaluate('performance.getEntriesByName("upshift-run-rendered")[0].startTime'));
  }
  const report = await writeRunReport(join(home, 'runs', runId), { file: join(scratch, 'report.html') });
  const b = await appBundle();
  console.log(`bundle: ${(b.js.body.length / 1024).toFixed(1)} KB js (${(b.js.gzip.length / 1024).toFixed(1)} KB gzip), ${(b.css.body.length / 1024).toFixed(1)} KB css; built in ${Math.round(buildMs)} ms`);
  console.log(`run page: ${(median(weights) / 1024).toFixed(1)} KB transferred (target < 300 KB)`);
  console.log(`first render: median ${median(run).toFixed(0)} ms over ${RUNS} loads (target < 1000 ms); baseline blank page ${median(base).toFixed(0)} ms; ratio ${(median(run) / Math.max(1, median(base))).toFixed(1)}x`);
  console.log(`report.html: ${(statSync(report).size / 1024).toFixed(1)} KB`);
} finally {
  await browser.close();
  await d.close();
  blank.close();
  rmSync(scratch, { recursive: true, force: true });
}
