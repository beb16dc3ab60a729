/**
 * The fault layer of a cluster, as the rehearsal uses it: every member's client and peer links through
 * proxies (proxy-set.ts), on the caller's event loop (the rehearsal's default) or in a worker thread of
 * their own (layer-worker.ts). This side knows the advertised (proxy) URLs and
 * the real targets, and forwards `apply`/`lift` of timeline entries.
 */
import type { Worker } from 'node:worker_threads';
import { spawnModuleWorker } from '../core/worker.js';
import { EnvironmentError } from '../core/errors.js';
import { ProxySet, type LayerStats } from './proxy-set.js';
import { etcdPidsByDataDir } from './sockets.js';
import type { TimelineEntry } from './schedule.js';

export interface LayerInit {
  members: { name: string; dataDir?: string | undefined }[];
  seed: string | number;
  /** Members whose client link gets the L7 proxy (per-RPC faults); the others L4 (cheaper). Default: all. */
  clientL7?: string[] | undefined;
  /** Members serve TLS: `terminate` (the L7 proxies get each member's certificate with setTls) or relay at L4. */
  tls?: { terminate: boolean } | undefined;
}

export type LayerRequest =
  | { id: number; op: 'setTargets'; member: string; targets: { clientPort: number; peerPort: number } }
  | { id: number; op: 'setTls'; member: string; material: { cert: Uint8Array; key: Uint8Array; ca: Uint8Array; clientCert?: Uint8Array | undefined; clientKey?: Uint8Array | undefined } }
  | { id: number; op: 'apply'; entry: TimelineEntry }
  | { id: number; op: 'lift'; faultId: string }
  | { id: number; op: 'stats' }
  | { id: number; op: 'close' };

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

export type LayerReply = { id: number; ok: true; result?: unknown } | { id: number; ok: false; error: string };

export type LayerReady = { type: 'ready'; advertised: Record<string, { clientURL: string; peerURL: string }>; l7: Record<string, boolean>; notes: string[] } | { type: 'failed'; error: string };
type Ready = LayerReady;

const toBuf = (u: Uint8Array | undefined): Buffer | undefined => (u ? Buffer.from(u) : undefined);

/** Start the proxies of `init` in this thread (the worker calls it in its own). */
export async function startProxySet(init: LayerInit): Promise<{ set: ProxySet; ready: Extract<LayerReady, { type: 'ready' }> }> {
  const set = await ProxySet.create({
    members: init.members.map((m) => m.name),
    seed: init.seed,
    tls: init.tls,
    clientL7: init.clientL7,
    pids: () => etcdPidsByDataDir(Object.fromEntries(init.members.filter((m) => m.dataDir).map((m) => [m.name, m.dataDir!]))),
  });
  return {
    set,
    ready: {
      type: 'ready',
      advertised: Object.fromEntries(init.members.map((m) => [m.name, set.advertised(m.name)])),
      l7: Object.fromEntries(init.members.map((m) => [m.name, set.clientIsL7(m.name)])),
      notes: set.notes,
    },
  };
}

/** Carry one request out on a proxy set. */
export async function serveLayerRequest(set: ProxySet, req: LayerRequest): Promise<LayerReply> {
  try {
    switch (req.op) {
      case 'setTargets':
        set.setTargets(req.member, req.targets);
        return { id: req.id, ok: true };
      case 'setTls': {
        const m = req.material;
        set.setTls(req.member, { cert: Buffer.from(m.cert), key: Buffer.from(m.key), ca: Buffer.from(m.ca), clientCert: toBuf(m.clientCert), clientKey: toBuf(m.clientKey) });
        return { id: req.id, ok: true };
      }
      case 'apply':
        return { id: req.id, ok: true, result: set.apply(req.entry) };
      case 'lift':
        set.lift(req.faultId);
        return { id: req.id, ok: true };
      case 'stats':
        return { id: req.id, ok: true, result: set.stats() };
      case 'close':
        await set.close();
        return { id: req.id, ok: true };
    }
  } catch (e) {
    return { id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

const START_DEADLINE_MS = 30_000;
const CALL_DEADLINE_MS = 10_000;

/** Where the proxies run: a worker thread of their own, or this thread. */
export type LayerThread = 'own' | 'same';

interface Backend {
  send(req: LayerRequest): void;
  close(): Promise<void>;
}

export class FaultLayer {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly targets = new Map<string, { clientPort: number; peerPort: number }>();
  private closed = false;
  private backend!: Backend;

  private constructor(
    private readonly ready: Extract<Ready, { type: 'ready' }>,
    readonly thread: LayerThread,
  ) {}

  private onReply = (m: LayerReply): void => {
    const w = this.waiting.get(m.id);
    if (!w) return;
    this.waiting.delete(m.id);
    clearTimeout(w.timer);
    if (m.ok) w.resolve(m.result);
    else w.reject(new Error(m.error));
  };

  /**
   * Start the proxies; members get targets with `setTargets` before they start. `thread: 'same'` (the
   * default) runs them on this event loop; `'own'` in a worker thread, which keeps the caller's CPU work
   * from delaying them but costs an extra thread hop per chunk (bench/faults-proxy-overhead.ts measures both).
   */
  static async create(init: LayerInit, opts: { thread?: LayerThread } = {}): Promise<FaultLayer> {
    if ((opts.thread ?? 'same') === 'same') {
      const { set, ready } = await startProxySet(init);
      const layer = new FaultLayer(ready, 'same');
      layer.backend = { send: (req) => void serveLayerRequest(set, req).then(layer.onReply), close: () => set.close() };
      return layer;
    }
    const worker = spawnModuleWorker(import.meta.url, 'layer-worker', init);
    const ready = await new Promise<Ready>((resolve, reject) => {
      const t = setTimeout(() => reject(new EnvironmentError('fault-layer-start', `the fault layer did not start within ${START_DEADLINE_MS / 1000} s`)), START_DEADLINE_MS);
      worker.once('message', (m: Ready) => {
        clearTimeout(t);
        resolve(m);
      });
      worker.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
    if (ready.type === 'failed') {
      await worker.terminate();
      throw new EnvironmentError('fault-layer-start', `the fault layer could not start: ${ready.error}`);
    }
    const layer = new FaultLayer(ready, 'own');
    worker.on('message', layer.onReply);
    worker.on('error', (e) => layer.failAll(e));
    worker.on('exit', () => layer.failAll(new Error('the fault layer thread exited')));
    layer.backend = {
      send: (req) => worker.postMessage(req),
      close: async () => {
        await worker.terminate();
      },
    };
    return layer;
  }

  get notes(): string[] {
    return this.ready.notes;
  }

  /** The URLs a member advertises (its proxies'). */
  advertised(member: string): { clientURL: string; peerURL: string } {
    const a = this.ready.advertised[member];
    if (!a) throw new Error(`the fault layer has no member ${member}`);
    return a;
  }

  clientIsL7(member: string): boolean {
    return this.ready.l7[member] === true;
  }

  async setTargets(member: string, targets: { clientPort: number; peerPort: number }): Promise<void> {
    this.targets.set(member, targets);
    await this.call({ op: 'setTargets', member, targets });
  }

  /** A TLS member's certificate, key, CA and client certificate, for its L7 proxy to terminate TLS with. */
  async setTls(member: string, material: { cert: Uint8Array; key: Uint8Array; ca: Uint8Array; clientCert?: Uint8Array | undefined; clientKey?: Uint8Array | undefined }): Promise<void> {
    await this.call({ op: 'setTls', member, material });
  }

  /** The real client URL behind an advertised (proxy) one; any other URL unchanged. */
  directURL(url: string): string {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return url;
    }
    for (const [m, a] of Object.entries(this.ready.advertised)) {
      const t = this.targets.get(m);
      if (t && new URL(a.clientURL).port === u.port) {
        u.port = String(t.clientPort);
        return u.toString().replace(/\/$/, '');
      }
    }
    return url;
  }

  apply(entry: TimelineEntry): Promise<{ applied: string[]; skipped: string[] }> {
    return this.call({ op: 'apply', entry }) as Promise<{ applied: string[]; skipped: string[] }>;
  }

  async lift(faultId: string): Promise<void> {
    await this.call({ op: 'lift', faultId });
  }

  stats(): Promise<LayerStats> {
    return this.call({ op: 'stats' }) as Promise<LayerStats>;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.call({ op: 'close' });
    } catch {
      // the thread is gone already
    }
    this.closed = true;
    if (this.thread === 'own') await this.backend.close();
  }

  private call(req: DistributiveOmit<LayerRequest, 'id'>): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the fault layer is closed'));
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`the fault layer did not answer ${req.op} within ${CALL_DEADLINE_MS / 1000} s`));
      }, CALL_DEADLINE_MS);
      this.waiting.set(id, { resolve, reject, timer });
      this.backend.send({ ...req, id } as LayerRequest);
    });
  }

  private failAll(e: Error): void {
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      w.reject(e);
      this.waiting.delete(id);
    }
  }
}
