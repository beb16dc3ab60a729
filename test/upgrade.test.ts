// `upshift upgrade` on a real 3-member 3.4.23 cluster with TLS (client and peer, client certs required)
// whose members run with `--logger=capnslog`, which 3.5 refuses (local driver): a member down is refused
// with nothing touched; --dry-run touches nothing and lists the flag change; a concurrent second upgrade
// is refused by the cluster lock; the upgrade to 3.5.30 under load succeeds with no failed and no lost
// writes, verified, each member restarted with its own flags and only capnslog -> zap changed (journaled).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasTestVersion } from './support/home.js';
import { binPath, repoRoot, runCliInProcess, type CliRun } from './support/cli.js';
import { trackCluster } from './support/cluster.js';
import { startMember, stopMember } from '../src/cluster/local.js';
import { resolveConnection } from '../src/client/connection.js';
import { readLock } from '../src/upgrade/lock.js';
import { upgradeTestCluster, runIds, journalRecords, type UpgradeTestCluster } from './upgrade-support.js';

const FROM = '3.4.23';
const TO = '3.5.30';
const skip = !hasTestVersion(FROM) || !hasTestVersion(TO);
let tc: UpgradeTestCluster;

before(async () => {
  if (!skip) tc = await upgradeTestCluster(FROM, 3, { tls: true, extraArgs: ['--logger=capnslog'] });
});
after(async () => tc?.stop());

const cli = (args: string[]): Promise<CliRun> => runCliInProcess(args, tc.env);
const pids = async (): Promise<(number | undefined)[]> => (await tc.reload()).members.map((m) => m.pid);

test('a member already down: refused with exit 1 naming it, nothing touched', { skip, timeout: 120_000 }, async () => {
  const cl = await tc.reload();
  await stopMember(cl, 'm3', { signal: 'SIGTERM', timeoutMs: 20_000 });
  try {
    const before = await pids();
    const r = await cli(['upgrade', '--cluster', tc.cluster.name, '--to', TO, '--yes', '-o', 'json']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /m3/);
    assert.match(r.stderr, /nothing was touched/);
    assert.equal(JSON.parse(r.stdout).error.code, 'preflight-failed');
    assert.deepEqual(runIds(tc.home), [], 'no run was created');
    assert.deepEqual(await pids(), before);
    assert.ok((await tc.reload()).members.every((m) => m.version === FROM));
  } finally {
    await startMember(tc.home, await tc.reload(), 'm3', { wait: 'healthy', timeoutMs: 30_000 });
    trackCluster(await tc.reload());
  }
});

test('--dry-run prints the exact steps and touches nothing', { skip, timeout: 60_000 }, async () => {
  const before = await pids();
  const leader = async (): Promise<string> => JSON.parse((await cli(['status', '--cluster', tc.cluster.name, '-o', 'json'])).stdout).members.find((m: { isLeader: boolean }) => m.isLeader)?.name;
  // The dry run orders members by the leader it sees; a loaded machine can hold an election meanwhile, so the
  // leader is read before and after, and the dry run repeated (a few tries) until both agree.
  let r = { code: -1, stdout: '', stderr: 'no dry run' };
  let stableLeader: string | undefined;
  for (let tries = 1; tries <= 3 && !stableLeader; tries++) {
    const l1 = await leader();
    r = await cli(['upgrade', '--cluster', tc.cluster.name, '--to', TO, '--dry-run', '-o', 'json']);
    if (l1 === (await leader())) stableLeader = l1;
  }
  assert.equal(r.code, 0, r.stderr);
  const d = JSON.parse(r.stdout);
  assert.equal(d.dryRun, true);
  assert.deepEqual(d.path, [FROM, TO]);
  assert.equal(d.preflight.ok, true);
  const ids: string[] = d.steps.map((s: { id: string }) => s.id);
  assert.equal(ids[0], 'preflight');
  assert.ok(ids.includes('hop1/m1/stop') && ids.includes('hop1/wait-cluster-version') && ids.includes('verify'));
  // The leader's block comes last.
  const lastMember = ids.filter((i) => i.startsWith('hop1/m')).pop()!.split('/')[1];
  assert.ok(stableLeader, 'the leader changed around each of three dry runs');
  assert.equal(stableLeader, lastMember);
  assert.deepEqual(runIds(tc.home), []);
  assert.deepEqual(await pids(), before);
  assert.equal(await readLock(resolveConnection({ cluster: tc.cluster.name }, {}, tc.home)), undefined);
  // The one flag 3.5 refuses is listed, per member, as a change upshift applies.
  assert.equal(d.flags.applies, 'upshift');
  assert.equal(d.flags.changes.length, 3, JSON.stringify(d.flags));
  for (const c of d.flags.changes) assert.match(c, /^m\d on 3\.5\.30: --logger=capnslog rewritten -> --logger=zap/);
  assert.ok((await tc.reload()).members.every((m) => m.args.includes('--logger=capnslog')));
});

test('local driver: a target that dies leaving data 3.4.23 refuses: the member is replaced as a fresh one, rolled back, exit 4', { skip, timeout: 180_000 }, async () => {
  // This home's etcd 3.5.30 marks the data dir as converted and dies; its etcd 3.4.23 refuses a converted
  // data dir (wrappers around the real binaries, swapped in for this case only).
  const etcdDir = join(tc.home, 'etcd');
  const shared = readlinkSync(etcdDir);
  const wrapped = join(tc.home, 'etcd-wrapped');
  const marker = 'converted-by-3.5.30';
  const dataDirOf = `d=""; for a in "$@"; do case "$a" in --data-dir=*) d="\${a#--data-dir=}";; esac; done`;
  for (const [v, body] of [
    [FROM, `${dataDirOf}\nif [ -e "$d/${marker}" ]; then echo "etcd ${FROM}: cannot open a data dir converted by ${TO}" >&2; exit 1; fi\nexec ${join(shared, FROM, 'etcd')} "$@"\n`],
    [TO, `${dataDirOf}\ntouch "$d/${marker}"\necho "etcd ${TO}: dies after converting the data dir" >&2\nexit 1\n`],
  ] as const) {
    mkdirSync(join(wrapped, v), { recursive: true });
    copyFileSync(join(shared, v, 'manifest.json'), join(wrapped, v, 'manifest.json'));
    symlinkSync(join(shared, v, 'etcdctl'), join(wrapped, v, 'etcdctl'));
    writeFileSync(join(wrapped, v, 'etcd'), `#!/bin/sh\n${body}`, { mode: 0o755 });
  }
  unlinkSync(etcdDir);
  symlinkSync(wrapped, etcdDir);
  const before = await tc.reload();
  try {
    const r = await cli(['upgrade', '--cluster', tc.cluster.name, '--to', TO, '--yes', '--load', '40', '--soak', '0s', '--baseline', '1s', '--no-backup', '-o', 'json']);
    trackCluster(await tc.reload());
    assert.equal(r.code, 4, r.stderr);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.result, 'rolled-back');
    assert.match(rep.message, /was replaced as a fresh member on etcd 3\.4\.23/);
    assert.equal(rep.verification.ok, true, JSON.stringify(rep.verification));
    assert.equal(rep.verification.lostWrites, 0);
    const replaced = /(m\d) was replaced/.exec(rep.message)![1]!;
    const after = await tc.reload();
    assert.ok(after.members.every((m) => m.version === FROM && m.pid !== undefined));
    const m = after.members.find((x) => x.name === replaced)!;
    // It joined with --initial-cluster-state existing; its converted data is kept aside, not deleted.
    assert.ok(m.args.includes('--initial-cluster-state=existing'));
    assert.equal(m.spec.initialClusterState, 'existing');
    assert.ok(readdirSync(dirname(m.dataDir)).some((f) => f.startsWith('data.aside-')));
    assert.ok(!existsSync(join(m.dataDir, marker)));
    for (const o of before.members.filter((x) => x.name !== replaced)) assert.equal(after.members.find((x) => x.name === o.name)!.pid, o.pid, `${o.name} untouched`);
    const st = JSON.parse((await cli(['status', '--cluster', tc.cluster.name, '-o', 'json'])).stdout);
    assert.equal(st.healthy, true);
  } finally {
    unlinkSync(etcdDir);
    symlinkSync(shared, etcdDir);
  }
});

test('3.4.23 -> 3.5.30 under load: a second upgrade is refused meanwhile; no failed or lost writes', { skip, timeout: 300_000 }, async () => {
  const argsBefore = new Map((await tc.reload()).members.map((m) => [m.name, m.args]));
  const runsBefore = runIds(tc.home).length;
  // No soak: its P99 gate compares a 10 s window with a 2 s baseline, which a loaded CI machine alone can
  // push past the limit (seen: 359 ms vs 41 ms); the gates are unit-tested (src/upgrade/gates.test.ts) and a
  // live soak runs in upgrade-exec.test.ts (abort). Load, drain, readiness and verification are all here.
  const args = ['upgrade', '--cluster', tc.cluster.name, '--to', TO, '--yes', '--load', '100', '--soak', '0s', '--baseline', '2s', '-o', 'json'];
  const child = spawn(process.execPath, [binPath, ...args], { env: { ...tc.env, UPSHIFT_FROM_SOURCE: '1' }, cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  try {
    // Wait until the first run holds the lock, then try a second one.
    const config = resolveConnection({ cluster: tc.cluster.name }, {}, tc.home);
    const until = Date.now() + 60_000;
    while (!(await readLock(config).catch(() => undefined)) && Date.now() < until) await sleep(200);
    const holder = await readLock(config);
    assert.ok(holder, `the first run took the lock; its stderr: ${stderr}`);
    const second = await cli(['upgrade', '--cluster', tc.cluster.name, '--to', TO, '--yes', '--load', '0', '-o', 'json']);
    assert.equal(second.code, 1, second.stderr);
    assert.equal(JSON.parse(second.stdout).error.code, 'upgrade-locked');
    assert.match(second.stderr, new RegExp(holder.runId));
    assert.equal(runIds(tc.home).length, runsBefore + 1, 'the refused run created nothing');

    const code = await exited;
    assert.equal(code, 0, stderr);
    const rep = JSON.parse(stdout);
    assert.equal(rep.result, 'succeeded');
    assert.equal(rep.clusterVersion, '3.5.0');
    assert.ok(rep.backup.file);
    assert.deepEqual(rep.members.map((m: { name: string }) => m.name).sort(), ['m1', 'm2', 'm3']);
    assert.ok(rep.workload.ops > 500, `ops ${rep.workload.ops}`);
    assert.equal(rep.workload.failed, 0, JSON.stringify(rep.workload));
    assert.equal(rep.verification.lostWrites, 0);
    assert.equal(rep.verification.watchViolations, 0);
    assert.equal(rep.verification.linearizabilityViolations, 0);
    assert.equal(rep.verification.ok, true);
    assert.equal(rep.verification.consistent, true);
    const cl = await tc.reload();
    trackCluster(cl);
    assert.ok(cl.members.every((m) => m.version === TO));
    // Same configuration, adjusted only where 3.5 needs it: capnslog -> zap, every other flag as it was (TLS included).
    for (const m of cl.members) {
      const before = argsBefore.get(m.name)!;
      assert.deepEqual(m.args, before.map((a) => (a === '--logger=capnslog' ? '--logger=zap' : a)));
      assert.ok(m.args.some((a) => a.startsWith('--cert-file=')));
    }
    const planned = journalRecords(tc.home, rep.runId)[0]!.flagChanges as { member: string; from: string; to: string }[];
    assert.deepEqual(planned.map((f) => [f.from, f.to]), [0, 1, 2].map(() => ['--logger=capnslog', '--logger=zap']));
    const starts = journalRecords(tc.home, rep.runId).filter((r) => r.type === 'step-end' && /\/start$/.test(r.step ?? ''));
    assert.equal(starts.length, 3);
    for (const st of starts) assert.deepEqual((st.detail as { flagChanges: { from: string; to: string }[] }).flagChanges.map((f) => [f.from, f.to]), [['--logger=capnslog', '--logger=zap']]);
    // The lock is released; the journal says every step began and ended.
    assert.equal(await readLock(config), undefined);
    const recs = journalRecords(tc.home, rep.runId);
    const begun = recs.filter((r) => r.type === 'step-begin').length;
    const ended = recs.filter((r) => r.type === 'step-end' && r.ok).length;
    assert.equal(begun, ended);
    assert.equal(recs.at(-1)!.type, 'run-end');
    // `upshift verify` agrees on the recorded history; `upgrade status` shows the finished run.
    const v = await cli(['verify', rep.verification.histories[0], '-o', 'json']);
    assert.equal(v.code, 0, v.stdout);
    const st = JSON.parse((await cli(['upgrade', 'status', '-o', 'json'])).stdout);
    assert.equal(st.state, 'finished');
    assert.equal(st.result, 'succeeded');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    trackCluster(await tc.reload());
  }
});
