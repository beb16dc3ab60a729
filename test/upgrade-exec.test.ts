// The exec driver against a cluster started by plain shell scripts (not by upshift): a target binary
// that cannot start, leaving data the old binary cannot open, is rolled back by replacing the member as a
// fresh one (with a kill -9 of upshift in the middle and a resume; exit 4, cluster healthy on the old
// version); abort; then the real upgrade 3.4.23 -> 3.5.30 through the same templates succeeds under load.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, chmodSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hasTestVersion, makeTestHome, type TestHome } from './support/home.js';
import { startShellCluster, type ShellCluster } from './support/shell-cluster.js';
import { runCliSubprocess, binPath, repoRoot } from './support/cli.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { runIds, journalRecords } from './upgrade-support.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { readLock } from '../src/upgrade/lock.js';
import { resolveConnection } from '../src/client/connection.js';

const FROM = '3.4.23';
const TO = '3.5.30';
const skip = !hasTestVersion(FROM) || !hasTestVersion(TO);
let sc: ShellCluster;
let home: TestHome;

before(async () => {
  if (skip) return;
  home = makeTestHome();
  sc = await startShellCluster({ version: FROM, members: 3 });
});
after(async () => {
  await sc?.stop();
  home?.cleanup();
});

function config(start: string, extra: Record<string, string> = {}): string {
  const f = join(home.home, `driver-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    f,
    [
      `# exec driver for the shell-made test cluster`,
      `stop: "sh ${sc.root}/{{member}}/stop.sh"`,
      `install: "test -x {{binDir}}/etcd"`,
      `start: ${JSON.stringify(start)}`,
      ...Object.entries(extra).map(([k, v]) => `${k}: ${JSON.stringify(v)}`),
      `timeouts: { stop: 30s, start: 30s }`,
      '',
    ].join('\n'),
  );
  return f;
}

const memberIds = async (): Promise<Record<string, string>> => {
  const r = await runCliSubprocess(['status', '--endpoints', sc.endpoints.join(','), '-o', 'json'], home.env);
  return Object.fromEntries(JSON.parse(r.stdout).members.map((m: { name: string; id: string }) => [m.name, m.id]));
};

function spawnCli(args: string[]): { child: ChildProcess; err: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [binPath, ...args], { env: { ...home.env, UPSHIFT_FROM_SOURCE: '1' }, cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, err: () => stderr, exited };
}

/** kill -9 the process as soon as its run's journal holds a record matching `when`. */
async function killWhen(p: ReturnType<typeof spawnCli>, when: (r: { type: string; [k: string]: unknown }) => boolean): Promise<void> {
  const until = Date.now() + 150_000;
  while (Date.now() < until) {
    const ids = runIds(home.home);
    if (ids.length > 0 && journalRecords(home.home, ids.at(-1)!).some(when)) {
      p.child.kill('SIGKILL');
      await p.exited;
      return;
    }
    if (p.child.exitCode !== null) assert.fail(`upshift exited (${p.child.exitCode}) before the point to kill it: ${p.err()}`);
    await sleep(20);
  }
  assert.fail(`timed out waiting for the point to kill upshift: ${p.err()}`);
}

const versions = async (): Promise<string[]> => {
  const r = await runCliSubprocess(['status', '--endpoints', sc.endpoints.join(','), '-o', 'json'], home.env);
  return JSON.parse(r.stdout).members.map((m: { version: string }) => m.version);
};

test('a target that cannot start and leaves data the old binary cannot open: the member is replaced as a fresh one, kill -9 mid-replacement + resume, rolled back, exit 4', { skip, timeout: 240_000 }, async () => {
  // The "3.5.30" start marks the data dir as converted (as a newer storage format would), then dies; the
  // "3.4.23" start refuses a converted data dir. So the plain rollback fails and the member must be replaced:
  // removed, re-added, data moved aside (reset), started empty joining the existing cluster (join).
  const fake = join(home.home, 'broken-bin');
  mkdirSync(fake);
  writeFileSync(join(fake, 'etcd'), '#!/bin/sh\necho "etcd: this binary cannot start" >&2\nexit 1\n');
  chmodSync(join(fake, 'etcd'), 0o755);
  const dir = `${sc.root}/{{member}}`;
  const marker = `${dir}/data/converted-by-${TO}`;
  const start = `if [ {{version}} = ${TO} ]; then touch ${marker} && sh ${dir}/start.sh ${fake}; elif [ -e ${marker} ]; then echo "etcd {{version}}: cannot open a data dir converted by ${TO}" >&2; exit 1; else sh ${dir}/start.sh {{binDir}}; fi`;
  const drv = config(start, {
    reset: `if [ -d ${dir}/data ]; then mv ${dir}/data ${dir}/data.aside-$(date +%s%N); fi`,
    join: `sed -e 's/--initial-cluster-state=new/--initial-cluster-state=existing/' -e "s|--initial-cluster=[^ ]*|--initial-cluster=$UPSHIFT_INITIAL_CLUSTER|" ${dir}/start.sh > ${dir}/join.sh && sh ${dir}/join.sh {{binDir}}`,
  });
  const idsBefore = await memberIds();
  const first = spawnCli(['upgrade', '--endpoints', sc.endpoints.join(','), '--driver', 'exec', '--driver-config', drv, '--to', TO, '--yes', '--load', '40', '--soak', '0s', '--baseline', '1s', '--ready-timeout', '6s', '--no-backup', '-o', 'json']);
  // kill -9 once the member is out of the membership and back in (before its data is moved aside / it starts).
  let replaced = '';
  await killWhen(first, (r) => {
    if (r.type === 'rollback' && r.phase === 'replace' && r.stage === 'add' && r.status === 'end') replaced = String(r.member);
    return replaced !== '';
  });
  const st = JSON.parse((await runCliSubprocess(['upgrade', 'status', '-o', 'json'], home.env)).stdout);
  assert.equal(st.state, 'interrupted');
  assert.equal(st.rollback.member, replaced);
  assert.equal(st.rollback.state, 'in-progress');
  assert.ok(st.rollback.replaced.done.includes('add'), JSON.stringify(st.rollback));
  const r = await runCliSubprocess(['upgrade', 'resume', '--endpoints', sc.endpoints.join(','), '-o', 'json'], home.env, 150_000);
  assert.equal(r.code, 4, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.result, 'rolled-back');
  assert.match(rep.message, new RegExp(`${replaced} was replaced as a fresh member on etcd 3\\.4\\.23`));
  assert.equal(rep.verification.lostWrites, 0);
  assert.equal(rep.verification.ok, true, JSON.stringify(rep.verification));
  assert.deepEqual(await versions(), [FROM, FROM, FROM]);
  const health = await runCliSubprocess(['status', '--endpoints', sc.endpoints.join(','), '-o', 'json'], home.env);
  assert.equal(health.code, 0, health.stdout);
  assert.equal(JSON.parse(health.stdout).healthy, true);
  // The replaced member has a new id, the others kept theirs; its old data is kept aside, not deleted.
  const idsAfter = await memberIds();
  for (const [name, id] of Object.entries(idsBefore)) assert.equal(idsAfter[name] !== id, name === replaced, `${name}: ${id} -> ${idsAfter[name]}`);
  assert.ok(readdirSync(join(sc.root, replaced)).some((f) => f.startsWith('data.aside-')));
  // Every stage was journaled begin and end; the resume continued (remove and add were not done twice).
  const recs = journalRecords(home.home, rep.runId).filter((x) => x.type === 'rollback' && x.phase === 'replace');
  for (const s of ['begin', 'stop', 'remove', 'add', 'move-aside', 'start', 'ready']) assert.ok(recs.some((x) => x.stage === s && x.status === 'end' && x.ok), `stage ${s} ended`);
  assert.equal(recs.filter((x) => x.stage === 'add' && x.status === 'begin').length, 1);
});

test('upgrade abort: a running upgrade pauses at a step boundary, the run is closed and the lock freed', { skip, timeout: 240_000 }, async () => {
  const drv = config(`sh ${sc.root}/{{member}}/start.sh {{binDir}}`);
  const child = spawn(process.execPath, [binPath, 'upgrade', '--endpoints', sc.endpoints.join(','), '--driver', 'exec', '--driver-config', drv, '--to', TO, '--yes', '--load', '20', '--soak', '60s', '--baseline', '1s', '-o', 'json'], {
    env: { ...home.env, UPSHIFT_FROM_SOURCE: '1' },
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  try {
    // Wait for the first soak, then abort from another process.
    const until = Date.now() + 120_000;
    for (;;) {
      const st = await runCliSubprocess(['upgrade', 'status', '-o', 'json'], home.env);
      if (st.code === 0 && /\/soak$/.test(JSON.parse(st.stdout).steps.current ?? '')) break;
      assert.ok(Date.now() < until, 'no soak step seen');
      await sleep(300);
    }
    const ab = await runCliSubprocess(['upgrade', 'abort', '--endpoints', sc.endpoints.join(','), '-o', 'json'], home.env);
    assert.equal(ab.code, 0, ab.stderr);
    assert.equal(JSON.parse(ab.stdout).signalled, true);
    assert.equal(await exited, 4);
    const rep = JSON.parse(out);
    assert.equal(rep.result, 'paused');
    assert.equal(rep.verification.ok, true);
    const st = JSON.parse((await runCliSubprocess(['upgrade', 'status', '-o', 'json'], home.env)).stdout);
    assert.equal(st.result, 'aborted');
    assert.equal(await readLock(resolveConnection({ endpoints: sc.endpoints.join(',') }, {}, home.home)), undefined);
    const h = JSON.parse((await runCliSubprocess(['status', '--endpoints', sc.endpoints.join(','), '-o', 'json'], home.env)).stdout);
    assert.equal(h.healthy, true);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('exec driver: 3.4.23 -> 3.5.30 through shell templates, dry run shows the commands', { skip, timeout: 240_000 }, async () => {
  const drv = config(`sh ${sc.root}/{{member}}/start.sh {{binDir}}`);
  const base = ['upgrade', '--endpoints', sc.endpoints.join(','), '--driver', 'exec', '--driver-config', drv, '--to', TO];
  const dry = await runCliSubprocess([...base, '--dry-run', '-o', 'json'], home.env);
  assert.equal(dry.code, 0, dry.stderr);
  const stopCmd = JSON.parse(dry.stdout).steps.find((s: { id: string }) => /\/stop$/.test(s.id)).command as string;
  assert.match(stopCmd, new RegExp(`^sh ${sc.root}/s\\d/stop\\.sh$`));
  assert.equal(JSON.parse(dry.stdout).flags.applies, 'you');
  assert.match(JSON.parse(dry.stdout).flags.notes.join(' '), /add `config: FILE`/);
  // With the etcd configuration the templates use named (here a flag list with --logger=capnslog, which
  // 3.5 refuses), the dry run lists what the user must change; a real run refuses before touching anything.
  const flagsFile = join(home.home, 'etcd.flags');
  writeFileSync(flagsFile, `--name=s1 --data-dir=${sc.root}/s1/data --logger=capnslog --snapshot-count=10000\n`);
  const withConfig = config(`sh ${sc.root}/{{member}}/start.sh {{binDir}}`, { config: flagsFile });
  const dry2 = await runCliSubprocess(['upgrade', '--endpoints', sc.endpoints.join(','), '--driver', 'exec', '--driver-config', withConfig, '--to', TO, '--dry-run', '-o', 'json'], home.env);
  assert.equal(dry2.code, 1, dry2.stderr);
  assert.ok(JSON.parse(dry2.stdout).blockers.some((b: { flag?: string }) => b.flag === 'logger'));
  const findings = JSON.parse(dry2.stdout).flags.findings as { flag?: string; severity: string; message: string }[];
  assert.ok(findings.some((f) => f.flag === 'logger' && f.severity === 'blocker' && /capnslog/.test(f.message)), JSON.stringify(findings));
  const refused = await runCliSubprocess(['upgrade', '--endpoints', sc.endpoints.join(','), '--driver', 'exec', '--driver-config', withConfig, '--to', TO, '--yes', '-o', 'json'], home.env);
  assert.equal(refused.code, 1, refused.stderr);
  assert.equal(JSON.parse(refused.stdout).error.code, 'plan-blocked');
  // No soak (P99 noise on a loaded machine; see upgrade.test.ts).
  const r = await runCliSubprocess([...base, '--yes', '--load', '40', '--soak', '0s', '--baseline', '1s', '-o', 'json'], home.env, 200_000);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.result, 'succeeded');
  assert.equal(rep.clusterVersion, '3.5.0');
  assert.equal(rep.workload.failed, 0);
  assert.equal(rep.verification.ok, true);
  assert.deepEqual(await versions(), [TO, TO, TO]);
});

test('exec driver config errors exit 2 naming the file and field', { skip, timeout: 60_000 }, async () => {
  const f = join(home.home, 'bad.yaml');
  writeFileSync(f, 'stop: "x"\ninstall: "y"\nstart: "run {{host}}"\n');
  const r = await runCliSubprocess(['upgrade', '--endpoints', sc.endpoints.join(','), '--driver', 'exec', '--driver-config', f, '--to', TO, '--dry-run'], home.env);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.yaml: start: unknown template variable \{\{host\}\}/);
});
