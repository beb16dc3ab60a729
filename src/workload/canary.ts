/**
 * The canary workload: a live, modest load during an upgrade that records every operation into an
 * operation history (src/history), so that afterwards `checkHistory` can prove nothing acknowledged was
 * lost, reads were linearizable and the watch saw every write once, in order.
 *
 * Traffic, under `prefix`:
 * - writes of unique values: half to a few register keys (`r/<k>`, checked for linearizability), half to
 *   fresh keys (`w/<id>`, never overwritten: each must be in the final read-back);
 * - linearizable reads of the register keys;
 * - one watch on the whole prefix (moved to another member before its member stops; resumed from the
 *   last revision it delivered after any error);
 * - one lease with a key attached, kept alive.
 *
 * Retries: only where safe (client/errors.ts isSafeToRetry): reads on any transient error, writes only
 * when the error proves the write was not applied (e.g. "raft proposal dropped", connection never
 * established). Every retry goes to another member and is counted. A write that fails ambiguously is
 * recorded as indeterminate, never retried.
 *
 * Ops go to one client per member, round-robin, so a member can be drained (no new ops, in-flight ops
 * allowed to finish) before it is stopped: the executor's `drain` step.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EtcdClient, LEASE_EXPIRED, type Watcher, type LeaseKeeper } from '../client/kv.js';
import { toEtcdError, isSafeToRetry, type EtcdError } from '../client/errors.js';
import type { ConnectionConfig } from '../client/connection.js';
import { leaseIdHex } from '../client/types.js';
import { HistoryWriter } from '../history/io.js';
import { newHeader, type Operation, type Outcome } from '../history/model.js';
import { WorkloadStats, type TotalStats, type WindowStats } from './stats.js';

export interface CanaryOptions {
  config: ConnectionConfig;
  /** Key prefix owned by this workload (ends with "/"). */
  prefix: string;
  historyFile: string;
  /** Total ops per second (writes + reads). */
  opsPerSec: number;
  /** Register keys (default 8). */
  registers?: number;
  /** Share of ops that are reads (default 0.3). */
  readRatio?: number;
  /** Per-op deadline including safe retries (default 3 s). */
  opTimeoutMs?: number;
  /** Sends per op at most (default 3). */
  maxAttempts?: number;
  leaseTtlSec?: number;
  /** Sliding window of the live stats (default 10 s). */
  windowMs?: number;
  maxInFlight?: number;
  runId?: string;
  /** Progress/diagnostic lines. */
  log?: (line: string) => void;
}

/** One op whose first attempt failed: when, where, what (for finding out what causes them). */
export interface FirstAttemptFailure {
  /** Epoch ms (performance.timeOrigin based) of the op's start and of the failure. */
  start: number;
  at: number;
  endpoint: string;
  kind: 'read' | 'write';
  code: string;
  message: string;
  /** How the op ended after safe retries. */
  outcome?: Outcome | undefined;
}

export interface CanaryReport extends TotalStats {
  historyFile: string;
  /** The first MAX_FAILURE_LOG first-attempt failures, in order. */
  firstAttemptLog: FirstAttemptFailure[];
  durationMs: number;
  readback: { keys: number; revision: number } | undefined;
  watch: { events: number; resumes: number; lastRevision: number; expected: number };
}

const now = (): number => performance.timeOrigin + performance.now();

const MAX_FAILURE_LOG = 1000;

export class CanaryWorkload {
  private readonly clients = new Map<string, EtcdClient>();
  private readonly endpoints: string[];
  private readonly drained = new Set<string>();
  /** Endpoints whose connection failed, skipped until they answer a read again (as gRPC's round-robin
   *  balancer — clientv3's — picks only READY subchannels and reconnects in the background): a member that
   *  is down costs the ops in flight on it, not one failed dial per op or per second. */
  private readonly suspect = new Map<string, number>();
  private readonly probing = new Set<string>();
  private readonly inflightByEndpoint = new Map<string, number>();
  private readonly writer: HistoryWriter;
  readonly stats: WorkloadStats;
  private rr = 0;
  private nextId = 0;
  private issued = 0;
  private inflight = 0;
  private t0 = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly tag = randomBytes(4).toString('hex');
  private lastAckRevision = 0;
  private watcher: { w: Watcher; endpoint: string; gen: number } | undefined;
  private watchGen = 0;
  private lastWatchRevision = 0;
  private watchEvents = 0;
  private watchResumes = 0;
  private keeper: { k: LeaseKeeper; endpoint: string } | undefined;
  private leaseId: string | undefined;
  private readonly idle = new Set<() => void>();
  private readonly failureLog: FirstAttemptFailure[] = [];
  private readonly opts: Required<Omit<CanaryOptions, 'log' | 'runId'>> & Pick<CanaryOptions, 'log' | 'runId'>;

  constructor(opts: CanaryOptions) {
    this.opts = { registers: 8, readRatio: 0.3, opTimeoutMs: 3000, maxAttempts: 3, leaseTtlSec: 10, windowMs: 10_000, maxInFlight: 256, ...opts };
    if (!this.opts.prefix.endsWith('/')) this.opts.prefix += '/';
    this.endpoints = [...opts.config.endpoints];
    for (const e of this.endpoints) {
      // A short dial deadline: a stopped member must cost the canary little (its ops retry elsewhere).
      this.clients.set(e, new EtcdClient({ ...opts.config, endpoints: [e], dialTimeoutMs: Math.min(opts.config.dialTimeoutMs, 1000) }));
      this.inflightByEndpoint.set(e, 0);
    }
    this.writer = new HistoryWriter(opts.historyFile);
    this.stats = new WorkloadStats(this.opts.windowMs);
  }

  get prefix(): string {
    return this.opts.prefix;
  }

  /** Write the header, grant the lease, open the watch, start the load. */
  async start(): Promise<void> {
    this.writer.append(newHeader(this.opts.prefix, { ...(this.opts.runId ? { runId: this.opts.runId } : {}) }));
    // Connect to every member first, so connection set-up is not measured as the canary's latency.
    await Promise.allSettled(this.endpoints.map((e) => this.clients.get(e)!.range(this.opts.prefix, { prefix: true, countOnly: true, serializable: true, timeoutMs: this.opts.opTimeoutMs })));
    // The watch starts from the revision the cluster had before the first canary write.
    const rev = await this.currentRevision();
    this.writer.append({ type: 'watch', action: 'start', revision: rev + 1, at: now() });
    this.lastWatchRevision = rev;
    this.openWatch(rev + 1);
    await this.setUpLease();
    this.t0 = now();
    this.timer = setInterval(() => this.tick(), 5);
  }

  private async currentRevision(): Promise<number> {
    let last: unknown;
    for (let i = 0; i < this.endpoints.length * 2; i++) {
      const ep = this.pick();
      try {
        return (await this.clients.get(ep)!.range(this.opts.prefix, { prefix: true, countOnly: true, timeoutMs: this.opts.opTimeoutMs })).header.revision;
      } catch (e) {
        last = e;
        if (!isSafeToRetry(toEtcdError(e), 'read')) break;
        await sleep(100);
      }
    }
    throw toEtcdError(last);
  }

  private pick(avoid?: string): string {
    const t = now();
    const live = this.endpoints.filter((e) => !this.drained.has(e) && e !== avoid && (this.suspect.get(e) ?? 0) <= t);
    const pool = live.length > 0 ? live : this.endpoints.filter((e) => e !== avoid).length > 0 ? this.endpoints.filter((e) => e !== avoid) : this.endpoints;
    return pool[this.rr++ % pool.length]!;
  }

  private tick(): void {
    if (this.stopping) return;
    const due = Math.floor(((now() - this.t0) * this.opts.opsPerSec) / 1000) - this.issued;
    for (let i = 0; i < due; i++) {
      this.issued++;
      if (this.inflight >= this.opts.maxInFlight) continue; // shed rather than pile up
      void (Math.random() < this.opts.readRatio ? this.read() : this.write());
    }
  }

  private registerKey(): string {
    return `${this.opts.prefix}r/${Math.floor(Math.random() * this.opts.registers)}`;
  }

  private async write(): Promise<void> {
    const id = this.nextId++;
    const key = Math.random() < 0.5 ? this.registerKey() : `${this.opts.prefix}w/${id}`;
    const value = `${this.tag}.${id}`;
    // Invocation record: if this process dies before the write completes, the history still says the
    // write may have happened (indeterminate) instead of showing a value nobody wrote.
    this.append({ type: 'op', id, kind: 'put', key, value, start: now(), outcome: 'indeterminate', attempts: 1 });
    await this.run(id, 'write', async (c, timeoutMs) => {
      const r = await c.put(key, value, { timeoutMs });
      return { revision: r.header.revision };
    }, (outcome, attempts, start, end, endpoint, revision, err) => {
      if (outcome === 'ok' && revision !== undefined) this.lastAckRevision = Math.max(this.lastAckRevision, revision);
      this.append({ type: 'op', id, kind: 'put', key, value, start, end, outcome, attempts, endpoint, ...(outcome === 'ok' ? { revision } : {}), ...(err ? { error: err } : {}) });
    });
  }

  private async read(): Promise<void> {
    const id = this.nextId++;
    const key = this.registerKey();
    let value: string | null = null;
    let modRevision: number | undefined;
    await this.run(id, 'read', async (c, timeoutMs) => {
      // An explicit [key, key+"\0") range: exactly this key, whatever the client does with an empty range_end.
      const r = await c.range(key, { rangeEnd: `${key}\u0000`, timeoutMs });
      const kv = r.kvs.find((k) => k.key.toString('utf8') === key);
      value = kv ? kv.value.toString('utf8') : null;
      modRevision = kv?.modRevision;
      return { revision: r.header.revision };
    }, (outcome, attempts, start, end, endpoint, revision, err) => {
      // A read has no effect: a failed read is just failed.
      const o: Outcome = outcome === 'ok' ? 'ok' : 'failed';
      this.append({ type: 'op', id, kind: 'get', key, start, end, outcome: o, attempts, endpoint, ...(o === 'ok' ? { value, revision, ...(modRevision !== undefined ? { modRevision } : {}) } : {}), ...(err ? { error: err } : {}) });
    });
  }

  /** One op with safe retries on other members; `done` records it. */
  private async run(
    _id: number,
    kind: 'read' | 'write',
    fn: (c: EtcdClient, timeoutMs: number) => Promise<{ revision: number }>,
    done: (outcome: Outcome, attempts: number, start: number, end: number, endpoint: string, revision: number | undefined, err: string | undefined) => void,
  ): Promise<void> {
    this.inflight++;
    const start = now();
    let attempts = 0;
    let endpoint = this.pick();
    let outcome: Outcome = 'ok';
    let revision: number | undefined;
    let errText: string | undefined;
    let logged: FirstAttemptFailure | undefined;
    try {
      while (true) {
        attempts++;
        this.inflightByEndpoint.set(endpoint, (this.inflightByEndpoint.get(endpoint) ?? 0) + 1);
        const left = this.opts.opTimeoutMs - (now() - start);
        try {
          revision = (await fn(this.clients.get(endpoint)!, Math.max(50, left))).revision;
          outcome = 'ok';
          errText = undefined;
          break;
        } catch (e) {
          const err: EtcdError = toEtcdError(e, { endpoint });
          if (attempts === 1) {
            this.stats.firstAttemptFailure(`${kind}:${err.code}`);
            if (this.failureLog.length < MAX_FAILURE_LOG) this.failureLog.push((logged = { start, at: now(), endpoint, kind, code: err.code, message: err.message.slice(0, 300) }));
          }
          if (err.code === 'etcd-unavailable' || err.grpcCode === 14) this.markDown(endpoint);
          errText = err.message;
          const retry = isSafeToRetry(err, kind) && attempts < this.opts.maxAttempts && now() - start < this.opts.opTimeoutMs - 100;
          if (!retry) {
            outcome = kind === 'read' || err.outcome === 'definite' ? 'failed' : 'indeterminate';
            break;
          }
        } finally {
          this.inflightByEndpoint.set(endpoint, (this.inflightByEndpoint.get(endpoint) ?? 1) - 1);
          this.notifyIdle();
        }
        await sleep(20 * attempts);
        endpoint = this.pick(endpoint);
      }
    } finally {
      const end = now();
      this.inflight--;
      if (logged) logged.outcome = outcome;
      this.stats.record(kind, { end, latencyMs: end - start, error: outcome !== 'ok' }, outcome, attempts);
      done(outcome, attempts, start, end, endpoint, revision, errText);
      this.notifyIdle();
    }
  }

  /**
   * Take `endpoint` out of the pick set until it answers a read again (probed every 200 ms in the
   * background, like a balancer's health check). A TCP dial is not enough: a stopping etcd still accepts
   * connections and then drops them (measured: writes sent there in that window fail indeterminate).
   */
  private markDown(endpoint: string): void {
    this.suspect.set(endpoint, Number.POSITIVE_INFINITY);
    if (this.probing.has(endpoint)) return;
    this.probing.add(endpoint);
    void (async () => {
      try {
        while (!this.stopping && !(await this.answers(endpoint))) await sleep(200);
      } finally {
        this.probing.delete(endpoint);
        this.suspect.delete(endpoint);
      }
    })();
  }

  /** A serializable count of the canary prefix on that member: served only by a running, started etcd. */
  private async answers(endpoint: string): Promise<boolean> {
    try {
      await this.clients.get(endpoint)!.range(this.opts.prefix, { prefix: true, countOnly: true, serializable: true, timeoutMs: 500 });
      return true;
    } catch {
      return false;
    }
  }

  private append(op: Operation): void {
    this.writer.append(op);
  }

  private notifyIdle(): void {
    for (const f of this.idle) f();
  }

  private async waitUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() >= until) return false;
      await new Promise<void>((resolve) => {
        const f = (): void => {
          this.idle.delete(f);
          resolve();
        };
        this.idle.add(f);
        setTimeout(f, 50).unref();
      });
    }
    return true;
  }

  // ---- watch ----

  private openWatch(fromRevision: number, avoid?: string): void {
    const endpoint = this.pick(avoid);
    const gen = ++this.watchGen;
    const w = this.clients.get(endpoint)!.watch(this.opts.prefix, { prefix: true, startRevision: fromRevision, progressNotify: true });
    this.watcher = { w, endpoint, gen };
    w.on('events', ({ events }: { events: { type: 'PUT' | 'DELETE'; kv: { key: Buffer; value: Buffer; modRevision: number } }[] }) => {
      if (gen !== this.watchGen) return;
      const t = now();
      for (const e of events) {
        this.lastWatchRevision = Math.max(this.lastWatchRevision, e.kv.modRevision);
        this.watchEvents++;
        this.append({
          type: 'op',
          id: this.nextId++,
          kind: 'watch-event',
          eventType: e.type === 'PUT' ? 'put' : 'delete',
          key: e.kv.key.toString('utf8'),
          value: e.type === 'PUT' ? e.kv.value.toString('utf8') : null,
          revision: e.kv.modRevision,
          start: t,
          end: t,
          outcome: 'ok',
          attempts: 1,
          endpoint,
        });
      }
      this.notifyIdle();
    });
    w.on('progress', () => this.notifyIdle());
    const lost = (why: string): void => {
      if (gen !== this.watchGen || this.stopping) return;
      this.writer.append({ type: 'watch', action: 'error', at: now(), error: why, revision: this.lastWatchRevision });
      this.watchGen++;
      setTimeout(() => this.resumeWatch(endpoint), 100).unref();
    };
    w.on('error', (e: EtcdError) => lost(e.message));
    w.on('canceled', (c: { reason: string; compactRevision: number }) => lost(`canceled: ${c.reason || 'no reason'}${c.compactRevision ? ` (compacted at ${c.compactRevision})` : ''}`));
    w.on('end', () => lost('stream ended'));
  }

  private resumeWatch(avoid?: string): void {
    if (this.stopping) return;
    const from = this.lastWatchRevision + 1;
    this.watchResumes++;
    this.writer.append({ type: 'watch', action: 'resume', revision: from, at: now() });
    this.openWatch(from, avoid);
  }

  /** Move the watch off `endpoint` (before that member stops), resuming right after the last delivered event. */
  private moveWatch(endpoint: string): void {
    if (this.watcher?.endpoint !== endpoint) return;
    const old = this.watcher.w;
    this.watchGen++;
    old.close();
    this.resumeWatch(endpoint);
  }

  // ---- lease ----

  private async setUpLease(): Promise<void> {
    const endpoint = this.pick();
    const c = this.clients.get(endpoint)!;
    const id = this.nextId++;
    const start = now();
    try {
      const g = await c.leaseGrant(this.opts.leaseTtlSec, { timeoutMs: this.opts.opTimeoutMs });
      this.leaseId = g.id;
      this.append({ type: 'op', id, kind: 'lease', action: 'grant', key: '', lease: leaseIdHex(g.id), ttl: g.ttl, start, end: now(), outcome: 'ok', attempts: 1, endpoint });
    } catch (e) {
      const err = toEtcdError(e, { endpoint });
      this.append({ type: 'op', id, kind: 'lease', action: 'grant', key: '', start, end: now(), outcome: err.outcome === 'definite' ? 'failed' : 'indeterminate', attempts: 1, error: err.message, endpoint });
      this.opts.log?.(`canary: lease grant failed: ${err.message} (continuing without a lease)`);
      return;
    }
    const key = `${this.opts.prefix}lease`;
    const value = `${this.tag}.lease`;
    const pid = this.nextId++;
    const ps = now();
    try {
      const r = await c.put(key, value, { lease: this.leaseId, timeoutMs: this.opts.opTimeoutMs });
      this.lastAckRevision = Math.max(this.lastAckRevision, r.header.revision);
      this.append({ type: 'op', id: pid, kind: 'put', key, value, lease: leaseIdHex(this.leaseId!), start: ps, end: now(), outcome: 'ok', revision: r.header.revision, attempts: 1, endpoint });
    } catch (e) {
      const err = toEtcdError(e, { endpoint });
      this.append({ type: 'op', id: pid, kind: 'put', key, value, lease: leaseIdHex(this.leaseId!), start: ps, end: now(), outcome: err.outcome === 'definite' ? 'failed' : 'indeterminate', attempts: 1, error: err.message, endpoint });
    }
    this.keepAlive();
  }

  private keepAlive(avoid?: string): void {
    if (!this.leaseId || this.stopping) return;
    const endpoint = this.pick(avoid);
    const k = this.clients.get(endpoint)!.leaseKeepAlive(this.leaseId, this.opts.leaseTtlSec);
    this.keeper = { k, endpoint };
    k.on('lost', (reason: EtcdError | string) => {
      if (this.keeper?.k !== k || this.stopping) return;
      const t = now();
      this.append({ type: 'op', id: this.nextId++, kind: 'lease', action: 'keepalive', key: '', lease: leaseIdHex(this.leaseId!), start: t, end: t, outcome: 'failed', attempts: 1, error: typeof reason === 'string' ? reason : reason.message, endpoint });
      if (reason === LEASE_EXPIRED) return; // the lease is gone; keys under it vanish
      setTimeout(() => this.keepAlive(endpoint), 100).unref();
    });
  }

  private moveKeeper(endpoint: string): void {
    if (this.keeper?.endpoint !== endpoint) return;
    const old = this.keeper.k;
    this.keeper = undefined;
    old.close();
    this.keepAlive(endpoint);
  }

  // ---- control ----

  /**
   * Stop sending to `endpoint` (its member is about to stop): streams move elsewhere, new ops go to the
   * other members, and in-flight ops there get up to `timeoutMs` to finish. Returns false if some were
   * still in flight at the deadline.
   */
  async drain(endpoint: string, timeoutMs = 2000): Promise<boolean> {
    this.drained.add(endpoint);
    this.moveWatch(endpoint);
    this.moveKeeper(endpoint);
    return this.waitUntil(() => (this.inflightByEndpoint.get(endpoint) ?? 0) === 0, timeoutMs);
  }

  undrain(endpoint: string): void {
    this.drained.delete(endpoint);
  }

  windowStats(ms?: number): WindowStats {
    return this.stats.windowStats(now(), ms);
  }

  /**
   * Stop the load, let in-flight ops finish, wait for the watch to deliver every acknowledged write,
   * revoke the lease, read back the prefix, and close the history.
   */
  async stop(): Promise<CanaryReport> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.waitUntil(() => this.inflight === 0, this.opts.opTimeoutMs + 2000);
    // The watch must catch up with the last acknowledged write.
    this.stopping = false; // keep resuming the watch while catching up
    // (No progress requests: 3.3 servers do not know them; the last write's own event is what we wait for.)
    const caught = await this.waitUntil(() => this.lastWatchRevision >= this.lastAckRevision, 10_000);
    this.stopping = true;
    if (!caught) this.opts.log?.(`canary: the watch reached revision ${this.lastWatchRevision}, not ${this.lastAckRevision}`);
    this.writer.append({ type: 'watch', action: 'end', revision: this.lastWatchRevision, expected: this.lastAckRevision, at: now() });
    this.watchGen++;
    this.watcher?.w.close();
    this.keeper?.k.close();
    if (this.leaseId) {
      const id = this.nextId++;
      const start = now();
      const endpoint = this.pick();
      try {
        await this.clients.get(endpoint)!.leaseRevoke(this.leaseId, { timeoutMs: this.opts.opTimeoutMs });
        this.append({ type: 'op', id, kind: 'lease', action: 'revoke', key: '', lease: leaseIdHex(this.leaseId), start, end: now(), outcome: 'ok', attempts: 1, endpoint });
      } catch (e) {
        const err = toEtcdError(e, { endpoint });
        this.append({ type: 'op', id, kind: 'lease', action: 'revoke', key: '', lease: leaseIdHex(this.leaseId), start, end: now(), outcome: err.outcome === 'definite' ? 'failed' : 'indeterminate', attempts: 1, error: err.message, endpoint });
      }
    }
    const readback = await this.readback();
    this.writer.close();
    for (const c of this.clients.values()) c.close();
    return {
      ...this.stats.totals(),
      historyFile: this.opts.historyFile,
      firstAttemptLog: [...this.failureLog],
      durationMs: Math.round(now() - this.t0),
      readback,
      watch: { events: this.watchEvents, resumes: this.watchResumes, lastRevision: this.lastWatchRevision, expected: this.lastAckRevision },
    };
  }

  /** Read the whole prefix linearizably at one revision (a safe read: retried on other members). */
  private async readback(): Promise<{ keys: number; revision: number } | undefined> {
    let avoid: string | undefined;
    for (let attempt = 0; attempt < this.endpoints.length + 2; attempt++) {
      const endpoint = this.pick(avoid);
      const start = now();
      try {
        const r = await this.clients.get(endpoint)!.range(this.opts.prefix, { prefix: true, timeoutMs: 10_000 });
        const entries = r.kvs.map((kv) => ({ key: kv.key.toString('utf8'), value: kv.value.toString('utf8'), modRevision: kv.modRevision, ...(kv.lease !== '0' ? { lease: leaseIdHex(kv.lease) } : {}) }));
        this.writer.append({ type: 'readback', start, end: now(), revision: r.header.revision, entries });
        return { keys: entries.length, revision: r.header.revision };
      } catch (e) {
        const err = toEtcdError(e, { endpoint });
        this.opts.log?.(`canary: read-back from ${endpoint} failed: ${err.message}`);
        if (!isSafeToRetry(err, 'read')) break;
        avoid = endpoint;
        await sleep(200);
      }
    }
    return undefined;
  }

  /** Abandon without read-back (the run is being torn down after an error). */
  abort(): void {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.watchGen++;
    this.watcher?.w.close();
    this.keeper?.k.close();
    this.writer.close();
    for (const c of this.clients.values()) c.close();
  }
}
