/**
 * Carries a fault timeline out during an upgrade run and journals it with the run: the resolved timeline
 * first (what the schedule and the seed decided: the same for the same schedule and seed), then a
 * `begin` and an `end` record per fault as it happens (with the time since the run began). Faults
 * anchored at the run's start are timed from `start()`; faults `after` a step from that step's end
 * (`onStepEnd`, awaited by the executor, so a fault with no offset is in place before the next step).
 * `stop()` lifts whatever is still on (a paused member is always continued) and journals the faults that
 * never came (their step never ran).
 */
import { isEtcdProcess } from '../cluster/process.js';
import { errorMessage } from '../core/errors.js';
import type { FaultLayer } from './layer.js';
import { signalProcess } from './process.js';
import { describeEntry, stepMatches, type Timeline, type TimelineEntry } from './schedule.js';

export interface FaultEvent {
  type: 'fault';
  at: string;
  event: 'timeline' | 'begin' | 'end' | 'skipped';
  /** Milliseconds since the run began. */
  tMs: number;
  id?: string | undefined;
  fault?: string | undefined;
  target?: TimelineEntry['target'] | undefined;
  detail?: string | undefined;
  seed?: string | undefined;
  entries?: TimelineEntry[] | undefined;
}

export interface MemberProcesses {
  /** PID and data dir of a member's process now (undefined: not running). */
  processOf(member: string): Promise<{ pid: number; dataDir: string } | undefined>;
}

export class FaultRunner {
  private t0 = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly active = new Map<string, { entry: TimelineEntry; paused: { pid: number; dataDir: string }[] }>();
  private readonly started = new Set<string>();
  private readonly ended = new Set<string>();
  private readonly anchored = new Set<string>();
  private record: ((e: FaultEvent) => void) | undefined;
  private running = false;
  readonly events: FaultEvent[] = [];

  constructor(
    readonly timeline: Timeline,
    private readonly layer: FaultLayer,
    private readonly procs: MemberProcesses,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** The run began: journal the timeline, time the faults anchored at the start. */
  start(record: (e: FaultEvent) => void): void {
    this.record = record;
    this.t0 = performance.now();
    this.running = true;
    this.emit({ event: 'timeline', seed: this.timeline.seed, entries: this.timeline.entries });
    for (const e of this.timeline.entries) if (!e.after) this.arm(e, e.offsetMs);
  }

  /** A step ended: arm the faults waiting for it (the first matching step only). */
  async onStepEnd(stepId: string): Promise<void> {
    if (!this.running) return;
    const now: Promise<void>[] = [];
    for (const e of this.timeline.entries) {
      if (!e.after || this.anchored.has(e.id) || !stepMatches(e.after, stepId)) continue;
      this.anchored.add(e.id);
      if (e.offsetMs === 0) now.push(this.begin(e));
      else this.arm(e, e.offsetMs);
    }
    await Promise.all(now);
  }

  /** The run is ending: lift every fault still on, journal those that never came. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const id of [...this.active.keys()]) await this.end(id, 'the run ended');
    for (const e of this.timeline.entries) {
      if (!this.started.has(e.id)) this.emit({ event: 'skipped', id: e.id, fault: e.fault, target: e.target, detail: e.after && !this.anchored.has(e.id) ? `step ${e.after} never ended` : 'the run ended first' });
    }
  }

  private arm(e: TimelineEntry, delayMs: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      void this.begin(e);
    }, delayMs);
    this.timers.add(t);
  }

  private async begin(e: TimelineEntry): Promise<void> {
    if (!this.running || this.started.has(e.id)) return;
    this.started.add(e.id);
    let detail: string;
    const paused: { pid: number; dataDir: string }[] = [];
    try {
      if (e.fault === 'pause' || e.fault === 'kill') {
        const done: string[] = [];
        for (const m of e.target.members) {
          const p = await this.procs.processOf(m);
          if (!p) {
            done.push(`${m} is not running`);
            continue;
          }
          const sent = signalProcess(p.pid, e.fault, (pid) => isEtcdProcess(pid, p.dataDir));
          if (sent && e.fault === 'pause') paused.push(p);
          done.push(sent ? `${e.fault === 'pause' ? 'SIGSTOP' : 'SIGKILL'} ${m} (pid ${p.pid})` : `${m} (pid ${p.pid}) was gone`);
        }
        detail = done.join('; ');
      } else {
        const r = await this.layer.apply(e);
        detail = [...r.applied, ...r.skipped.map((s) => `not applied: ${s}`)].join('; ');
      }
    } catch (err) {
      detail = `could not apply: ${errorMessage(err)}`;
    }
    this.active.set(e.id, { entry: e, paused });
    this.emit({ event: 'begin', id: e.id, fault: e.fault, target: e.target, detail });
    this.log(`    fault ${describeEntry(e)}: ${detail}`);
    if (e.forMs === 0) await this.end(e.id, 'one-shot');
    else if (e.forMs !== null) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        void this.end(e.id, `after ${e.forMs} ms`);
      }, e.forMs);
      this.timers.add(t);
    }
  }

  private async end(id: string, why: string): Promise<void> {
    const a = this.active.get(id);
    if (!a || this.ended.has(id)) return;
    this.ended.add(id);
    this.active.delete(id);
    const done: string[] = [];
    for (const p of a.paused) {
      try {
        done.push(signalProcess(p.pid, 'resume', (pid) => isEtcdProcess(pid, p.dataDir)) ? `SIGCONT pid ${p.pid}` : `pid ${p.pid} was gone`);
      } catch (err) {
        done.push(errorMessage(err));
      }
    }
    await this.layer.lift(id).catch((err: unknown) => done.push(`could not lift: ${errorMessage(err)}`));
    this.emit({ event: 'end', id, fault: a.entry.fault, target: a.entry.target, detail: [why, ...done].join('; ') });
    this.log(`    fault ${id} lifted (${why})`);
  }

  private emit(e: Omit<FaultEvent, 'type' | 'at' | 'tMs'>): void {
    const ev: FaultEvent = { type: 'fault', at: new Date().toISOString(), tMs: Math.round(performance.now() - this.t0), ...e };
    this.events.push(ev);
    try {
      this.record?.(ev);
    } catch {
      // the journal is closed (the run ended under us): the event stays in `events`
    }
  }
}

/**
 * The comparable part of a journal's fault records: what was planned and, per fault, whether it began and
 * ended, without wall-clock times. Same schedule and seed: equal.
 */
export function faultTimelineOf(records: readonly { type: string }[]): { seed: string | undefined; planned: TimelineEntry[]; happened: { id: string; event: string; fault: string | undefined }[] } {
  const faults = records.filter((r): r is FaultEvent => r.type === 'fault');
  const tl = faults.find((r) => r.event === 'timeline');
  return {
    seed: tl?.seed,
    planned: tl?.entries ?? [],
    happened: faults
      .filter((r) => r.event !== 'timeline')
      .map((r) => ({ id: r.id!, event: r.event, fault: r.fault }))
      .sort((a, b) => a.id.localeCompare(b.id) || a.event.localeCompare(b.event)),
  };
}
