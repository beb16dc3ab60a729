/**
 * The dashboard's topology page: `upshift topology` writes the latest graph into the home, `upshift serve`
 * serves it behind the token (GET /api/topology) and the page draws it (headless Chromium, Debian's).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDashboard } from '../src/dashboard/server.js';
import { runCliInProcess } from './support/cli.js';
import { CHROMIUM, hasChromium, launchChromium } from './support/chromium.js';
import type { LatestTopology } from '../src/topology/model.js';

const span = (traceId: string, id: string, parentId: string | null, kind: string, local: string, remote: string | null, tags: Record<string, string> = {}) => ({
  traceId,
  id,
  ...(parentId ? { parentId } : {}),
  kind,
  timestamp: 1_765_000_000_000_000,
  duration: 2000,
  localEndpoint: { serviceName: local },
  ...(remote ? { remoteEndpoint: { serviceName: remote } } : {}),
  tags,
});

test('topology page: the latest graph, etcd callers and impact, drawn', { skip: hasChromium() ? false : `${CHROMIUM} is not installed (apt-get install chromium)` }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'upshift-topo-dash-'));
  after(() => rmSync(home, { recursive: true, force: true }));
  const env = { ...process.env, UPSHIFT_HOME: home };
  const spans = join(home, 'spans.json');
  const etcdTags = { 'rpc.service': 'etcdserverpb.KV', 'rpc.method': 'Range' };
  writeFileSync(
    spans,
    JSON.stringify([
      span('1', '1', null, 'SERVER', 'web', null),
      span('1', '2', '1', 'CLIENT', 'web', 'api'),
      span('1', '3', '2', 'SERVER', 'api', null),
      span('1', '4', '3', 'CLIENT', 'api', null, etcdTags),
      span('2', '1', null, 'CLIENT', 'reports', null, { 'http.method': 'POST', 'http.url': 'http://etcd:2379/v3beta/kv/range' }),
    ]),
  );
  const built = await runCliInProcess(['topology', spans, '--to', '3.7.4', '--from', '3.6.17'], env);
  assert.equal(built.code, 0, built.stderr);

  const d = await startDashboard({ home, env, addr: { host: '127.0.0.1', port: 0 } });
  after(() => d.close());
  const api = await fetch(`${d.url}/api/topology`, { headers: { authorization: `Bearer ${d.secrets.token}` } });
  assert.equal(api.status, 200);
  const latest = (await api.json()) as LatestTopology;
  assert.deepEqual(latest.report.blastRadius, ['api', 'reports', 'web']);
  assert.equal((await fetch(`${d.url}/api/topology`)).status, 401);

  const browser = await launchChromium();
  after(() => browser.close());
  const page = await browser.ctx.newPage();
  await page.goto(d.loginUrl);
  await page.goto(`${d.url}/topology`);
  await page.waitForSelector('#topology-graph');
  assert.equal(await page.locator('#topology-graph g.node').count(), 4);
  assert.equal(await page.locator('#topology-graph g.node.etcd').count(), 1);
  assert.equal(await page.locator('#topology-graph g.edge').count(), 3);
  assert.match(await page.locator('#etcd-callers').innerText(), /api\s+direct[\s\S]*KV\/Range 1/);
  assert.match(await page.locator('#etcd-callers').innerText(), /web\s+web → api → etcd/);
  assert.match(await page.locator('#impact').innerText(), /gateway-prefix-deprecated.*reports/);
  if (process.env.UPSHIFT_SCREENSHOT) await page.screenshot({ path: process.env.UPSHIFT_SCREENSHOT, fullPage: true });
});
