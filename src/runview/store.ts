/**
 * The runs under $UPSHIFT_HOME/runs as a long-running process sees them (`serve`, `upgrade --metrics-addr`):
 * an index of every run (journals only, read incrementally), and "followed" runs whose canary histories are
 * read too and whose changes are pushed to subscribers (the dashboard's event streams, the metrics). One
 * timer polls what is followed every POLL_MS; nothing is read for a run nobody follows beyond its journal.
 */
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '../cluster/process.js';
import { homePaths } from '../core/home.js';
import { RunFiles, type OpEvent } from './files.js';
import type { RunUpdate, RunView } from './model.js';

export const POLL_MS = 500;
const INDEX_EVERY = 4;

/** `cursor`: where the update leaves the view ("<epoch>:<seq>"), to resume from after a reconnect. */
export type UpdateListener = (u: RunUpdate, cursor: string) => void;

/** Updates kept per followed run for reconnecting streams (beyond that, a reconnect gets a full view). */
const RECENT = 500;
/** A run followed only for a page load stays followed this long, so its event stream finds it. */
const GRACE_MS = 30_000;
export type OpsListener = (view: RunView, ops: OpEvent[]) => void;

/** Does the process of a running run still live? (Only knowable on the run's own host.) */
export function runAlive(view: Pick<RunView, 'pid' | 'host' | 'state'>): boolean | undefined {
  if (view.state !== 'running') return undefined;
  if (view.host !== hostname()) return undefined;
  return isAlive(view.pid);
}

class FollowedRun {
  readonly listeners = new Set<UpdateListener>();
  pinned = false;
  alive: boolean | undefined;
  /** A new epoch per follow: a cursor from another one (the run was dropped and read again) means "send it all". */
  readonly epoch = randomBytes(4).toString('hex');
  seq = 0;
  readonly recent: { seq: number; update: RunUpdate }[] = [];
  lastUsed = Date.now();
  constructor(readonly files: RunFiles) {}

  get cursor(): string {
    return `${this.epoch}:${this.seq}`;
  }

  /** The updates after `cursor`, or undefined when they are not all here (another epoch, too old). */
  since(cursor: string | undefined): { seq: number; update: RunUpdate }[] | undefined {
    const m = /^([0-9a-f]+):(\d+)$/.exec(cursor ?? '');
    if (!m || m[1] !== this.epoch) return undefined;
    const n = Number(m[2]);
    if (n > this.seq) return undefined;
    if (n === this.seq) return [];
    if ((this.recent[0]?.seq ?? Infinity) > n + 1) return undefined;
    return this.recent.filter((r) => r.seq > n);
  }
}

export class RunStore {
  private readonly index = new Map<string, RunFiles>();
  private readonly followed = new Map<string, FollowedRun>();
  private readonly opsListeners = new Set<OpsListener>();
  private readonly indexListeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  private busy: Promise<void> | undefined;

  constructor(readonly home: string) {}

  get runsDir(): string {
    return homePaths.runsDir(this.home);
  }

  /** Start polling (index every INDEX_EVERY ticks, followed runs every tick). */
  start(): void {
    this.timer ??= setInterval(() => void this.tick(), POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): Promise<void> {
    if (this.busy) return this.busy;
    const work = async (): Promise<void> => {
      if (this.ticks++ % INDEX_EVERY === 0) await this.refresh();
      for (const [id, f] of this.followed) await this.poll(id, f);
    };
    // Cleared in a later microtask: a tick with nothing to await finishes before the assignment.
    this.busy = work()
      .catch(() => undefined)
      .finally(() => {
        this.busy = undefined;
      });
    return this.busy;
  }

  /** Read new runs and new journal records of known ones; listeners hear when something changed. */
  async refresh(): Promise<void> {
    let names: string[] = [];
    try {
      names = (await readdir(this.runsDir)).sort();
    } catch {
      names = [];
    }
    let changed = false;
    for (const n of names) {
      let f = this.index.get(n);
      if (!f) this.index.set(n, (f = new RunFiles(join(this.runsDir, n), { canary: false })));
      const r = await f.read();
      if ((r.records?.length ?? 0) > 0) changed = true;
    }
    for (const v of this.views()) {
      const alive = runAlive(v);
      if (alive !== v.alive) {
        v.alive = alive;
        changed = true;
      }
    }
    if (changed) for (const l of this.indexListeners) l();
  }

  /** Every run's view without canary data (journal only), oldest first. */
  views(): RunView[] {
    return [...this.index.values()].map((f) => f.view).filter((v): v is RunView => v !== undefined);
  }

  onIndexChange(l: () => void): () => void {
    this.indexListeners.add(l);
    return () => this.indexListeners.delete(l);
  }

  onOps(l: OpsListener): () => void {
    this.opsListeners.add(l);
    return () => this.opsListeners.delete(l);
  }

  private async poll(id: string, f: FollowedRun): Promise<void> {
    const r = await f.files.read();
    const v = f.files.view;
    if (!v) return;
    const alive = runAlive(v);
    const update: RunUpdate = {};
    if ((r.records?.length ?? 0) > 0) update.records = r.records;
    if ((r.canary?.length ?? 0) > 0) update.canary = r.canary;
    if (alive !== f.alive) {
      f.alive = alive;
      v.alive = alive;
      if (alive !== undefined) update.alive = alive;
    }
    if (r.ops.length > 0) for (const l of this.opsListeners) l(v, r.ops);
    if (Object.keys(update).length > 0) {
      f.seq++;
      f.recent.push({ seq: f.seq, update });
      if (f.recent.length > RECENT) f.recent.shift();
      for (const l of f.listeners) l(update, f.cursor);
    }
    if (f.listeners.size === 0 && !f.pinned && Date.now() - f.lastUsed > GRACE_MS) this.followed.delete(id);
  }

  /** `pinned`: followed for the metrics; the ops already in its histories go to the ops listeners at once. */
  private async follow(runId: string, pinned = false): Promise<FollowedRun | undefined> {
    let f = this.followed.get(runId);
    if (f) return f;
    if (!/^[\w.-]+$/.test(runId)) return undefined;
    const files = new RunFiles(join(this.runsDir, runId));
    const first = await files.read();
    if (!files.view) return undefined;
    // A second caller may have followed it meanwhile.
    f = this.followed.get(runId);
    if (f) return f;
    if (pinned && first.ops.length > 0) for (const l of this.opsListeners) l(files.view, first.ops);
    f = new FollowedRun(files);
    f.pinned = pinned;
    f.alive = runAlive(files.view);
    files.view.alive = f.alive;
    this.followed.set(runId, f);
    return f;
  }

  /** The full view of a run (canary included) as it is now, and its cursor; undefined when there is no such run. */
  async snapshot(runId: string): Promise<{ view: RunView; cursor: string } | undefined> {
    const f = await this.follow(runId);
    if (!f?.files.view) return undefined;
    f.lastUsed = Date.now();
    return { view: f.files.view, cursor: f.cursor };
  }

  async view(runId: string): Promise<RunView | undefined> {
    return (await this.snapshot(runId))?.view;
  }

  /**
   * Follow a run. With a `since` cursor this follow still knows, the updates after it are replayed through
   * `listener`; otherwise `snapshot` gets the view as it is now (serialize it at once: it goes on changing).
   * Then `listener` gets every update, in order. Returns the unsubscribe function, or undefined when there
   * is no such run.
   */
  async subscribe(runId: string, since: string | undefined, snapshot: (v: RunView, cursor: string) => void, listener: UpdateListener): Promise<(() => void) | undefined> {
    const f = await this.follow(runId);
    if (!f?.files.view) return undefined;
    const missed = f.since(since);
    if (missed) for (const r of missed) listener(r.update, `${f.epoch}:${r.seq}`);
    else snapshot(f.files.view, f.cursor);
    f.listeners.add(listener);
    return () => {
      f.listeners.delete(listener);
      f.lastUsed = Date.now();
    };
  }

  /** Keep exactly these runs followed for the ops listeners (metrics), whether or not a page shows them. */
  async pin(runIds: readonly string[]): Promise<void> {
    const want = new Set(runIds);
    for (const [id, f] of this.followed) if (f.pinned && !want.has(id)) f.pinned = false;
    for (const id of want) {
      const had = this.followed.get(id);
      // A run already followed for a page: its earlier ops were not counted; the metrics start from now.
      if (had) had.pinned = true;
      else await this.follow(id, true);
    }
  }

  /** Followed (canary-reading) views: for the metrics' gate and run families. */
  followedViews(): RunView[] {
    return [...this.followed.values()].map((f) => f.files.view).filter((v): v is RunView => v !== undefined);
  }
}
