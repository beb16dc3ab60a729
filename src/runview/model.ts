/**
 * The run view: everything the dashboard's run page and `report.html` show about one run, built from the
 * run journal (journal.ts, including its telemetry records) and the canary's per-second statistics
 * (canary.ts). Pure and dependency-free: the server builds a view from the files, the browser applies the
 * same updates to its copy (live page) or reads a frozen one (report), so both draw the same thing.
 */
import type { GateCheck } from '../upgrade/gates.js';
import type { JournalRecord, RunBeginRecord, RunResult } from '../upgrade/journal.js';

export const RUN_VIEW_VERSION = 1;

export type StepStatus = 'pending' | 'running' | 'done' | 'failed';

export interface StepView {
  id: string;
  kind: string;
  member?: string | undefined;
  hop?: number | undefined;
  description: string;
  status: StepStatus;
  attempts: number;
  /** Epoch ms of the last begin / end. */
  startedAt?: number | undefined;
  endedAt?: number | undefined;
  durationMs?: number | undefined;
  error?: string | undefined;
}

/** One member at one observation. `lag`: the leader's applied index minus this member's. */
export interface MemberPoint {
  up: boolean;
  healthy: boolean;
  leader: boolean;
  version?: string | undefined;
  applied?: number | undefined;
  lag?: number | undefined;
  dbSize?: number | undefined;
}

export interface ObservationPoint {
  t: number;
  clusterVersion?: string | undefined;
  members: Record<string, MemberPoint>;
}

/** The gates of one soak window (one member, one hop): live samples, then the verdict. */
export interface GateWindow {
  step: string;
  member: string;
  hop?: number | undefined;
  to?: string | undefined;
  startedAt?: number | undefined;
  endedAt?: number | undefined;
  /** Undefined while the window is open. */
  ok?: boolean | undefined;
  /** The verdict's checks once ended, else the latest sample's. */
  checks: GateCheck[];
  samples: { t: number; checks: GateCheck[] }[];
}

export type EventKind = 'stop' | 'start' | 'ready' | 'leader' | 'decision' | 'rollback' | 'resume' | 'failed' | 'end';

/** A moment worth marking on the time charts. */
export interface EventMark {
  t: number;
  kind: EventKind;
  member?: string | undefined;
  label: string;
}

export type JournalLevel = 'info' | 'warn' | 'error';

/** One journal record as a line of the event stream (telemetry records are charted, not listed). */
export interface JournalLine {
  t: number;
  type: string;
  level: JournalLevel;
  text: string;
}

export interface OpStats {
  /** Ops that ended in this second. */
  n: number;
  /** Of them, failed or indeterminate (after safe retries). */
  err: number;
  p50?: number | undefined;
  p90?: number | undefined;
  p99?: number | undefined;
  max?: number | undefined;
}

/** Canary statistics of one second (`t`: epoch seconds), per op type. */
export interface CanaryBucket {
  t: number;
  ops: Record<string, OpStats>;
}

export interface Verification {
  ok: boolean | null;
  lostWrites: number;
  watchViolations: number;
  linearizabilityViolations: number;
  consistent: boolean | null;
}

export type RunState = 'running' | RunResult;

export interface RunView {
  version: typeof RUN_VIEW_VERSION;
  runId: string;
  /** upgrade, or what a later run kind records in run-begin (`kind`). */
  kind: string;
  from: string;
  to: string;
  path: string[];
  driver: string;
  cluster?: string | undefined;
  clusterId?: string | undefined;
  endpoints: string[];
  members: string[];
  startedAt: number;
  endedAt?: number | undefined;
  /** `running` while the journal has no end (or was resumed after one); else the last run-end's result. */
  state: RunState;
  exitCode?: number | undefined;
  message?: string | undefined;
  /** Set by whoever reads the files: does the process that runs it still live? (false: killed, resumable) */
  alive?: boolean | undefined;
  pid: number;
  host: string;
  options: { loadOpsPerSec?: number | undefined; soakMs?: number | undefined; onFailure?: string | undefined };
  steps: StepView[];
  observations: ObservationPoint[];
  gates: GateWindow[];
  events: EventMark[];
  journal: JournalLine[];
  canary: CanaryBucket[];
  backup?: { file: string; revision?: number | undefined; size?: number | undefined } | undefined;
  baseline?: { ops?: number | undefined; errors?: number | undefined; p99Ms?: number | undefined } | undefined;
  workload?: Record<string, unknown> | undefined;
  verification?: Verification | undefined;
}

/** What the live page receives after its first full view: new journal records and changed canary seconds. */
export interface RunUpdate {
  records?: JournalRecord[];
  canary?: CanaryBucket[];
  alive?: boolean;
}

const ms = (iso: string): number => Date.parse(iso);

export function newRunView(begin: RunBeginRecord): RunView {
  const b = begin as RunBeginRecord & { kind?: string };
  const opts = begin.options as { loadOpsPerSec?: number; soakMs?: number; onFailure?: string };
  return {
    version: RUN_VIEW_VERSION,
    runId: begin.runId,
    kind: typeof b.kind === 'string' ? b.kind : 'upgrade',
    from: begin.from,
    to: begin.to,
    path: begin.path,
    driver: begin.driver,
    cluster: begin.target.cluster,
    clusterId: begin.target.clusterId,
    endpoints: begin.target.endpoints,
    members: Object.keys(begin.memberVersions).sort(),
    startedAt: ms(begin.at),
    state: 'running',
    pid: begin.pid,
    host: begin.host,
    options: { loadOpsPerSec: opts.loadOpsPerSec, soakMs: opts.soakMs, onFailure: opts.onFailure },
    steps: begin.steps.map((s) => ({ id: s.id, kind: s.kind, member: s.member, hop: s.hop, description: s.description, status: 'pending', attempts: 0 })),
    observations: [],
    gates: [],
    events: [],
    journal: [],
    canary: [],
  };
}

/** Build the whole view from a journal and the canary seconds. Undefined when the journal holds no run. */
export function buildRunView(records: readonly JournalRecord[], canary: readonly CanaryBucket[] = []): RunView | undefined {
  const begin = records.find((r): r is RunBeginRecord => r.type === 'run-begin');
  if (!begin) return undefined;
  const v = newRunView(begin);
  for (const r of records) if (r !== begin) applyRecord(v, r);
  mergeCanary(v, canary);
  return v;
}

export function applyUpdate(v: RunView, u: RunUpdate): void {
  for (const r of u.records ?? []) applyRecord(v, r);
  if (u.canary) mergeCanary(v, u.canary);
  if (u.alive !== undefined) v.alive = u.alive;
}

/** Upsert canary seconds by time (a second still filling is sent again as it grows). */
export function mergeCanary(v: RunView, buckets: readonly CanaryBucket[]): void {
  for (const b of buckets) {
    const last = v.canary[v.canary.length - 1];
    if (!last || b.t > last.t) {
      v.canary.push(b);
      continue;
    }
    // Rare: an update for an earlier second (binary search, replace or insert).
    let lo = 0;
    let hi = v.canary.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v.canary[mid]!.t < b.t) lo = mid + 1;
      else hi = mid;
    }
    if (v.canary[lo]?.t === b.t) v.canary[lo] = b;
    else v.canary.splice(lo, 0, b);
  }
}

function line(v: RunView, t: number, type: string, level: JournalLevel, text: string): void {
  v.journal.push({ t, type, level, text });
}

function mark(v: RunView, t: number, kind: EventKind, label: string, member?: string): void {
  v.events.push({ t, kind, label, ...(member ? { member } : {}) });
}

function stepOf(v: RunView, id: string): StepView | undefined {
  return v.steps.find((s) => s.id === id);
}

/** Apply one journal record (mutates the view). Unknown record types are skipped. */
export function applyRecord(v: RunView, r: JournalRecord): void {
  const t = ms(r.at);
  switch (r.type) {
    case 'run-begin':
      return;
    case 'step-begin': {
      const s = stepOf(v, r.step);
      if (!s) return;
      s.status = 'running';
      s.attempts = r.attempt;
      s.startedAt = t;
      s.endedAt = undefined;
      s.durationMs = undefined;
      s.error = undefined;
      if (s.kind === 'stop' && s.member) mark(v, t, 'stop', `stop ${s.member}`, s.member);
      if (s.kind === 'soak' && s.member) openGateWindow(v, s, t);
      line(v, t, r.type, 'info', `${r.step}: begin${r.attempt > 1 ? ` (attempt ${r.attempt})` : ''} — ${s.description}`);
      return;
    }
    case 'step-end': {
      const s = stepOf(v, r.step);
      if (!s) return;
      s.status = r.ok ? 'done' : 'failed';
      s.endedAt = t;
      s.durationMs = r.durationMs;
      s.error = r.error;
      const d = r.detail ?? {};
      if (r.ok && s.kind === 'start' && s.member) mark(v, t, 'start', `start ${s.member}`, s.member);
      if (r.ok && s.kind === 'wait-ready' && s.member) mark(v, t, 'ready', `${s.member} ready`, s.member);
      if (!r.ok) mark(v, t, 'failed', `${r.step} failed`, s.member);
      if (s.kind === 'soak' && s.member) closeGateWindow(v, s, t, r.ok, d.gates as GateCheck[] | undefined);
      if (r.ok && s.kind === 'backup' && typeof d.file === 'string') v.backup = { file: d.file, revision: d.revision as number | undefined, size: d.size as number | undefined };
      if (r.ok && s.kind === 'baseline') v.baseline = { ops: d.ops as number | undefined, errors: d.errors as number | undefined, p99Ms: d.p99Ms as number | undefined };
      if (r.ok && s.kind === 'verify') v.verification = { ...(v.verification ?? { consistent: null }), ok: d.ok as boolean, lostWrites: num(d.lostWrites), watchViolations: num(d.watchViolations), linearizabilityViolations: num(d.linearizabilityViolations) };
      if (r.ok && s.kind === 'check-consistency') v.verification = { ...(v.verification ?? { ok: null, lostWrites: 0, watchViolations: 0, linearizabilityViolations: 0 }), consistent: true };
      line(v, t, r.type, r.ok ? 'info' : 'error', `${r.step}: ${r.ok ? 'done' : 'FAILED'} in ${(r.durationMs / 1000).toFixed(1)} s${r.error ? `: ${r.error}` : ''}`);
      return;
    }
    case 'decision':
      mark(v, t, 'decision', `${r.decision}${r.member ? ` ${r.member}` : ''}`, r.member);
      line(v, t, r.type, r.decision === 'rollback' || r.decision === 'stop' ? 'warn' : 'info', `decision: ${r.decision}${r.member ? ` (${r.member})` : ''}: ${r.reason}`);
      return;
    case 'rollback': {
      const what = r.phase === 'replace' ? `replace ${r.member}: ${r.stage ?? ''} ${r.status ?? ''}` : `rollback of ${r.member} to ${r.toVersion}: ${r.phase}`;
      if (r.phase !== 'replace') mark(v, t, 'rollback', `rollback ${r.member} ${r.phase}`, r.member);
      line(v, t, r.type, r.ok === false ? 'error' : 'warn', `${what}${r.ok === false ? ` FAILED: ${r.error ?? ''}` : ''}`);
      return;
    }
    case 'lock':
      line(v, t, r.type, r.action === 'lost' ? 'error' : 'info', `lock ${r.key} ${r.action}`);
      return;
    case 'resume':
      v.state = 'running';
      v.endedAt = undefined;
      v.exitCode = undefined;
      v.pid = r.pid;
      // Steps left running by the killed process are re-run: show them pending until they begin again.
      for (const s of v.steps) if (s.status === 'running') s.status = 'pending';
      for (const g of v.gates) if (g.ok === undefined && g.endedAt === undefined) g.endedAt = t;
      mark(v, t, 'resume', 'resume');
      line(v, t, r.type, 'info', `resumed by pid ${r.pid}${r.fromStep ? ` at ${r.fromStep}` : ''}: ${r.reason}`);
      return;
    case 'run-end': {
      v.state = r.result;
      v.endedAt = t;
      v.exitCode = r.exitCode;
      v.message = r.message;
      for (const s of v.steps) if (s.status === 'running') s.status = 'failed';
      const rep = r.report as { verification?: Partial<Verification>; workload?: Record<string, unknown> } | undefined;
      if (rep?.verification) {
        const x = rep.verification;
        v.verification = { ok: x.ok ?? null, lostWrites: num(x.lostWrites), watchViolations: num(x.watchViolations), linearizabilityViolations: num(x.linearizabilityViolations), consistent: x.consistent ?? null };
      }
      if (rep?.workload) v.workload = rep.workload;
      mark(v, t, 'end', r.result);
      line(v, t, r.type, r.result === 'succeeded' ? 'info' : r.result === 'failed' ? 'error' : 'warn', `run ${r.result} (exit ${r.exitCode})${r.message ? `: ${r.message}` : ''}`);
      return;
    }
    case 'observation':
      addObservation(v, t, r.clusterVersion, r.members);
      return;
    case 'gate-sample': {
      const g = [...v.gates].reverse().find((w) => w.step === r.step && w.ok === undefined);
      if (!g) return;
      g.samples.push({ t, checks: r.checks });
      g.checks = r.checks;
      return;
    }
    default:
      return;
  }
}

function num(x: unknown): number {
  return typeof x === 'number' ? x : 0;
}

function openGateWindow(v: RunView, s: StepView, t: number): void {
  v.gates.push({ step: s.id, member: s.member!, hop: s.hop, to: stepTarget(v, s), startedAt: t, checks: [], samples: [] });
}

function stepTarget(v: RunView, s: StepView): string | undefined {
  return s.hop !== undefined ? v.path[s.hop] : undefined;
}

function closeGateWindow(v: RunView, s: StepView, t: number, ok: boolean, checks: GateCheck[] | undefined): void {
  let g = [...v.gates].reverse().find((w) => w.step === s.id && w.ok === undefined);
  if (!g) {
    g = { step: s.id, member: s.member!, hop: s.hop, to: stepTarget(v, s), startedAt: s.startedAt, checks: [], samples: [] };
    v.gates.push(g);
  }
  g.endedAt = t;
  // A soak interrupted by a signal has no verdict: it failed as a step, not as a gate.
  g.ok = checks ? ok && checks.every((c) => c.ok) : ok;
  if (checks) g.checks = checks;
}

function addObservation(v: RunView, t: number, clusterVersion: string | undefined, members: readonly { name: string; reachable: boolean; healthy: boolean; leader: boolean; version?: string | undefined; applied?: number | undefined; dbSize?: number | undefined }[]): void {
  const leader = members.find((m) => m.leader && m.reachable);
  const point: ObservationPoint = { t, clusterVersion, members: {} };
  for (const m of members) {
    if (!m.name) continue;
    if (!v.members.includes(m.name)) v.members = [...v.members, m.name].sort();
    point.members[m.name] = {
      up: m.reachable,
      healthy: m.healthy,
      leader: m.leader && m.reachable,
      version: m.version,
      applied: m.applied,
      lag: leader?.applied !== undefined && m.applied !== undefined && m.reachable ? Math.max(0, leader.applied - m.applied) : undefined,
      dbSize: m.dbSize,
    };
  }
  const prev = v.observations[v.observations.length - 1];
  const prevLeader = prev ? Object.entries(prev.members).find(([, p]) => p.leader)?.[0] : undefined;
  const nowLeader = leader?.name;
  if (nowLeader && prevLeader !== nowLeader) mark(v, t, 'leader', `leader ${nowLeader}`, nowLeader);
  v.observations.push(point);
}

/** running | interrupted (its process is known dead: resumable) | the run's result. */
export function runStateLabel(v: Pick<RunView, 'state' | 'alive'>): string {
  if (v.state !== 'running') return v.state;
  return v.alive === false ? 'interrupted' : 'running';
}

/** The step now running (or the last one that ran). */
export function currentStep(v: RunView): StepView | undefined {
  return v.steps.find((s) => s.status === 'running') ?? [...v.steps].reverse().find((s) => s.status !== 'pending');
}

/** Members whose upgrade steps all finished (for progress counts). */
export function membersUpgraded(v: RunView): number {
  const byMember = new Map<string, StepView[]>();
  for (const s of v.steps) if (s.member && s.kind !== 'quorum-check') byMember.set(`${s.hop ?? 0}/${s.member}`, [...(byMember.get(`${s.hop ?? 0}/${s.member}`) ?? []), s]);
  let n = 0;
  for (const steps of byMember.values()) if (steps.every((s) => s.status === 'done')) n++;
  return n;
}
