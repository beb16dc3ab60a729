/**
 * What a step handler (src/upgrade/kinds/*) may use of a run: the run's settings and environment, the
 * journal (append only), the cluster as it is now (observe, identity-checked), and the run's mutable facts
 * (RunState: lock, canary, baseline, backup, verification). The executor owns the loop, the journal and
 * the failure policy; a handler does one kind of step and returns the small facts its step-end records.
 * Data flows one way: settings -> plan (steps.ts) -> journal -> member ops (driver) -> report.
 */
import type { ConnectionConfig } from '../client/connection.js';
import type { HistoryReport } from '../history/check.js';
import type { CanaryReport, CanaryWorkload } from '../workload/canary.js';
import type { DriverMember, DriverResult, MemberOps } from './drivers/types.js';
import type { GateThresholds } from './gates.js';
import type { HookRecord, JournalRecord, RunBeginRecord } from './journal.js';
import type { RunTelemetry } from './telemetry.js';
import type { UpgradeLock } from './lock.js';
import type { ClusterObservation } from './observation.js';
import type { LeaderTransferPolicy } from './order.js';
import type { FailurePolicy } from './policy.js';
import type { ProgressSink } from './progress.js';
import type { RunPaths } from './runs.js';
import type { Hop, Step } from './steps.js';

export interface UpgradeSettings {
  to: string;
  from: string;
  /** Versions along the way, from first to last. */
  path: string[];
  hops: Hop[];
  loadOpsPerSec: number;
  soakMs: number;
  onFailure: FailurePolicy;
  gates: GateThresholds;
  leaderTransfer: LeaderTransferPolicy;
  drain: boolean;
  backup: boolean;
  baselineMs: number;
  readyTimeoutMs: number;
  clusterVersionTimeoutMs: number;
  stopTimeoutMs: number;
  startTimeoutMs: number;
  installTimeoutMs: number;
  /** `--assume-v2-clean`: the user checked every member with `etcdutl check v2store` (exec driver without `check`). */
  assumeV2Clean?: boolean | undefined;
}

export interface ExecutorEnv {
  config: ConnectionConfig;
  driver: MemberOps;
  home: string;
  /** How to reach the cluster again (journaled; never credentials). */
  target: { cluster?: string | undefined; endpoints: string[] };
  driverConfig?: string | undefined;
  log: (line: string) => void;
  /** Step list / live view; default: plain lines through `log`. */
  progress?: ProgressSink | undefined;
  signal: AbortSignal;
  /** Hook points for `upshift rehearse` (fault schedule, members behind proxies); none in a plain upgrade. */
  hooks?: ExecutorHooks | undefined;
  /** The run-begin record's `kind` (absent: an upgrade), e.g. `rehearse`. */
  runKind?: string | undefined;
}

/**
 * The executor's hook points, all optional. Awaited where they are called, so what a hook does (e.g. a
 * fault that starts "after step X") is in place before the run goes on.
 */
export interface ExecutorHooks {
  /** The run's journal is open (fresh or resumed); `record` appends hook records to it until the run ends. */
  onRunStart?(run: { runId: string; journal: string; record: (r: HookRecord) => void }): void | Promise<void>;
  /** A step's begin / end was journaled. */
  onStep?(e: { phase: 'begin' | 'end'; step: Step; ok?: boolean | undefined }): void | Promise<void>;
  /** The run is about to journal its end (last moment for `record`). */
  onRunEnd?(): void | Promise<void>;
  /** Where a member whose advertised client URL is `clientURL` really listens (liveness probes: a proxy in front of a stopped member still accepts). */
  probeURL?(clientURL: string): string;
}

/** The run's facts that steps produce and later steps (and the report) use. */
export interface RunState {
  lock?: UpgradeLock | undefined;
  lockLost?: string | undefined;
  workload?: CanaryWorkload | undefined;
  workloadReport?: CanaryReport | undefined;
  baseline?: { p99Ms?: number | undefined; alarms: string[] } | undefined;
  backupFile?: string | undefined;
  consistent?: boolean | undefined;
  verification?: HistoryReport | undefined;
  histories: string[];
  lastObs?: ClusterObservation | undefined;
}

export interface RunContext {
  readonly env: ExecutorEnv;
  readonly settings: UpgradeSettings;
  readonly paths: RunPaths;
  readonly begin: RunBeginRecord;
  readonly records: readonly JournalRecord[];
  readonly state: RunState;
  readonly progress: ProgressSink;
  /** The run's abort signal while steps run; undefined once it is stopping (the way out must still work). */
  readonly signal: AbortSignal | undefined;
  /** Observations and gate samples for the dashboard and report (journal `observation` / `gate-sample`). */
  readonly telemetry: RunTelemetry;
  append(r: JournalRecord): void;
  log(line: string): void;
  /** TCP probe of a member's client URL, where it really listens (ExecutorHooks.probeURL). */
  probe(url: string): Promise<'refused' | 'open' | 'timeout'>;
  /** The cluster as it is now; throws wrong-cluster when what answers is not the run's cluster. */
  observe(): Promise<ClusterObservation>;
  /** Before something that changes the cluster: what answers must still be the run's cluster. */
  checkCluster(): Promise<void>;
  driverMember(name: string, obs?: ClusterObservation): DriverMember;
}

/** A step handler: does the step, returns the facts its step-end records (journal `detail`). */
export type StepHandler = (ctx: RunContext, step: Step) => Promise<Record<string, unknown> | undefined>;

export const iso = (): string => new Date().toISOString();

/** What a driver call did, for the journal. */
export function driverDetail(r: DriverResult): Record<string, unknown> {
  return { durationMs: Math.round(r.durationMs), ...(r.command ? { command: r.command } : {}), ...(r.stdout ? { stdout: r.stdout } : {}), ...(r.stderr ? { stderr: r.stderr } : {}), ...(r.detail ?? {}) };
}

export function firstLine(s: string): string {
  return s.split('\n')[0]!;
}
