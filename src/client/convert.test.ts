import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etcdServices } from './proto.js';
import { statusInfo } from './endpoint.js';
import { hexId, idFromHex, prefixRangeEnd, versionAtLeast, minorOf } from './types.js';

type Method = { requestSerialize(v: unknown): Buffer; requestDeserialize(b: Buffer): unknown; responseSerialize(v: unknown): Buffer; responseDeserialize(b: Buffer): Record<string, unknown> };
const method = (svc: 'Maintenance' | 'Cluster' | 'KV', name: string): Method => (etcdServices()[svc] as unknown as { service: Record<string, Method> }).service[name]!;

const header = { cluster_id: '18446744073709551615', member_id: '9372538179322589801', revision: '7', raft_term: '3' };

test('3.6 StatusResponse fields 11-13 survive the wire, and statusInfo keeps them for 3.6 servers', () => {
  const m = method('Maintenance', 'Status');
  const raw = m.responseDeserialize(
    m.responseSerialize({
      header,
      version: '3.6.5',
      dbSize: '4096',
      leader: '9372538179322589801',
      raftIndex: '10',
      raftTerm: '3',
      raftAppliedIndex: '9',
      errors: ['memberID:1 alarm:NOSPACE '],
      dbSizeInUse: '2048',
      isLearner: false,
      storageVersion: '3.6.0',
      dbSizeQuota: '8589934592',
      downgradeInfo: { enabled: true, targetVersion: '3.5.0' },
    }),
  );
  const s = statusInfo('http://x:1', raw as never);
  assert.equal(s.clusterId, 'ffffffffffffffff', 'uint64 max keeps all bits');
  assert.equal(s.memberId, '8211f1d0f64f3269');
  assert.equal(s.leader, s.memberId);
  assert.equal(s.storageVersion, '3.6.0');
  assert.equal(s.dbSizeQuota, 8 * 1024 ** 3);
  assert.deepEqual(s.downgradeInfo, { enabled: true, targetVersion: '3.5.0' });
  assert.equal(s.raftAppliedIndex, 9);
  assert.deepEqual(s.errors, ['memberID:1 alarm:NOSPACE ']);
});

test('statusInfo drops fields older servers do not send (no misleading zeros)', () => {
  const m = method('Maintenance', 'Status');
  const raw = m.responseDeserialize(m.responseSerialize({ header, version: '3.3.25', dbSize: '4096', leader: '1', raftIndex: '10', raftTerm: '3' }));
  const s = statusInfo('http://x:1', raw as never);
  assert.equal(s.raftAppliedIndex, undefined);
  assert.equal(s.dbSizeInUse, undefined);
  assert.equal(s.storageVersion, undefined);
  assert.equal(s.dbSizeQuota, undefined);
  assert.equal(s.downgradeInfo, undefined);
  const s35 = statusInfo('http://x:1', m.responseDeserialize(m.responseSerialize({ header, version: '3.5.30', dbSizeInUse: '1', raftAppliedIndex: '10' })) as never);
  assert.equal(s35.raftAppliedIndex, 10);
  assert.equal(s35.storageVersion, undefined);
});

test('HashKV hash_revision (4), Snapshot version (4), MemberList linearizable (1) are on the wire', () => {
  const h = method('Maintenance', 'HashKV');
  assert.equal(h.responseDeserialize(h.responseSerialize({ header, hash: 123, compact_revision: '5', hash_revision: '9' })).hash_revision, '9');
  const s = method('Maintenance', 'Snapshot');
  const snap = s.responseDeserialize(s.responseSerialize({ header, remaining_bytes: '0', blob: Buffer.from('abc'), version: '3.6.0' }));
  assert.equal(snap.version, '3.6.0');
  assert.ok(Buffer.isBuffer(snap.blob));
  const ml = method('Cluster', 'MemberList');
  assert.deepEqual([...ml.requestSerialize({ linearizable: true })], [0x08, 0x01]);
});

test('an omitted range_end is not on the wire (a present empty one would mean ">= key" to etcd)', () => {
  const r = method('KV', 'Range');
  const bytes = r.requestSerialize({ key: Buffer.from('k'), limit: '1' });
  assert.equal(bytes.includes(Buffer.from([0x12, 0x00])), false);
});

test('ID and version helpers', () => {
  assert.equal(hexId('9372538179322589801'), '8211f1d0f64f3269');
  assert.equal(idFromHex('8211f1d0f64f3269'), '9372538179322589801');
  assert.equal(idFromHex('0x8211F1D0F64F3269'), '9372538179322589801');
  assert.throws(() => idFromHex('xyz'));
  assert.deepEqual(prefixRangeEnd('a/'), Buffer.from('a0'));
  assert.deepEqual(prefixRangeEnd(Buffer.from([0x61, 0xff])), Buffer.from([0x62]));
  assert.deepEqual(prefixRangeEnd(Buffer.from([0xff])), Buffer.from([0]));
  assert.equal(versionAtLeast('3.4.23', '3.4.0'), true);
  assert.equal(versionAtLeast('3.3.25', '3.4.0'), false);
  assert.equal(versionAtLeast('3.6.0-rc.1', '3.6.0'), true);
  assert.equal(minorOf('v3.5.30'), '3.5');
});
