// The upgrade users face now, in one lifecycle: 5 members with TLS and auth on etcd 3.5.30, started with
// 3.5-era --experimental-* flags (four of them on the command line, the fifth from a --config-file YAML),
// upgraded to 3.7.4 under load. upshift goes through the 3.5.32 floor (3.5.36) and 3.6.17, runs the
// readiness checks before the 3.6 hop for real (v2 content of every member's data, membership of every
// member's v3 backend), moves the flags to their 3.6 names and feature gates on 3.6 (the YAML rewritten
// beside the original), so 3.7 — which refuses the old flags and silently ignores old YAML keys — starts
// with them in effect. The upshift process is killed -9 inside the 3.6 hop and resumed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { hasTestVersion } from './support/home.js';
import { runCliInProcess, runCliSubprocess } from './support/cli.js';
import { trackCluster } from './support/cluster.js';
import { startMember, stopMember } from '../src/cluster/local.js';
import { parseDuration } from '../src/core/duration.js';
import { upgradeTestCluster, journalRecords, spawnCli, killWhen, type UpgradeTestCluster } from './upgrade-support.js';

const PATH = ['3.5.30', '3.5.36', '3.6.17', '3.7.4'];
const skip = !PATH.every(hasTestVersion);
const EXPERIMENTAL = ['--experimental-initial-corrupt-check=true', '--experimental-corrupt-check-time=5m', '--experimental-watch-progress-notify-interval=5s', '--experimental-compact-hash-check-enabled=true', '--experimental-enable-distributed-tracing=false'];
let tc: UpgradeTestCluster;

/**
 * The YAML an operator would write for a member's flags: TLS settings in the transport-security blocks,
 * durations in nanoseconds (etcd unmarshals YAML into time.Duration), booleans and lists typed.
 */
function yamlOf(args: readonly string[]): string {
  const y: Record<string, unknown> = {};
  const client: Record<string, unknown> = {};
  const peer: Record<string, unknown> = {};
  const TLS = new Set(['cert-file', 'key-file', 'trusted-ca-file', 'client-cert-auth']);
  for (const a of args) {
    const m = /^--([^=]+)=(.*)$/.exec(a);
    if (!m) continue;
    const [, k, raw] = m as unknown as [string, string, string];
    const v: unknown = raw === 'true' ? true : raw === 'false' ? false : /-time$|-interval$/.test(k) ? parseDuration(raw, k) * 1e6 : raw;
    if (TLS.has(k)) client[k] = v;
    else if (k.startsWith('peer-') && TLS.has(k.slice(5))) peer[k.slice(5)] = v;
    else if (k === 'log-outputs') y[k] = [v];
    else y[k] = v;
  }
  return `# member config written by the test, as an operator would\n${stringify({ ...y, 'client-transport-security': client, 'peer-transport-security': peer })}`;
}

before(async () => {
  if (skip) return;
  tc = await upgradeTestCluster('3.5.30', 5, { tls: true, auth: true, extraArgs: EXPERIMENTAL });
  // m5 runs from a YAML config file instead of flags (etcd then ignores other flags).
  const c = await tc.reload();
  const m5 = c.members.find((m) => m.name === 'm5')!;
  const file = join(dirname(m5.dataDir), 'etcd.yaml');
  writeFileSync(file, yamlOf(m5.args), { mode: 0o600 });
  await stopMember(c, 'm5', { timeoutMs: 20_000 });
  await startMember(tc.home, c, 'm5', { args: [`--config-file=${file}`], timeoutMs: 30_000 });
  trackCluster(await tc.reload());
});
after(async () => tc?.stop());

test('TLS + auth, 5 members, 3.5.30 -> 3.5.36 -> 3.6.17 -> 3.7.4: readiness and floors for real, flags (CLI and YAML) moved for 3.6 and in effect on 3.7, kill -9 + resume inside the 3.6 hop', { skip, timeout: 900_000 }, async (t) => {
  const dry = await runCliInProcess(['upgrade', '--cluster', tc.cluster.name, '--to', '3.7.4', '--dry-run', '-o', 'json'], tc.env);
  assert.equal(dry.code, 0, dry.stderr);
  const plan = JSON.parse(dry.stdout);
  assert.deepEqual(plan.path, PATH, 'the 3.5.32 floor is a hop of its own');
  assert.ok(plan.readiness.some((f: { code: string }) => f.code === 'membership-consistent'), JSON.stringify(plan.readiness));
  assert.ok(!plan.readiness.some((f: { severity: string }) => f.severity === 'blocker'));
  // The dry run names every flag change, hop by hop, for the command lines and for m5's YAML.
  const changes: string[] = plan.flags.changes;
  assert.ok(changes.some((c) => /^m1 on 3\.6\.17: --experimental-corrupt-check-time=5m renamed -> --corrupt-check-time=5m/.test(c)), changes.join('\n'));
  assert.ok(changes.some((c) => /^m1 on 3\.6\.17: --experimental-initial-corrupt-check=true merged -> --feature-gates=InitialCorruptCheck=true/.test(c)));
  assert.ok(changes.some((c) => /^m5 on 3\.6\.17: --experimental-corrupt-check-time=300000000000 renamed -> --corrupt-check-time=300000000000 \(etcd\.yaml:/.test(c)), changes.join('\n'));
  assert.ok(!changes.some((c) => / on 3\.7\.4: /.test(c)), 'nothing left to change for 3.7');

  // The run, killed -9 while the 3.6 hop is under way (the second member's start), then resumed.
  const args = ['upgrade', '--cluster', tc.cluster.name, '--to', '3.7.4', '--yes', '--load', '30', '--soak', '0s', '--baseline', '1s', '-o', 'json'];
  const starts = (plan.steps as { id: string }[]).filter((s) => /^hop2\/m\d\/start$/.test(s.id)).map((s) => s.id);
  const p = spawnCli(args, tc.env);
  await killWhen(tc, p, (r) => r.type === 'step-end' && r.step === starts[1], `${starts[1]} done`, 600_000);
  const r = await runCliSubprocess(['upgrade', 'resume', '--cluster', tc.cluster.name, '-o', 'json'], tc.env, 600_000);
  trackCluster(await tc.reload());
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  t.diagnostic(`canary: ${JSON.stringify(rep.workload)}`);
  assert.equal(rep.result, 'succeeded');
  assert.deepEqual(rep.path, PATH);
  assert.equal(rep.clusterVersion, '3.7.0');
  assert.equal(rep.verification.lostWrites, 0, JSON.stringify(rep.verification));
  assert.equal(rep.verification.ok, true);
  assert.equal(rep.verification.consistent, true);
  assert.equal(rep.verification.histories.length, 2);
  assert.equal(rep.members.length, 15, 'five members, three hops');
  assert.deepEqual(rep.workload.perHop.map((h: { from: string; to: string }) => `${h.from}->${h.to}`), ['3.5.30->3.5.36', '3.5.36->3.6.17', '3.6.17->3.7.4']);

  // Readiness ran again before the 3.6 hop's first member, on the cluster as the floor hop left it.
  const recs = journalRecords(tc.home, rep.runId);
  const ready = recs.find((x) => x.type === 'step-end' && x.step === 'hop2/readiness' && x.ok);
  assert.ok(ready, 'hop2/readiness ended ok');
  assert.ok((ready!.detail as { findings: string[] }).findings.some((f) => /membership-consistent/.test(f)));

  // Flags: the new names and one --feature-gates on every command line; m5's YAML rewritten beside the original.
  const c = await tc.reload();
  for (const m of c.members.filter((x) => x.name !== 'm5')) {
    assert.equal(m.version, '3.7.4');
    assert.ok(!m.args.some((a) => a.startsWith('--experimental-')), `${m.name}: ${m.args.join(' ')}`);
    assert.ok(m.args.includes('--corrupt-check-time=5m') && m.args.includes('--watch-progress-notify-interval=5s') && m.args.includes('--enable-distributed-tracing=false'));
    assert.ok(m.args.includes('--feature-gates=InitialCorruptCheck=true,CompactHashCheck=true'), m.args.join(' '));
  }
  const m5 = c.members.find((x) => x.name === 'm5')!;
  const cf = m5.args.find((a) => a.startsWith('--config-file='))!.slice('--config-file='.length);
  assert.match(cf, /etcd\.etcd-3\.6\.17\.yaml$/, 'the 3.6 copy (3.7 needed no further change)');
  const y = readFileSync(cf, 'utf8');
  assert.match(y, /^feature-gates: InitialCorruptCheck=true,CompactHashCheck=true$/m);
  assert.match(y, /^corrupt-check-time: 300000000000$/m);
  assert.doesNotMatch(y, /experimental-/);
  assert.match(y, /# member config written by the test/, 'comments kept');
  assert.match(readFileSync(join(dirname(m5.dataDir), 'etcd.yaml'), 'utf8'), /experimental-initial-corrupt-check: true/, 'the original file untouched');

  // On 3.7 the gates are in effect on every member, m5's from its YAML (etcd would have ignored the old keys).
  const s = JSON.parse((await runCliInProcess(['status', '--cluster', tc.cluster.name, '-o', 'json'], tc.env)).stdout);
  assert.ok(s.members.every((m: { storageVersion: string; featureGates: { name: string; enabled: boolean }[] }) => m.storageVersion === '3.7.0' && m.featureGates.some((g) => g.name === 'InitialCorruptCheck' && g.enabled)), JSON.stringify(s.members.map((m: { name: string; featureGates: unknown }) => [m.name, m.featureGates])));
  assert.match(s.findings.find((f: { code: string }) => f.code === 'feature-gates').message, /CompactHashCheck=true \(every member\); InitialCorruptCheck=true \(every member\)|InitialCorruptCheck=true \(every member\); CompactHashCheck=true \(every member\)/);
  assert.ok(!s.findings.some((f: { code: string }) => f.code === 'deprecated-flags'));
});
