/**
 * upshift's shapes of etcd responses, converted from the raw protobuf objects (keepCase, longs as strings) in
 * one place. Conventions:
 * - member and cluster IDs are lower-case hex strings without 0x, as etcdctl prints them (`8e9e05c52164694d`);
 * - lease IDs are decimal strings (they use all 63 bits; etcdctl prints them in hex too: use `leaseIdHex`);
 * - revisions, raft indexes and byte sizes are numbers (etcd keeps them far below 2^53);
 * - fields a server version does not send are `undefined`, never a misleading zero (see `versionAtLeast`).
 */

export interface ResponseHeader {
  clusterId: string;
  memberId: string;
  revision: number;
  raftTerm: number;
}

export interface KeyValue {
  key: Buffer;
  value: Buffer;
  createRevision: number;
  modRevision: number;
  version: number;
  /** Lease ID (decimal), "0" when none. */
  lease: string;
}

export interface StatusInfo {
  endpoint: string;
  header: ResponseHeader;
  memberId: string;
  clusterId: string;
  /** The server binary's version (not the cluster version). */
  version: string;
  dbSize: number;
  /** Member ID of the leader as this member sees it; "0" when it knows no leader. */
  leader: string;
  /** Raft committed index. */
  raftIndex: number;
  raftTerm: number;
  /** 3.4+ */
  raftAppliedIndex?: number | undefined;
  /** 3.4+: active alarms as strings and "etcdserver: no leader". */
  errors: string[];
  /** 3.4+ */
  dbSizeInUse?: number | undefined;
  /** 3.4+ (false before: learners did not exist). */
  isLearner: boolean;
  /** 3.6+ */
  storageVersion?: string | undefined;
  /** 3.6+ (wrong before 3.6.6, etcd PR #20790) */
  dbSizeQuota?: number | undefined;
  /** 3.6+ */
  downgradeInfo?: { enabled: boolean; targetVersion: string } | undefined;
}

export interface Member {
  id: string;
  /** Empty until the member has started once. */
  name: string;
  peerURLs: string[];
  /** Empty until the member has started once. */
  clientURLs: string[];
  isLearner: boolean;
}

export interface MemberList {
  header: ResponseHeader;
  members: Member[];
}

export type AlarmType = 'NONE' | 'NOSPACE' | 'CORRUPT';

export interface Alarm {
  memberId: string;
  alarm: AlarmType;
}

export interface HashKVResult {
  header: ResponseHeader;
  hash: number;
  compactRevision: number;
  /** 3.6+: the revision the hash was computed at. */
  hashRevision?: number | undefined;
}

export interface VersionInfo {
  /** Server binary version, e.g. "3.5.30". */
  etcdserver: string;
  /** Cluster version, e.g. "3.5.0"; 3.6 reports "not_decided" before it is known. */
  etcdcluster: string;
  /** 3.6+: storage version. */
  storage?: string | undefined;
}

export interface HealthResult {
  endpoint: string;
  healthy: boolean;
  /** grpc.health.v1 status, when the check answered. */
  grpcStatus?: string | undefined;
  /** Milliseconds the linearizable get took. */
  tookMs: number;
  error?: string | undefined;
}

// ---- raw protobuf shapes (keepCase, longs: String) ----

export interface RawHeader {
  cluster_id: string;
  member_id: string;
  revision: string;
  raft_term: string;
}

export interface RawKeyValue {
  key: Buffer;
  create_revision: string;
  mod_revision: string;
  version: string;
  value: Buffer;
  lease: string;
}

// ---- conversion helpers ----

export function hexId(decimal: string | number | bigint | undefined | null): string {
  if (decimal === undefined || decimal === null || decimal === '') return '0';
  return BigInt(decimal).toString(16);
}

/** Hex member ID (as etcdctl prints it) to the decimal string the protos carry. */
export function idFromHex(hex: string): string {
  const h = hex.trim().replace(/^0x/i, '');
  if (!/^[0-9a-f]{1,16}$/i.test(h)) throw new TypeError(`not a hex member ID: ${hex}`);
  return BigInt(`0x${h}`).toString(10);
}

export function leaseIdHex(id: string): string {
  return BigInt(id).toString(16);
}

export function num(v: string | number | undefined | null): number {
  if (v === undefined || v === null || v === '') return 0;
  return typeof v === 'number' ? v : Number(v);
}

export function header(h: RawHeader | null | undefined): ResponseHeader {
  return {
    clusterId: hexId(h?.cluster_id),
    memberId: hexId(h?.member_id),
    revision: num(h?.revision),
    raftTerm: num(h?.raft_term),
  };
}

export function keyValue(kv: RawKeyValue): KeyValue {
  return {
    key: kv.key,
    value: kv.value,
    createRevision: num(kv.create_revision),
    modRevision: num(kv.mod_revision),
    version: num(kv.version),
    lease: kv.lease || '0',
  };
}

/** Lenient version arithmetic lives in core (pre-release suffixes ignored); re-exported for the client's users. */
export { versionAtLeast, minorOf } from '../core/version.js';

/** Range end for "every key with this prefix" (etcd's clientv3.GetPrefixRangeEnd). */
export function prefixRangeEnd(prefix: Buffer | string): Buffer {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i]! < 0xff) {
      const end = Buffer.from(b.subarray(0, i + 1));
      end[i] = b[i]! + 1;
      return end;
    }
  }
  // All 0xff (or empty): to the end of the keyspace.
  return Buffer.from([0]);
}
