/**
 * The TypeScript bbolt reader against etcd's own tools, on small dbs written by real etcd: revision,
 * total keys and size must equal `etcdutl snapshot status` (3.5) and `etcdctl snapshot status` (3.4);
 * on the newest 3.6 (bbolt 1.4) and 3.7 (bbolt 1.5) also the storage version, and etcdutl 3.6+'s totalKey,
 * which counts live keys instead of bucket entries.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { startTestCluster, type TestCluster } from './support/cluster.js';
import { hasTestVersion, newestTestVersion, testBinDir } from './support/home.js';
import { resolveConnection } from '../src/client/connection.js';
import { EndpointClient } from '../src/client/endpoint.js';
import { countLiveKeys, readSnapshotDbInfo } from '../src/backup/snapshot-db.js';
import { BoltFile } from '../src/backup/bbolt.js';
import { inspectSnapshot } from '../src/backup/integrity.js';

const VERSIONS = ['3.3.25', '3.4.23', '3.5.30', newestTestVersion('3.6'), newestTestVersion('3.7')].filter((v): v is string => !!v && hasTestVersion(v));

/** A mix that exercises the b+tree: many revisions, values larger than a page (overflow), deletes, a compaction, a lease. */
async function fill(tc: TestCluster): Promise<void> {
  const config = resolveConnection({ cluster: tc.cluster.name }, {}, tc.home);
  const c = new EndpointClient(tc.cluster.members[0]!.clientURL, config);
  try {
    for (let i = 0; i < 300; i++) {
      const size = i % 17 === 0 ? 9000 : 100 + (i % 7) * 300;
      await c.transport.unary('KV', 'Put', { key: Buffer.from(`/app/k${i % 80}`), value: Buffer.alloc(size, i % 251) }, { op: 'write' });
    }
    for (let i = 0; i < 10; i++) await c.transport.unary('KV', 'DeleteRange', { key: Buffer.from(`/app/k${i}`) }, { op: 'write' });
    const r = await c.transport.unary<{ header: { revision: string } }>('KV', 'Range', { key: Buffer.from('/app/k11') }, { op: 'read' });
    await c.transport.unary('KV', 'Compact', { revision: String(Number(r.header.revision) - 50), physical: true }, { op: 'write' });
    const lease = await c.transport.unary<{ ID: string }>('Lease', 'LeaseGrant', { TTL: '600', ID: '0' }, { op: 'write' });
    await c.transport.unary('KV', 'Put', { key: Buffer.from('/leased'), value: Buffer.from('x'), lease: lease.ID }, { op: 'write' });
  } finally {
    c.close();
  }
}

function etcdctlEnv(tc: TestCluster): NodeJS.ProcessEnv {
  return { ...process.env, ETCDCTL_API: '3', ETCDCTL_ENDPOINTS: tc.cluster.members[0]!.clientURL };
}

for (const version of VERSIONS) {
  test(`bbolt reader matches etcd's snapshot status (${version})`, async (t) => {
    let tc: TestCluster | undefined;
    t.after(() => tc?.stop());
    tc = await startTestCluster({ version, members: 1 });
    await fill(tc);
    const bin = join(testBinDir(), version);
    const file = join(tc.home, 'etcdctl.db');
    execFileSync(join(bin, 'etcdctl'), ['snapshot', 'save', file], { env: etcdctlEnv(tc), stdio: 'pipe' });
    // 3.5+: etcdutl; 3.3/3.4: etcdctl (same Status code, etcd@v3.4.x:clientv3/snapshot/v3_snapshot.go Status).
    const since36 = !/^3\.[345]\./.test(version);
    const statusBin = /^3\.[34]\./.test(version) ? join(bin, 'etcdctl') : join(bin, 'etcdutl');
    const status = JSON.parse(execFileSync(statusBin, ['snapshot', 'status', file, '-w', 'json'], { env: etcdctlEnv(tc), stdio: ['ignore', 'pipe', 'pipe'] }).toString()) as {
      revision: number;
      totalKey: number;
      totalSize: number;
      version?: string;
    };
    const size = statSync(file).size;
    const info = readSnapshotDbInfo(file, { limit: size - 32 });
    assert.equal(info.revision, status.revision, 'revision');
    if (since36) {
      const db = BoltFile.open(file, { limit: size - 32 });
      try {
        assert.equal(countLiveKeys(db), status.totalKey, 'live keys = etcdutl 3.6+ totalKey');
      } finally {
        db.close();
      }
      assert.ok(info.totalKeys > status.totalKey, 'bucket entries counted apart');
    } else assert.equal(info.totalKeys, status.totalKey, 'totalKeys = etcd totalKey');
    assert.equal(info.totalSize, status.totalSize, 'totalSize');
    assert.ok(info.revisions > 0 && info.revisions < info.totalKeys, 'key bucket entries counted apart');
    assert.ok(info.finishedCompactRevision !== null && info.finishedCompactRevision > 0, 'compaction recorded in meta');
    assert.ok(info.consistentIndex !== null && info.consistentIndex > 0, 'consistent_index read');
    if (since36) assert.equal(info.storageVersion, status.version, 'storage version = etcdutl snapshot status version');
    else assert.equal(info.storageVersion, null, '≤3.5 has no storage version');
    const db = BoltFile.open(file, { limit: size - 32 });
    try {
      assert.deepEqual(db.check(), [], 'structure check of an intact snapshot');
      assert.equal(db.meta.invalid, null);
    } finally {
      db.close();
    }
    const ins = await inspectSnapshot(file);
    assert.deepEqual(ins.problems, []);
    assert.equal(ins.trailerSha256, ins.dbSha256, 'etcd trailer is the sha256 of the db bytes');
  });
}
