// Readiness before 3.6 on real data: a 3.5.36 cluster with --enable-v2 (snapshot-count 50). Each state is
// judged by upshift and by upstream's etcdutl 3.5.36 `check v2store` on the same live data dirs, and the
// verdicts must agree: clean -> passes; a key written through /v2/keys -> refused (exit 1) with nothing
// touched; the key deleted but still in the WAL -> refused; custom content only in the v2 snapshot ->
// refused; the same with every member on --v2-deprecation=write-only-skip-check -> a warning, and the
// upgrade to 3.6.17 runs for real (3.6 starts on that data, as upstream documents). The membership check
// (every member's v3 backend vs the served list) runs on each of these.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasTestVersion, testBinDir } from './support/home.js';
import { runCliInProcess, runCliSubprocess } from './support/cli.js';
import { trackCluster } from './support/cluster.js';
import { startMember, stopMember } from '../src/cluster/local.js';
import { upgradeTestCluster, runIds, type UpgradeTestCluster } from './upgrade-support.js';

const run = promisify(execFile);
const FROM = '3.5.36';
const TO = '3.6.17';
const skip = !hasTestVersion(FROM) || !hasTestVersion(TO);
let tc: UpgradeTestCluster;

before(async () => {
  if (!skip) tc = await upgradeTestCluster(FROM, 3, { extraArgs: ['--enable-v2=true', '--snapshot-count=50'] });
});
after(async () => tc?.stop());

const CLEAN = 'No custom content found in both v2store and WAL records.';

/** upstream's verdict on one member's live data dir (etcdutl check v2store of 3.5.36). */
async function etcdutl(dataDir: string): Promise<string> {
  try {
    const r = await run(join(testBinDir(), FROM, 'etcdutl'), ['check', 'v2store', '--data-dir', dataDir]);
    return r.stdout.trim();
  } catch (e) {
    return String((e as { stderr: string }).stderr).trim().split('\n').pop()!.replace(/^Error: /, '');
  }
}

async function verdicts(): Promise<string[]> {
  return Promise.all((await tc.reload()).members.map((m) => etcdutl(m.dataDir)));
}

interface Finding {
  severity: string;
  code: string;
  members?: string[];
  message: string;
  fix?: string;
}

async function readiness(): Promise<{ code: number; findings: Finding[] }> {
  const r = await runCliInProcess(['upgrade', '--cluster', tc.cluster.name, '--to', TO, '--dry-run', '-o', 'json'], tc.env);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  return { code: r.code, findings: JSON.parse(r.stdout).readiness as Finding[] };
}

const blockers = (f: Finding[]): string[] => [...new Set(f.filter((x) => x.severity === 'blocker').map((x) => x.code))];

async function v2(method: 'PUT' | 'DELETE', key: string): Promise<void> {
  const r = await fetch(`${tc.cluster.members[0]!.clientURL}/v2/keys/${key}`, { method, ...(method === 'PUT' ? { body: new URLSearchParams({ value: 'v2-data' }) } : {}) });
  assert.ok(r.ok, `${method} /v2/keys/${key}: ${r.status}`);
}

async function v3puts(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${tc.cluster.members[0]!.clientURL}/v3/kv/put`, { method: 'POST', body: JSON.stringify({ key: Buffer.from(`/app/k${i}`).toString('base64'), value: Buffer.from('v').toString('base64') }) });
    assert.ok(r.ok);
  }
}

/** Until upstream says `want` on every member (members take their v2 snapshots independently). */
async function until(want: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last: string[] = [];
  while (Date.now() < deadline) {
    last = await verdicts();
    if (last.every((v) => v === want)) return;
    await v3puts(5);
    await sleep(200);
  }
  assert.fail(`etcdutl never said "${want}" on every member: ${JSON.stringify(last)}`);
}

test('custom v2 content: upshift and etcdutl check v2store agree; refusals touch nothing; write-only-skip-check is a warning and 3.6 starts', { skip, timeout: 300_000 }, async () => {
  // 1. Clean (the v2 API is on, nothing written): passes; the membership check ran.
  assert.deepEqual(await verdicts(), [CLEAN, CLEAN, CLEAN]);
  let r = await readiness();
  assert.equal(r.code, 0, JSON.stringify(r.findings));
  assert.deepEqual(blockers(r.findings), []);
  assert.ok(r.findings.some((f) => f.code === 'membership-consistent'), JSON.stringify(r.findings));
  assert.ok(r.findings.some((f) => f.code === 'v2-api-enabled'));

  // 2. A key through /v2/keys: custom content in the WAL. A real upgrade is refused before anything changes.
  await v2('PUT', 'foo');
  assert.deepEqual(await verdicts(), Array(3).fill('detected custom v2 content in WAL records'));
  const pids = (await tc.reload()).members.map((m) => m.pid);
  const refused = await runCliInProcess(['upgrade', '--cluster', tc.cluster.name, '--to', TO, '--yes', '-o', 'json'], tc.env);
  assert.equal(refused.code, 1, refused.stderr);
  const err = JSON.parse(refused.stdout).error;
  assert.equal(err.code, 'not-ready');
  assert.match(err.message, /v2-custom-content-wal: m\d: detected custom v2 content in WAL records: 1 WAL entry after the last v2 snapshot carry v2 writes \(PUT \/1\/foo @\d+\)/);
  assert.match(err.message, /--snapshot-count=1/);
  assert.match(err.hint, /nothing was touched/);
  assert.deepEqual(runIds(tc.home), [], 'no run was created');
  const now = await tc.reload();
  assert.deepEqual(now.members.map((m) => m.pid), pids);
  assert.ok(now.members.every((m) => m.version === FROM));

  // 3. Deleted again, but the PUT and DELETE are still in the WAL: upstream still reports them, so does upshift.
  await v2('DELETE', 'foo');
  assert.deepEqual(await verdicts(), Array(3).fill('detected custom v2 content in WAL records'));
  r = await readiness();
  assert.deepEqual(blockers(r.findings), ['v2-custom-content-wal']);
  assert.deepEqual(r.findings.filter((f) => f.code === 'v2-custom-content-wal').flatMap((f) => f.members).sort(), ['m1', 'm2', 'm3']);

  // 4. A v2 directory, then enough v3 writes for a v2 snapshot to cover it: custom content in the v2 snapshot only.
  await v2('PUT', 'dir/x');
  await v3puts(60);
  await until('detected custom content in v2store');
  r = await readiness();
  assert.deepEqual(blockers(r.findings), ['v2-custom-content']);
  assert.match(r.findings.find((f) => f.code === 'v2-custom-content')!.message, /\/1\/dir/);
  assert.match(r.findings.find((f) => f.code === 'v2-custom-content')!.fix!, /write-only-skip-check/);

  // 5. Every member on --v2-deprecation=write-only-skip-check (3.5.32+; exclusive with --enable-v2): a warning only,
  //    and the upgrade runs: 3.6 starts on the custom v2 data, as upstream documents for that flag.
  const c = await tc.reload();
  for (const m of c.members) {
    await stopMember(c, m.name, { timeoutMs: 20_000 });
    await startMember(tc.home, c, m.name, { args: [...m.args.filter((a) => a !== '--enable-v2=true'), '--v2-deprecation=write-only-skip-check'], timeoutMs: 30_000 });
  }
  trackCluster(await tc.reload());
  r = await readiness();
  assert.deepEqual(blockers(r.findings), [], JSON.stringify(r.findings));
  assert.deepEqual(r.findings.filter((f) => f.code === 'v2-custom-content-skip-check').flatMap((f) => f.members).sort(), ['m1', 'm2', 'm3']);
  const up = await runCliSubprocess(['upgrade', '--cluster', tc.cluster.name, '--to', TO, '--yes', '--load', '20', '--soak', '0s', '--baseline', '1s', '-o', 'json'], tc.env, 240_000);
  trackCluster(await tc.reload());
  assert.equal(up.code, 0, up.stderr);
  const rep = JSON.parse(up.stdout);
  assert.equal(rep.result, 'succeeded');
  assert.equal(rep.clusterVersion, '3.6.0');
  assert.equal(rep.verification.lostWrites, 0);
  // The hop's own readiness step ran on the cluster as it was then.
  assert.match(up.stderr, /hop1\/readiness/);
  const after = await tc.reload();
  assert.ok(after.members.every((m) => m.version === TO && m.args.includes('--v2-deprecation=write-only-skip-check')));
  const log = (await import('node:fs')).readFileSync(after.members[0]!.logFile, 'utf8');
  assert.match(log, /write-only-skip-check is enabled; v2 content detected/);
});
