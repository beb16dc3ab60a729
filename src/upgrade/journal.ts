/**
 * The run journal: append-only JSONL under $UPSHIFT_HOME/runs/<id>/journal.jsonl, every record
 * fsynced before the executor acts on it (src/core/files.ts JsonlJournal). A step is journaled `begin`
 * before it runs and `end` after; `reconstruct` reads the records back, compares them with the
 * cluster as it is now, and says where a resumed run picks up — after a kill -9 at any point.
 *
 * Record types (append-only; readers must ignore types they do not know):
 *  run-begin     the run: versions, path, planned steps, settings, the cluster it belongs to; `operation`
 *                (absent = 'upgrade') says whether it is an `upshift upgrade` or an `upshift downgrade` run
 *  step-begin / step-end   every step, before and after it runs
 *  decision      what the failure policy (or the leadership logic) decided, and why
 *  rollback      a member put back on its previous binary while the cluster is mixed (begin/end, and the
 *                stages of replacing it as a fresh member)
 *  rollback-plan the steps that replace the rest of the plan after a failure: `downgrade` (after the
 *                cluster-version bump of a hop into 3.6+: etcd's downgrade API back to the hop's source) or
 *                `cancel` (a downgrade abandoned half-way: cancel, newer binaries back); its steps are
 *                journaled like any other and a resume continues them
 *  lock, resume, run-end
 *  observation, gate-sample   telemetry (below)
 *  fault         a hook's record (rehearsal fault timeline)
 */
import type { Step } from './steps.js';
import type { ClusterObservation } from './observation.js';
import { sameVersion } from './observation.js';
import type { ReplaceStage } from './replace.js';
import type { GateCheck } from './gates.js';

export type RunResult = 'succeeded' | 'paused' | 'rolled-back' | 'failed' | 'aborted';

export interface RunBeginRecord {
  type: 'run-begin';
  at: string;
  runId: string;
  /** What kind of run: absent for an upgrade; `rehearse` for an upgrade of a rehearsal's throw-away copy. */
  kind?: string | undefined;
  from: string;
  to: string;
  path: string[];
  /**
   * How to reach the cluster again on resume (never credentials: those come from flags/env again), and which
   * cluster it is: its id and member ids when the run began (identity.ts checks every later observation against them).
   */
  target: { cluster?: string | undefined; endpoints: string[]; clusterId?: string | undefined; members?: { name: string; id: string }[] | undefined };
  driver: string;
  driverConfig?: string | undefined;
  options: Record<string, unknown>;
  steps: Step[];
  /** Version each member ran when the run began (for rollback). */
  memberVersions: Record<string, string>;
  /** 'downgrade' for `upshift downgrade` runs; absent in upgrade runs (and in journals written before it existed). */
  operation?: 'upgrade' | 'downgrade' | undefined;
  /** Flag changes the driver will make at each start (local driver), as planned before anything was touched. */
  flagChanges?: { member: string; version: string; from: string; action: string; to?: string | undefined }[] | undefined;
  pid: number;
  host: string;
}

export interface StepBeginRecord {
  type: 'step-begin';
  at: string;
  step: string;
  attempt: number;
}

export interface StepEndRecord {
  type: 'step-end';
  at: string;
  step: string;
  ok: boolean;
  durationMs: number;
  error?: string | undefined;
  /** Small structured facts (backup file, baseline P99, gate report, captured command output tails). */
  detail?: Record<string, unknown> | undefined;
}

export interface DecisionRecord {
  type: 'decision';
  at: string;
  step?: string | undefined;
  decision: 'rollback' | 'pause' | 'stop' | 'skip' | 'reorder' | 'retry';
  reason: string;
  member?: string | undefined;
}

export interface RollbackRecord {
  type: 'rollback';
  at: string;
  member: string;
  /** 'replace': one stage of replacing the member as a fresh one (replace.ts), journaled begin and end. */
  phase: 'begin' | 'end' | 'replace';
  toVersion: string;
  stage?: ReplaceStage | undefined;
  status?: 'begin' | 'end' | undefined;
  ok?: boolean | undefined;
  error?: string | undefined;
  detail?: Record<string, unknown> | undefined;
}

export interface LockRecord {
  type: 'lock';
  at: string;
  action: 'acquired' | 'released' | 'lost';
  key: string;
  lease?: string | undefined;
}

export interface ResumeRecord {
  type: 'resume';
  at: string;
  pid: number;
  fromStep?: string | undefined;
  reason: string;
}

export interface RunEndRecord {
  type: 'run-end';
  at: string;
  result: RunResult;
  exitCode: number;
  message?: string | undefined;
  report?: Record<string, unknown> | undefined;
}

/*
 * Telemetry records (what the dashboard's timelines and `report.html` draw). Append-only like the rest,
 * but written without an fsync of their own (telemetry.ts: a sample is not a decision; the next decision
 * record's fsync makes them durable too). Readers that do not know them skip them: `reconstruct` and
 * `memberDurations` look only at the types above, so journals with and without them read the same.
 */

/** One member as observed: version, leadership, raft applied index and backend size. */
export interface ObservedMember {
  name: string;
  id: string;
  reachable: boolean;
  healthy: boolean;
  leader: boolean;
  version?: string | undefined;
  /** Raft applied index (3.4+), else the committed index (3.3). */
  applied?: number | undefined;
  /** Backend (bbolt) size in bytes, from Status. */
  dbSize?: number | undefined;
}

/** The cluster as the executor observed it: at most one a second, and at every change of leader, version or reachability. */
export interface ObservationRecord {
  type: 'observation';
  at: string;
  clusterVersion?: string | undefined;
  members: ObservedMember[];
}

/** Gate values while a member soaks (about one a second); the verdict is the soak step's step-end `detail.gates`. */
export interface GateSampleRecord {
  type: 'gate-sample';
  at: string;
  step: string;
  member: string;
  checks: GateCheck[];
}

export type TelemetryRecord = ObservationRecord | GateSampleRecord;

/**
 * A record a hook (ExecutorHooks.onRunStart's `record`) adds to the run's journal, e.g. the fault
 * timeline of a rehearsal (src/faults/runner.ts). Resume and status ignore it.
 */
export interface HookRecord {
  type: 'fault';
  at: string;
  [key: string]: unknown;
}

export type JournalRecord = RunBeginRecord | StepBeginRecord | StepEndRecord | DecisionRecord | RollbackRecord | RollbackPlanRecord | LockRecord | ResumeRecord | RunEndRecord | TelemetryRecord | HookRecord;

export interface RollbackPlanRecord {
  type: 'rollback-plan';
  at: string;
  /** `downgrade`: back through etcd's downgrade API; `cancel`: a downgrade abandoned, newer binaries back. */
  mode: 'downgrade' | 'cancel';
  /** The step whose failure led here. */
  failedStep: string;
  reason: string;
  /** The steps run instead of the rest of the plan. */
  steps: Step[];
}


/** The rollback plan that replaced the rest of the run's steps, if any (the last one wins). */
export function rollbackPlanOf(records: readonly JournalRecord[]): RollbackPlanRecord | undefined {
  return [...records].reverse().find((r): r is RollbackPlanRecord => r.type === 'rollback-plan');
}

/** The steps a run carries out: its planned steps, or its rollback plan's once one was journaled. */
export function effectiveSteps(begin: RunBeginRecord, records: readonly JournalRecord[]): Step[] {
  return rollbackPlanOf(records)?.steps ?? begin.steps;
}

export type StepStatus = 'done' | 'failed' | 'begun' | 'pending';

export interface StepState {
  step: Step;
  status: StepStatus;
  attempts: number;
  lastEnd?: StepEndRecord | undefined;
}

export type ResumePoint =
  | { state: 'empty'; message: string }
  | { state: 'finished'; result: RunResult; message: string }
  | {
      state: 'resumable';
      begin: RunBeginRecord;
      /** The steps the run carries out (begin.steps, or the journaled rollback plan's). */
      steps: Step[];
      /** Index into `steps` of the first step to run. */
      nextIndex: number;
      /** Steps found done (journal or cluster state). */
      done: string[];
      /** A member whose rollback was begun and must be finished before anything else. */
      rollback?: { member: string; toVersion: string } | undefined;
      /** The run was paused (by --on-failure pause, or a failed step) rather than killed. */
      paused: boolean;
      message: string;
      /** Facts carried over from finished steps (backup file, baseline, ...). */
      facts: Record<string, Record<string, unknown>>;
    };

/**
 * Where does a run resume? A step begun but not ended is checked against the cluster as observed now:
 *  - stop: done if the member no longer answers, else run again;
 *  - start: done if the member answers and runs the hop's target, else run again;
 *  - everything else is idempotent (install, waits, gates, backup, lock, workload) and runs again.
 * A step that ended with an error is run again (resume after a pause is "try again from there").
 */
export function reconstruct(records: readonly JournalRecord[], observed: ClusterObservation): ResumePoint {
  const begin = records.find((r): r is RunBeginRecord => r.type === 'run-begin');
  if (!begin) return { state: 'empty', message: 'the journal holds no run' };
  const end = [...records].reverse().find((r): r is RunEndRecord => r.type === 'run-end');
  // A run-end followed by a resume means the run was paused and resumed, then killed: still open.
  const lastEndIdx = end ? records.lastIndexOf(end) : -1;
  const resumedAfterEnd = records.slice(lastEndIdx + 1).some((r) => r.type === 'resume');
  if (end && !resumedAfterEnd && end.result !== 'paused') {
    return { state: 'finished', result: end.result, message: `run ${begin.runId} already ended: ${end.result}` };
  }

  const plan = rollbackPlanOf(records);
  const steps = plan?.steps ?? begin.steps;
  const states = new Map<string, StepState>(steps.map((s) => [s.id, { step: s, status: 'pending' as StepStatus, attempts: 0 }]));
  const facts: Record<string, Record<string, unknown>> = {};
  for (const r of records) {
    if (r.type === 'step-begin') {
      const st = states.get(r.step);
      if (st) {
        st.status = 'begun';
        st.attempts++;
      }
    } else if (r.type === 'step-end') {
      const st = states.get(r.step);
      if (st) {
        st.status = r.ok ? 'done' : 'failed';
        st.lastEnd = r;
      }
      // Facts of every finished step, planned or rollback (the backup file, the baseline).
      if (r.ok && r.detail) facts[r.step] = r.detail;
    }
  }

  // An unfinished member rollback comes first.
  const rb = new Map<string, RollbackRecord>();
  for (const r of records) if (r.type === 'rollback') rb.set(r.member, r);
  const openRollback = plan ? undefined : [...rb.values()].find((r) => r.phase !== 'end' || r.ok === false);

  const done: string[] = [];
  let nextIndex = steps.length;
  for (let i = 0; i < steps.length; i++) {
    const st = states.get(steps[i]!.id)!;
    if (st.status === 'done') {
      done.push(st.step.id);
      continue;
    }
    if (st.status === 'begun' && begunStepIsDone(st.step, observed)) {
      done.push(st.step.id);
      continue;
    }
    nextIndex = i;
    break;
  }
  const paused = end?.result === 'paused' || [...states.values()].some((s) => s.status === 'failed');
  const next = steps[nextIndex];
  const message = openRollback
    ? `finish the rollback of ${openRollback.member} to ${openRollback.toVersion}, then stop`
    : next
      ? `resume at ${next.id} (${next.description})${plan ? ` — ${plan.mode === 'cancel' ? 'cancelling the downgrade' : 'rolling back through the downgrade API'}` : ''}`
      : 'every step is done: finish the run';
  return {
    state: 'resumable',
    begin,
    steps,
    nextIndex,
    done,
    rollback: openRollback ? { member: openRollback.member, toVersion: openRollback.toVersion } : undefined,
    paused,
    message,
    facts,
  };
}

/** Is a step that was begun but never ended already done, judging by the cluster as it is now? */
export function begunStepIsDone(step: Step, observed: ClusterObservation): boolean {
  const m = step.member ? observed.members.find((x) => x.name === step.member) : undefined;
  switch (step.kind) {
    case 'stop':
      // Stopped means not answering; a member that answers on the new version was also stopped (and started since).
      return m !== undefined && (!m.reachable || (step.to !== undefined && sameVersion(m.version, step.to)));
    case 'start':
      return m !== undefined && m.reachable && step.to !== undefined && sameVersion(m.version, step.to);
    default:
      return false;
  }
}

/** Per-member durations for the final report: from the member's first step begin to its last step end. */
export function memberDurations(records: readonly JournalRecord[], steps: readonly Step[]): { name: string; hop: number; from: string; to: string; durationMs: number }[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const span = new Map<string, { name: string; hop: number; from: string; to: string; first: number; last: number }>();
  for (const r of records) {
    if (r.type !== 'step-begin' && r.type !== 'step-end') continue;
    const s = byId.get(r.step);
    if (!s?.member || s.hop === undefined) continue;
    // A rollback plan moves the same member of the same hop the other way: its own row.
    const k = `${s.hop}/${s.member}/${s.to}`;
    const t = Date.parse(r.at);
    const cur = span.get(k) ?? { name: s.member, hop: s.hop, from: s.from ?? '', to: s.to ?? '', first: t, last: t };
    cur.first = Math.min(cur.first, t);
    cur.last = Math.max(cur.last, t);
    span.set(k, cur);
  }
  return [...span.values()].map(({ name, hop, from, to, first, last }) => ({ name, hop, from, to, durationMs: last - first }));
}
