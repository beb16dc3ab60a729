/**
 * `EtcdClient`: KV, watch, lease and auth status against a cluster of endpoints.
 *
 * Endpoint choice is explicit and visible: calls go to the current endpoint; after a failure that proves the
 * endpoint unreachable (connection not established), the *next* call moves on to the next endpoint. The failed
 * call itself is never re-sent: reads may be retried by the caller (`isSafeToRetry(err, 'read')`), writes only
 * when the outcome is definite. Use `pinned(i)` to talk to one member.
 */
import { EventEmitter } from 'node:events';
import type * as grpc from '@grpc/grpc-js';
import type { ConnectionConfig } from './connection.js';
import { Transport, TokenSource, type CallOptions } from './transport.js';
import { EtcdUnavailableError, toEtcdError, EtcdError } from './errors.js';
import { header, keyValue, num, prefixRangeEnd, type KeyValue, type RawHeader, type RawKeyValue, type ResponseHeader } from './types.js';
import { tokenSourceFor } from './endpoint.js';

export type Bytes = Buffer | string;

export interface RangeOptions extends CallOptions {
  /** Range end (exclusive); mutually exclusive with `prefix`. */
  rangeEnd?: Bytes;
  /** Every key starting with `key`. */
  prefix?: boolean;
  limit?: number;
  /** Read at this revision (0 = latest). */
  revision?: number;
  /** Serializable (local, possibly stale) read instead of linearizable. */
  serializable?: boolean;
  keysOnly?: boolean;
  countOnly?: boolean;
}

export interface RangeResult {
  header: ResponseHeader;
  kvs: KeyValue[];
  more: boolean;
  count: number;
}

export interface PutResult {
  header: ResponseHeader;
  prevKv?: KeyValue | undefined;
}

export interface DeleteResult {
  header: ResponseHeader;
  deleted: number;
  prevKvs: KeyValue[];
}

/** A comparison in a transaction (etcd's Compare). */
export interface Compare {
  key: Bytes;
  rangeEnd?: Bytes;
  target: 'VERSION' | 'CREATE' | 'MOD' | 'VALUE' | 'LEASE';
  result: 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';
  /** number for VERSION/CREATE/MOD, Bytes for VALUE, lease ID (decimal string) for LEASE. */
  value: number | Bytes;
}

export type TxnOp =
  | { range: { key: Bytes } & Omit<RangeOptions, keyof CallOptions> }
  | { put: { key: Bytes; value: Bytes; lease?: string; prevKv?: boolean } }
  | { delete: { key: Bytes; rangeEnd?: Bytes; prefix?: boolean; prevKv?: boolean } };

export type TxnResponseOp = { range: RangeResult } | { put: PutResult } | { delete: DeleteResult } | { txn: TxnResult };

export interface TxnResult {
  header: ResponseHeader;
  succeeded: boolean;
  responses: TxnResponseOp[];
}

export interface EtcdClientOptions {
  channelOptions?: grpc.ChannelOptions;
  /** First endpoint to use (index into config.endpoints); default 0. Spreads load when many clients exist. */
  startIndex?: number;
}

const buf = (b: Bytes): Buffer => (typeof b === 'string' ? Buffer.from(b) : b);

/**
 * The range end of a request, or undefined for "just this key". Never send an empty buffer: protobufjs encodes a
 * present-but-empty bytes field, which etcd decodes as a non-nil empty slice, and etcd's index treats a non-nil
 * empty end as "every key >= key" (etcd@v3.6.14:server/storage/mvcc/index.go:116,141,162: `if end == nil` selects
 * the single-key path). Found by test: a get of a deleted key returned the next key.
 */
function rangeEndOf(key: Bytes, o: { prefix?: boolean | undefined; rangeEnd?: Bytes | undefined }): Buffer | undefined {
  if (o.prefix) return prefixRangeEnd(buf(key));
  if (o.rangeEnd === undefined) return undefined;
  const e = buf(o.rangeEnd);
  return e.length === 0 ? undefined : e;
}

function rangeRequest(key: Bytes, o: Omit<RangeOptions, keyof CallOptions>): Record<string, unknown> {
  return {
    key: buf(key),
    range_end: rangeEndOf(key, o),
    limit: String(o.limit ?? 0),
    revision: String(o.revision ?? 0),
    serializable: o.serializable ?? false,
    keys_only: o.keysOnly ?? false,
    count_only: o.countOnly ?? false,
  };
}

interface RawRange { header: RawHeader; kvs: RawKeyValue[]; more: boolean; count: string }
interface RawPut { header: RawHeader; prev_kv: RawKeyValue | null }
interface RawDelete { header: RawHeader; deleted: string; prev_kvs: RawKeyValue[] }
interface RawTxn { header: RawHeader; succeeded: boolean; responses: { response: string; response_range?: RawRange; response_put?: RawPut; response_delete_range?: RawDelete; response_txn?: RawTxn }[] }

const rangeResult = (r: RawRange): RangeResult => ({ header: header(r.header), kvs: r.kvs.map(keyValue), more: r.more, count: num(r.count) });
const putResult = (r: RawPut): PutResult => ({ header: header(r.header), prevKv: r.prev_kv ? keyValue(r.prev_kv) : undefined });
const deleteResult = (r: RawDelete): DeleteResult => ({ header: header(r.header), deleted: num(r.deleted), prevKvs: r.prev_kvs.map(keyValue) });
function txnResult(r: RawTxn): TxnResult {
  return {
    header: header(r.header),
    succeeded: r.succeeded,
    responses: r.responses.map((op): TxnResponseOp => {
      if (op.response_range) return { range: rangeResult(op.response_range) };
      if (op.response_put) return { put: putResult(op.response_put) };
      if (op.response_delete_range) return { delete: deleteResult(op.response_delete_range) };
      return { txn: txnResult(op.response_txn!) };
    }),
  };
}

function compareRequest(c: Compare): Record<string, unknown> {
  const out: Record<string, unknown> = { key: buf(c.key), target: c.target, result: c.result };
  const end = rangeEndOf(c.key, c);
  if (end !== undefined) out.range_end = end;
  switch (c.target) {
    case 'VERSION': out.version = String(c.value); break;
    case 'CREATE': out.create_revision = String(c.value); break;
    case 'MOD': out.mod_revision = String(c.value); break;
    case 'VALUE': out.value = buf(c.value as Bytes); break;
    case 'LEASE': out.lease = String(c.value); break;
  }
  return out;
}

function opRequest(op: TxnOp): Record<string, unknown> {
  if ('range' in op) {
    const { key, ...o } = op.range;
    return { request_range: rangeRequest(key, o) };
  }
  if ('put' in op) return { request_put: { key: buf(op.put.key), value: buf(op.put.value), lease: op.put.lease ?? '0', prev_kv: op.put.prevKv ?? false } };
  const d = op.delete;
  return { request_delete_range: { key: buf(d.key), range_end: rangeEndOf(d.key, d), prev_kv: d.prevKv ?? false } };
}

export class EtcdClient {
  private readonly transports: Transport[];
  private index: number;
  readonly tokens: TokenSource | undefined;

  constructor(readonly config: ConnectionConfig, opts: EtcdClientOptions = {}) {
    if (config.endpoints.length === 0) throw new TypeError('EtcdClient needs at least one endpoint');
    this.tokens = tokenSourceFor(config);
    this.transports = config.endpoints.map((e) => new Transport(e, config, this.tokens, opts.channelOptions));
    this.index = (opts.startIndex ?? 0) % this.transports.length;
  }

  /** The endpoint the next call goes to. */
  get currentEndpoint(): string {
    return this.transports[this.index]!.endpoint;
  }

  private async call<Res>(service: 'KV' | 'Lease' | 'Auth', method: string, req: unknown, opts: CallOptions, op: 'read' | 'write'): Promise<Res> {
    const t = this.transports[this.index]!;
    try {
      return await t.unary<Res>(service, method, req, { ...opts, op });
    } catch (e) {
      const err = toEtcdError(e, { endpoint: t.endpoint, method: `${service}.${method}` });
      // Move on for the *next* call; this one is reported as it happened.
      if (err instanceof EtcdUnavailableError || err.code === 'etcd-deadline') this.index = (this.index + 1) % this.transports.length;
      throw err;
    }
  }

  async range(key: Bytes, opts: RangeOptions = {}): Promise<RangeResult> {
    return rangeResult(await this.call<RawRange>('KV', 'Range', rangeRequest(key, opts), opts, 'read'));
  }

  /** The value of one key, or undefined. */
  async get(key: Bytes, opts: Omit<RangeOptions, 'prefix' | 'rangeEnd'> = {}): Promise<KeyValue | undefined> {
    return (await this.range(key, { ...opts, limit: 1 })).kvs[0];
  }

  async put(key: Bytes, value: Bytes, opts: CallOptions & { lease?: string; prevKv?: boolean } = {}): Promise<PutResult> {
    const r = await this.call<RawPut>('KV', 'Put', { key: buf(key), value: buf(value), lease: opts.lease ?? '0', prev_kv: opts.prevKv ?? false }, opts, 'write');
    return putResult(r);
  }

  async deleteRange(key: Bytes, opts: CallOptions & { rangeEnd?: Bytes; prefix?: boolean; prevKv?: boolean } = {}): Promise<DeleteResult> {
    const req = opRequest({ delete: { key, ...opts } }).request_delete_range;
    return deleteResult(await this.call<RawDelete>('KV', 'DeleteRange', req, opts, 'write'));
  }

  async txn(t: { compare?: Compare[]; success?: TxnOp[]; failure?: TxnOp[] }, opts: CallOptions = {}): Promise<TxnResult> {
    const all = [...(t.success ?? []), ...(t.failure ?? [])];
    const readOnly = all.every((o) => 'range' in o);
    const req = { compare: (t.compare ?? []).map(compareRequest), success: (t.success ?? []).map(opRequest), failure: (t.failure ?? []).map(opRequest) };
    return txnResult(await this.call<RawTxn>('KV', 'Txn', req, opts, readOnly ? 'read' : 'write'));
  }

  async compact(revision: number, opts: CallOptions & { physical?: boolean } = {}): Promise<ResponseHeader> {
    const r = await this.call<{ header: RawHeader }>('KV', 'Compact', { revision: String(revision), physical: opts.physical ?? false }, opts, 'write');
    return header(r.header);
  }

  async leaseGrant(ttlSeconds: number, opts: CallOptions & { id?: string } = {}): Promise<{ header: ResponseHeader; id: string; ttl: number }> {
    const r = await this.call<{ header: RawHeader; ID: string; TTL: string; error: string }>('Lease', 'LeaseGrant', { TTL: String(ttlSeconds), ID: opts.id ?? '0' }, opts, 'write');
    if (r.error) throw new EtcdError('etcd-lease-grant', `lease grant failed: ${r.error}`, 1, { outcome: 'definite', etcdMessage: r.error, endpoint: this.currentEndpoint });
    return { header: header(r.header), id: r.ID, ttl: num(r.TTL) };
  }

  async leaseRevoke(id: string, opts: CallOptions = {}): Promise<ResponseHeader> {
    return header((await this.call<{ header: RawHeader }>('Lease', 'LeaseRevoke', { ID: id }, opts, 'write')).header);
  }

  async leaseTimeToLive(id: string, opts: CallOptions & { keys?: boolean } = {}): Promise<{ header: ResponseHeader; id: string; ttl: number; grantedTtl: number; keys: Buffer[] }> {
    const r = await this.call<{ header: RawHeader; ID: string; TTL: string; grantedTTL: string; keys: Buffer[] }>('Lease', 'LeaseTimeToLive', { ID: id, keys: opts.keys ?? false }, opts, 'read');
    return { header: header(r.header), id: r.ID, ttl: num(r.TTL), grantedTtl: num(r.grantedTTL), keys: r.keys };
  }

  /** Keep a lease alive on a bidi stream (one request every ttl/3). See LeaseKeeper for events. */
  leaseKeepAlive(id: string, ttlSeconds: number, opts: { signal?: AbortSignal } = {}): LeaseKeeper {
    return new LeaseKeeper(this.transports[this.index]!, id, ttlSeconds, opts.signal);
  }

  /** Auth.AuthStatus (3.5+): is auth enabled. */
  async authStatus(opts: CallOptions = {}): Promise<{ enabled: boolean; authRevision: number }> {
    const r = await this.call<{ enabled: boolean; authRevision: string }>('Auth', 'AuthStatus', {}, opts, 'read');
    return { enabled: r.enabled, authRevision: num(r.authRevision) };
  }

  /**
   * Watch a key or range on one bidi stream, with the `hasleader` metadata so that a member that loses its
   * leader cancels the watch (etcd@v3.6.14:api/v3rpc/rpctypes/md.go MetadataRequireLeaderKey) instead of
   * silently delivering nothing. No automatic re-watch: a gap must be visible to the caller.
   */
  watch(key: Bytes, opts: WatchOptions = {}): Watcher {
    return new Watcher(this.transports[this.index]!, key, opts);
  }

  /** A client for one endpoint of this client (same auth token). */
  transportFor(endpoint: string): Transport | undefined {
    return this.transports.find((t) => t.endpoint === endpoint);
  }

  close(): void {
    for (const t of this.transports) t.close();
  }
}

export interface WatchOptions {
  rangeEnd?: Bytes;
  prefix?: boolean;
  startRevision?: number;
  prevKv?: boolean;
  progressNotify?: boolean;
  signal?: AbortSignal;
}

export interface WatchEvent {
  type: 'PUT' | 'DELETE';
  kv: KeyValue;
  prevKv?: KeyValue | undefined;
}

/**
 * Events: `created` (header), `events` ({ header, events }), `progress` (header), `canceled` ({ reason,
 * compactRevision }), `error` (EtcdError), `end`. Fragmented responses (3.4+) are not requested.
 */
export class Watcher extends EventEmitter {
  private call: grpc.ClientDuplexStream<unknown, unknown> | undefined;
  private closed = false;
  watchId: string | undefined;

  constructor(private readonly transport: Transport, key: Bytes, opts: WatchOptions) {
    super();
    void this.open(key, opts);
  }

  private async open(key: Bytes, o: WatchOptions): Promise<void> {
    const ctx = { endpoint: this.transport.endpoint, method: 'Watch.Watch' };
    try {
      await this.transport.ensureConnected(o.signal);
      const token = await this.transport.streamToken({ signal: o.signal });
      if (this.closed) return;
      const client = this.transport.client('Watch') as unknown as { Watch(md: grpc.Metadata, o?: grpc.CallOptions): grpc.ClientDuplexStream<unknown, unknown> };
      const call = client.Watch(this.transport.metadata(token, { hasleader: 'true' }));
      this.call = call;
      o.signal?.addEventListener('abort', () => this.close(), { once: true });
      call.on('data', (m: { header: RawHeader; watch_id: string; created: boolean; canceled: boolean; compact_revision: string; cancel_reason: string; events: { type: 'PUT' | 'DELETE'; kv: RawKeyValue; prev_kv: RawKeyValue | null }[] }) => {
        const h = header(m.header);
        if (m.created) {
          this.watchId = m.watch_id;
          this.emit('created', h);
        }
        if (m.canceled) {
          this.emit('canceled', { reason: m.cancel_reason, compactRevision: num(m.compact_revision) });
          this.close();
          return;
        }
        if (m.events.length > 0) {
          this.emit('events', { header: h, events: m.events.map((e) => ({ type: e.type, kv: keyValue(e.kv), prevKv: e.prev_kv ? keyValue(e.prev_kv) : undefined })) });
        } else if (!m.created) {
          this.emit('progress', h);
        }
      });
      call.on('error', (e) => {
        if (this.closed) return;
        this.closed = true;
        this.emit('error', toEtcdError(e, ctx));
      });
      call.on('end', () => this.emit('end'));
      call.write({
        create_request: {
          key: buf(key),
          range_end: rangeEndOf(key, o),
          start_revision: String(o.startRevision ?? 0),
          progress_notify: o.progressNotify ?? false,
          prev_kv: o.prevKv ?? false,
        },
      });
    } catch (e) {
      this.closed = true;
      this.emit('error', toEtcdError(e, { ...ctx, notSent: true }));
    }
  }

  /** Ask for a progress notification (3.4+). */
  requestProgress(): void {
    this.call?.write({ progress_request: {} });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.call?.cancel();
    this.emit('end');
  }
}

/** The `lost` reason when the server answered TTL 0: the lease is gone (any other reason: only the stream failed). */
export const LEASE_EXPIRED = 'lease expired or revoked (TTL 0)';

/**
 * Keeps one lease alive. Events: `keepalive` ({ ttl }), `lost` (EtcdError or reason string: the lease expired
 * (TTL 0) or the stream failed — the lease may still be alive on the server until its TTL passes).
 */
export class LeaseKeeper extends EventEmitter {
  private call: grpc.ClientDuplexStream<unknown, unknown> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  lastKeepAlive = 0;

  constructor(private readonly transport: Transport, readonly id: string, ttlSeconds: number, signal?: AbortSignal) {
    super();
    void this.open(Math.max(1, ttlSeconds), signal);
  }

  private async open(ttl: number, signal?: AbortSignal): Promise<void> {
    const ctx = { endpoint: this.transport.endpoint, method: 'Lease.LeaseKeepAlive' };
    try {
      await this.transport.ensureConnected(signal);
      const token = await this.transport.streamToken({ signal });
      if (this.closed) return;
      const client = this.transport.client('Lease') as unknown as { LeaseKeepAlive(md: grpc.Metadata): grpc.ClientDuplexStream<unknown, unknown> };
      const call = client.LeaseKeepAlive(this.transport.metadata(token, { hasleader: 'true' }));
      this.call = call;
      signal?.addEventListener('abort', () => this.close(), { once: true });
      call.on('data', (m: { TTL: string }) => {
        const t = num(m.TTL);
        if (t <= 0) return this.lose(LEASE_EXPIRED);
        this.lastKeepAlive = Date.now();
        this.emit('keepalive', { ttl: t });
      });
      call.on('error', (e) => this.lose(toEtcdError(e, ctx)));
      // The server ended the stream (member shutting down): no more keepalives will be answered.
      call.on('end', () => this.lose('keepalive stream ended by the server'));
      const send = (): void => {
        if (!this.closed) call.write({ ID: this.id });
      };
      send();
      this.timer = setInterval(send, Math.max(500, (ttl * 1000) / 3));
    } catch (e) {
      this.lose(toEtcdError(e, { ...ctx, notSent: true }));
    }
  }

  private lose(reason: EtcdError | string): void {
    if (this.closed) return;
    this.stop();
    this.emit('lost', reason);
  }

  private stop(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.call?.cancel();
  }

  close(): void {
    if (this.closed) return;
    this.stop();
    this.emit('end');
  }
}
