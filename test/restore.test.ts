/**
 * `upshift restore` on real etcd: a 3.4 snapshot (restored with etcdctl) and a 3.5 snapshot taken
 * during writes (restored with etcdutl into 3 members) must come back at exactly the manifest revision
 * with the same HashKV and key count; `--data-dir` mode refuses to overwrite and prints the other members' steps.
 * The newest 3.6 and 3.7 installed (etcdutl only; storage version in the snapshot) restore like 3.4 does.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, copyFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCluster, trackCluster, type TestCluster } from './support/cluster.js';
import { hasTestVersion, newestTestVersion } from './support/home.js';
import { runCliInProcess } from './support/cli.js';
import { resolveConnection } from '../src/client/connection.js';
import { EndpointClient } from '../src/client/endpoint.js';
import { clusterDown, loadCluster } from '../src/cluster/local.js';

interface RestoreJson {
  mode: string;
  cluster: string;
  version: string;
  tool: string;
  revision: number;
  ok: boolean;
  checks: { name: string; ok: boolean; message: string }[];
  members: { name: string }[];
}

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function source(version: string): Promise<TestCluster> {
  const tc = await startTestCluster({ version, members: 1 });
  cleanups.push(() => tc.stop());
  return tc;
}

function client(tc: TestCluster): EndpointClient {
  return new EndpointClient(tc.cluster.members[0]!.clientURL, resolveConnection({ cluster: tc.cluster.name }, {}, tc.home));
}

async function restoreLocal(tc: TestCluster, file: string, name: string, extra: string[] = []): Promise<{ code: number; json: RestoreJson; stderr: string }> {
  // Registered before the run, so a failed assertion still stops the restored cluster by PID.
  cleanups.unshift(async () => {
    if (existsSync(join(tc.home, 'clusters', name, 'cluster.json'))) await clusterDown(tc.home, name, { purge: true, timeoutMs: 5000 });
  });
  const r = await runCliInProcess(['restore', file, '--name', name, ...extra, '-o', 'json'], tc.testHome.env);
  if (existsSync(join(tc.home, 'clusters', name, 'cluster.json'))) trackCluster(await loadCluster(tc.home, name));
  return { code: r.code, json: JSON.parse(r.stdout) as RestoreJson, stderr: r.stderr };
}

// 3.4 restores with etcdctl; the newest 3.6 and 3.7 (storage version inside the snapshot) with etcdutl only.
for (const [version, members, tool] of [
  ['3.4.23', 1, 'etcdctl'],
  [newestTestVersion('3.6'), 1, 'etcdutl'],
  [newestTestVersion('3.7'), 3, 'etcdutl'],
] as const) {
  test(`restore a ${version ?? '3.6/3.7'} snapshot into a new ${members}-member local cluster (${tool}) and check it against the manifest`, { skip: !(version && hasTestVersion(version)) && 'not installed' }, async () => {
    const tc = await source(version!);
    const c = client(tc);
    try {
      for (let i = 0; i < 60; i++) await c.transport.unary('KV', 'Put', { key: Buffer.from(`/r/${i % 25}`), value: Buffer.alloc(300, i) }, { op: 'write' });
      await c.transport.unary('KV', 'Compact', { revision: '30' }, { op: 'write' });
      await c.transport.unary('KV', 'DeleteRange', { key: Buffer.from('/r/3') }, { op: 'write' });
    } finally {
      c.close();
    }
    const s = await runCliInProcess(['backup', 'save', '--cluster', tc.cluster.name, '-o', 'json'], tc.testHome.env);
    assert.equal(s.code, 0, s.stderr);
    const saved = JSON.parse(s.stdout) as { file: string; revision: number; liveKeys: number };
    assert.equal(saved.liveKeys, 24);
    const v = await runCliInProcess(['backup', 'verify', saved.file, '-o', 'json'], tc.testHome.env);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    const name = `r${version!.replace(/\./g, '')}`;
    const r = await restoreLocal(tc, saved.file, name, ['--members', String(members)]);
    assert.equal(r.code, 0, JSON.stringify(r.json.checks) + r.stderr);
    assert.equal(r.json.version, version, 'defaults to the snapshot version');
    assert.equal(r.json.tool, tool);
    assert.equal(r.json.revision, saved.revision);
    assert.equal(r.json.members.length, members);
    const names = r.json.members.map((m) => m.name);
    assert.ok(names.every((m) => ['hashKV', 'keys', 'revision'].every((k) => r.json.checks.some((x) => x.name === `${m}:${k}`))), JSON.stringify(r.json.checks));
    assert.ok(r.json.checks.every((x) => x.ok), JSON.stringify(r.json.checks, null, 1));
    const again = await runCliInProcess(['restore', saved.file, '--name', name], tc.testHome.env);
    assert.equal(again.code, 2, 'an existing cluster name is refused');
    assert.match(again.stderr, /already exists/);
  });
}

test('a 3.5 snapshot taken during writes restores (etcdutl, 3 members) to exactly the manifest revision', { skip: !hasTestVersion('3.5.30') }, async () => {
  const tc = await source('3.5.30');
  const writer = client(tc);
  let stop = false;
  let writes = 0;
  let loopError: unknown;
  const loop = (async () => {
    while (!stop) {
      await writer.transport.unary('KV', 'Put', { key: Buffer.from(`/w/${writes % 50}`), value: Buffer.alloc(2000, writes % 200) }, { op: 'write' });
      writes++;
      if (writes === 150) await writer.transport.unary('KV', 'Compact', { revision: '100' }, { op: 'write' });
    }
  })().catch((e: unknown) => (loopError = e));
  /** Until the writer has made `n` writes (deadline 60 s; a failed writer fails the test at once, with its error). */
  const writesReach = async (n: number): Promise<void> => {
    const until = Date.now() + 60_000;
    while (writes < n) {
      assert.equal(loopError, undefined);
      assert.ok(Date.now() < until, `only ${writes} writes in 60 s, waited for ${n}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    await writesReach(200);
    const s = await runCliInProcess(['backup', 'save', '--cluster', tc.cluster.name, '-o', 'json'], tc.testHome.env);
    assert.equal(s.code, 0, s.stderr);
    const saved = JSON.parse(s.stdout) as { file: string; revision: number; hashKV: unknown };
    const before = writes;
    await writesReach(before + 50);
    stop = true;
    await loop;
    assert.equal(loopError, undefined);
    assert.ok(saved.hashKV, 'HashKV recorded although writes continued');
    const r = await restoreLocal(tc, saved.file, 'r35', ['--members', '3']);
    assert.equal(r.code, 0, JSON.stringify(r.json.checks, null, 1) + r.stderr);
    assert.equal(r.json.tool, 'etcdutl');
    assert.equal(r.json.members.length, 3);
    assert.equal(r.json.revision, saved.revision, 'the restored cluster sits at the manifest revision, not the later source revision');
    for (const m of ['m1', 'm2', 'm3']) for (const k of ['revision', 'hashKV', 'keys']) assert.ok(r.json.checks.find((x) => x.name === `${m}:${k}`)?.ok, `${m}:${k}`);
    assert.ok(r.json.checks.find((x) => x.name === 'members-agree')?.ok);

    // --data-dir mode: restore one member, refuse an existing dir, --force moves it aside.
    const dd = join(tc.home, 'real', 'infra1.etcd');
    const ic = 'infra1=http://10.0.0.1:2380,infra2=http://10.0.0.2:2380,infra3=http://10.0.0.3:2380';
    const args = ['restore', saved.file, '--data-dir', dd, '--member-name', 'infra1', '--initial-cluster', ic, '-o', 'json'];
    const one = await runCliInProcess(args, tc.testHome.env);
    assert.equal(one.code, 0, one.stderr);
    const oj = JSON.parse(one.stdout) as { otherMembers: { name: string; commands: string[] }[]; dataDir: string };
    assert.ok(existsSync(join(dd, 'member', 'snap', 'db')), 'member data written');
    assert.deepEqual(oj.otherMembers.map((o) => o.name), ['infra2', 'infra3']);
    assert.match(oj.otherMembers[0]!.commands.join('\n'), /etcdutl snapshot restore .* --name=infra2 .*--initial-advertise-peer-urls=http:\/\/10\.0\.0\.2:2380/);
    const refused = await runCliInProcess(args, tc.testHome.env);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /exists and is not empty/);
    assert.match(refused.stderr, /--force/);
    const forced = await runCliInProcess([...args, '--force'], tc.testHome.env);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(readdirSync(join(tc.home, 'real')).filter((n) => n.includes('before-restore')).length, 1, 'old dir moved aside, not deleted');
    const notMember = await runCliInProcess(['restore', saved.file, '--data-dir', join(tc.home, 'x'), '--member-name', 'zz', '--initial-cluster', ic], tc.testHome.env);
    assert.equal(notMember.code, 2);

    // A damaged snapshot is refused before anything is created.
    const bad = join(tc.home, 'bad.db');
    copyFileSync(saved.file, bad);
    truncateSync(bad, 100_000);
    const rb = await runCliInProcess(['restore', bad, '--name', 'never'], tc.testHome.env);
    assert.equal(rb.code, 1);
    assert.match(rb.stderr, /cannot be restored: \[truncated\]/);
    assert.ok(!existsSync(join(tc.home, 'clusters', 'never')));
  } finally {
    stop = true;
    await loop.catch(() => undefined);
    writer.close();
  }
});
