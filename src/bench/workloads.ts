/**
 * The operations of each workload, on a worker's own connections. An op calls `done` exactly once with
 * its outcome; the worker loop (worker.ts) does timing, counting and pacing.
 */
import type { BenchConfig, WorkerShare } from './config.js';
import { keyOf } from './config.js';
import type { Channel, BidiHandle } from './transport.js';
import { GrpcStatus } from './transport.js';
import {
  Path,
  frame,
  encodePut,
  encodeRange,
  encodeCasPut,
  encodeWatchCreate,
  encodeLeaseGrant,
  encodeLeaseId,
  decodeRange,
  decodeTxnSucceeded,
  decodeWatchResponse,
  decodeLease,
  prefixEnd,
} from './wire.js';

export const OK = 0;
export const ERROR = 1;
/** txn only: the compare failed because another client changed the key in between (not an error). */
export const CONFLICT = 2;
export type Outcome = typeof OK | typeof ERROR | typeof CONFLICT;
export type OpDone = (outcome: Outcome, status: number, message: string) => void;

/**
 * The connection for a client's next call: its own (client % conns) while that one is connected,
 * otherwise the next connected one — as an etcd client balancer sends new calls only to reachable
 * members. Never a retry: a call is sent once, on the connection picked here. With nothing connected,
 * the client's own channel is used; it reconnects with backoff, so failing calls do not spin.
 */
export function pickChannel(env: Pick<WorkloadEnv, 'channels'>, client: number): Channel {
  const chs = env.channels;
  const own = chs[client % chs.length]!;
  if (own.ready) return own;
  own.ensureConnecting();
  for (let k = 1; k < chs.length; k++) {
    const c = chs[(client + k) % chs.length]!;
    if (c.ready) return c;
  }
  return own;
}

/** Wall-clock milliseconds with sub-ms precision, comparable across worker threads. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

export interface WorkloadEnv {
  config: BenchConfig;
  share: WorkerShare;
  channels: Channel[];
  /** Watch events (watch workload): latency in us from the put's send time, at receive time `at` (epoch ms). */
  onEvent?: (latencyUs: number, at: number) => void;
  /** Epoch ms from which puts count as measured (events of earlier puts are warmup). */
  measureStart: () => number;
}

export interface WorkloadImpl {
  /** Prepare (watchers, leases); runs before the warmup. */
  setup(): Promise<void>;
  /** One operation for `client` (index within the worker); `seq` is the worker's op sequence number. */
  op(client: number, seq: number, measured: boolean, done: OpDone): void;
  /** Fail requests past their deadline (for requests on streams). */
  sweep?(now: number): void;
  teardown(): Promise<void>;
  /** Watch: successful measured puts per hot key. */
  putsPerKey?: number[];
  /** Watch: events received from measured puts. */
  eventsReceived?: number;
  /** Anything workload-specific for the result. */
  extra(): Record<string, number>;
}

/**
 * A pre-framed request with the key at a fixed offset: each op copies the template and writes its key
 * in place (keys have a fixed size), so the hot path allocates one buffer and encodes nothing.
 */
class KeyedTemplate {
  private readonly keyOffset: number;
  constructor(
    private readonly template: Buffer,
    key0: string,
    private readonly keySize: number,
  ) {
    this.keyOffset = template.indexOf(Buffer.from(key0, 'latin1'));
    if (this.keyOffset < 0) throw new Error('template without key');
  }
  build(key: string): Buffer {
    const b = Buffer.allocUnsafe(this.template.length);
    this.template.copy(b);
    b.write(key, this.keyOffset, this.keySize, 'latin1');
    return b;
  }
}

function keyPicker(c: BenchConfig, share: WorkerShare, space: number): (seq: number) => number {
  if (c.sequentialKeys) return (seq) => (share.opOffset + seq) % space;
  return () => Math.floor(Math.random() * space);
}

function randomValue(size: number): Buffer {
  // Printable filler, like etcd's benchmark (mustRandBytes), so values look like data.
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = 97 + Math.floor(Math.random() * 26);
  return b;
}

const unaryDone =
  (done: OpDone) =>
  (status: number, message: string): void =>
    status === GrpcStatus.OK ? done(OK, 0, '') : done(ERROR, status, message);

function putOp(env: WorkloadEnv): (client: number, seq: number, done: OpDone) => void {
  const c = env.config;
  const key0 = keyOf(c, 0);
  const tpl = new KeyedTemplate(frame(encodePut(Buffer.from(key0), randomValue(c.valSize))), key0, c.keySize);
  const pick = keyPicker(c, env.share, c.keySpace);
  const chs = env.channels;
  const t = c.commandTimeoutMs;
  return (client, seq, done) => {
    pickChannel(env, client).unaryFramed(Path.put, tpl.build(keyOf(c, pick(seq))), t, unaryDone(done));
  };
}

function rangeOp(env: WorkloadEnv): (client: number, seq: number, done: OpDone) => void {
  const c = env.config;
  const chs = env.channels;
  const t = c.commandTimeoutMs;
  const serializable = c.consistency === 's';
  if (c.prefix) {
    // The same request every time: one constant buffer, never copied.
    const p = Buffer.from(c.keyPrefix);
    const req = frame(encodeRange(p, { rangeEnd: prefixEnd(p), limit: c.limit, serializable }));
    return (client, _seq, done) => pickChannel(env, client).unaryFramed(Path.range, req, t, unaryDone(done));
  }
  const key0 = keyOf(c, 0);
  const tpl = new KeyedTemplate(frame(encodeRange(Buffer.from(key0), { serializable, limit: c.limit })), key0, c.keySize);
  const pick = keyPicker(c, env.share, c.keySpace);
  return (client, seq, done) => {
    pickChannel(env, client).unaryFramed(Path.range, tpl.build(keyOf(c, pick(seq))), t, unaryDone(done));
  };
}

function txnOp(env: WorkloadEnv): (client: number, seq: number, done: OpDone) => void {
  const c = env.config;
  const chs = env.channels;
  const t = c.commandTimeoutMs;
  const key0 = keyOf(c, 0);
  const readTpl = new KeyedTemplate(frame(encodeRange(Buffer.from(key0), { serializable: c.consistency === 's' })), key0, c.keySize);
  const pick = keyPicker(c, env.share, c.keySpace);
  const value = randomValue(c.valSize);
  return (client, seq, done) => {
    const ch = pickChannel(env, client);
    const key = keyOf(c, pick(seq));
    // Compare-and-swap, like a lock or counter update: read the key's mod revision, then write only if
    // nobody wrote it since (mod_revision 0 = absent, so a missing key is created).
    ch.unaryFramed(Path.range, readTpl.build(key), t, (st, msg, body) => {
      if (st !== GrpcStatus.OK) return done(ERROR, st, msg);
      const rev = decodeRange(body!).firstModRevision;
      ch.unary(Path.txn, encodeCasPut(Buffer.from(key, 'latin1'), rev, value), t, (st2, msg2, body2) => {
        if (st2 !== GrpcStatus.OK) return done(ERROR, st2, msg2);
        done(decodeTxnSucceeded(body2!) ? OK : CONFLICT, 0, '');
      });
    });
  };
}

function mixedOp(env: WorkloadEnv): (client: number, seq: number, done: OpDone) => void {
  const put = putOp(env);
  const range = rangeOp({ ...env, config: { ...env.config, prefix: false } });
  const r = env.config.readRatio;
  return (client, seq, done) => (Math.random() < r ? range(client, seq, done) : put(client, seq, done));
}

function simple(env: WorkloadEnv, op: (client: number, seq: number, done: OpDone) => void): WorkloadImpl {
  void env;
  return {
    setup: async () => undefined,
    op: (client, seq, _measured, done) => op(client, seq, done),
    teardown: async () => undefined,
    extra: () => ({}),
  };
}

/**
 * watch: `watchers` watchers (one watch stream per connection) on the hot keys; clients put to those
 * keys with the send time in the first 8 value bytes; each delivered event is one measured op, its
 * latency is receive time - put send time.
 */
function watchWorkload(env: WorkloadEnv): WorkloadImpl {
  const c = env.config;
  const hot = Math.min(c.keySpace, c.watchers);
  const chs = env.channels;
  const t = c.commandTimeoutMs;
  const key0 = keyOf(c, 0);
  const framed = frame(encodePut(Buffer.from(key0), randomValue(c.valSize)));
  const tsOffset = framed.length - c.valSize; // the value is the last field of the PutRequest
  const tpl = new KeyedTemplate(framed, key0, c.keySize);
  const pick = keyPicker(c, env.share, hot);
  const putsPerKey = new Array<number>(hot).fill(0);
  const streams: BidiHandle[] = [];
  let eventsReceived = 0;
  let watchErrors = 0;
  const impl: WorkloadImpl = {
    putsPerKey,
    eventsReceived: 0,
    async setup() {
      const perStream = new Map<number, number>();
      const created: Promise<void>[] = [];
      for (let w = 0; w < env.share.watchers; w++) perStream.set(w % chs.length, (perStream.get(w % chs.length) ?? 0) + 1);
      let w = env.share.watcherOffset;
      for (const [chIdx, n] of perStream) {
        let pendingCreates = n;
        let resolveCreated!: () => void;
        let rejectCreated!: (e: Error) => void;
        created.push(
          new Promise<void>((res, rej) => {
            resolveCreated = res;
            rejectCreated = rej;
          }),
        );
        const stream = chs[chIdx]!.bidi(
          Path.watch,
          (body) => {
            const resp = decodeWatchResponse(body);
            if (resp.created && --pendingCreates === 0) resolveCreated();
            if (resp.canceled) {
              watchErrors++;
              rejectCreated(new Error(`watch canceled: ${resp.cancelReason || 'no reason given'}`));
            }
            if (resp.events.length === 0) return;
            const now = epochMs();
            const start = env.measureStart();
            for (const ev of resp.events) {
              if (!ev.value || ev.value.length < 8) continue;
              const sent = Buffer.from(ev.value.buffer, ev.value.byteOffset, 8).readDoubleLE(0);
              if (sent < start) continue; // an event of a warmup put
              eventsReceived++;
              env.onEvent?.(Math.max(1, Math.round((now - sent) * 1000)), now);
            }
            impl.eventsReceived = eventsReceived;
          },
          (status, message) => {
            if (pendingCreates > 0) rejectCreated(new Error(`watch stream ended: ${status} ${message}`));
          },
        );
        streams.push(stream);
        for (let i = 0; i < n; i++, w++) stream.write(encodeWatchCreate(Buffer.from(keyOf(c, w % hot))));
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(created),
        new Promise((_, rej) => {
          timer = setTimeout(() => rej(new Error(`watchers not created within ${t} ms`)), t);
        }),
      ]).finally(() => clearTimeout(timer));
    },
    op(client, seq, measured, done) {
      const k = pick(seq);
      const b = tpl.build(keyOf(c, k));
      // Warmup puts carry 0, so their events are never counted (the send time decides nothing here).
      b.writeDoubleLE(measured ? epochMs() : 0, tsOffset);
      pickChannel(env, client).unaryFramed(Path.put, b, t, (st, msg) => {
        if (st !== GrpcStatus.OK) return done(ERROR, st, msg);
        if (measured) putsPerKey[k]!++;
        done(OK, 0, '');
      });
    },
    async teardown() {
      for (const s of streams) s.close();
    },
    extra: () => ({ watchersLocal: env.share.watchers, watchCancels: watchErrors }),
  };
  return impl;
}

/** Global watcher j watches hot key j % hot: how many of this worker's watchers see key k. */
export function localWatchersOnKey(share: WorkerShare, hot: number): number[] {
  const out = new Array<number>(hot).fill(0);
  for (let j = share.watcherOffset; j < share.watcherOffset + share.watchers; j++) out[j % hot]!++;
  return out;
}

/**
 * lease: each client holds one lease (granted in setup); an op is one keepalive round trip on its
 * connection's LeaseKeepAlive stream. Leases are revoked at the end.
 */
function leaseWorkload(env: WorkloadEnv): WorkloadImpl {
  const c = env.config;
  const chs = env.channels;
  const t = c.commandTimeoutMs;
  const ids: string[] = [];
  const reqs: Buffer[] = [];
  const streams: BidiHandle[] = [];
  const pending = new Map<string, { done: OpDone; deadline: number }>();
  let granted = 0;
  const grant = (ch: Channel): Promise<string> =>
    new Promise((resolve, reject) =>
      ch.unary(Path.leaseGrant, encodeLeaseGrant(c.leaseTtlSec), t, (st, msg, body) => {
        if (st !== GrpcStatus.OK) return reject(new Error(`lease grant: ${msg} (status ${st})`));
        const r = decodeLease(body!);
        if (r.error) return reject(new Error(`lease grant: ${r.error}`));
        resolve(r.id);
      }),
    );
  return {
    async setup() {
      for (const ch of chs) {
        streams.push(
          ch.bidi(
            Path.leaseKeepAlive,
            (body) => {
              const r = decodeLease(body);
              const p = pending.get(r.id);
              if (!p) return;
              pending.delete(r.id);
              if (r.ttl <= 0) p.done(ERROR, GrpcStatus.NOT_FOUND, 'lease not found or expired (TTL <= 0)');
              else p.done(OK, 0, '');
            },
            (status, message) => {
              for (const [id, p] of pending) {
                pending.delete(id);
                p.done(ERROR, status || GrpcStatus.UNAVAILABLE, `keepalive stream ended: ${message}`);
              }
            },
          ),
        );
      }
      const got = await Promise.all(Array.from({ length: env.share.clients }, (_, i) => grant(chs[i % chs.length]!)));
      for (const id of got) {
        ids.push(id);
        reqs.push(frame(encodeLeaseId(id)));
      }
      granted = got.length;
    },
    op(client, _seq, _measured, done) {
      const id = ids[client]!;
      pending.set(id, { done, deadline: performance.now() + t });
      streams[client % streams.length]!.writeFramed(reqs[client]!);
    },
    sweep(now) {
      for (const [id, p] of pending) {
        if (now > p.deadline) {
          pending.delete(id);
          p.done(ERROR, GrpcStatus.DEADLINE_EXCEEDED, 'keepalive response not received within the command timeout');
        }
      }
    },
    async teardown() {
      for (const s of streams) s.close();
      // Revoke what we granted so the cluster is left as found (bounded: one lease per client).
      await Promise.all(
        ids.map(
          (id, i) =>
            new Promise<void>((resolve) => chs[i % chs.length]!.unary(Path.leaseRevoke, encodeLeaseId(id), t, () => resolve())),
        ),
      );
    },
    extra: () => ({ leasesGranted: granted }),
  };
}

export function createWorkload(env: WorkloadEnv): WorkloadImpl {
  switch (env.config.workload) {
    case 'put':
      return simple(env, putOp(env));
    case 'range':
      return simple(env, rangeOp(env));
    case 'txn':
      return simple(env, txnOp(env));
    case 'mixed':
      return simple(env, mixedOp(env));
    case 'watch':
      return watchWorkload(env);
    case 'lease':
      return leaseWorkload(env);
  }
}
