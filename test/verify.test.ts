// `upshift verify` through the CLI (no etcd needed: a history is a file).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../src/cli.js';
import { simulateHistory } from '../src/history/testing.js';
import { serializeHistory } from '../src/history/io.js';

const dir = mkdtempSync(join(tmpdir(), 'upshift-verify-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const code = await runCli(args, { stdout: out, stderr: err, env: { ...process.env, UPSHIFT_HOME: dir } });
  return { code, stdout, stderr };
}

const good = simulateHistory([
  { key: 'a', type: 'write', start: 0, duration: 2, at: 0.5, outcome: 'ok' },
  { key: 'a', type: 'write', start: 3, duration: 2, at: 0.5, outcome: 'indeterminate', applied: false },
  { key: 'a', type: 'read', start: 6, duration: 1, at: 0.5, outcome: 'ok' },
]);

test('verify: a good history exits 0 with one JSON document', async () => {
  const f = join(dir, 'good.jsonl');
  writeFileSync(f, serializeHistory(good));
  const r = await cli(['verify', f, '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.ok, true);
  assert.equal(doc.operations, good.ops.length);
  assert.deepEqual(doc.violations, []);
});

test('verify: a lost write exits 1 and names it', async () => {
  const bad = structuredClone(good);
  bad.readback!.entries = [];
  const f = join(dir, 'bad.jsonl');
  writeFileSync(f, serializeHistory(bad));
  const r = await cli(['verify', f, '-o', 'json']);
  assert.equal(r.code, 1);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.ok, false);
  assert.ok(doc.violations.some((v: { code: string }) => v.code === 'lost-write'));
  const t = await cli(['verify', f]);
  assert.equal(t.code, 1);
  assert.match(t.stdout, /VIOLATION lost-write/);
});

test('verify: unreadable or malformed input exits 2 naming the input', async () => {
  const missing = await cli(['verify', join(dir, 'nope.jsonl')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.jsonl/);
  const f = join(dir, 'junk.jsonl');
  writeFileSync(f, 'hello\n');
  const junk = await cli(['verify', f]);
  assert.equal(junk.code, 2);
  assert.match(junk.stderr, /junk\.jsonl:1/);
});
