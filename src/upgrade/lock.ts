/**
 * The cluster upgrade lock: a key in the cluster itself, bound to a lease, so that two operators on two
 * machines cannot run upgrades of one cluster at the same time. Other exclusive jobs (the backup scheduler)
 * use the same protocol under their own key (`LockOptions.key`/`purpose`). Taken with a transaction (create only
 * if absent), kept alive while the run lasts, released on finish; if upshift dies the lease expires and
 * the key vanishes after `ttlSec`. A resumed run re-takes it: a key naming the same run id is replaced.
 */
import { hostname } from 'node:os';
import { EtcdClient, type LeaseKeeper } from '../client/kv.js';
import type { ConnectionConfig } from '../client/connection.js';
import { toEtcdError, type EtcdError } from '../client/errors.js';
import { ProblemError } from '../core/errors.js';

export const LOCK_KEY = '/upshift/locks/upgrade';

export interface LockHolder {
  runId: string;
  host: string;
  pid: number;
  since: string;
  to: string;
}

export interface LockOptions {
  ttlSec?: number;
  /** Replace a lock held under this run id (resume after a crash). */
  takeOver?: string | undefined;
  /** Called once when the lock can no longer be kept (lease expired or revoked). */
  onLost?: (why: string) => void;
  /** The key to take (default LOCK_KEY, the upgrade lock). */
  key?: string;
  /** What the lock guards, for the refusal (code `<purpose>-locked`); default `upgrade`. */
  purpose?: string;
}

export class UpgradeLock {
  private keeper: LeaseKeeper | undefined;
  private idx = 0;
  private released = false;

  private constructor(
    private readonly clients: EtcdClient[],
    readonly holder: LockHolder,
    readonly leaseId: string,
    private readonly ttlSec: number,
    /** Called once when the lock can no longer be kept. */
    public onLost: ((why: string) => void) | undefined,
    readonly key: string = LOCK_KEY,
  ) {}

  /** Take the lock or refuse (exit 1) naming who holds it. */
  static async acquire(config: ConnectionConfig, holder: Omit<LockHolder, 'host' | 'pid' | 'since'>, opts: LockOptions = {}): Promise<UpgradeLock> {
    const ttlSec = opts.ttlSec ?? 15;
    const LOCK = opts.key ?? LOCK_KEY;
    const purpose = opts.purpose ?? 'upgrade';
    const clients = config.endpoints.map((e) => new EtcdClient({ ...config, endpoints: [e] }));
    const full: LockHolder = { ...holder, host: hostname(), pid: process.pid, since: new Date().toISOString() };
    const value = JSON.stringify(full);
    let lastErr: unknown;
    for (const c of clients) {
      let leaseId: string | undefined;
      try {
        leaseId = (await c.leaseGrant(ttlSec)).id;
        const t = await c.txn({
          compare: [{ key: LOCK, target: 'CREATE', result: 'EQUAL', value: 0 }],
          success: [{ put: { key: LOCK, value, lease: leaseId } }],
          failure: [{ range: { key: LOCK, rangeEnd: `${LOCK}\u0000` } }],
        });
        if (!t.succeeded) {
          const kv = 'range' in t.responses[0]! ? t.responses[0].range.kvs[0] : undefined;
          const current = kv ? parseHolder(kv.value.toString('utf8')) : undefined;
          if (kv && current && opts.takeOver && current.runId === opts.takeOver) {
            // Our own run's lock (the previous process died or is being resumed): replace it atomically.
            const r = await c.txn({
              compare: [{ key: LOCK, target: 'MOD', result: 'EQUAL', value: kv.modRevision }],
              success: [{ put: { key: LOCK, value, lease: leaseId } }],
            });
            if (!r.succeeded) throw new ProblemError(`${purpose}-locked`, `the ${purpose} lock changed while being taken over; try again`, {});
          } else {
            await c.leaseRevoke(leaseId).catch(() => undefined);
            for (const x of clients) x.close();
            throw new ProblemError(`${purpose}-locked`, current ? `another ${purpose} of this cluster is running: run ${current.runId} (to ${current.to}) by pid ${current.pid} on ${current.host} since ${current.since}` : `the ${purpose} lock ${LOCK} is held (${kv?.value.toString('utf8').slice(0, 200) ?? 'unknown holder'})`, {
              hint: purpose === 'upgrade' ? `wait for it to finish; if that upshift died, the lock expires within ${ttlSec} s; \`upshift upgrade abort\` on the machine that runs it releases it` : `wait for it to finish; if that upshift died, the lock expires within ${ttlSec} s`,
              details: current ? { holder: current } : {},
            });
          }
        }
        const lock = new UpgradeLock(clients, full, leaseId, ttlSec, opts.onLost, LOCK);
        lock.idx = clients.indexOf(c);
        lock.keepAlive();
        return lock;
      } catch (e) {
        if (e instanceof ProblemError) throw e;
        lastErr = e;
        if (leaseId) await c.leaseRevoke(leaseId).catch(() => undefined);
      }
    }
    for (const x of clients) x.close();
    throw toEtcdError(lastErr);
  }

  /** Keep the lease alive; when the stream breaks (its member stopped), continue on the next member. */
  private keepAlive(): void {
    if (this.released) return;
    const c = this.clients[this.idx % this.clients.length]!;
    const k = c.leaseKeepAlive(this.leaseId, this.ttlSec);
    this.keeper = k;
    k.on('lost', (reason: EtcdError | string) => {
      if (this.released || this.keeper !== k) return;
      if (typeof reason === 'string') {
        this.released = true;
        this.onLost?.(reason);
        return;
      }
      this.idx++;
      setTimeout(() => this.keepAlive(), 200).unref();
    });
  }

  /** Delete the key (only if it is still ours) and revoke the lease. */
  async release(): Promise<void> {
    if (this.released && !this.keeper) return;
    this.released = true;
    this.keeper?.close();
    this.keeper = undefined;
    const value = JSON.stringify(this.holder);
    for (let i = 0; i < this.clients.length; i++) {
      const c = this.clients[(this.idx + i) % this.clients.length]!;
      try {
        await c.txn({ compare: [{ key: this.key, target: 'VALUE', result: 'EQUAL', value }], success: [{ delete: { key: this.key, rangeEnd: `${this.key}\u0000` } }] });
        await c.leaseRevoke(this.leaseId).catch(() => undefined);
        break;
      } catch {
        /* try the next member */
      }
    }
    for (const c of this.clients) c.close();
  }
}

function parseHolder(s: string): LockHolder | undefined {
  try {
    const o = JSON.parse(s) as LockHolder;
    return typeof o.runId === 'string' ? o : undefined;
  } catch {
    return undefined;
  }
}

/** Who holds the lock now (for `upgrade status`), or undefined. */
export async function readLock(config: ConnectionConfig): Promise<LockHolder | undefined> {
  const c = new EtcdClient(config);
  try {
    const r = await c.range(LOCK_KEY, { rangeEnd: `${LOCK_KEY}\u0000` });
    const kv = r.kvs.find((k) => k.key.toString('utf8') === LOCK_KEY);
    return kv ? parseHolder(kv.value.toString('utf8')) : undefined;
  } finally {
    c.close();
  }
}

/** Remove a lock left by `runId` (upgrade abort). True if a key was deleted. */
export async function breakLock(config: ConnectionConfig, runId: string): Promise<boolean> {
  const c = new EtcdClient(config);
  try {
    const r = await c.range(LOCK_KEY, { rangeEnd: `${LOCK_KEY}\u0000` });
    const kv = r.kvs.find((k) => k.key.toString('utf8') === LOCK_KEY);
    if (!kv || parseHolder(kv.value.toString('utf8'))?.runId !== runId) return false;
    const t = await c.txn({ compare: [{ key: LOCK_KEY, target: 'MOD', result: 'EQUAL', value: kv.modRevision }], success: [{ delete: { key: LOCK_KEY, rangeEnd: `${LOCK_KEY}\u0000` } }] });
    if (t.succeeded && kv.lease !== '0') await c.leaseRevoke(kv.lease).catch(() => undefined);
    return t.succeeded;
  } finally {
    c.close();
  }
}
