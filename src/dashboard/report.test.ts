import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleRun, sampleJournal, RUN_ID } from '../runview/testing.js';
import { runCliInProcess } from '../../test/support/cli.js';

test('upshift report: a self-contained report.html beside the journal (or --html FILE); an unknown run is exit 1', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'upshift-report-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const dir = writeSampleRun(home, sampleJournal({ end: 'succeeded' }));
  const env = { UPSHIFT_HOME: home };

  const r = await runCliInProcess(['report', '-o', 'json'], env);
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout);
  assert.equal(res.runId, RUN_ID);
  assert.equal(res.state, 'succeeded');
  assert.equal(res.html, join(dir, 'report.html'));
  const html = readFileSync(res.html, 'utf8');
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.ok(!/<script[^>]+src=/i.test(html) && !/<link[^>]+href="(?!data:)/i.test(html), 'nothing is loaded from elsewhere');
  assert.ok(!/https?:\/\//.test(html.replace(/http:\/\/127\.0\.0\.1:1/g, '').replace(/http:\/\/www\.w3\.org\/[\w/.]+/g, '')), 'no URL to fetch');
  const boot = JSON.parse(/<script id="upshift-boot" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!);
  assert.equal(boot.mode, 'report');
  assert.equal(boot.view.runId, RUN_ID);
  assert.equal(boot.view.canary.length, 5, 'the canary seconds are in');

  const other = join(home, 'elsewhere.html');
  const r2 = await runCliInProcess(['report', RUN_ID, '--html', other], env);
  assert.equal(r2.code, 0, r2.stderr);
  assert.ok(existsSync(other), 'written where asked');
  assert.match(r2.stdout, /report written to/);

  const r3 = await runCliInProcess(['report', 'nope', '-o', 'json'], env);
  assert.equal(r3.code, 1);
  assert.equal(JSON.parse(r3.stdout).error.code, 'no-run');
});
