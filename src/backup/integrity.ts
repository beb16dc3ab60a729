/**
 * Snapshot integrity: everything that can be checked about a snapshot file without a server.
 *
 * etcd appends the SHA-256 of the streamed db bytes as a 32-byte trailer; a file with a trailer has
 * size % 512 == 32 (etcd@v3.6.14:client/v3/snapshot/v3_snapshot.go hasChecksum). etcdctl only checks the
 * digest is present; the match is checked at restore (etcd@v3.6.14:etcdutl/snapshot/v3_snapshot.go
 * copyAndVerifyDB). `etcdutl snapshot status` does not check it at all, so we do it here.
 * The db itself is bbolt written by tx.WriteTo: exactly highWaterMark × pageSize bytes.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createHash, type Hash } from 'node:crypto';
import { errorMessage } from '../core/errors.js';
import { BoltError, BoltFile } from './bbolt.js';
import { infoOf, type SnapshotDbInfo } from './snapshot-db.js';

export const TRAILER_BYTES = 32;

/** etcd's hasChecksum: a snapshot with its digest appended is 32 bytes past a 512-byte boundary. */
export function hasTrailerSize(size: number): boolean {
  return size % 512 === TRAILER_BYTES;
}

/** Stable codes for each kind of damage (`verify` JSON `problems[].code`). */
export type ProblemCode =
  | 'empty-file'
  | 'not-a-snapshot'
  | 'truncated'
  | 'unexpected-size'
  | 'checksum-mismatch'
  | 'missing-checksum'
  | 'bad-meta'
  | 'bad-structure'
  | 'manifest-mismatch'
  | 'manifest-missing'
  | 'manifest-unreadable';

export interface SnapshotProblem {
  code: ProblemCode;
  message: string;
}

export interface SnapshotInspection {
  size: number;
  /** SHA-256 of the whole file as stored (what `sha256sum FILE` prints). */
  sha256: string;
  /** SHA-256 of the db bytes (the file without its trailer): what etcd's trailer should hold. */
  dbSha256: string;
  /** The trailer etcd appended, when the size says there is one. */
  trailerSha256: string | null;
  info: SnapshotDbInfo | null;
  problems: SnapshotProblem[];
}

/**
 * Incremental hashing of a snapshot byte stream that keeps the last 32 bytes back, so that at the
 * end both the whole-stream hash and the hash without the trailer are known in one pass.
 */
export class SnapshotHasher {
  private readonly db: Hash = createHash('sha256');
  private tail: Buffer = Buffer.alloc(0);
  bytes = 0;

  update(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (chunk.length >= TRAILER_BYTES) {
      if (this.tail.length > 0) this.db.update(this.tail);
      this.db.update(chunk.subarray(0, chunk.length - TRAILER_BYTES));
      this.tail = Buffer.from(chunk.subarray(chunk.length - TRAILER_BYTES));
    } else {
      const joined = Buffer.concat([this.tail, chunk]);
      const cut = Math.max(0, joined.length - TRAILER_BYTES);
      if (cut > 0) this.db.update(joined.subarray(0, cut));
      this.tail = joined.subarray(cut);
    }
  }

  /** { file: sha256 of everything, withoutTrailer: sha256 of all but the last 32 bytes, trailer }. */
  digest(): { file: string; withoutTrailer: string; trailer: string } {
    if (!this.result) {
      const whole = this.db.copy().update(this.tail).digest('hex');
      this.result = { file: whole, withoutTrailer: this.db.digest('hex'), trailer: this.tail.toString('hex') };
    }
    return this.result;
  }
  private result: { file: string; withoutTrailer: string; trailer: string } | undefined;
}

export async function hashFile(path: string, signal?: AbortSignal): Promise<ReturnType<SnapshotHasher['digest']> & { size: number }> {
  const h = new SnapshotHasher();
  const stream = createReadStream(path, { highWaterMark: 1 << 20, signal });
  for await (const chunk of stream) h.update(chunk as Buffer);
  return { ...h.digest(), size: h.bytes };
}

/** Check a snapshot file (no manifest): trailer, bbolt metas, page structure; read revision and counts. */
export async function inspectSnapshot(path: string, opts: { signal?: AbortSignal; structure?: boolean } = {}): Promise<SnapshotInspection> {
  const st = await stat(path);
  const problems: SnapshotProblem[] = [];
  const out: SnapshotInspection = { size: st.size, sha256: '', dbSha256: '', trailerSha256: null, info: null, problems };
  if (st.size === 0) {
    out.sha256 = createHash('sha256').digest('hex');
    problems.push({ code: 'empty-file', message: 'the file is empty (0 bytes): the snapshot was never written or was cut off at the start' });
    return out;
  }
  const hashes = await hashFile(path, opts.signal);
  out.sha256 = hashes.file;
  const trailer = hasTrailerSize(st.size);
  out.dbSha256 = trailer ? hashes.withoutTrailer : hashes.file;
  if (trailer) out.trailerSha256 = hashes.trailer;
  const dbBytes = trailer ? st.size - TRAILER_BYTES : st.size;

  let db: BoltFile;
  try {
    db = BoltFile.open(path, { limit: dbBytes });
  } catch (e) {
    if (e instanceof BoltError && e.code === 'not-bolt') {
      problems.push({ code: 'not-a-snapshot', message: `not an etcd snapshot: ${e.message}` });
    } else {
      problems.push({ code: 'bad-meta', message: `the bbolt meta pages are damaged: ${errorMessage(e)}` });
    }
    if (trailer && hashes.withoutTrailer !== hashes.trailer) problems.push(checksumMismatch(hashes.trailer, hashes.withoutTrailer));
    return out;
  }
  try {
    for (const m of db.metas) {
      if (m.invalid) problems.push({ code: 'bad-meta', message: `bbolt ${m.invalid}` });
    }
    const expected = db.dbSize;
    if (dbBytes < expected) {
      problems.push({
        code: 'truncated',
        message: `truncated: the file holds ${st.size} bytes but its bbolt meta says the db is ${expected} bytes (+${TRAILER_BYTES}-byte sha256 trailer = ${expected + TRAILER_BYTES})`,
      });
    } else if (trailer && dbBytes !== expected) {
      problems.push({ code: 'unexpected-size', message: `the db part is ${dbBytes} bytes but its bbolt meta says ${expected}: extra or missing data` });
    } else if (!trailer) {
      if (st.size === expected) {
        problems.push({
          code: 'missing-checksum',
          message: "no sha256 trailer: this is a raw db copy (e.g. member/snap/db), not a snapshot from `snapshot save`; its contents cannot be checked against etcd's digest",
        });
      } else {
        problems.push({ code: 'unexpected-size', message: `the file is ${st.size} bytes; a snapshot of this db would be ${expected + TRAILER_BYTES} bytes` });
      }
    }
    if (trailer && hashes.withoutTrailer !== hashes.trailer) problems.push(checksumMismatch(hashes.trailer, hashes.withoutTrailer));
    if (dbBytes >= expected) {
      if (opts.structure !== false) {
        const bad = db.check();
        if (bad.length > 0) problems.push({ code: 'bad-structure', message: `bbolt page structure is damaged (${bad.length} error(s)): ${bad.slice(0, 5).join('; ')}` });
      }
      try {
        out.info = infoOf(db);
      } catch (e) {
        problems.push({ code: 'bad-structure', message: `cannot read the etcd buckets: ${errorMessage(e)}` });
      }
    }
  } finally {
    db.close();
  }
  return out;
}

function checksumMismatch(trailer: string, actual: string): SnapshotProblem {
  return {
    code: 'checksum-mismatch',
    message: `sha256 trailer mismatch: etcd recorded ${trailer.slice(0, 16)}…, the data hashes to ${actual.slice(0, 16)}…: the file was altered or corrupted after etcd sent it`,
  };
}
