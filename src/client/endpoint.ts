/**
 * `EndpointClient`: one member, addressed by its client URL. Maintenance calls (Status, HashKV, Alarm,
 * Defragment, Snapshot, MoveLeader, Downgrade) are answered by the member that receives them, so each needs a
 * client pinned to that member (etcd@v3.6.14:api/etcdserverpb/rpc.proto, Maintenance service).
 */
import { Readable } from 'node:stream';
import type * as grpc from '@grpc/grpc-js';
import type { ConnectionConfig } from './connection.js';
import { Transport, TokenSource, type CallOptions } from './transport.js';
import { EtcdCancelledError, EtcdDeadlineError, EtcdError, toEtcdError } from './errors.js';
import { openSnapshotStream, type SnapshotEnd, type SnapshotReceiver } from './snapshot-stream.js';
import {
  header,
  hexId,
  idFromHex,
  num,
  versionAtLeast,
  type Alarm,
  type AlarmType,
  type HashKVResult,
  type HealthResult,
  type Member,
  type MemberList,
  type RawHeader,
  type StatusInfo,
} from './types.js';

interface RawStatus {
  header: RawHeader;
  version: string;
  dbSize: string;
  leader: string;
  raftIndex: string;
  raftTerm: string;
  raftAppliedIndex: string;
  errors: string[];
  dbSizeInUse: string;
  isLearner: boolean;
  storageVersion: string;
  dbSizeQuota: string;
  downgradeInfo: { enabled: boolean; targetVersion: string } | null;
}

interface RawMember {
  ID: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

export interface SnapshotStream {
  /** The snapshot bytes (etcd's bbolt file followed by its 32-byte sha256 trailer), with backpressure. */
  stream: Readable;
  /** Settles when the stream ends: the header of the first message, the 3.6 storage version, the byte count. */
  done: Promise<SnapshotEnd>;
}

export interface EndpointClientOptions {
  /** Share one auth token between clients of one session (see TokenSource). */
  tokens?: TokenSource | undefined;
  channelOptions?: grpc.ChannelOptions;
}

export function tokenSourceFor(config: ConnectionConfig): TokenSource | undefined {
  return config.auth ? new TokenSource(config.auth.user, config.auth.password) : undefined;
}

export class EndpointClient {
  readonly endpoint: string;
  readonly transport: Transport;

  constructor(endpoint: string, readonly config: ConnectionConfig, opts: EndpointClientOptions = {}) {
    this.endpoint = endpoint;
    this.transport = new Transport(endpoint, config, opts.tokens ?? tokenSourceFor(config), opts.channelOptions);
  }

  /** Maintenance.Status, converted; fields the server's version does not report are undefined. */
  async status(opts: CallOptions = {}): Promise<StatusInfo> {
    const r = await this.transport.unary<RawStatus>('Maintenance', 'Status', {}, { ...opts, op: 'read', authBestEffort: true });
    return statusInfo(this.endpoint, r);
  }

  /** Maintenance.HashKV at `revision` (0 = latest). */
  async hashKV(revision = 0, opts: CallOptions = {}): Promise<HashKVResult> {
    const r = await this.transport.unary<{ header: RawHeader; hash: number; compact_revision: string; hash_revision: string }>('Maintenance', 'HashKV', { revision: String(revision) }, { ...opts, op: 'read' });
    const hashRevision = num(r.hash_revision);
    return { header: header(r.header), hash: r.hash, compactRevision: num(r.compact_revision), hashRevision: hashRevision > 0 ? hashRevision : undefined };
  }

  /** Active alarms of the whole cluster (Alarm GET, memberID 0). */
  async alarmList(opts: CallOptions = {}): Promise<Alarm[]> {
    const r = await this.transport.unary<{ alarms: { memberID: string; alarm: AlarmType }[] }>('Maintenance', 'Alarm', { action: 'GET', memberID: '0', alarm: 'NONE' }, { ...opts, op: 'read', authBestEffort: true });
    return r.alarms.map((a) => ({ memberId: hexId(a.memberID), alarm: a.alarm }));
  }

  /** Clear an alarm (a write: never retried). */
  async alarmDisarm(memberIdHex: string, alarm: AlarmType, opts: CallOptions = {}): Promise<Alarm[]> {
    const r = await this.transport.unary<{ alarms: { memberID: string; alarm: AlarmType }[] }>('Maintenance', 'Alarm', { action: 'DEACTIVATE', memberID: idFromHex(memberIdHex), alarm }, { ...opts, op: 'write' });
    return r.alarms.map((a) => ({ memberId: hexId(a.memberID), alarm: a.alarm }));
  }

  /** Defragment this member. It blocks the member while it runs: give a generous deadline. */
  async defragment(opts: CallOptions = {}): Promise<void> {
    await this.transport.unary('Maintenance', 'Defragment', {}, { timeoutMs: Math.max(opts.timeoutMs ?? 0, 60_000), ...opts, op: 'write' });
  }

  /** Transfer leadership to `targetIdHex`. Must be sent to the current leader (etcd@v3.6.14:server/etcdserver/server.go:1247). */
  async moveLeader(targetIdHex: string, opts: CallOptions = {}): Promise<void> {
    await this.transport.unary('Maintenance', 'MoveLeader', { targetID: idFromHex(targetIdHex) }, { ...opts, op: 'write' });
  }

  /** Maintenance.Downgrade (3.5+). VALIDATE is side-effect free and returns the current cluster version. */
  async downgrade(action: 'VALIDATE' | 'ENABLE' | 'CANCEL', version: string, opts: CallOptions = {}): Promise<{ header: ReturnType<typeof header>; version: string }> {
    const r = await this.transport.unary<{ header: RawHeader; version: string }>('Maintenance', 'Downgrade', { action, version }, { ...opts, op: action === 'VALIDATE' ? 'read' : 'write' });
    return { header: header(r.header), version: r.version };
  }

  /** Cluster.MemberList. `linearizable` (3.5+) makes it fail without quorum instead of answering locally. */
  async memberList(opts: CallOptions & { linearizable?: boolean } = {}): Promise<MemberList> {
    const r = await this.transport.unary<{ header: RawHeader; members: RawMember[] }>('Cluster', 'MemberList', { linearizable: opts.linearizable ?? false }, { ...opts, op: 'read', authBestEffort: true });
    return { header: header(r.header), members: r.members.map(member) };
  }

  /** Cluster.MemberAdd (a write: never retried). `isLearner` needs 3.4+. */
  async memberAdd(peerURLs: string[], opts: CallOptions & { isLearner?: boolean } = {}): Promise<{ member: Member; members: Member[] }> {
    const r = await this.transport.unary<{ member: RawMember; members: RawMember[] }>('Cluster', 'MemberAdd', { peerURLs, isLearner: opts.isLearner ?? false }, { ...opts, op: 'write' });
    return { member: member(r.member), members: r.members.map(member) };
  }

  /** Cluster.MemberUpdate: a member's peer URLs (a write: never retried). */
  async memberUpdate(idHex: string, peerURLs: string[], opts: CallOptions = {}): Promise<Member[]> {
    const r = await this.transport.unary<{ members: RawMember[] }>('Cluster', 'MemberUpdate', { ID: idFromHex(idHex), peerURLs }, { ...opts, op: 'write' });
    return r.members.map(member);
  }

  /** Cluster.MemberRemove (a write: never retried). */
  async memberRemove(idHex: string, opts: CallOptions = {}): Promise<Member[]> {
    const r = await this.transport.unary<{ members: RawMember[] }>('Cluster', 'MemberRemove', { ID: idFromHex(idHex) }, { ...opts, op: 'write' });
    return r.members.map(member);
  }

  /** Cluster.MemberPromote (3.4+): a learner that has caught up becomes a voting member. */
  async memberPromote(idHex: string, opts: CallOptions = {}): Promise<Member[]> {
    const r = await this.transport.unary<{ members: RawMember[] }>('Cluster', 'MemberPromote', { ID: idFromHex(idHex) }, { ...opts, op: 'write' });
    return r.members.map(member);
  }

  /** grpc.health.v1 Check: SERVING / NOT_SERVING (3.6 reports NOT_SERVING during defrag). */
  async grpcHealth(opts: CallOptions = {}): Promise<string> {
    const r = await this.transport.unary<{ status: string }>('Health', 'Check', { service: '' }, { ...opts, op: 'read', authBestEffort: true });
    return r.status;
  }

  /**
   * `etcdctl endpoint health` semantics: a linearizable Get of one key succeeds (needs a leader and quorum), or
   * fails only with permission denied (the member still served it); plus the gRPC health status. Learners
   * serve only serializable reads (etcd@v3.6.14:server/etcdserver/api/v3rpc/interceptor.go:52): pass
   * `serializable: true` for them.
   */
  async health(opts: CallOptions & { serializable?: boolean } = {}): Promise<HealthResult> {
    const start = performance.now();
    let grpcStatus: string | undefined;
    try {
      grpcStatus = await this.grpcHealth(opts);
    } catch {
      // Old servers or proxies without the health service: the Get below decides.
    }
    try {
      const read = (): Promise<unknown> => this.transport.unary('KV', 'Range', { key: Buffer.from('health'), limit: '1', serializable: opts.serializable ?? false }, { ...opts, op: 'read' });
      // A read that lands in an election fails with "leader changed" (definite, nothing applied); asking once
      // more tells a settled cluster from a flapping one. Reads only: writes are never re-sent.
      await read().catch((e: unknown) => {
        if (e instanceof EtcdError && e.code === 'etcd-leader-changed') return read();
        throw e;
      });
      const healthy = grpcStatus === undefined || grpcStatus === 'SERVING';
      return { endpoint: this.endpoint, healthy, grpcStatus, tookMs: performance.now() - start, ...(healthy ? {} : { error: `gRPC health: ${grpcStatus}` }) };
    } catch (e) {
      const err = toEtcdError(e, { endpoint: this.endpoint });
      // Range does the linearizable read *before* the permission check (etcd@v3.6.14:server/etcdserver/v3_server.go:125
      // linearizableReadNotify, then :132 IsRangePermitted via doSerialize; same in 3.4.23 etcdserver/v3_server.go:117-128),
      // so "permission denied", "user name is empty", "user name not found" (a client-cert CN without a user) or "invalid auth token" prove the member served a consensus
      // read: healthy (etcdctl endpoint health counts permission denied the same way). Status without credentials
      // on an auth-enabled cluster therefore still reports health truthfully.
      if (err.grpcCode !== undefined && /^etcdserver: (permission denied|user name is empty|user name not found|invalid auth token)/.test(err.etcdMessage ?? '')) {
        return { endpoint: this.endpoint, healthy: grpcStatus === undefined || grpcStatus === 'SERVING', grpcStatus, tookMs: performance.now() - start };
      }
      return { endpoint: this.endpoint, healthy: false, grpcStatus, tookMs: performance.now() - start, error: err.message };
    }
  }

  /**
   * Maintenance.Snapshot, push-style: `onBlob` receives the snapshot bytes (etcd's bbolt file followed by its
   * 32-byte sha256 trailer) in order, synchronously from the HTTP/2 data handler (snapshot-stream.ts); the
   * returned receiver can pause and resume the stream and settles at its end. Fetches the auth token first.
   * There is no overall deadline (a snapshot of a large db takes a while): pass `signal` to stop it.
   */
  async openSnapshot(opts: { signal?: AbortSignal | undefined; onBlob: (bytes: Buffer) => void }): Promise<SnapshotReceiver> {
    if (opts.signal?.aborted) throw new EtcdCancelledError(`snapshot from ${this.endpoint} cancelled`, { outcome: 'definite', endpoint: this.endpoint, method: 'Maintenance.Snapshot' });
    const token = await this.transport.streamToken({ signal: opts.signal });
    return openSnapshotStream(this.config, this.endpoint, { token, signal: opts.signal, onBlob: opts.onBlob });
  }

  /**
   * Maintenance.Snapshot as a Readable with backpressure: when the consumer's buffer is full the HTTP/2
   * stream is paused, so flow control holds the server back. No overall deadline unless `timeoutMs`;
   * `signal` stops it. Destroying the Readable early cancels the stream.
   */
  snapshot(opts: { signal?: AbortSignal; timeoutMs?: number } = {}): SnapshotStream {
    const ctx = { endpoint: this.endpoint, method: 'Maintenance.Snapshot' };
    let rx: SnapshotReceiver | undefined;
    let finished = false;
    const out = new Readable({
      read: () => rx?.resume(),
      destroy: (err, cb) => {
        // Whatever closed it (an error, or a consumer that stopped iterating), the snapshot was cancelled.
        if (!finished) rx?.cancel(new EtcdCancelledError(`snapshot stream from ${this.endpoint} closed before the end${err ? `: ${err.message}` : ''}`, { outcome: 'definite', ...ctx }));
        cb(err);
      },
    });
    const done = (async (): Promise<SnapshotEnd> => {
      const timer = opts.timeoutMs
        ? setTimeout(() => rx?.cancel(new EtcdDeadlineError(`snapshot from ${this.endpoint} did not finish within ${opts.timeoutMs} ms`, { outcome: 'definite', ...ctx })), opts.timeoutMs)
        : undefined;
      try {
        rx = await this.openSnapshot({
          signal: opts.signal,
          onBlob: (b) => {
            if (!out.push(b)) rx!.pause();
          },
        });
        const end = await rx.done;
        finished = true;
        out.push(null);
        return end;
      } catch (e) {
        const err = e instanceof EtcdError ? e : toEtcdError(e, ctx);
        out.destroy(err);
        throw err;
      } finally {
        clearTimeout(timer);
      }
    })();
    done.catch(() => undefined); // the caller may only watch the stream; avoid an unhandled rejection
    return { stream: out, done };
  }

  close(): void {
    this.transport.close();
  }
}

function member(m: RawMember): Member {
  return { id: hexId(m.ID), name: m.name, peerURLs: [...m.peerURLs], clientURLs: [...m.clientURLs], isLearner: m.isLearner };
}

/** Convert a raw StatusResponse, dropping fields the server's version does not send. */
export function statusInfo(endpoint: string, r: RawStatus): StatusInfo {
  const v = r.version;
  const has34 = versionAtLeast(v, '3.4.0');
  const has36 = versionAtLeast(v, '3.6.0');
  const h = header(r.header);
  return {
    endpoint,
    header: h,
    memberId: h.memberId,
    clusterId: h.clusterId,
    version: v,
    dbSize: num(r.dbSize),
    leader: hexId(r.leader),
    raftIndex: num(r.raftIndex),
    raftTerm: num(r.raftTerm),
    raftAppliedIndex: has34 ? num(r.raftAppliedIndex) : undefined,
    errors: [...(r.errors ?? [])],
    dbSizeInUse: has34 ? num(r.dbSizeInUse) : undefined,
    isLearner: r.isLearner === true,
    storageVersion: has36 && r.storageVersion ? r.storageVersion : undefined,
    dbSizeQuota: has36 && num(r.dbSizeQuota) > 0 ? num(r.dbSizeQuota) : undefined,
    downgradeInfo: has36 && r.downgradeInfo ? { enabled: r.downgradeInfo.enabled, targetVersion: r.downgradeInfo.targetVersion } : undefined,
  };
}
