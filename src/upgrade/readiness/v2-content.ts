/**
 * Custom v2 content in a member's data: what etcd 3.6 refuses to start on, checked the way upstream's
 * `etcdutl check v2store` of 3.5.32+ checks it (etcd@v3.5.36 etcdutl/etcdutl/check_command.go):
 *
 *  1. the v2 snapshot: the newest `member/snap/*.snap` whose (term, index) the WAL records as a snapshot
 *     at or below the last committed index (wal.ValidSnapshotEntries + snap.LoadNewestAvailable) is
 *     custom unless the v2 store holds only membership (`/0`), empty key dirs, and v2 auth dirs without
 *     grandchildren (membership.IsMetaStoreOnly, etcd@v3.5.36 server/etcdserver/api/membership/storev2.go);
 *  2. the WAL after that snapshot: any normal entry carrying a v2 request other than `PUT /0/members/<id>/attributes`
 *     or `PUT /0/version` is custom — 3.6 panics replaying it ("detected disallowed v2 WAL",
 *     etcd@v3.6.17 server/etcdserver/apply_v2.go v2ToV3Request). A key written and deleted later is
 *     therefore still custom content until a v2 snapshot covers it.
 *
 * Pure decoding of file contents plus one I/O function that reads a data dir. Reading a live member's
 * files is safe: WAL files are append-only (a torn last record ends the scan, as in read mode upstream),
 * snap files are written once.
 */
import { readdir, readFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { bytes, crc32c, decodeStrict, fields, str, uint, WireError, type Schema } from './wire.js';

export interface V2ContentReport {
  /** The v2 snapshot used (file name), if any. */
  snapshot?: { file: string; index: number; term: number } | undefined;
  /** The v2 store in that snapshot holds custom (non-membership) data. */
  v2store: 'clean' | 'custom' | 'no-snapshot';
  /** Top-level v2 paths that make the store custom (at most a few, for the message). */
  v2storeSamples: string[];
  /** WAL entries after the snapshot carrying v2 requests 3.6 refuses to replay. */
  wal: 'clean' | 'custom' | 'no-wal';
  walCustomEntries: number;
  /** A few of them: `PUT /1/foo @index`. */
  walSamples: string[];
  /** WAL files read, entries looked at. */
  walFiles: number;
  walEntries: number;
}

/** upstream's verdict line (check_command.go checkV2StoreRunFunc). */
export function upstreamVerdict(r: Pick<V2ContentReport, 'v2store' | 'wal'>): string {
  const s = r.v2store === 'custom';
  const w = r.wal === 'custom';
  if (s && w) return 'detected custom v2 content in both v2store and WAL records';
  if (s) return 'detected custom content in v2store';
  if (w) return 'detected custom v2 content in WAL records';
  return 'No custom content found in both v2store and WAL records.';
}

// ---------------------------------------------------------------- records

const RECORD: Schema = { 1: 0, 2: 0, 3: 2 }; // walpb.Record{type, crc, data}
const ENTRY: Schema = { 1: 0, 2: 0, 3: 0, 4: 2 }; // raftpb.Entry{Type, Term, Index, Data}
const HARDSTATE: Schema = { 1: 0, 2: 0, 3: 0 }; // raftpb.HardState{term, vote, commit}
const WALSNAP: Schema = { 1: 0, 2: 0, 3: 2 }; // walpb.Snapshot{index, term, conf_state}
/** etcdserverpb.Request (etcd@v3.6.17 api/etcdserverpb/etcdserver.proto). */
const REQUEST: Schema = { 1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 0, 8: 0, 9: 0, 10: 0, 11: 0, 12: 0, 13: 0, 14: 0, 15: 0, 16: 0, 17: 0 };
/**
 * etcdserverpb.InternalRaftRequest (etcd@v3.6.17 api/etcdserverpb/raft_internal.proto): ID varint, every
 * other field a message. Fields the decoder does not declare are skipped, as gogo skips unknown fields.
 */
const INTERNAL: Schema = Object.fromEntries([
  [1, 0],
  ...[2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 100, 1000, 1011, 1012, 1013, 1100, 1101, 1102, 1103, 1104, 1105, 1106, 1107, 1200, 1201, 1202, 1203, 1204, 1300, 1301, 1302, 9900].map((f) => [f, 2]),
]) as Schema;

const REC_ENTRY = 2;
const REC_STATE = 3;
const REC_CRC = 4;
const REC_SNAPSHOT = 5;
const ENTRY_NORMAL = 0;

/** `PUT` paths 3.6 still replays from a v2 WAL entry (etcd@v3.6.17 server/etcdserver/apply_v2.go). */
const MEMBER_ATTRIBUTES = /\/0\/members\/[0-9A-Fa-f]{1,16}\/attributes/;
const CLUSTER_VERSION_KEY = '/0/version';

export interface V2Request {
  method: string;
  path: string;
}

function decodeRequest(buf: Buffer): V2Request {
  const m = decodeStrict(buf, REQUEST);
  return { method: str(m, 2), path: str(m, 3) };
}

/**
 * The v2 request an entry's data carries, if any: wrapped in InternalRaftRequest.v2, or a legacy
 * `Request` stored directly (pbutil.MaybeUnmarshal falls back to it when the InternalRaftRequest decode fails).
 */
export function v2RequestOf(data: Buffer): V2Request | undefined {
  let internal: ReturnType<typeof decodeStrict> | undefined;
  try {
    internal = decodeStrict(data, INTERNAL);
    const v2 = bytes(internal, 2);
    // A wrapped request must itself decode (gogo decodes nested messages as part of the outer one).
    return v2 !== undefined ? decodeRequest(v2) : undefined;
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
  }
  return decodeRequest(data);
}

/** True when 3.6 can replay the request (the only v2 writes 3.5 itself proposes). */
export function allowedV2Request(r: V2Request): boolean {
  return r.method === 'PUT' && (MEMBER_ATTRIBUTES.test(r.path) || r.path === CLUSTER_VERSION_KEY);
}

// ---------------------------------------------------------------- WAL

export interface WalFile {
  name: string;
  data: Buffer;
}

interface WalScan {
  snapshots: { index: number; term: number }[];
  commit: number;
  entries: { index: number; term: number; type: number; data: Buffer | undefined }[];
}

/** `%016x-%016x.wal` -> seq, index (wal.parseWALName). */
export function parseWalName(name: string): { seq: bigint; index: bigint } | undefined {
  const m = /^([0-9a-f]{16})-([0-9a-f]{16})\.wal$/.exec(name);
  return m ? { seq: BigInt(`0x${m[1]}`), index: BigInt(`0x${m[2]}`) } : undefined;
}

/**
 * Decode the records of WAL files in order (wal/decoder.go): an 8-byte little-endian length field (low 56
 * bits the record size, MSB set when padded, padding in the low 3 bits of the top byte), the walpb.Record,
 * padding to 8 bytes. A zero length or the end of a file moves to the next file; a record cut short or
 * failing its CRC in the last file ends the scan (a torn write of a live or crashed member). Each
 * record's CRC chains over the previous ones (crc32c), a crc record restarts the chain.
 */
export function scanWal(files: readonly WalFile[], fromIndex: number): WalScan {
  const out: WalScan = { snapshots: [], commit: 0, entries: [] };
  let crc = 0;
  for (let f = 0; f < files.length; f++) {
    const { name, data } = files[f]!;
    const last = f === files.length - 1;
    let off = 0;
    while (off + 8 <= data.length) {
      const lenField = data.readBigUInt64LE(off);
      if (lenField === 0n) break;
      const recBytes = Number(lenField & 0x00ffffffffffffffn);
      const padBytes = lenField & 0x8000000000000000n ? Number((lenField >> 56n) & 7n) : 0;
      const start = off + 8;
      if (start + recBytes + padBytes > data.length) {
        if (last) return out;
        throw new WireError(`${name}: record at offset ${off} runs past the end of the file`);
      }
      let rec: ReturnType<typeof decodeStrict>;
      try {
        rec = decodeStrict(data.subarray(start, start + recBytes), RECORD);
      } catch (e) {
        if (last) return out;
        throw new WireError(`${name}: record at offset ${off}: ${(e as Error).message}`);
      }
      const type = uint(rec, 1);
      const recCrc = uint(rec, 2);
      const recData = bytes(rec, 3) ?? Buffer.alloc(0);
      if (type === REC_CRC) {
        if (crc !== 0 && recCrc !== crc) throw new WireError(`${name}: crc mismatch at offset ${off}`);
        crc = recCrc;
      } else {
        crc = crc32c(crc, recData);
        if (recCrc !== crc) {
          if (last) return out;
          throw new WireError(`${name}: crc mismatch at offset ${off}`);
        }
        if (type === REC_ENTRY) {
          const e = decodeStrict(recData, ENTRY);
          const index = uint(e, 3);
          if (index > fromIndex) {
            // Later entries with the same index override earlier ones (wal.ReadAll: ents[:e.Index-start-1]).
            const up = index - fromIndex - 1;
            if (up > out.entries.length) throw new WireError(`${name}: entry ${index} leaves a gap after ${fromIndex + out.entries.length}`);
            out.entries.length = up;
            out.entries.push({ index, term: uint(e, 2), type: uint(e, 1), data: bytes(e, 4) });
          }
        } else if (type === REC_STATE) {
          out.commit = uint(decodeStrict(recData, HARDSTATE), 3);
        } else if (type === REC_SNAPSHOT) {
          const s = decodeStrict(recData, WALSNAP);
          out.snapshots.push({ index: uint(s, 1), term: uint(s, 2) });
        }
      }
      off = start + recBytes + padBytes;
    }
  }
  return out;
}

// ---------------------------------------------------------------- v2 snapshot

/** The v2 store JSON inside a `.snap` file (snappb.Snapshot{crc, data: raftpb.Snapshot{data, metadata}}), CRC-checked. */
export function readSnapFile(buf: Buffer): { json: Buffer; index: number; term: number } {
  const outer = decodeStrict(buf, { 1: 0, 2: 2 });
  const data = bytes(outer, 2);
  const crc = uint(outer, 1);
  if (!data || data.length === 0 || crc === 0) throw new WireError('empty snapshot');
  if (crc32c(0, data) !== crc) throw new WireError('snap: crc mismatch');
  const raft = decodeStrict(data, { 1: 2, 2: 2 });
  const meta = decodeStrict(bytes(raft, 2) ?? Buffer.alloc(0), { 1: 2, 2: 0, 3: 0 });
  return { json: bytes(raft, 1) ?? Buffer.alloc(0), index: uint(meta, 2), term: uint(meta, 3) };
}

interface V2Node {
  Path?: string;
  Children?: Record<string, V2Node> | null;
}

/** Visible (not `_hidden`) children of a v2 directory node, as store.Get's Repr lists them. */
function visibleChildren(n: V2Node): V2Node[] {
  return Object.entries(n.Children ?? {})
    .filter(([name]) => !name.startsWith('_'))
    .map(([, c]) => c);
}

/**
 * membership.IsMetaStoreOnly on the v2 store JSON: root children other than `/0` must be empty, except
 * `/2` (v2 auth) whose children may exist but must be empty themselves. Returns the offending paths.
 */
export function customV2Paths(storeJson: Buffer | string): string[] {
  const store = JSON.parse(typeof storeJson === 'string' ? storeJson : storeJson.toString('utf8')) as { Root?: V2Node };
  const bad: string[] = [];
  for (const n of visibleChildren(store.Root ?? {})) {
    if (n.Path === '/0') continue;
    const kids = visibleChildren(n);
    if (n.Path === '/2') {
      for (const k of kids) if (visibleChildren(k).length > 0) bad.push(k.Path ?? '/2/?');
      continue;
    }
    if (kids.length > 0) bad.push(...kids.map((k) => k.Path ?? `${n.Path}/?`));
  }
  return bad;
}

// ---------------------------------------------------------------- the check

export interface V2ContentInput {
  wal: WalFile[];
  snaps: { name: string; data: Buffer }[];
}

/** Pure: the report for the files of one member (WAL files in name order, snap files any order). */
export function checkV2Content(input: V2ContentInput, samples = 5): V2ContentReport {
  const walFiles = [...input.wal].filter((f) => parseWalName(f.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
  const report: V2ContentReport = { v2store: 'no-snapshot', v2storeSamples: [], wal: 'no-wal', walCustomEntries: 0, walSamples: [], walFiles: 0, walEntries: 0 };
  if (walFiles.length === 0) return report;
  // 1. Snapshots the WAL vouches for (ValidSnapshotEntries reads every file from the first).
  const all = scanWal(walFiles, Number.MAX_SAFE_INTEGER);
  const valid = all.snapshots.filter((s) => s.index <= all.commit);
  // 2. The newest snap file matching one of them (LoadNewestAvailable; snap names sort by term, index).
  const byName = [...input.snaps].filter((s) => /^[0-9a-f]{16}-[0-9a-f]{16}\.snap$/.test(s.name)).sort((a, b) => (a.name < b.name ? 1 : -1));
  for (const s of byName) {
    let snap: ReturnType<typeof readSnapFile>;
    try {
      snap = readSnapFile(s.data);
    } catch {
      continue; // upstream renames a broken snap file aside and tries the next one
    }
    if (!valid.some((v) => v.index === snap.index && v.term === snap.term)) continue;
    report.snapshot = { file: s.name, index: snap.index, term: snap.term };
    const bad = customV2Paths(snap.json);
    report.v2store = bad.length > 0 ? 'custom' : 'clean';
    report.v2storeSamples = bad.slice(0, samples);
    break;
  }
  // 3. The WAL from the snapshot on (selectWALFiles: the last file whose start index <= the snapshot index).
  const from = report.snapshot?.index ?? 0;
  let first = 0;
  for (let i = walFiles.length - 1; i >= 0; i--) {
    if (Number(parseWalName(walFiles[i]!.name)!.index) <= from) {
      first = i;
      break;
    }
  }
  const tail = walFiles.slice(first);
  const scan = scanWal(tail, from);
  report.walFiles = tail.length;
  report.walEntries = scan.entries.length;
  report.wal = 'clean';
  for (const e of scan.entries) {
    if (e.type !== ENTRY_NORMAL || !e.data || e.data.length === 0) continue;
    let r: V2Request | undefined;
    try {
      r = v2RequestOf(e.data);
    } catch (err) {
      throw new WireError(`WAL entry ${e.index}: not a request etcd can decode (${(err as Error).message})`);
    }
    if (!r || allowedV2Request(r)) continue;
    report.wal = 'custom';
    report.walCustomEntries++;
    if (report.walSamples.length < samples) report.walSamples.push(`${r.method} ${r.path} @${e.index}`);
  }
  return report;
}

/** Where etcd keeps a member's WAL and snap files (datadir.ToWalDir / ToSnapDir). */
export function memberDirs(dataDir: string, walDir?: string): { wal: string; snap: string } {
  return { wal: walDir ?? join(dataDir, 'member', 'wal'), snap: join(dataDir, 'member', 'snap') };
}

/**
 * Read one member's WAL and snap files and check them. Only the written part of a preallocated WAL
 * file matters, but its length is not known up front: files are read whole (64 MiB each at most).
 */
export async function checkV2ContentOfDataDir(dataDir: string, walDir?: string): Promise<V2ContentReport> {
  const d = memberDirs(dataDir, walDir);
  const list = async (dir: string): Promise<string[]> => {
    try {
      return await readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  };
  const walNames = (await list(d.wal)).filter((n) => parseWalName(n));
  const snapNames = (await list(d.snap)).filter((n) => n.endsWith('.snap'));
  const wal = await Promise.all(walNames.map(async (name) => ({ name, data: await readWalFile(join(d.wal, name)) })));
  const snaps = await Promise.all(snapNames.map(async (name) => ({ name, data: await readFile(join(d.snap, name)) })));
  return checkV2Content({ wal, snaps });
}

/**
 * The records of a WAL file, without its preallocated zero tail: follows the length fields from the start
 * and reads only as far as they go (a file is preallocated to 64 MiB; a quiet member writes a few KiB).
 */
async function readWalFile(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const fileSize = (await fh.stat()).size;
    let buf = Buffer.alloc(1 << 16);
    let have = 0;
    let eof = false;
    const ensure = async (n: number): Promise<boolean> => {
      while (have < n && !eof) {
        if (buf.length < n) {
          const bigger = Buffer.alloc(Math.max(n, buf.length * 2));
          buf.copy(bigger, 0, 0, have);
          buf = bigger;
        }
        const { bytesRead } = await fh.read(buf, have, buf.length - have, have);
        if (bytesRead === 0) eof = true;
        have += bytesRead;
      }
      return have >= n;
    };
    let off = 0;
    while (await ensure(off + 8)) {
      const lenField = buf.readBigUInt64LE(off);
      if (lenField === 0n) break;
      const size = 8 + Number(lenField & 0x00ffffffffffffffn) + (lenField & 0x8000000000000000n ? Number((lenField >> 56n) & 7n) : 0);
      // A length beyond the file: a torn or garbage tail; the scan decides what it means.
      if (off + size > fileSize || !(await ensure(off + size))) return buf.subarray(0, have);
      off += size;
    }
    return buf.subarray(0, Math.min(have, off + 8));
  } finally {
    await fh.close();
  }
}

export { fields as wireFields };
