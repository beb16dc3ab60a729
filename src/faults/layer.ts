/**
 * The fault layer of a cluster, as the rehearsal uses it: every member's client and peer links through
 * proxies (proxy-set.ts) that run in a worker thread of their own (layer-worker.ts), so the proxies and
 * the rehearsal never wait for each other's JavaScript. This side knows the advertised (proxy) URLs and
 * the real targets, and forwards `apply`/`lift` of timeline entries.
 */
import type { Worker } from 'node:worker_threads';
import { spawnModuleWorker } from '../core/worker.js';
import { EnvironmentError } from '../core/errors.js';
import type { LayerStats } from './proxy-set.js';
import type { TimelineEntry } from './schedule.js';

export interface LayerInit {
  members: { name: string; dataDir?: string | undefined }[];
  seed: string | number;
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

type Ready = { type: 'ready'; advertised: Record<string, { clientURL: string; peerURL: string }>; l7: Record<string, boolean>; notes: string[] } | { type: 'failed'; error: string };

const START_DEADLINE_MS = 30_000;
const CALL_DEADLINE_MS = 10_000;

export class FaultLayer {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly targets = new Map<string, { clientPort: number; peerPort: number }>();
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    private readonly ready: Extract<Ready, { type: 'ready' }>,
  ) {
    worker.on('message', (m: LayerReply) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      clearTimeout(w.timer);
      if (m.ok) w.resolve(m.result);
      else w.reject(new Error(m.error));
    });
    worker.on('error', (e) => this.failAll(e));
    worker.on('exit', () => this.failAll(new Error('the fault layer thread exited')));
  }

  /** Start the proxies (in their thread); members get targets with `setTargets` before they start. */
  static async create(init: LayerInit): Promise<FaultLayer> {
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
    return new FaultLayer(worker, ready);
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
    await this.worker.terminate();
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
      this.worker.postMessage({ ...req, id });
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
