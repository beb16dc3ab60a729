// The exec driver on a cluster started by a plain shell script, 3.5.36 -> 3.6.17 -> 3.7.4: the dry run names
// every flag change each hop needs in the operator's own configuration files (YAML, flag list, systemd unit,
// env file) and what 3.7 would do with the old forms; without a `check` template, readiness refuses with the
// exact etcdutl command (and --assume-v2-clean is accepted); with one, the driver config's `check` runs
// `etcdutl check v2store` on each member's data before the 3.6 hop, and the upgrade runs through for real.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasTestVersion, makeTestHome, testBinDir, type TestHome } from './support/home.js';
import { startShellCluster, type ShellCluster } from './support/shell-cluster.js';
import { runCliSubprocess } from './support/cli.js';
import { journalRecords } from './upgrade-support.js';

const PATH = ['3.5.36', '3.6.17', '3.7.4'];
const skip = !PATH.every(hasTestVersion);
let sc: ShellCluster;
let home: TestHome;

before(async () => {
  if (skip) return;
  home = makeTestHome();
  sc = await startShellCluster({ version: PATH[0]!, members: 3 });
});
after(async () => {
  await sc?.stop();
  home?.cleanup();
});

function file(name: string, text: string): string {
  const f = join(home.home, name);
  writeFileSync(f, text);
  return f;
}

function driverConfig(extra: string[]): string {
  return file(`driver-${Math.random().toString(36).slice(2)}.yaml`, [`stop: "sh ${sc.root}/{{member}}/stop.sh"`, `install: "test -x {{binDir}}/etcd"`, `start: "sh ${sc.root}/{{member}}/start.sh {{binDir}}"`, `timeouts: { stop: 30s, start: 30s }`, ...extra, ''].join('\n'));
}

const upgrade = (cfg: string, extra: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  runCliSubprocess(['upgrade', '--endpoints', sc.endpoints.join(','), '--driver', 'exec', '--driver-config', cfg, '--to', PATH[2]!, ...extra, '-o', 'json'], home.env, 400_000);

test('exec driver: the dry run names each change per hop in YAML, flags, systemd and env files; readiness needs a check or --assume-v2-clean', { skip, timeout: 120_000 }, async () => {
  const yaml = file('etcd.yaml', 'name: s1\nexperimental-initial-corrupt-check: true\nexperimental-corrupt-check-time: 300000000000\n');
  const flags = file('etcd.flags', '--name=s1 --experimental-watch-progress-notify-interval=5s\n');
  const unit = file('etcd.service', '[Service]\nExecStart=/usr/bin/etcd --name s1 \\\n  --experimental-compact-hash-check-enabled=true\n');
  const env = file('etcd.env', 'ETCD_NAME=s1\nETCD_EXPERIMENTAL_ENABLE_DISTRIBUTED_TRACING=false\n');
  const cfg = driverConfig([`config: [${[yaml, flags, `systemd:${unit}`, `env:${env}`].map((f) => JSON.stringify(f)).join(', ')}]`]);
  const r = await upgrade(cfg, ['--dry-run']);
  assert.equal(r.code, 1, r.stderr);
  const d = JSON.parse(r.stdout);
  assert.deepEqual(d.path, PATH);
  assert.equal(d.flags.applies, 'you');
  const f = d.flags.findings as { hop: string; file: string; flag: string; severity: string; code: string; message: string }[];
  const at = (hop: string, flag: string) => f.filter((x) => x.hop === hop && x.flag === flag);
  // 3.5 -> 3.6: each old form is deprecated (renamed, or a feature gate) in each kind of file.
  for (const flag of ['experimental-initial-corrupt-check', 'experimental-corrupt-check-time', 'experimental-watch-progress-notify-interval', 'experimental-compact-hash-check-enabled', 'experimental-enable-distributed-tracing']) {
    assert.ok(at('3.5.36 -> 3.6.17', flag).length > 0, `${flag} on the 3.6 hop: ${JSON.stringify(f)}`);
    assert.ok(at('3.6.17 -> 3.7.4', flag).length > 0, `${flag} on the 3.7 hop`);
  }
  // 3.7: the command-line forms stop etcd (blockers), the YAML key is silently ignored, the env var only warns.
  assert.equal(at('3.6.17 -> 3.7.4', 'experimental-watch-progress-notify-interval')[0]!.severity, 'blocker');
  assert.equal(at('3.6.17 -> 3.7.4', 'experimental-compact-hash-check-enabled')[0]!.severity, 'blocker');
  assert.match(at('3.6.17 -> 3.7.4', 'experimental-initial-corrupt-check')[0]!.message, /ignore/i);
  assert.deepEqual([...new Set(f.filter((x) => x.file).map((x) => x.file))].sort(), [env, flags, unit, yaml].sort());
  // No way to read members' data: readiness refuses, naming the exact command; --assume-v2-clean takes the user's word.
  const v2 = (d.readiness as { code: string; fix: string }[]).filter((x) => x.code === 'v2-check-needed');
  assert.equal(v2.length, 3);
  assert.match(v2[0]!.fix, new RegExp(`etcd/3\\.5\\.36/etcdutl check v2store --data-dir`));
  const assumed = await upgrade(driverConfig([]), ['--dry-run', '--assume-v2-clean']);
  assert.equal(assumed.code, 0, assumed.stderr);
  assert.ok(JSON.parse(assumed.stdout).readiness.some((x: { code: string }) => x.code === 'v2-check-assumed'));
});

test('exec driver: 3.5.36 -> 3.6.17 -> 3.7.4 for real, the check template runs etcdutl check v2store on each member before the 3.6 hop', { skip, timeout: 420_000 }, async (t) => {
  const etcdutl = join(testBinDir(), PATH[0]!, 'etcdutl');
  const cfg = driverConfig([`check: "${etcdutl} check v2store --data-dir ${sc.root}/{{member}}/data"`]);
  const r = await upgrade(cfg, ['--yes', '--load', '30', '--soak', '0s', '--baseline', '1s']);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  t.diagnostic(`canary: ${JSON.stringify(rep.workload)}`);
  assert.equal(rep.result, 'succeeded');
  assert.deepEqual(rep.path, PATH);
  assert.equal(rep.clusterVersion, '3.7.0');
  assert.equal(rep.verification.lostWrites, 0);
  assert.equal(rep.verification.ok, true);
  const ready = journalRecords(home.home, rep.runId).find((x) => x.type === 'step-end' && x.step === 'hop1/readiness');
  assert.ok(ready?.ok, JSON.stringify(ready));
  assert.deepEqual((ready!.detail as { findings: string[] }).findings.filter((x) => /v2-content-clean/.test(x)).length, 3);
  const s = await runCliSubprocess(['status', '--endpoints', sc.endpoints.join(','), '-o', 'json'], home.env);
  assert.ok(JSON.parse(s.stdout).members.every((m: { version: string; storageVersion: string }) => m.version === '3.7.4' && m.storageVersion === '3.7.0'));
});
