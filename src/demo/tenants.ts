/**
 * The demo's "tenants": what a real service mesh keeps in etcd, running for the whole upgrade so the
 * report can show they came through it.
 * - configuration under hierarchical prefixes (`/demo/config/<service>/<env>/<key>`), updated now and then;
 * - service discovery: instances registered under `/demo/services/<svc>/<instance>` with a kept-alive lease;
 * - a lock (`/demo/locks/schema-migration/<lease>`, holder = lowest create revision, as Go's concurrency.Mutex);
 * - an election (`/demo/election/scheduler/<lease>`, leader = lowest create revision, as concurrency.Election);
 * - a watcher on `/demo/config/` that resumes from its last revision after a disconnect, as Go's clientv3 does.
 * `check()` reads everything back and says what survived.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { leaseIdHex, LEASE_EXPIRED, type EtcdClient, type LeaseKeeper, type Watcher, type WatchEvent } from '../client/index.js';

const P = '/demo';
const SERVICES = ['checkout', 'payments', 'inventory', 'search', 'auth', 'gateway'];
const ENVS = ['prod', 'staging'];
const CONFIG_KEYS = ['timeout_ms', 'max_conns', 'feature.new_cart', 'log_level', 'rate_limit', 'replicas'];

export interface TenantsReport {
  configKeys: number;
  configUpdates: number;
  /** Config updates acknowledged but missing or stale on read-back. */
  configLost: number;
  services: { registered: number; present: number };
  leases: { kept: number; lost: number };
  lock: { holder: string; heldThroughout: boolean };
  election: { leader: string; stable: boolean };
  watch: { events: number; expected: number; resumes: number; gapsOrDuplicates: number };
}

interface LeaseHolder {
  id: string;
  keeper: LeaseKeeper;
  lost: boolean;
}

const commandTimeoutMs = 5000;

export class DemoTenants {
  private leases: LeaseHolder[] = [];
  private watcher: Watcher | undefined;
  private watchEvents: number[] = [];
  private watchResumes = 0;
  private lastWatchedRev = 0;
  private acked = new Map<string, string>();
  /** Revisions of acknowledged config updates: the watch must deliver each exactly once, in order. */
  private ackedRevisions: number[] = [];
  private updateTimer: NodeJS.Timeout | undefined;
  private updates = 0;
  private lockKey = '';
  private electionKey = '';
  private stopped = false;
  private ac = new AbortController();

  constructor(private readonly client: EtcdClient) {
    // One abort signal stops every keepalive and the watch: more than Node's default 10 listeners, on purpose.
    setMaxListeners(0, this.ac.signal);
  }

  /** Write the initial data set and start the live tenants. */
  async start(): Promise<{ keys: number }> {
    let keys = 0;
    for (const svc of SERVICES) {
      for (const env of ENVS) {
        for (const k of CONFIG_KEYS) {
          const key = `${P}/config/${svc}/${env}/${k}`;
          const value = JSON.stringify({ value: initialValue(k), updatedBy: 'demo-seed' });
          await this.client.put(key, value, { timeoutMs: commandTimeoutMs });
          this.acked.set(key, value);
          keys++;
        }
      }
    }
    // Service discovery: 2 instances per service, each on its own lease, kept alive.
    for (const svc of SERVICES) {
      for (let i = 0; i < 2; i++) {
        const lease = await this.grant(10);
        await this.client.put(`${P}/services/${svc}/${svc}-${i}`, JSON.stringify({ addr: `10.0.${SERVICES.indexOf(svc)}.${10 + i}:8080` }), {
          lease: lease.id,
          timeoutMs: commandTimeoutMs,
        });
        keys++;
      }
    }
    // Lock and election: one candidate each, so the holder must stay the same through the upgrade.
    const lockLease = await this.grant(15);
    this.lockKey = `${P}/locks/schema-migration/${leaseIdHex(lockLease.id)}`;
    await this.createIfAbsent(this.lockKey, 'migrator-1', lockLease.id);
    const electionLease = await this.grant(15);
    this.electionKey = `${P}/election/scheduler/${leaseIdHex(electionLease.id)}`;
    await this.createIfAbsent(this.electionKey, 'scheduler-a', electionLease.id);
    keys += 2;

    const head = await this.client.range(`${P}/config/`, { prefix: true, countOnly: true, timeoutMs: commandTimeoutMs });
    this.lastWatchedRev = head.header.revision;
    this.openWatch();
    return { keys };
  }

  /** Update a config key every `intervalMs` (a slow trickle: the canary workload is the real load). */
  startUpdates(intervalMs = 250): void {
    this.updateTimer = setInterval(() => void this.updateOne(), intervalMs);
  }

  private async updateOne(): Promise<void> {
    if (this.stopped) return;
    const svc = SERVICES[this.updates % SERVICES.length]!;
    const key = `${P}/config/${svc}/prod/rate_limit`;
    const value = JSON.stringify({ value: 100 + this.updates, updatedBy: 'demo-operator' });
    this.updates++;
    try {
      const res = await this.client.put(key, value, { timeoutMs: commandTimeoutMs });
      this.acked.set(key, value);
      this.ackedRevisions.push(res.header.revision);
    } catch {
      // Outcome unknown or failed: the canary workload accounts for write failures; here only acknowledged
      // updates are checked, so an unacknowledged one is simply not expected.
    }
  }

  private async grant(ttl: number): Promise<LeaseHolder> {
    const g = await this.client.leaseGrant(ttl, { timeoutMs: commandTimeoutMs });
    const holder: LeaseHolder = { id: g.id, keeper: this.keep(g.id, ttl, () => holder), lost: false };
    this.leases.push(holder);
    return holder;
  }

  /**
   * A keepalive stream broken by a member restart is re-opened, every time, as Go's clientv3 does (a rolling
   * upgrade breaks it once per member); the lease is lost only when the server says it expired (TTL 0).
   */
  private keep(id: string, ttl: number, holder: () => LeaseHolder): LeaseKeeper {
    const keeper = this.client.leaseKeepAlive(id, ttl, { signal: this.ac.signal });
    keeper.on('lost', (reason: unknown) => {
      if (this.stopped) return;
      if (reason === LEASE_EXPIRED) {
        holder().lost = true;
        return;
      }
      setTimeout(() => {
        if (!this.stopped) holder().keeper = this.keep(id, ttl, holder);
      }, 200).unref();
    });
    return keeper;
  }

  private async createIfAbsent(key: string, value: string, lease: string): Promise<void> {
    await this.client.txn(
      {
        compare: [{ key, target: 'CREATE', result: 'EQUAL', value: 0 }],
        success: [{ put: { key, value, lease } }],
      },
      { timeoutMs: commandTimeoutMs },
    );
  }

  private openWatch(): void {
    if (this.stopped) return;
    const w = this.client.watch(`${P}/config/`, { prefix: true, startRevision: this.lastWatchedRev + 1, signal: this.ac.signal });
    this.watcher = w;
    w.on('events', (m: { events: WatchEvent[] }) => {
      for (const e of m.events) {
        this.watchEvents.push(e.kv.modRevision);
        this.lastWatchedRev = Math.max(this.lastWatchedRev, e.kv.modRevision);
      }
    });
    const reopen = (): void => {
      if (this.stopped || this.watcher !== w) return;
      this.watchResumes++;
      setTimeout(() => this.openWatch(), 200);
    };
    w.on('error', reopen);
    w.on('canceled', reopen);
  }

  /** Stop the live parts and read everything back. */
  async stopAndCheck(): Promise<TenantsReport> {
    if (this.updateTimer) clearInterval(this.updateTimer);
    // Let the watch deliver what was acknowledged before it stops.
    await new Promise((r) => setTimeout(r, 500));
    this.stopped = true;
    this.watcher?.close();

    let configLost = 0;
    for (const [key, value] of this.acked) {
      const kv = await this.client.get(key, { timeoutMs: commandTimeoutMs });
      if (!kv || kv.value.toString() !== value) configLost++;
    }
    const services = await this.client.range(`${P}/services/`, { prefix: true, countOnly: true, timeoutMs: commandTimeoutMs });
    const lockHolder = await this.firstByCreate(`${P}/locks/schema-migration/`);
    const leader = await this.firstByCreate(`${P}/election/scheduler/`);

    // Every acknowledged config update must reach the watcher once, in revision order.
    const seen = this.watchEvents;
    const seenSet = new Set(seen);
    let gapsOrDuplicates = this.ackedRevisions.filter((r) => !seenSet.has(r)).length;
    for (let i = 1; i < seen.length; i++) if (seen[i]! <= seen[i - 1]!) gapsOrDuplicates++;
    const expected = this.ackedRevisions.length;

    const report: TenantsReport = {
      configKeys: SERVICES.length * ENVS.length * CONFIG_KEYS.length,
      configUpdates: this.updates,
      configLost,
      services: { registered: SERVICES.length * 2, present: services.count },
      leases: { kept: this.leases.filter((l) => !l.lost).length, lost: this.leases.filter((l) => l.lost).length },
      lock: { holder: lockHolder ?? '(none)', heldThroughout: lockHolder === this.lockKey },
      election: { leader: leader ?? '(none)', stable: leader === this.electionKey },
      watch: { events: seen.length, expected, resumes: this.watchResumes, gapsOrDuplicates },
    };
    this.ac.abort();
    for (const l of this.leases) {
      l.keeper.close();
      await this.client.leaseRevoke(l.id, { timeoutMs: commandTimeoutMs }).catch(() => undefined);
    }
    return report;
  }

  private async firstByCreate(prefix: string): Promise<string | undefined> {
    const r = await this.client.range(prefix, { prefix: true, timeoutMs: commandTimeoutMs });
    const first = [...r.kvs].sort((a, b) => a.createRevision - b.createRevision)[0];
    return first?.key.toString();
  }
}

function initialValue(k: string): unknown {
  switch (k) {
    case 'timeout_ms':
      return 1500;
    case 'max_conns':
      return 512;
    case 'feature.new_cart':
      return false;
    case 'log_level':
      return 'info';
    case 'rate_limit':
      return 100;
    default:
      return 3;
  }
}

export function demoRunId(): string {
  return randomBytes(3).toString('hex');
}
