/**
 * Readiness checks on crafted data: WAL and snap files built byte by byte the way etcd writes them
 * (wal/encoder.go framing, crc32c chain; snappb/raftpb layouts), membership as the v3 backend records it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs/minimal.js';
import { crc32c, decodeStrict, WireError } from './wire.js';
import { allowedV2Request, checkV2Content, customV2Paths, scanWal, upstreamVerdict, v2RequestOf, type WalFile } from './v2-content.js';
import { compareMembership, normaliseId } from './membership.js';
import { runReadinessChecks, v2ReportFindings } from './index.js';
import type { ClusterObservation } from '../observation.js';
import type { MemberOps } from '../drivers/types.js';

const { Writer } = protobuf;

// ---------------------------------------------------------------- encoders (what etcd writes)

function msg(build: (w: protobuf.Writer) => void): Buffer {
  const w = Writer.create();
  build(w);
  return Buffer.from(w.finish());
}
const request = (method: string, path: string, id = 7): Buffer =>
  msg((w) => {
    w.uint32((1 << 3) | 0).uint64(id);
    w.uint32((2 << 3) | 2).string(method);
    w.uint32((3 << 3) | 2).string(path);
    w.uint32((4 << 3) | 2).string('v');
  });
const wrapped = (req: Buffer): Buffer =>
  msg((w) => {
    w.uint32((2 << 3) | 2).bytes(req);
    w.uint32((100 << 3) | 2).bytes(msg((h) => h.uint32((1 << 3) | 0).uint64(9)));
  });
/** InternalRaftRequest{header: {ID}, put: {key, value}} as 3.5 proposes a v3 Put. */
const v3put = (): Buffer =>
  msg((w) => {
    w.uint32((4 << 3) | 2).bytes(msg((p) => p.uint32((1 << 3) | 2).bytes(Buffer.from('k')).uint32((2 << 3) | 2).bytes(Buffer.from('v'))));
    w.uint32((100 << 3) | 2).bytes(msg((h) => h.uint32((1 << 3) | 0).uint64(11)));
  });
const entry = (index: number, data: Buffer | undefined, term = 2, type = 0): Buffer =>
  msg((w) => {
    w.uint32((1 << 3) | 0).uint32(type);
    w.uint32((2 << 3) | 0).uint64(term);
    w.uint32((3 << 3) | 0).uint64(index);
    if (data) w.uint32((4 << 3) | 2).bytes(data);
  });
const hardState = (commit: number): Buffer => msg((w) => w.uint32((1 << 3) | 0).uint64(2).uint32((3 << 3) | 0).uint64(commit));
const walSnapshot = (index: number, term: number): Buffer => msg((w) => w.uint32((1 << 3) | 0).uint64(index).uint32((2 << 3) | 0).uint64(term));

type Rec = { type: number; data: Buffer };
/** Frame records as wal/encoder.go does, chaining the crc like the decoder checks it. */
function walBytes(recs: Rec[], prevCrc = 0, preallocate = 256): { data: Buffer; crc: number } {
  const parts: Buffer[] = [];
  let crc = prevCrc;
  const frame = (type: number, data: Buffer, recCrc: number): void => {
    const rec = msg((w) => w.uint32((1 << 3) | 0).int64(type).uint32((2 << 3) | 0).uint32(recCrc).uint32((3 << 3) | 2).bytes(data));
    const pad = (8 - (rec.length % 8)) % 8;
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(rec.length) | (pad ? BigInt(0x80 | pad) << 56n : 0n));
    parts.push(len, rec, Buffer.alloc(pad));
  };
  frame(4, Buffer.alloc(0), crc); // crcType: carries the previous file's crc
  for (const r of recs) {
    crc = crc32c(crc, r.data);
    frame(r.type, r.data, crc);
  }
  parts.push(Buffer.alloc(preallocate)); // the preallocated zero tail
  return { data: Buffer.concat(parts), crc };
}
const E = (index: number, data?: Buffer): Rec => ({ type: 2, data: entry(index, data) });
const S = (commit: number): Rec => ({ type: 3, data: hardState(commit) });
const SNAP = (index: number, term: number): Rec => ({ type: 5, data: walSnapshot(index, term) });
const walName = (seq: number, index: number): string => `${seq.toString(16).padStart(16, '0')}-${index.toString(16).padStart(16, '0')}.wal`;

function snapFile(storeJson: object, index: number, term: number): { name: string; data: Buffer } {
  const meta = msg((w) => w.uint32((2 << 3) | 0).uint64(index).uint32((3 << 3) | 0).uint64(term));
  const raft = msg((w) => w.uint32((1 << 3) | 2).bytes(Buffer.from(JSON.stringify(storeJson))).uint32((2 << 3) | 2).bytes(meta));
  const data = msg((w) => w.uint32((1 << 3) | 0).uint32(crc32c(0, raft)).uint32((2 << 3) | 2).bytes(raft));
  return { name: `${term.toString(16).padStart(16, '0')}-${index.toString(16).padStart(16, '0')}.snap`, data };
}
const dir = (path: string, children: Record<string, object>): object => ({ Path: path, Children: children });
const key = (path: string): object => ({ Path: path, Value: 'x', Children: null });
const cleanStore = { Root: dir('/', { '0': dir('/0', { members: dir('/0/members', {}), version: key('/0/version') }), '1': dir('/1', {}) }) };

// ---------------------------------------------------------------- wire

test('crc32c matches the Castagnoli check value', () => {
  assert.equal(crc32c(0, Buffer.from('123456789')), 0xe3069283);
});

test('strict decode refuses a declared field with the wrong wire type (gogo semantics)', () => {
  assert.throws(() => decodeStrict(msg((w) => w.uint32((2 << 3) | 0).uint32(1)), { 2: 2 }), WireError);
});

// ---------------------------------------------------------------- v2 requests

test('v2 requests: legacy and wrapped, allowed and custom; v3 requests carry none', () => {
  assert.deepEqual(v2RequestOf(request('PUT', '/1/foo')), { method: 'PUT', path: '/1/foo' });
  assert.deepEqual(v2RequestOf(request('DELETE', '/1/foo')), { method: 'DELETE', path: '/1/foo' });
  assert.deepEqual(v2RequestOf(wrapped(request('PUT', '/0/members/8e9e05c52164694d/attributes'))), { method: 'PUT', path: '/0/members/8e9e05c52164694d/attributes' });
  assert.equal(v2RequestOf(v3put()), undefined);
  assert.equal(allowedV2Request({ method: 'PUT', path: '/0/version' }), true);
  assert.equal(allowedV2Request({ method: 'PUT', path: '/0/members/abc/attributes' }), true);
  assert.equal(allowedV2Request({ method: 'POST', path: '/0/version' }), false);
  assert.equal(allowedV2Request({ method: 'PUT', path: '/1/foo' }), false);
});

// ---------------------------------------------------------------- WAL + snapshot

test('a v2 key written, then deleted, stays custom content in the WAL until a v2 snapshot covers it', () => {
  const wal = walBytes([S(0), E(1, v3put()), E(2, request('PUT', '/0/version')), E(3, request('PUT', '/1/foo')), E(4, request('DELETE', '/1/foo')), E(5, v3put()), S(5)]);
  const r = checkV2Content({ wal: [{ name: walName(0, 0), data: wal.data }], snaps: [] });
  assert.equal(r.wal, 'custom');
  assert.equal(r.v2store, 'no-snapshot');
  assert.deepEqual(r.walSamples, ['PUT /1/foo @3', 'DELETE /1/foo @4']);
  assert.equal(upstreamVerdict(r), 'detected custom v2 content in WAL records');
  // A v2 snapshot at index 5 (clean store: the key is gone) leaves nothing to replay after it.
  const wal2 = walBytes([S(0), E(1, v3put()), E(3, request('PUT', '/1/foo')), E(4, request('DELETE', '/1/foo')), E(5, v3put()), S(5), SNAP(5, 2), E(6, v3put()), S(6)]);
  const r2 = checkV2Content({ wal: [{ name: walName(0, 0), data: wal2.data }], snaps: [snapFile(cleanStore, 5, 2)] });
  assert.equal(r2.wal, 'clean');
  assert.equal(r2.v2store, 'clean');
  assert.equal(r2.snapshot?.index, 5);
  assert.equal(upstreamVerdict(r2), 'No custom content found in both v2store and WAL records.');
});

test('the v2 store in the snapshot: custom keys, v2 auth dirs, hidden nodes', () => {
  assert.deepEqual(customV2Paths(JSON.stringify(cleanStore)), []);
  const withKey = { Root: dir('/', { '0': dir('/0', {}), '1': dir('/1', { foo: key('/1/foo') }) }) };
  assert.deepEqual(customV2Paths(JSON.stringify(withKey)), ['/1/foo']);
  const auth = { Root: dir('/', { '2': dir('/2', { enabled: key('/2/enabled'), users: dir('/2/users', {}), roles: dir('/2/roles', {}) }) }) };
  assert.deepEqual(customV2Paths(JSON.stringify(auth)), [], 'empty v2 auth dirs are not custom (membership.IsMetaStoreOnly)');
  const authUser = { Root: dir('/', { '2': dir('/2', { users: dir('/2/users', { root: key('/2/users/root') }) }) }) };
  assert.deepEqual(customV2Paths(JSON.stringify(authUser)), ['/2/users']);
  const hidden = { Root: dir('/', { '1': dir('/1', { _h: key('/1/_h') }) }) };
  assert.deepEqual(customV2Paths(JSON.stringify(hidden)), []);
  // Only a snapshot the WAL vouches for (at or below the committed index) is used.
  const wal = walBytes([S(0), E(1, v3put()), S(1), SNAP(1, 2), E(2, v3put()), S(2)]);
  const r = checkV2Content({ wal: [{ name: walName(0, 0), data: wal.data }], snaps: [snapFile(withKey, 1, 2), snapFile(cleanStore, 9, 2)] });
  assert.equal(r.v2store, 'custom');
  assert.deepEqual(r.v2storeSamples, ['/1/foo']);
  assert.equal(upstreamVerdict(r), 'detected custom content in v2store');
});

test('WAL across files, overwritten entries, and a torn tail in the last file', () => {
  const a = walBytes([S(0), E(1, v3put()), E(2, request('PUT', '/1/x')), S(2)]);
  // The second file re-writes index 2 (an uncommitted entry replaced by a new leader) with a v3 request.
  const b = walBytes([E(2, v3put()), E(3, v3put()), S(3)], a.crc);
  const torn = Buffer.concat([b.data.subarray(0, b.data.length - 256), Buffer.from([0x20, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3])]);
  const files: WalFile[] = [
    { name: walName(0, 0), data: a.data },
    { name: walName(1, 2), data: torn },
  ];
  const scan = scanWal(files, 0);
  assert.deepEqual(scan.entries.map((e) => e.index), [1, 2, 3]);
  const r = checkV2Content({ wal: files, snaps: [] });
  assert.equal(r.wal, 'clean', 'the custom entry at index 2 was overwritten');
  // A crc mismatch in a file that is not the last one is damage, not a torn write.
  const bad = Buffer.from(a.data);
  bad[bad.length - 260]! ^= 0xff;
  assert.throws(() => scanWal([{ name: walName(0, 0), data: bad }, files[1]!], 0), WireError);
});

// ---------------------------------------------------------------- findings

test('v2 findings: WAL content always blocks; v2 snapshot content is a warning under write-only-skip-check', () => {
  const base = { walFiles: 1, walEntries: 3, snapshot: { file: 'x.snap', index: 5, term: 2 } };
  const store = v2ReportFindings('m1', { ...base, v2store: 'custom', v2storeSamples: ['/1/foo'], wal: 'clean', walCustomEntries: 0, walSamples: [] }, false, 'h');
  assert.deepEqual(store.map((f) => [f.severity, f.code]), [['blocker', 'v2-custom-content']]);
  assert.match(store[0]!.fix!, /write-only-skip-check/);
  const skip = v2ReportFindings('m1', { ...base, v2store: 'custom', v2storeSamples: ['/1/foo'], wal: 'clean', walCustomEntries: 0, walSamples: [] }, true, 'h');
  assert.deepEqual(skip.map((f) => [f.severity, f.code]), [['warning', 'v2-custom-content-skip-check']]);
  const wal = v2ReportFindings('m1', { ...base, v2store: 'clean', v2storeSamples: [], wal: 'custom', walCustomEntries: 1, walSamples: ['PUT /1/a @7'] }, true, 'h');
  assert.deepEqual(wal.map((f) => [f.severity, f.code]), [['blocker', 'v2-custom-content-wal']]);
  assert.match(wal[0]!.fix!, /--snapshot-count=1/);
});

// ---------------------------------------------------------------- membership

const served = [
  { id: '8e9e05c52164694d', name: 'm1', peerURLs: ['http://127.0.0.1:2380'], isLearner: false },
  { id: '91bc3c398fb3c146', name: 'm2', peerURLs: ['http://127.0.0.1:22380'], isLearner: false },
];

test('membership: the same members agree (ids compared as numbers)', () => {
  assert.equal(normaliseId('0091bc3c398fb3c146'), '91bc3c398fb3c146');
  const backend = { members: served.map((m) => ({ ...m, id: m.id.toUpperCase() })), removed: ['fd422379fda50e48'] };
  assert.deepEqual(compareMembership(served, backend), []);
});

test('membership: zombie, missing, learner only in the backend, peer URLs, removed but served', () => {
  const backend = {
    members: [
      { id: '8e9e05c52164694d', name: 'm1', peerURLs: ['http://127.0.0.1:2380'], isLearner: true },
      { id: 'fd422379fda50e48', name: 'old', peerURLs: ['http://10.0.0.9:2380'], isLearner: false },
    ],
    removed: ['91bc3c398fb3c146'],
  };
  const d = compareMembership(served, backend);
  assert.deepEqual(d.map((x) => [x.kind, x.memberId]).sort(), [
    ['learner-in-backend', '8e9e05c52164694d'],
    ['removed-but-served', '91bc3c398fb3c146'],
    ['zombie', 'fd422379fda50e48'],
  ]);
  const moved = compareMembership(served, { members: [served[0]!, { ...served[1]!, peerURLs: ['http://127.0.0.1:9'] }], removed: [] });
  assert.deepEqual(moved.map((x) => x.kind), ['peer-urls']);
  const missing = compareMembership(served, { members: [served[0]!], removed: [] });
  assert.deepEqual(missing.map((x) => x.kind), ['missing']);
});

// ---------------------------------------------------------------- the entry point

const obsOf = (versions: string[]): ClusterObservation => ({
  at: 0,
  clusterVersion: '3.6.0',
  members: versions.map((v, i) => ({ id: `${i + 1}`, name: `m${i + 1}`, clientURLs: [`http://127.0.0.1:${2379 + i}`], peerURLs: [], isLearner: false, reachable: true, healthy: true, version: v, isLeader: i === 0, errors: [] })),
  alarms: [],
});
const noDriver: MemberOps = { kind: 'test', stop: async () => ({ durationMs: 0 }), install: async () => ({ durationMs: 0 }), start: async () => ({ durationMs: 0 }) };

test('patch floors: planned hops from below the floor, and members below it when the hop starts', async () => {
  const target = { config: { endpoints: [] } as never, driver: noDriver, home: '/h' };
  const plan = { path: ['3.6.10', '3.7.1'], hops: [{ from: '3.6.10', to: '3.7.1' }] };
  const before = await runReadinessChecks({ ...target, obs: obsOf(['3.6.10', '3.6.10', '3.6.10']) }, plan);
  assert.deepEqual(before.map((f) => [f.severity, f.code]), [['blocker', 'patch-floor']]);
  const ok = { path: ['3.6.11', '3.7.1'], hops: [{ from: '3.6.11', to: '3.7.1' }] };
  assert.deepEqual(await runReadinessChecks({ ...target, obs: obsOf(['3.6.11', '3.6.14', '3.6.11']) }, ok), []);
  const atHop = await runReadinessChecks({ ...target, obs: obsOf(['3.6.11', '3.6.9', '3.6.11']) }, ok, { hop: 1 });
  assert.deepEqual(atHop.map((f) => [f.code, f.members]), [['patch-floor', ['m2']]]);
});

test('exec-like driver without data access: a blocker naming the exact command, or info with --assume-v2-clean', async () => {
  const plan = { path: ['3.5.33', '3.6.14'], hops: [{ from: '3.5.33', to: '3.6.14' }] };
  // Members on 3.6 already: the membership comparison has nothing to compare (the served list is the v3 one).
  const obs = obsOf(['3.6.14', '3.6.14', '3.6.14']);
  const target = { config: { endpoints: [] } as never, driver: noDriver, home: '/h', obs };
  const f = await runReadinessChecks(target, plan);
  assert.deepEqual([...new Set(f.map((x) => x.code))], ['v2-check-needed']);
  assert.match(f[0]!.fix!, /\/h\/etcd\/3\.5\.33\/etcdutl check v2store --data-dir/);
  assert.match(f[0]!.fix!, /--assume-v2-clean/);
  const assumed = await runReadinessChecks({ ...target, assumeV2Clean: true }, plan);
  assert.deepEqual(assumed.map((x) => [x.severity, x.code]), [['info', 'v2-check-assumed']]);
});
