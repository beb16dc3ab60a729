/**
 * Restores that are safe for Kubernetes, on real etcd: a snapshot holding `/registry/` keys is restored
 * with the revision bumped (etcd's guidance, 1,000,000,000) and marked compacted by default, the check
 * accounts for it, and a watch from an old revision gets "compacted" instead of silently older data.
 * Explicit flags are honoured; a tool that cannot bump (etcdctl 3.4) restores without and says so.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCluster, trackCluster, etcdProcessesUnder, type TestCluster } from './support/cluster.js';
import { hasTestVersion } from './support/home.js';
import { runCliInProcess } from './support/cli.js';
import { resolveConnection } from '../src/client/connection.js';
import { EtcdClient } from '../src/client/kv.js';
import { clusterDown, loadCluster } from '../src/cluster/local.js';

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function kubernetesSource(version: string): Promise<{ tc: TestCluster; file: string; revision: number }> {
  const tc = await startTestCluster({ version, members: 1 });
  cleanups.push(() => tc.stop());
  const c = new EtcdClient(resolveConnection({ cluster: tc.cluster.name }, {}, tc.home));
  try {
    for (let i = 0; i < 20; i++) await c.put(`/registry/pods/default/pod-${i}`, `{"kind":"Pod","n":${i}}`);
    await c.put('/registry/namespaces/default', '{"kind":"Namespace"}');
    await c.put('/other/key', 'x');
  } finally {
    c.close();
  }
  const s = await runCliInProcess(['backup', 'save', '--cluster', tc.cluster.name, '-o', 'json'], tc.testHome.env);
  assert.equal(s.code, 0, s.stderr);
  const saved = JSON.parse(s.stdout) as { file: string; revision: number };
  return { tc, file: saved.file, revision: saved.revision };
}

interface RestoreJson {
  revision: number;
  restoredRevision: number;
  revisionBump: { amount: number; markCompacted: boolean; reason: string } | null;
  kubernetes: { key: string } | null;
  checks: { name: string; ok: boolean; message: string }[];
  notes: string[];
  ok: boolean;
  otherMembers?: { name: string; commands: string[] }[];
}

test('a snapshot with /registry/ keys restores bumped and compacted; a watch from an old revision gets "compacted"', { skip: !hasTestVersion('3.5.30') }, async () => {
  const { tc, file, revision } = await kubernetesSource('3.5.30');
  const name = 'k8s';
  cleanups.unshift(async () => {
    if (existsSync(join(tc.home, 'clusters', name, 'cluster.json'))) await clusterDown(tc.home, name, { purge: true, timeoutMs: 5000 });
  });
  const r = await runCliInProcess(['restore', file, '--name', name, '--members', '1', '-o', 'json'], tc.testHome.env);
  if (existsSync(join(tc.home, 'clusters', name, 'cluster.json'))) trackCluster(await loadCluster(tc.home, name));
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const j = JSON.parse(r.stdout) as RestoreJson;
  assert.match(j.kubernetes!.key, /^\/registry\//);
  assert.equal(j.revisionBump?.amount, 1_000_000_000, 'etcd\'s guidance for a fresh snapshot');
  assert.equal(j.revisionBump?.markCompacted, true);
  assert.equal(j.revision, revision);
  assert.equal(j.restoredRevision, revision + 1_000_000_000);
  assert.match(j.notes.join('\n'), /Kubernetes keys found.*--bump-revision 1000000000 --mark-compacted/);
  for (const c of ['m1:revision', 'm1:compacted', 'm1:keys', 'old-revisions-compacted']) assert.ok(j.checks.find((x) => x.name === c)?.ok, `${c}: ${JSON.stringify(j.checks)}`);

  const restored = resolveConnection({ cluster: name }, {}, tc.home);
  const c = new EtcdClient(restored);
  try {
    // Every key is there, at a revision ahead of anything the source ever had.
    const pods = await c.range('/registry/pods/', { prefix: true });
    assert.equal(pods.count, 20);
    assert.ok(pods.header.revision >= revision + 1_000_000_000);
    // An informer resuming its watch from a revision it had before the restore is told to relist.
    const w = c.watch('/registry/pods/', { prefix: true, startRevision: revision - 5 });
    const outcome = await new Promise<{ canceled?: { compactRevision: number; reason: string }; events?: number }>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the watch from an old revision neither failed nor delivered')), 10_000);
      w.once('canceled', (x: { compactRevision: number; reason: string }) => {
        clearTimeout(t);
        resolve({ canceled: x });
      });
      w.once('events', (e: { events: unknown[] }) => {
        clearTimeout(t);
        resolve({ events: e.events.length });
      });
      w.once('error', (e: Error) => {
        clearTimeout(t);
        reject(e);
      });
    });
    w.close();
    assert.equal(outcome.events, undefined, 'no silently older data');
    assert.equal(outcome.canceled?.compactRevision, revision + 1_000_000_000);
    // New writes go on from the bumped revision.
    const p = await c.put('/registry/pods/default/new', '{}');
    assert.equal(p.header.revision, revision + 1_000_000_001);
  } finally {
    c.close();
  }

  // --data-dir mode: bumped here too, and the commands for the other members carry the same bump.
  const dd = join(tc.home, 'real', 'infra1.etcd');
  const ic = 'infra1=http://10.0.0.1:2380,infra2=http://10.0.0.2:2380';
  const one = await runCliInProcess(['restore', file, '--data-dir', dd, '--member-name', 'infra1', '--initial-cluster', ic, '-o', 'json'], tc.testHome.env);
  assert.equal(one.code, 0, one.stderr);
  const oj = JSON.parse(one.stdout) as RestoreJson;
  assert.equal(oj.revisionBump?.amount, 1_000_000_000);
  assert.match(oj.otherMembers![0]!.commands.join('\n'), /--bump-revision=1000000000 --mark-compacted/);

  // Explicit flags: --no-bump-revision restores at the snapshot's revision; bad combinations are exit 2.
  const plain = await runCliInProcess(['restore', file, '--data-dir', join(tc.home, 'real', 'plain'), '--member-name', 'infra1', '--initial-cluster', ic, '--no-bump-revision', '-o', 'json'], tc.testHome.env);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal((JSON.parse(plain.stdout) as RestoreJson).revisionBump, null);
  const half = await runCliInProcess(['restore', file, '--data-dir', join(tc.home, 'real', 'x'), '--member-name', 'infra1', '--initial-cluster', ic, '--bump-revision', '5'], tc.testHome.env);
  assert.equal(half.code, 2);
  assert.match(half.stderr, /needs --mark-compacted/);
  const custom = await runCliInProcess(['restore', file, '--data-dir', join(tc.home, 'real', 'y'), '--member-name', 'infra1', '--initial-cluster', ic, '--bump-revision', '5000', '--mark-compacted', '-o', 'json'], tc.testHome.env);
  assert.equal(custom.code, 0, custom.stderr);
  assert.equal((JSON.parse(custom.stdout) as RestoreJson).restoredRevision, revision + 5000);
});

test('etcdctl 3.4 cannot bump: Kubernetes data is restored without, with a note; asking for a bump is exit 2', { skip: !hasTestVersion('3.4.23') }, async () => {
  const { tc, file } = await kubernetesSource('3.4.23');
  const ic = 'infra1=http://10.0.0.1:2380';
  const r = await runCliInProcess(['restore', file, '--data-dir', join(tc.home, 'a'), '--member-name', 'infra1', '--initial-cluster', ic, '-o', 'json'], tc.testHome.env);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as RestoreJson;
  assert.equal(j.revisionBump, null);
  assert.match(j.notes.join('\n'), /etcdctl 3\.4\.23 cannot bump revisions.*WITHOUT a revision bump/);
  const asked = await runCliInProcess(['restore', file, '--data-dir', join(tc.home, 'b'), '--member-name', 'infra1', '--initial-cluster', ic, '--bump-revision', '10', '--mark-compacted'], tc.testHome.env);
  assert.equal(asked.code, 2);
  assert.match(asked.stderr, /cannot bump revisions \(etcdutl\/etcdctl 3\.5\.10\+ can\)/);
  await tc.stop();
  assert.deepEqual(etcdProcessesUnder(tc.home), []);
});
