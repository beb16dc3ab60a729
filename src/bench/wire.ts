/**
 * Protobuf encoding of the handful of etcd requests the load generator sends, and decoding of only the
 * response fields it reads. Field numbers are etcd's wire contract (proto/rpc.proto, hand-authored from
 * https://etcd.io/docs/v3.5/dev-guide/api_reference_v3/).
 *
 * Why not proto-loader + grpc-js like src/client: measured on the 2-core box against a 3-member 3.5.30
 * cluster (64 clients / 8 conns, put 32 B key / 256 B value), grpc-js costs ~200-230 us of client CPU per
 * put even with pass-through (de)serializers (the etcd3 client: ~270 us), node:http2 with pre-encoded
 * messages ~90-130 us (transport.ts), the raw HTTP/2 client of h2raw.ts ~25-33 us; etcd's Go benchmark
 * spends 35-47 us. On a 2-core machine the generator's CPU is taken from the servers, so the benchmark
 * uses this lean path; everything else in upshift uses src/client.
 * The varint/length-delimited primitives are protobufjs's Writer/Reader; only the message layout is ours.
 */
import protobuf from 'protobufjs/minimal.js';

const { Writer, Reader } = protobuf;
type ReaderT = InstanceType<typeof Reader>;

// Wire types: 0 varint, 2 length-delimited. Tag = field << 3 | wireType.
const tag = (field: number, wire: 0 | 2): number => (field << 3) | wire;

export const Path = {
  put: '/etcdserverpb.KV/Put',
  range: '/etcdserverpb.KV/Range',
  txn: '/etcdserverpb.KV/Txn',
  deleteRange: '/etcdserverpb.KV/DeleteRange',
  watch: '/etcdserverpb.Watch/Watch',
  leaseGrant: '/etcdserverpb.Lease/LeaseGrant',
  leaseRevoke: '/etcdserverpb.Lease/LeaseRevoke',
  leaseKeepAlive: '/etcdserverpb.Lease/LeaseKeepAlive',
  authenticate: '/etcdserverpb.Auth/Authenticate',
} as const;

/** gRPC length-prefixed message: 1 byte "compressed" flag (0) + 4 bytes big-endian length + message. */
export function frame(msg: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(5 + msg.length);
  buf[0] = 0;
  buf.writeUInt32BE(msg.length, 1);
  buf.set(msg, 5);
  return buf;
}

// ---- requests -------------------------------------------------------------------------------------

function writePut(w: protobuf.Writer, key: Uint8Array, value: Uint8Array, lease?: string): void {
  w.uint32(tag(1, 2)).bytes(key); // PutRequest.key
  w.uint32(tag(2, 2)).bytes(value); // PutRequest.value
  if (lease !== undefined) w.uint32(tag(3, 0)).int64(lease); // PutRequest.lease
}

export function encodePut(key: Uint8Array, value: Uint8Array, lease?: string): Uint8Array {
  const w = Writer.create();
  writePut(w, key, value, lease);
  return w.finish();
}

export interface RangeOptions {
  rangeEnd?: Uint8Array;
  limit?: number;
  serializable?: boolean;
  countOnly?: boolean;
}

function writeRange(w: protobuf.Writer, key: Uint8Array, o: RangeOptions): void {
  w.uint32(tag(1, 2)).bytes(key);
  if (o.rangeEnd) w.uint32(tag(2, 2)).bytes(o.rangeEnd);
  if (o.limit) w.uint32(tag(3, 0)).int64(o.limit);
  if (o.serializable) w.uint32(tag(7, 0)).bool(true);
  if (o.countOnly) w.uint32(tag(9, 0)).bool(true);
}

export function encodeRange(key: Uint8Array, o: RangeOptions = {}): Uint8Array {
  const w = Writer.create();
  writeRange(w, key, o);
  return w.finish();
}

/** Txn: if mod_revision(key) == rev then put(key, value). rev 0 means "key absent". */
export function encodeCasPut(key: Uint8Array, rev: number, value: Uint8Array): Uint8Array {
  const w = Writer.create();
  // Compare { result EQUAL(0), target MOD(2), key, mod_revision }
  w.uint32(tag(1, 2)).fork();
  w.uint32(tag(2, 0)).int32(2);
  w.uint32(tag(3, 2)).bytes(key);
  w.uint32(tag(6, 0)).int64(rev);
  w.ldelim();
  // success: RequestOp { request_put }
  w.uint32(tag(2, 2)).fork();
  w.uint32(tag(2, 2)).fork();
  writePut(w, key, value);
  w.ldelim();
  w.ldelim();
  return w.finish();
}

export function encodeDeleteRange(key: Uint8Array, rangeEnd?: Uint8Array): Uint8Array {
  const w = Writer.create();
  w.uint32(tag(1, 2)).bytes(key);
  if (rangeEnd) w.uint32(tag(2, 2)).bytes(rangeEnd);
  return w.finish();
}

export function encodeWatchCreate(key: Uint8Array, rangeEnd?: Uint8Array, startRevision?: number): Uint8Array {
  const w = Writer.create();
  w.uint32(tag(1, 2)).fork(); // WatchRequest.create_request
  w.uint32(tag(1, 2)).bytes(key);
  if (rangeEnd) w.uint32(tag(2, 2)).bytes(rangeEnd);
  if (startRevision) w.uint32(tag(3, 0)).int64(startRevision);
  w.ldelim();
  return w.finish();
}

export function encodeLeaseGrant(ttlSec: number): Uint8Array {
  return Writer.create().uint32(tag(1, 0)).int64(ttlSec).finish();
}

/** LeaseKeepAliveRequest and LeaseRevokeRequest are both `{ int64 ID = 1 }`. */
export function encodeLeaseId(id: string): Uint8Array {
  return Writer.create().uint32(tag(1, 0)).int64(id).finish();
}

export function encodeAuthenticate(name: string, password: string): Uint8Array {
  return Writer.create().uint32(tag(1, 2)).string(name).uint32(tag(2, 2)).string(password).finish();
}

// ---- responses (only the fields the benchmark reads) ------------------------------------------------

function readHeaderRevision(r: ReaderT, end: number): number {
  let rev = 0;
  while (r.pos < end) {
    const t = r.uint32();
    if (t >>> 3 === 3 && (t & 7) === 0) rev = Number(r.int64());
    else r.skipType(t & 7);
  }
  return rev;
}

function readKvModRevision(r: ReaderT, end: number): { modRevision: number; value?: Uint8Array } {
  let modRevision = 0;
  let value: Uint8Array | undefined;
  while (r.pos < end) {
    const t = r.uint32();
    const f = t >>> 3;
    if (f === 3 && (t & 7) === 0) modRevision = Number(r.int64());
    else if (f === 5 && (t & 7) === 2) value = r.bytes();
    else r.skipType(t & 7);
  }
  return value === undefined ? { modRevision } : { modRevision, value };
}

/** RangeResponse: count, and the mod_revision of the first kv (for compare-and-swap). */
export function decodeRange(buf: Uint8Array): { count: number; firstModRevision: number; kvs: number } {
  const r = Reader.create(buf);
  let count = 0;
  let kvs = 0;
  let firstModRevision = 0;
  while (r.pos < r.len) {
    const t = r.uint32();
    const f = t >>> 3;
    if (f === 2 && (t & 7) === 2) {
      const len = r.uint32();
      const end = r.pos + len;
      if (kvs === 0) firstModRevision = readKvModRevision(r, end).modRevision;
      r.pos = end;
      kvs++;
    } else if (f === 4 && (t & 7) === 0) count = Number(r.int64());
    else r.skipType(t & 7);
  }
  return { count, firstModRevision, kvs };
}

export function decodeTxnSucceeded(buf: Uint8Array): boolean {
  const r = Reader.create(buf);
  while (r.pos < r.len) {
    const t = r.uint32();
    if (t >>> 3 === 2 && (t & 7) === 0) return r.bool();
    r.skipType(t & 7);
  }
  return false; // proto3 default: false is not sent
}

export interface WatchEventLite {
  type: number; // 0 PUT, 1 DELETE
  modRevision: number;
  value?: Uint8Array;
}

export interface WatchResponseLite {
  watchId: number;
  created: boolean;
  canceled: boolean;
  cancelReason: string;
  compactRevision: number;
  revision: number;
  events: WatchEventLite[];
}

export function decodeWatchResponse(buf: Uint8Array): WatchResponseLite {
  const r = Reader.create(buf);
  const out: WatchResponseLite = { watchId: 0, created: false, canceled: false, cancelReason: '', compactRevision: 0, revision: 0, events: [] };
  while (r.pos < r.len) {
    const t = r.uint32();
    const f = t >>> 3;
    const wt = t & 7;
    if (f === 1 && wt === 2) {
      const len = r.uint32();
      const end = r.pos + len;
      out.revision = readHeaderRevision(r, end);
      r.pos = end;
    } else if (f === 2 && wt === 0) out.watchId = Number(r.int64());
    else if (f === 3 && wt === 0) out.created = r.bool();
    else if (f === 4 && wt === 0) out.canceled = r.bool();
    else if (f === 5 && wt === 0) out.compactRevision = Number(r.int64());
    else if (f === 6 && wt === 2) out.cancelReason = r.string();
    else if (f === 11 && wt === 2) {
      const len = r.uint32();
      const end = r.pos + len;
      const ev: WatchEventLite = { type: 0, modRevision: 0 };
      while (r.pos < end) {
        const et = r.uint32();
        if (et >>> 3 === 1 && (et & 7) === 0) ev.type = r.int32();
        else if (et >>> 3 === 2 && (et & 7) === 2) {
          const kl = r.uint32();
          const kend = r.pos + kl;
          const kv = readKvModRevision(r, kend);
          ev.modRevision = kv.modRevision;
          if (kv.value) ev.value = kv.value;
          r.pos = kend;
        } else r.skipType(et & 7);
      }
      out.events.push(ev);
    } else r.skipType(wt);
  }
  return out;
}

/** LeaseGrantResponse / LeaseKeepAliveResponse: ID (as a decimal string: lease IDs use all 63 bits), TTL, error. */
export function decodeLease(buf: Uint8Array): { id: string; ttl: number; error: string } {
  const r = Reader.create(buf);
  let id = '0';
  let ttl = 0;
  let error = '';
  while (r.pos < r.len) {
    const t = r.uint32();
    const f = t >>> 3;
    if (f === 2 && (t & 7) === 0) id = r.int64().toString();
    else if (f === 3 && (t & 7) === 0) ttl = Number(r.int64());
    else if (f === 4 && (t & 7) === 2) error = r.string();
    else r.skipType(t & 7);
  }
  return { id, ttl, error };
}

export function decodeAuthenticateToken(buf: Uint8Array): string {
  const r = Reader.create(buf);
  while (r.pos < r.len) {
    const t = r.uint32();
    if (t >>> 3 === 2 && (t & 7) === 2) return r.string();
    r.skipType(t & 7);
  }
  return '';
}

/** The smallest key greater than every key with this prefix (etcd's clientv3.GetPrefixRangeEnd). */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const end = Uint8Array.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i] = end[i]! + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Uint8Array.of(0); // all 0xff: range to the end of the keyspace
}
