// --log-format json against a 3-member 3.5.16 cluster with auth: a real patch upgrade to 3.5.30 (the password given
// on the command line, the way a careless script would), a backup and a status, each with JSON logs: every stderr
// line parses as a pino record, the upgrade's step records carry run id, step and member, and the password appears
// nowhere — not in stdout, stderr, the journal, the histories, report.html, nor the dashboard's API and /metrics.
// (3.4 -> 3.5 with auth on is refused by the plan: etcd does not support that rolling upgrade; the dashboard's own
// 3.4.23 -> 3.5.30 run is test/dashboard.test.ts.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hasTestVersion } from './support/home.js';
import { runCliSubprocess } from './support/cli.js';
import { upgradeTestCluster, runIds, type UpgradeTestCluster } from './upgrade-support.js';
import { startDashboard } from '../src/dashboard/server.js';

const FROM = '3.5.16';
const TO = '3.5.30';
const skip = !hasTestVersion(FROM) || !hasTestVersion(TO);
let tc: UpgradeTestCluster | undefined;
after(async () => tc?.stop());

function jsonLines(what: string, text: string): { level: number; msg: string; [k: string]: unknown }[] {
  const lines = text.split('\n').filter((l) => l !== '');
  assert.ok(lines.length > 0, `${what}: logged nothing`);
  return lines.map((l) => {
    let rec: { level: number; msg: string };
    try {
      rec = JSON.parse(l);
    } catch {
      assert.fail(`${what}: not a JSON line: ${l}`);
    }
    assert.equal(typeof rec.level, 'number', `${what}: ${l}`);
    assert.equal(typeof rec.msg, 'string', `${what}: ${l}`);
    return rec;
  });
}

test('JSON logs: every line parses, steps carry run id/step/member, the auth password is nowhere', { skip, timeout: 300_000 }, async (t) => {
  const t0 = Date.now();
  tc = await upgradeTestCluster(FROM, 3, { auth: true });
  const password = readFileSync(tc.cluster.auth!.passwordFile, 'utf8').trim();
  assert.ok(password.length >= 16, 'a real password');
  const name = tc.cluster.name;
  const eps = tc.cluster.members.map((m) => m.clientURL).join(',');
  // The password on the command line (--user root:PASSWORD wins over the local cluster's password file).
  const conn = ['--cluster', name, '--user', `root:${password}`];

  const status = await runCliSubprocess(['status', ...conn, '--log-format', 'json', '-o', 'json'], tc.env);
  assert.equal(status.code, 0, status.stderr);
  const save = await runCliSubprocess(['backup', 'save', '--endpoints', eps, '--log-format', 'json', '-o', 'json'], { ...tc.env, ETCDCTL_USER: 'root', ETCDCTL_PASSWORD: password });
  assert.equal(save.code, 0, save.stderr);
  jsonLines('backup save', save.stderr);
  const up = await runCliSubprocess(['upgrade', ...conn, '--to', TO, '--yes', '--load', '40', '--soak', '0s', '--baseline', '1s', '--log-format', 'json', '-o', 'json'], tc.env, 240_000);
  assert.equal(up.code, 0, up.stderr.slice(-3000));
  const result = JSON.parse(up.stdout);
  assert.equal(result.result, 'succeeded');
  const recs = jsonLines('upgrade', up.stderr);
  const runId = runIds(tc.home)[0]!;
  const steps = recs.filter((r) => r.step);
  assert.ok(steps.length > 20 && steps.every((r) => r.runId === runId), 'step records carry the run id');
  assert.ok(steps.some((r) => r.member === 'm1' && r.step === 'hop1/m1/start'), 'member steps carry the member');
  assert.ok(recs.some((r) => r.level === 30) && recs.every((r) => r.level >= 30), 'info and above by default');

  // The dashboard's answers about this cluster and run.
  const d = await startDashboard({ home: tc.home, env: tc.env, addr: { host: '127.0.0.1', port: 0 } });
  let api: string[];
  try {
    const h = { authorization: `Bearer ${d.secrets.token}` };
    api = await Promise.all([`/api/runs/${runId}`, '/api/runs', '/api/clusters', '/api/backups', '/metrics', `/runs/${runId}`].map(async (p) => (await fetch(`${d.url}${p}`, { headers: h })).text()));
  } finally {
    await d.close();
  }
  const runDir = join(tc.home, 'runs', runId);
  const files = readdirSync(runDir).map((f) => [f, readFileSync(join(runDir, f), 'utf8')] as const);
  assert.ok(files.some(([f]) => f === 'report.html'), 'the run wrote its report');
  for (const [what, text] of [['status stdout', status.stdout], ['status stderr', status.stderr], ['backup stdout', save.stdout], ['backup stderr', save.stderr], ['upgrade stdout', up.stdout], ['upgrade stderr', up.stderr], ...files, ...api.map((a, i) => [`api ${i}`, a] as const)]) {
    assert.ok(!text.includes(password), `the password is in ${what}`);
  }
  t.diagnostic(`wall time ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});
