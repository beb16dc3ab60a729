/**
 * `backup save`: stream Maintenance.Snapshot from one member into a file, in constant memory.
 *
 * Like etcd's own client (etcd@v3.6.14:client/v3/snapshot/v3_snapshot.go SaveWithVersion): one
 * endpoint only, write `.part` with private mode, check the sha256 trailer, fsync, rename. Unlike it:
 * the trailer must *match* (etcdctl checks only that it is present), and an inactivity deadline stops
 * a stalled stream (etcdctl has no timeout at all: etcd-io/etcd#10298).
 */
import { closeSync, existsSync, openSync, write } from 'node:fs';
import v8 from 'node:v8';
import { limitYoungGeneration } from '../core/young-generation.js';
import vm from 'node:vm';
import { basename, join } from 'node:path';
import { EndpointClient, tokenSourceFor } from '../client/endpoint.js';
import type { ConnectionConfig } from '../client/connection.js';
import { EtcdError, toEtcdError } from '../client/errors.js';
import type { Member, StatusInfo } from '../client/types.js';
import { fsyncPath, produceFileAtomic } from '../core/files.js';
import { EnvironmentError, ProblemError, UpshiftError, UsageError } from '../core/errors.js';
import { SnapshotHasher, hasTrailerSize, TRAILER_BYTES } from './integrity.js';
import { readSnapshotDbInfo, type SnapshotDbInfo } from './snapshot-db.js';
import { writeManifest, type BackupManifest, type HashKvRecord } from './manifest.js';
import { BoltError, BoltFile } from './bbolt.js';
import type { SnapshotReceiver } from '../client/snapshot-stream.js';

/** Generous: HashKV makes the server hash the whole key bucket (seconds for a GB-sized db). */
const HASHKV_DEADLINE_MS = 120_000;

interface ServerReads {
  revision: number;
  hash: Promise<HashKvAnswer | null>;
  count: Promise<number | null>;
}

export interface SaveTarget {
  endpoint: string;
  memberId: string;
  memberName: string;
  clusterId: string;
  version: string;
  isLeader: boolean;
}

export interface SaveProgress {
  bytes: number;
  elapsedMs: number;
  /** Total db size as the member reported it (Status.dbSize), for a percentage. */
  expectedBytes?: number | undefined;
}

export interface SaveOptions {
  /** Target directory; created if missing. */
  dir: string;
  /** File name inside dir; default `snapshot-<time>-<member>.db`. */
  fileName?: string;
  /** Abort when no bytes arrive for this long (ms). */
  inactivityTimeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (p: SaveProgress) => void;
  /** Check the bbolt page structure of the received file before accepting it (reads every page header). */
  checkStructure?: boolean;
  upshiftVersion: string;
  now?: () => Date;
  /** A second consumer of the same bytes (the S3 upload), fed as they arrive, with its own backpressure. */
  tee?: SnapshotTee;
}

/** What `tee` must offer: `push` returns false to pause the stream until `onDrain`; `onError` stops it. */
export interface SnapshotTee {
  push(chunk: Buffer): boolean;
  onDrain: () => void;
  onError: (e: Error) => void;
  /** Progress that is not a drain (e.g. a part uploaded) keeps the inactivity deadline off. */
  onActivity?: () => void;
  /** Told the expected size (etcd's db size, if known) before the first push. */
  expect?(bytes: number | undefined): void;
  /** The stream has ended; resolves when the tee has let go of its buffers (before the snapshot checks). */
  end?(): Promise<void>;
}

export interface SaveResult {
  file: string;
  manifestPath: string;
  manifest: BackupManifest;
  info: SnapshotDbInfo;
}

/**
 * Choose the member: `from` matches a member name, a hex member id, or a client URL; default the leader.
 * Prefer an endpoint the user gave (it is known reachable with their TLS names) over an advertised URL.
 */
export async function discoverTarget(config: ConnectionConfig, from: string | undefined, signal?: AbortSignal): Promise<SaveTarget> {
  const tokens = tokenSourceFor(config);
  const statuses: StatusInfo[] = [];
  const errors: string[] = [];
  let members: Member[] | undefined;
  for (const ep of config.endpoints) {
    const c = new EndpointClient(ep, config, { tokens });
    try {
      statuses.push(await c.status({ signal }));
      if (!members) members = (await c.memberList({ signal })).members;
    } catch (e) {
      errors.push(`${ep}: ${(e as Error).message}`);
    } finally {
      c.close();
    }
  }
  if (statuses.length === 0 || !members) {
    throw new EnvironmentError('etcd-unavailable', `no endpoint answered: ${errors.join('; ')}`, { hint: 'check --endpoints and the TLS/auth flags' });
  }
  const byId = new Map(members.map((m) => [m.id, m]));
  const versionOf = (id: string): string | undefined => statuses.find((s) => s.memberId === id)?.version;
  const clusterId = statuses[0]!.clusterId;
  const leaderId = statuses.find((s) => s.leader !== '0')?.leader;
  let member: Member | undefined;
  if (from !== undefined) {
    const f = from.trim();
    const asId = f.replace(/^0x/i, '').toLowerCase();
    member =
      members.find((m) => m.name === f) ??
      members.find((m) => m.id === asId) ??
      members.find((m) => m.clientURLs.some((u) => sameUrl(u, f)));
    const viaEndpoint = statuses.find((s) => sameUrl(s.endpoint, f));
    if (!member && viaEndpoint) member = byId.get(viaEndpoint.memberId);
    if (!member) {
      throw new UsageError(`--from: no member "${from}" in cluster ${clusterId}`, {
        hint: `members: ${members.map((m) => `${m.name || '(unstarted)'} (${m.id})`).join(', ')}`,
      });
    }
  } else {
    if (!leaderId) throw new ProblemError('no-leader', 'the cluster has no leader: a snapshot now could miss committed data', { hint: 'wait for a leader, or choose a member with --from' });
    member = byId.get(leaderId);
    if (!member) throw new ProblemError('leader-unknown', `leader ${leaderId} is not in the member list`);
  }
  const given = statuses.find((s) => s.memberId === member!.id);
  const endpoint = given?.endpoint ?? member.clientURLs[0];
  if (!endpoint) throw new ProblemError('member-unstarted', `member ${member.id} has no client URL (never started?)`);
  let version = given?.version ?? versionOf(member.id);
  if (!version) {
    const c = new EndpointClient(endpoint, config, { tokens });
    try {
      version = (await c.status({ signal })).version;
    } finally {
      c.close();
    }
  }
  return { endpoint, memberId: member.id, memberName: member.name, clusterId, version, isLeader: member.id === leaderId };
}

function sameUrl(a: string, b: string): boolean {
  const norm = (s: string): string => s.replace(/\/+$/, '').replace(/^[a-z]+:\/\//i, '').toLowerCase();
  return norm(a) === norm(b);
}

/** `snapshot-20261121T111643.123Z-m1.db`: sorts by time; milliseconds so quick successive saves differ. */
export function defaultFileName(now: Date, memberName: string): string {
  const ts = now.toISOString().replace(/[-:]/g, '');
  const safe = memberName.replace(/[^A-Za-z0-9_.-]/g, '_') || 'member';
  return `snapshot-${ts}-${safe}.db`;
}

/** Stream the snapshot from `target` to `opts.dir`, check it, write the manifest. */
export async function saveSnapshot(config: ConnectionConfig, target: SaveTarget, opts: SaveOptions): Promise<SaveResult> {
  limitYoungGeneration();
  const now = opts.now ?? (() => new Date());
  const started = now();
  const file = join(opts.dir, opts.fileName ?? defaultFileName(started, target.memberName));
  // A backup is never replaced: the rename below would overwrite, so refuse an existing name up front
  // and again just before the rename.
  const refuseExisting = (): void => {
    if (existsSync(file)) throw new UsageError(`${file} already exists; a backup is never overwritten`, { hint: 'choose another --dir or remove the old file first' });
  };
  refuseExisting();
  const client = new EndpointClient(target.endpoint, config);
  const t0 = performance.now();
  try {
    let expectedBytes: number | undefined;
    // The size sets the percentage of the progress and the part size of an upload (tee).
    if (opts.onProgress || opts.tee) {
      try {
        expectedBytes = (await client.status({ signal: opts.signal })).dbSize;
      } catch {
        expectedBytes = undefined; // progress without a percentage
      }
    }
    const hasher = new SnapshotHasher();
    const countNotes: string[] = [];
    // Both are reads at a fixed revision on the same member.
    const startServerReads = (revision: number | undefined): ServerReads | undefined =>
      revision === undefined
        ? undefined
        : {
            revision,
            hash: revision > 0 ? requestHashKV(client, revision, opts.signal) : Promise.resolve(null),
            count: countAtRevision(client, revision, countNotes, opts.signal),
          };
    let early: ServerReads | undefined;
    let storageVersion: string | undefined;
    let info: SnapshotDbInfo | undefined;
    /** The trailer must match, the bbolt meta must be readable and agree with the size (and the structure, if asked). */
    const checkReceived = (part: string): SnapshotDbInfo => {
      const size = hasher.bytes;
      const d = hasher.digest();
      if (!hasTrailerSize(size)) {
        throw new ProblemError('snapshot-no-checksum', `the snapshot stream from ${target.endpoint} ended after ${size} bytes without etcd's sha256 trailer (size % 512 != ${TRAILER_BYTES}): incomplete`, {
          hint: 'retry the save; if it repeats, check the member log',
        });
      }
      if (d.withoutTrailer !== d.trailer) {
        throw new ProblemError('snapshot-checksum-mismatch', `the snapshot from ${target.endpoint} does not match etcd's sha256 trailer (got ${d.withoutTrailer.slice(0, 16)}…, etcd sent ${d.trailer.slice(0, 16)}…)`, {
          hint: 'the bytes were damaged in transit or on disk; retry the save',
        });
      }
      let read: SnapshotDbInfo;
      try {
        read = readSnapshotDbInfo(part, { limit: size - TRAILER_BYTES });
      } catch (e) {
        if (!(e instanceof BoltError)) throw e;
        throw new ProblemError('snapshot-unreadable', `the snapshot from ${target.endpoint} matches etcd's sha256 but its bbolt data cannot be read: ${e.message}`, {
          hint: 'the member may be running an unsupported storage format; keep the file and report it',
        });
      }
      if (read.totalSize !== size - TRAILER_BYTES) {
        throw new ProblemError('snapshot-size-mismatch', `the snapshot's bbolt meta says ${read.totalSize} bytes, ${size - TRAILER_BYTES} arrived`);
      }
      if (opts.checkStructure) {
        const db = BoltFile.open(part, { limit: size - TRAILER_BYTES });
        try {
          const problems = db.check();
          if (problems.length > 0) throw new ProblemError('snapshot-structure', `the snapshot's bbolt structure is damaged: ${problems.slice(0, 3).join('; ')}`);
        } finally {
          db.close();
        }
      }
      return read;
    };
    await produceFileAtomic(
      file,
      async (part) => {
        storageVersion = await streamTo(client, part, hasher, { ...opts, expectedBytes, t0 });
        // Ask the server for HashKV and the key count now, so it computes them while the file is
        // fsynced and parsed; the answers are checked against the snapshot's metadata afterwards.
        early = startServerReads(quickRevision(part, Math.max(0, hasher.bytes - TRAILER_BYTES)));
        // Check the received file while the kernel writes it out: the fsync waits on the disk (0.4-0.5 s
        // for 1.4 GiB here) on the thread pool, and the checks read the page cache on this thread
        // (0.2-0.3 s). produceFileAtomic's own fsync that follows finds nothing left to write.
        const synced = fsyncPath(part);
        try {
          info = checkReceived(part);
        } catch (e) {
          await synced.catch(() => undefined); // the check's verdict is the error to report
          throw e;
        }
        await synced;
      },
      {
        mode: 0o600,
        verify: async () => refuseExisting(),
      },
    );
    const durationMs = Math.round(performance.now() - t0);
    const snapInfo = info!;
    const digests = hasher.digest();
    const notes: string[] = countNotes;
    const compactRevision = maxOrNull(snapInfo.finishedCompactRevision, snapInfo.scheduledCompactRevision);
    const earlyReads = early as ServerReads | undefined;
    const reads = earlyReads && earlyReads.revision === snapInfo.revision ? earlyReads : startServerReads(snapInfo.revision)!;
    const [hashAnswer, liveKeys] = await Promise.all([reads.hash, reads.count]);
    const hashKV = hashRecord(hashAnswer, snapInfo.revision, compactRevision, notes);
    const manifest: BackupManifest = {
      schema: 1,
      file: basename(file),
      size: hasher.bytes,
      sha256: digests.file,
      dbSha256: digests.withoutTrailer,
      revision: snapInfo.revision,
      totalKeys: snapInfo.totalKeys,
      revisions: snapInfo.revisions,
      liveKeys,
      compactRevision,
      etcdVersion: target.version,
      storageVersion: storageVersion || snapInfo.storageVersion || null,
      clusterId: target.clusterId,
      memberId: target.memberId,
      memberName: target.memberName,
      endpoint: target.endpoint,
      wasLeader: target.isLeader,
      createdAt: started.toISOString(),
      durationMs,
      hashKV,
      notes,
      upshiftVersion: opts.upshiftVersion,
    };
    const manifestPath = await writeManifest(file, manifest);
    return { file, manifestPath, manifest, info: snapInfo };
  } finally {
    client.close();
  }
}

/** Receive the stream into `part`, hashing on the way, with backpressure; abort on inactivity. */
async function streamTo(
  client: EndpointClient,
  part: string,
  hasher: SnapshotHasher,
  opts: SaveOptions & { expectedBytes?: number | undefined; t0: number },
): Promise<string | undefined> {
  const ac = new AbortController();
  const onOuterAbort = (): void => ac.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  // Inactivity deadline: a cheap timestamp per chunk (and per completed write), checked by one interval
  // (re-arming a timer for each of ~150k chunks per GiB cost measurable time).
  let timedOut = false;
  let lastActivity = performance.now();
  const arm = (): void => {
    lastActivity = performance.now();
  };
  const timer = setInterval(
    () => {
      if (performance.now() - lastActivity >= opts.inactivityTimeoutMs) {
        timedOut = true;
        ac.abort(new Error('inactivity'));
      }
    },
    Math.max(50, Math.min(1000, opts.inactivityTimeoutMs / 4)),
  );
  let lastReport = 0;
  const tee = opts.tee;
  // With an upload, a full collection every 64 MiB: each part's request objects live while the part is in
  // flight, so the forced scavenges promote them, and over a 1.4 GiB save to a local S3 server in 5 MiB
  // parts that dead old generation grew by ~35 MiB between collections every 256 MiB.
  const collector = youngGenerationCollector(4 << 20, tee ? 64 << 20 : 256 << 20);
  let sink: FileSink | undefined;
  let fileWaits = false;
  let teeWaits = false;
  try {
    sink = new FileSink(openSync(part, 'wx', 0o600));
    tee?.expect?.(opts.expectedBytes);
    const file = sink;
    let rx: SnapshotReceiver | undefined;
    // Hashing runs here, in the HTTP/2 data handler, on slices of the received chunks; the sink copies
    // them into its write buffers, written on libuv's thread pool, so disk and network overlap (FileSink).
    // Hashing in a worker_thread was measured too: no faster on 2 cores (the main thread is ~30% idle,
    // etcd itself needs one core), more CPU for the copies, and +70 MiB RSS without a bounded queue.
    rx = await client.openSnapshot({
      signal: ac.signal,
      onBlob: (chunk) => {
        arm();
        collector.onBytes(chunk.length);
        hasher.update(chunk);
        if (!file.push(chunk)) {
          fileWaits = true;
          rx?.pause();
        }
        if (tee && !tee.push(chunk)) {
          teeWaits = true;
          rx?.pause();
        }
        if (opts.onProgress) {
          const t = performance.now();
          if (t - lastReport > 250) {
            lastReport = t;
            opts.onProgress({ bytes: hasher.bytes, elapsedMs: t - opts.t0, expectedBytes: opts.expectedBytes });
          }
        }
      },
    });
    const resume = (): void => {
      if (!fileWaits && !teeWaits) rx?.resume();
    };
    file.onDrain = () => {
      fileWaits = false;
      resume();
    };
    // While the stream waits for the disk, the disk's progress keeps the inactivity deadline off.
    file.onWritten = arm;
    file.onError = (e) => rx?.cancel(e);
    if (tee) {
      tee.onDrain = () => {
        arm();
        teeWaits = false;
        resume();
      };
      tee.onActivity = arm;
      tee.onError = (e) => rx?.cancel(e);
    }
    const end = await rx.done;
    await Promise.all([file.finish(), tee?.end?.()]);
    // Free the last received chunks before the bbolt checks allocate their own buffers, so those can
    // reuse the memory (~10 ms; the larger cost of the checks was young-generation growth, see
    // limitYoungGeneration).
    collector.full();
    opts.onProgress?.({ bytes: hasher.bytes, elapsedMs: performance.now() - opts.t0, expectedBytes: opts.expectedBytes });
    return end.version;
  } catch (e) {
    const writeError = sink?.error ?? (isWriteError(e) ? e : undefined);
    await sink?.abandon();
    if (writeError) {
      throw new EnvironmentError('snapshot-write-failed', `cannot write the snapshot to ${part}: ${writeError.message}`, { hint: 'check free space and permissions of the target directory' });
    }
    if (timedOut) {
      throw new EnvironmentError('snapshot-stalled', `the snapshot stream from ${client.endpoint} sent nothing for ${Math.round(opts.inactivityTimeoutMs / 1000)} s after ${hasher.bytes} bytes: stopped`, {
        hint: 'check the member (disk, load); raise --inactivity-timeout for very slow links',
      });
    }
    if (opts.signal?.aborted) throw new EnvironmentError('snapshot-interrupted', `snapshot save interrupted after ${hasher.bytes} bytes; the partial file was removed`);
    if (e instanceof UpshiftError && !(e instanceof EtcdError)) throw e; // e.g. the tee's upload failed
    throw e instanceof EtcdError ? e : toEtcdError(e, { endpoint: client.endpoint, method: 'Maintenance.Snapshot' });
  } finally {
    clearInterval(timer);
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}

function isWriteError(e: unknown): e is NodeJS.ErrnoException {
  const errno = e as NodeJS.ErrnoException;
  return typeof errno?.syscall === 'string' && (errno.syscall.startsWith('write') || errno.syscall === 'open');
}

/** Bytes per write: ~10 KiB DATA-frame slices would otherwise cost a syscall each (~150k per GiB). */
const WRITE_BATCH = 1 << 20;
/**
 * Full buffers written or waiting; past this the stream is paused (2 MiB, plus the HTTP/2 window). The
 * writer copies ~1 GB/s into the page cache while etcd sends ~300 MB/s, so a short queue suffices; 4
 * measured no faster and cost 2 MiB more.
 */
const BATCHES_QUEUED = 2;

/**
 * Writes on libuv's thread pool, so receiving and hashing on the main thread overlap with the copy into
 * the page cache — with the hash, the largest CPU cost of a save (perf on a 1.4 GiB db: sha256 22% of
 * samples, copy_folio_from_iter 22%). Synchronous writes in the data handler put that copy on the event
 * loop, which then stopped reading the socket while etcd waited (recv harness, same machine and minute:
 * 3.4-4.5 s sync vs 3.6-3.7 s async, event-loop utilisation 0.81-0.91 vs 0.72-0.76).
 *
 * Received slices are copied into a few reused 1 MiB buffers instead of being queued themselves: a queued
 * slice pins its 64 KiB socket chunk across scavenges, gets promoted, and stays until a full GC — with
 * queued slices, live external memory reached 20-29 MiB and peak RSS 104-117 MiB; copying costs ~0.1 s
 * of memcpy per GiB and keeps it flat. One write at a time, in order: writes to one file serialise on its
 * inode lock anyway, and parallel ones only spun on it (rwsem_spin_on_owner in perf). `push` returns
 * false when the caller should pause the stream.
 */
class FileSink {
  onDrain: () => void = () => undefined;
  /** Each completed write: the disk making progress counts as activity too. */
  onWritten: () => void = () => undefined;
  onError: (e: Error) => void = () => undefined;
  error: NodeJS.ErrnoException | undefined;
  /** Empty buffers to fill; allocated once (a burst past the pool allocates, and those are not kept). */
  private readonly spare: Buffer[] = [];
  private current: Buffer;
  private filled = 0;
  private position = 0;
  /** Full buffers not yet written (with their lengths); the first is being written when `writing`. */
  private readonly queue: { buf: Buffer; len: number }[] = [];
  private writing = false;
  private idle: (() => void) | undefined;
  private closed = false;
  private wantsDrain = false;

  constructor(private readonly fd: number) {
    for (let i = 0; i < BATCHES_QUEUED; i++) this.spare.push(Buffer.allocUnsafeSlow(WRITE_BATCH));
    this.current = Buffer.allocUnsafeSlow(WRITE_BATCH);
  }

  /** Take a copy of `chunk`; false when enough is queued that the producer should pause. */
  push(chunk: Buffer): boolean {
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(chunk.length - at, WRITE_BATCH - this.filled);
      this.current.set(at === 0 && n === chunk.length ? chunk : chunk.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled === WRITE_BATCH) this.flush();
    }
    if (this.queue.length < BATCHES_QUEUED) return true;
    this.wantsDrain = true;
    return false;
  }

  /** Write what is left, wait for every write, close the file; throws the first write error. */
  async finish(): Promise<void> {
    this.flush();
    await this.drained();
    this.close();
    if (this.error) throw this.error;
  }

  /** After a failure: drop what is queued, wait for the write still running (it holds the fd), close. Never throws. */
  async abandon(): Promise<void> {
    this.filled = 0;
    this.queue.splice(this.writing ? 1 : 0);
    await this.drained();
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private drained(): Promise<void> {
    return this.queue.length === 0 ? Promise.resolve() : new Promise((resolve) => (this.idle = resolve));
  }

  private flush(): void {
    if (this.filled === 0 || this.error) return;
    this.queue.push({ buf: this.current, len: this.filled });
    this.current = this.spare.pop() ?? Buffer.allocUnsafeSlow(WRITE_BATCH);
    this.filled = 0;
    if (!this.writing) this.writeNext();
  }

  private writeNext(): void {
    const head = this.queue[0];
    if (!head || this.error) {
      this.queue.length = 0;
      const idle = this.idle;
      this.idle = undefined;
      idle?.();
      return;
    }
    this.writing = true;
    write(this.fd, head.buf, 0, head.len, this.position, (err, written) => {
      this.writing = false;
      if (err) {
        this.error = err;
        this.onError(err);
      } else {
        this.position += written;
        this.onWritten();
        if (written < head.len) {
          // A short write is rare on files but legal: the rest is written next, at its place.
          this.queue[0] = { buf: head.buf.subarray(written), len: head.len - written };
        } else {
          this.queue.shift();
          if (head.buf.length === WRITE_BATCH && this.spare.length < BATCHES_QUEUED) this.spare.push(head.buf);
        }
      }
      if (this.wantsDrain && !this.error && this.queue.length < BATCHES_QUEUED) {
        this.wantsDrain = false;
        this.onDrain();
      }
      this.writeNext();
    });
  }
}

/**
 * Returns `onBytes(n)`, which runs a young-generation GC every `every` bytes received, and `full()`.
 * Each HTTP/2 DATA frame arrives in a fresh Buffer whose tiny JS wrapper keeps its 64 KiB socket chunk
 * alive until a scavenge, and V8 scavenges by JS-heap pressure, not by that external memory: measured
 * on a 500 MiB snapshot, peak RSS of the receive loop fell from +38 MiB to +15 MiB over the process
 * baseline with a minor GC every 8 MiB, for ~1 ms each (plus a full GC every 256 MiB); on a 1.4 GiB
 * db every 4 MiB gave a peak of 92-93 MiB against 98-105 MiB, with no CPU difference above the noise.
 * `--expose-gc` set at run time is V8's documented flag; if it is unavailable the collector is a no-op.
 */
function youngGenerationCollector(every: number, fullEvery: number): { onBytes: (bytes: number) => void; full: () => void } {
  let gc: ((o?: { type: 'minor' | 'major' }) => void) | undefined;
  try {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as typeof gc;
  } catch {
    gc = undefined;
  }
  if (typeof gc !== 'function') return { onBytes: () => undefined, full: () => undefined };
  let since = 0;
  let rounds = 0;
  return {
    onBytes: (bytes) => {
      since += bytes;
      if (since >= every) {
        since = 0;
        // Every `fullEvery` bytes a full collection too: the few objects a scavenge promotes (stream
        // internals alive at that moment) otherwise pile up in the old generation over a long transfer.
        gc!({ type: ++rounds % Math.max(1, Math.round(fullEvery / every)) === 0 ? 'major' : 'minor' });
      }
    },
    full: () => gc!({ type: 'major' }),
  };
}

function maxOrNull(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

/**
 * HashKV at the snapshot revision. Comparable with the restored cluster only if the server hashed with
 * the same compact revision the snapshot holds; a compaction between the two makes it incomparable,
 * and a compaction past the revision makes it impossible (ErrCompacted). Both are noted, not retried:
 * the save itself is complete either way.
 */
type HashKvAnswer = { ok: true; hash: number; compactRevision: number } | { ok: false; error: unknown };

/** Ask for HashKV at `revision` (a read; the server hashes the whole key bucket, so the deadline is generous). */
function requestHashKV(client: EndpointClient, revision: number, signal?: AbortSignal): Promise<HashKvAnswer> {
  return client.hashKV(revision, { signal, timeoutMs: Math.max(client.config.commandTimeoutMs, HASHKV_DEADLINE_MS) }).then(
    (r) => ({ ok: true as const, hash: r.hash, compactRevision: r.compactRevision }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/**
 * The HashKV record, if comparable: the restored cluster will hash with the snapshot's compact revision,
 * so a compaction between the snapshot and the hash makes it incomparable, and one past the revision
 * makes it impossible (ErrCompacted). Both are noted, not retried: the save itself is complete either way.
 */
function hashRecord(a: HashKvAnswer | null, revision: number, snapCompact: number | null, notes: string[]): HashKvRecord | null {
  if (a === null) {
    notes.push('hashKV: the snapshot holds no keys, nothing to hash');
    return null;
  }
  if (!a.ok) {
    const err = toEtcdError(a.error);
    if (/compacted/.test(err.message)) notes.push(`hashKV: revision ${revision} was compacted before it could be hashed`);
    else if (err.grpcCodeName === 'UNIMPLEMENTED') notes.push('hashKV: the server does not implement HashKV');
    else notes.push(`hashKV: ${err.message}`);
    return null;
  }
  if (a.compactRevision !== (snapCompact ?? 0) && !(snapCompact === null && a.compactRevision <= 0)) {
    notes.push(`hashKV: the member compacted to ${a.compactRevision} after the snapshot (which holds compaction ${snapCompact ?? 'none'}): the hash is not comparable and was dropped`);
    return null;
  }
  return { hash: a.hash, revision, compactRevision: a.compactRevision };
}

/** The revision of a received snapshot: main revision of the last `key` entry (reads one tree path). */
function quickRevision(part: string, dbBytes: number): number | undefined {
  try {
    const db = BoltFile.open(part, { limit: dbBytes });
    try {
      const key = db.bucket('key');
      const last = key ? db.lastKey(key) : undefined;
      return last ? Number(last.readBigUInt64BE(0)) : 0;
    } finally {
      db.close();
    }
  } catch {
    return undefined; // damaged: the full check in `verify` reports it
  }
}

/** Live keys at the snapshot revision (Range count_only), for the restore check. */
async function countAtRevision(client: EndpointClient, revision: number, notes: string[], signal?: AbortSignal): Promise<number | null> {
  if (revision <= 0) return 0;
  try {
    const r = await client.transport.unary<{ count: string }>(
      'KV',
      'Range',
      { key: Buffer.from([0]), range_end: Buffer.from([0]), count_only: true, revision: String(revision), serializable: true },
      { signal, op: 'read', timeoutMs: Math.max(client.config.commandTimeoutMs, HASHKV_DEADLINE_MS) },
    );
    return Number(r.count);
  } catch (e) {
    notes.push(`liveKeys: ${toEtcdError(e).message}`);
    return null;
  }
}
