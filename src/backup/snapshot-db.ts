/**
 * What an etcd snapshot (a bbolt db) says about itself, read with the bbolt reader in constant memory.
 *
 * etcd's layout (etcd@v3.5.x:server/mvcc/buckets/bucket.go, v3.6 server/storage/schema/bucket.go):
 *   bucket `key`: one entry per revision; key = 8-byte big-endian main rev, '_', 8-byte sub rev,
 *     plus a trailing 't' for a tombstone (mvcc/revision.go revToBytes, kvstore.go markedRevBytesLen).
 *   bucket `meta`: consistent_index (u64 BE), term (u64 BE, 3.5+), scheduledCompactRev /
 *     finishedCompactRev (revision bytes), storageVersion (3.6+, a string like "3.6.0").
 */
import protobuf from 'protobufjs/minimal.js';
import { BoltFile, type BucketRef } from './bbolt.js';

export interface SnapshotDbInfo {
  /** Main revision of the last entry of the `key` bucket (etcdutl snapshot status "revision"). */
  revision: number;
  /**
   * etcdutl/etcdctl ≤3.5 `snapshot status` "totalKey": every entry of every top-level bucket
   * (etcd@v3.5.x:etcdutl/snapshot/v3_snapshot.go Status — `ds.TotalKey++` inside each bucket's ForEach).
   */
  totalKeys: number;
  /** Entries of the `key` bucket: one per stored revision (puts and tombstones). */
  revisions: number;
  /** bbolt tx.Size(): high water mark × page size. */
  totalSize: number;
  pageSize: number;
  txid: number;
  consistentIndex: number | null;
  term: number | null;
  /** meta finishedCompactRev / scheduledCompactRev main revisions (null when never compacted). */
  finishedCompactRevision: number | null;
  scheduledCompactRevision: number | null;
  /** 3.6+ storage version; null for ≤3.5 snapshots. */
  storageVersion: string | null;
  /** The `auth` bucket's authEnabled flag: a restored cluster starts with auth on and the same users. */
  authEnabled: boolean;
  buckets: { name: string; keys: number }[];
}

/** Main revision of a 17/18-byte etcd revision key (big-endian main, '_', sub, optional 't'). */
export function mainRevisionOf(key: Buffer): number {
  if (key.length < 8) throw new Error(`revision key of ${key.length} bytes`);
  return Number(key.readBigUInt64BE(0));
}

export function readSnapshotDbInfo(path: string, opts: { limit?: number } = {}): SnapshotDbInfo {
  const db = BoltFile.open(path, opts);
  try {
    return infoOf(db);
  } finally {
    db.close();
  }
}

export function infoOf(db: BoltFile): SnapshotDbInfo {
  const buckets: { name: string; keys: number }[] = [];
  const refs = new Map<string, BucketRef>();
  for (const e of db.leafElements(db.rootBucket())) {
    if ((e.flags & 0x01) === 0) continue;
    const name = e.key.toString('latin1');
    const value = Buffer.from(e.value); // the page buffer is transient
    const ref = value.readBigUInt64LE(0) === 0n ? { root: 0n, inline: value.subarray(16) } : { root: value.readBigUInt64LE(0) };
    refs.set(name, ref);
    buckets.push({ name, keys: db.countKeys(ref) });
  }
  const keyRef = refs.get('key');
  const last = keyRef ? db.lastKey(keyRef) : undefined;
  const meta = readMetaBucket(db, refs.get('meta'));
  const authRef = refs.get('auth');
  let authEnabled = false;
  if (authRef) {
    // etcd@v3.5.x:server/auth/store.go — key "authEnabled", value [1] when on.
    for (const e of db.leafElements(authRef)) if (e.key.toString('latin1') === 'authEnabled') authEnabled = e.value.length === 1 && e.value[0] === 1;
  }
  return {
    revision: last ? mainRevisionOf(last) : 0,
    totalKeys: buckets.reduce((n, b) => n + b.keys, 0),
    revisions: buckets.find((b) => b.name === 'key')?.keys ?? 0,
    totalSize: db.dbSize,
    pageSize: db.pageSize,
    txid: Number(db.meta.txid),
    ...meta,
    authEnabled,
    buckets,
  };
}

function readMetaBucket(
  db: BoltFile,
  ref: BucketRef | undefined,
): Pick<SnapshotDbInfo, 'consistentIndex' | 'term' | 'finishedCompactRevision' | 'scheduledCompactRevision' | 'storageVersion'> {
  const out = { consistentIndex: null, term: null, finishedCompactRevision: null, scheduledCompactRevision: null, storageVersion: null } as ReturnType<
    typeof readMetaBucket
  >;
  if (!ref) return out;
  for (const e of db.leafElements(ref)) {
    const k = e.key.toString('latin1');
    const v = e.value;
    if (k === 'consistent_index' && v.length === 8) out.consistentIndex = Number(v.readBigUInt64BE(0));
    else if (k === 'term' && v.length === 8) out.term = Number(v.readBigUInt64BE(0));
    else if (k === 'finishedCompactRev' && v.length >= 8) out.finishedCompactRevision = mainRevisionOf(v);
    else if (k === 'scheduledCompactRev' && v.length >= 8) out.scheduledCompactRevision = mainRevisionOf(v);
    else if (k === 'storageVersion') out.storageVersion = v.toString('utf8');
  }
  return out;
}

/**
 * Keys alive at the snapshot's revision: what etcdutl 3.6+ `snapshot status` reports as "totalKey"
 * (etcd@v3.6.17:etcdutl/snapshot/v3_snapshot.go Status walks the `key` bucket in revision order, adds
 * each KeyValue's key and removes it at a tombstone). Holds one entry per live key in memory, like etcdutl.
 */
export function countLiveKeys(db: BoltFile): number {
  const ref = db.bucket('key');
  if (!ref) return 0;
  const live = new Set<string>();
  for (const e of db.leafElements(ref)) {
    const key = keyValueKey(e.value);
    if (key === undefined) throw new Error(`key bucket entry ${e.key.toString('hex')}: no key in its KeyValue`);
    // A tombstone's revision key carries a trailing 't' (etcd@v3.6.17:server/storage/mvcc/revision.go markedRevBytesLen).
    if (e.key.length === 18 && e.key[17] === 0x74) live.delete(key);
    else live.add(key);
  }
  return live.size;
}

/** Field 1 (`bytes key`) of an mvccpb.KeyValue protobuf message, as a latin1 string (a Set key). */
export function keyValueKey(msg: Uint8Array): string | undefined {
  const r = protobuf.Reader.create(msg);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 2) return Buffer.from(r.bytes()).toString('latin1');
    r.skipType(tag & 7);
  }
  return undefined;
}
