/**
 * The run executor (upgrade and downgrade): runs a step plan (steps.ts) against a live cluster through a
 * driver, under the canary workload, journaling every step before and after (journal.ts), and applying the
 * failure policy (policy.ts). Each step kind is done by its handler (kinds/*); this module owns the loop,
 * the journal, the identity check, the failure decisions and the report. All decisions are pure functions
 * of observations; this module only gathers observations and carries decisions out.
 *
 * On failure: while the cluster is mixed, the failed member goes back to its binary (rollback.ts); after
 * the cluster-version bump of a hop into 3.6+, a rollback plan through etcd's downgrade API replaces the rest
 * of the run (journaled `rollback-plan`, resumable like any step); a downgrade run is cancelled as upstream
 * documents; otherwise the run pauses or stops and says what to do.
 */
import { hostname } from 'node:os';
import { existsSync } from 'node:fs';
import { errorMessage, ProblemError, UpshiftError, ExitCode, type ExitCodeValue } from '../core/errors.js';
import { writeFileAtomic, JsonlJournal } from '../core/files.js';
import type { DriverMember } from './drivers/types.js';
import { memberEndpoint, observeCluster, tcpProbe } from './observe.js';
import type { ClusterObservation } from './observation.js';
import { preflight } from './preflight.js';
import { DEFAULT_GATES } from './gates.js';
import { decideOnFailure, type FailureDecision } from './policy.js';
import { hopNeedsReadiness, planDowngrade, planDowngradeCancel, planDowngradeRollback, planRun, type Hop, type Step, type StepKind } from './steps.js';
import { effectiveSteps, memberDurations, reconstruct, rollbackPlanOf, type JournalRecord, type RunBeginRecord, type RunResult } from './journal.js';
import { createRun, newRunId, runPaths, type RunPaths, type RunSummary } from './runs.js';
import { UpgradeLock, LOCK_KEY } from './lock.js';
import { plainProgress, type ProgressSink } from './progress.js';
import { clusterMismatch, isWrongCluster, runMembers, wrongCluster } from './identity.js';
import { reviewFlags, assertFlagsResolved, describeFlagChanges } from './flags.js';
import { blockersOf, describeFinding, runReadinessChecks, type ReadinessFinding } from './readiness/index.js';
import { iso, type ExecutorEnv, type RunContext, type RunState, type UpgradeSettings } from './context.js';
import { journalTelemetry, type RunTelemetry } from './telemetry.js';
import { stepHandlers } from './kinds/index.js';
import { acquireLock } from './kinds/run.js';
import { resumeWorkload, verifyHistories } from './kinds/workload.js';
import { rollBackMember } from './rollback.js';
import { hopFigures, hopWindows, type HopFigures } from './figures.js';
import { readHistory } from '../history/io.js';

export type { ExecutorEnv, ExecutorHooks, UpgradeSettings } from './context.js';

export const DEFAULT_SETTINGS: Omit<UpgradeSettings, 'to' | 'from' | 'path' | 'hops'> = {
  loadOpsPerSec: 50,
  soakMs: 5000,
  onFailure: 'rollback',
  gates: DEFAULT_GATES,
  leaderTransfer: 'auto',
  drain: true,
  backup: true,
  baselineMs: 3000,
  readyTimeoutMs: 60_000,
  // The leader re-checks member versions every ~4 s (etcd@v3.6.14:server/etcdserver/server.go monitorClusterVersions).
  clusterVersionTimeoutMs: 30_000,
  stopTimeoutMs: 30_000,
  startTimeoutMs: 60_000,
  installTimeoutMs: 300_000,
};

export type Operation = 'upgrade' | 'downgrade';

export interface UpgradeReport {
  result: RunResult;
  runId: string;
  /** `upgrade` or `downgrade` (extension). */
  operation: Operation;
  from: string;
  to: string;
  path: string[];
  clusterVersion: string | null;
  backup: { file: string } | null;
  members: { name: string; hop: number; from: string; to: string; durationMs: number }[];
  workload: {
    ops: number;
    failed: number;
    indeterminate: number;
    retries: number;
    stalled: number;
    maxWriteGapMs: number;
    p99Ms: number | null;
    baselineP99Ms: number | null;
    firstAttemptFailures: Record<string, number>;
    /** The same figures over the time each hop (and each way back) took (extension). */
    perHop?: Omit<HopFigures, 'start' | 'end'>[] | undefined;
  } | null;
  verification: { lostWrites: number; watchViolations: number; linearizabilityViolations: number; consistent: boolean | null; ok: boolean | null; histories: string[] };
  /** The way back the run took after a failure (extension): through the downgrade API, or a cancelled downgrade. */
  rollback?: { mode: 'downgrade' | 'cancel' | 'member'; failedStep: string } | undefined;
  journal: string;
  /** The run's self-contained HTML report (written by the command after the run: dashboard/report.ts). */
  reportHtml?: string | undefined;
  message?: string | undefined;
  downgradePath?: string | undefined;
}

/** A step failed; carries the step for the failure policy. */
class StepFailure extends Error {
  constructor(
    readonly step: Step,
    override readonly cause: unknown,
  ) {
    super(`${step.id}: ${errorMessage(cause)}`);
  }
}

/** Steps that change the cluster, the members or the run's record of them: each is preceded by an identity check. */
const CHANGES_CLUSTER: ReadonlySet<StepKind> = new Set<StepKind>(['acquire-lock', 'backup', 'baseline', 'leadership', 'stop', 'install', 'start', 'stop-workload', 'verify', 'release-lock', 'downgrade-enable', 'downgrade-cancel']);
const EXIT: Record<RunResult, ExitCodeValue> = { succeeded: ExitCode.ok, paused: ExitCode.stoppedSafely, 'rolled-back': ExitCode.stoppedSafely, failed: ExitCode.needsAttention, aborted: ExitCode.stoppedSafely };

/**
 * Test and rehearsal hook: `UPSHIFT_FAULT_FAIL_STEP=<step id>[,<step id>...]` makes those steps fail right after
 * they did their work (a failure the policy then handles: rollback, pause). Never set in normal use.
 */
function injectedFailure(step: Step): Error | undefined {
  const ids = (process.env.UPSHIFT_FAULT_FAIL_STEP ?? '').split(',').map((x) => x.trim());
  return ids.includes(step.id) ? new ProblemError('injected-failure', `failure injected after ${step.id} (UPSHIFT_FAULT_FAIL_STEP)`) : undefined;
}

export class UpgradeExecutor implements RunContext {
  readonly state: RunState = { histories: [] };
  private stopping = false;
  private progressSink: ProgressSink | undefined;
  private telemetrySink: RunTelemetry | undefined;

  private constructor(
    readonly env: ExecutorEnv,
    readonly settings: UpgradeSettings,
    readonly paths: RunPaths,
    private readonly journal: JsonlJournal,
    readonly begin: RunBeginRecord,
    readonly records: JournalRecord[],
  ) {}

  private get operation(): Operation {
    return this.begin.operation ?? 'upgrade';
  }

  /** The steps being carried out: the plan, or the rollback plan that replaced its rest. */
  private get steps(): Step[] {
    return effectiveSteps(this.begin, this.records);
  }

  append(r: JournalRecord): void {
    this.journal.append(r as unknown as Record<string, unknown>);
    this.records.push(r);
  }

  get progress(): ProgressSink {
    return (this.progressSink ??= this.env.progress ?? plainProgress(this.env.log));
  }

  log(line: string): void {
    this.progress.info(line);
  }

  get telemetry(): RunTelemetry {
    return (this.telemetrySink ??= journalTelemetry(this.journal));
  }

  probe(url: string): Promise<'refused' | 'open' | 'timeout'> {
    return tcpProbe(this.env.hooks?.probeURL?.(url) ?? url);
  }

  private async hookRunStart(): Promise<void> {
    await this.env.hooks?.onRunStart?.({ runId: this.paths.runId, journal: this.paths.journal, record: (r) => this.append(r) });
  }

  /** The run's abort signal while steps run; none once it is stopping (the way out must still work). */
  get signal(): AbortSignal | undefined {
    return this.stopping ? undefined : this.env.signal;
  }

  /** The cluster as it is now; refuses (wrong-cluster) when what answers is not the run's cluster. */
  async observe(): Promise<ClusterObservation> {
    const obs = await observeCluster(this.env.config, { signal: this.signal });
    const foreign = clusterMismatch(this.begin, this.records, obs);
    if (foreign) throw wrongCluster(this.begin, obs.clusterId, foreign);
    this.state.lastObs = obs;
    this.telemetry.observed(obs);
    return obs;
  }

  /** Before a step that changes anything: what answers must still be the run's cluster. */
  async checkCluster(): Promise<void> {
    try {
      await this.observe();
    } catch (e) {
      if (isWrongCluster(e)) throw e;
      // Nothing answers (e.g. the only member is stopped): nothing to compare; the step meets whatever is wrong itself.
    }
  }

  driverMember(name: string, obs?: ClusterObservation): DriverMember {
    const m = (obs ?? this.state.lastObs)?.members.find((x) => x.name === name);
    if (!m) throw new ProblemError('member-unknown', `member ${name} is not in the cluster's member list`);
    return { name, id: m.id, clientURL: memberEndpoint(m, this.env.config.endpoints) ?? '', peerURL: m.peerURLs[0] ?? '' };
  }

  // ---------------------------------------------------------------- entry points

  /** Plan the steps for the observed cluster without touching anything (--dry-run, and the start of a real run). */
  static plan(obs: ClusterObservation, settings: UpgradeSettings, operation: Operation = 'upgrade'): Step[] {
    const o = { backup: settings.backup, loadOpsPerSec: settings.loadOpsPerSec, soakMs: settings.soakMs, drain: settings.drain };
    return operation === 'downgrade' ? planDowngrade(obs, { ...o, from: settings.from, to: settings.to }) : planRun(obs, settings.hops, o);
  }

  /**
   * The readiness checks of every hop, before anything is touched (each hop checks again when it starts).
   * Blockers refuse the run: exit 1, nothing changed.
   */
  static async readiness(env: ExecutorEnv, settings: UpgradeSettings, obs: ClusterObservation): Promise<ReadinessFinding[]> {
    if (!settings.hops.some(hopNeedsReadiness)) return [];
    return runReadinessChecks({ config: env.config, driver: env.driver, home: env.home, obs, assumeV2Clean: settings.assumeV2Clean, signal: env.signal, log: env.log }, { path: settings.path, hops: settings.hops });
  }

  /** A fresh run: preflight, readiness and flags (each refuses with exit 1 before anything is touched), then every step. */
  static async start(env: ExecutorEnv, settings: UpgradeSettings, obs: ClusterObservation, operation: Operation = 'upgrade'): Promise<UpgradeReport> {
    assertPreflight(obs);
    if (operation === 'upgrade') assertReady(await UpgradeExecutor.readiness(env, settings, obs));
    const steps = UpgradeExecutor.plan(obs, settings, operation);
    // Flags a target cannot take refuse the run before anything is touched; the rest is applied (and journaled) at each start.
    const flagChanges = await reviewFlags(env.driver, obs.members.map((m) => m.name).filter(Boolean), settings.hops);
    assertFlagsResolved(flagChanges);
    // The lock is part of preflight: a second run on the same cluster is refused (exit 1) before it
    // creates a run or touches anything.
    const runId = newRunId();
    const lock = await UpgradeLock.acquire(env.config, { runId, to: settings.to });
    const begin: RunBeginRecord = {
      type: 'run-begin',
      at: iso(),
      runId,
      ...(operation === 'downgrade' ? { operation } : {}),
      ...(env.runKind ? { kind: env.runKind } : {}),
      from: settings.from,
      to: settings.to,
      path: settings.path,
      // The run belongs to this cluster: every later observation is checked against these ids (identity.ts).
      target: { ...env.target, clusterId: obs.clusterId, members: runMembers(obs) },
      driver: env.driver.kind,
      driverConfig: env.driverConfig,
      options: { ...settings },
      steps,
      memberVersions: Object.fromEntries(obs.members.map((m) => [m.name, m.version ?? settings.from])),
      ...(flagChanges.some((r) => r.adjustments.length > 0) ? { flagChanges: flagChanges.flatMap((r) => r.adjustments.map((a) => ({ member: r.member, version: r.version, from: a.from, action: a.action, ...(a.to ? { to: a.to } : {}) }))) } : {}),
      pid: process.pid,
      host: hostname(),
    };
    let created: Awaited<ReturnType<typeof createRun>>;
    try {
      created = await createRun(env.home, begin);
    } catch (e) {
      await lock.release();
      throw e;
    }
    const { paths, journal } = created;
    const ex = new UpgradeExecutor(env, settings, paths, journal, begin, [begin]);
    ex.state.lock = lock;
    lock.onLost = (why) => (ex.state.lockLost = why);
    ex.append({ type: 'lock', at: iso(), action: 'acquired', key: LOCK_KEY, lease: lock.leaseId });
    ex.state.lastObs = obs;
    ex.telemetry.observed(obs);
    ex.progress.begin?.(paths.runId);
    ex.log(`upshift ${operation}: run ${paths.runId}: ${settings.path.join(' -> ')}, ${steps.length} steps; journal ${paths.journal}`);
    for (const line of describeFlagChanges(flagChanges)) ex.log(`    flag change: ${line}`);
    await ex.hookRunStart();
    return ex.guarded(() => ex.runFrom(0));
  }

  /** Resume a run after a kill or a pause: reconstruct from the journal and the cluster as it is now. */
  static async resume(env: ExecutorEnv, run: RunSummary): Promise<UpgradeReport> {
    const ex = await UpgradeExecutor.reopen(env, run);
    const point = ex.point;
    const rb = point.rollback;
    return ex.guarded(async () => (rb ? ex.finishWith(await rollBackMember(ex, rb.member, rb.toVersion), 'member') : ex.runFrom(point.nextIndex)));
  }

  /**
   * `upshift downgrade cancel`: abandon an open downgrade run as upstream documents it
   * (web:content/en/docs/v3.6/downgrades/downgrade_3_6.md "Rollback"): cancel the downgrade, start the members
   * already downgraded on their newer binary again, wait for the cluster version to come back. Journaled as
   * a `cancel` rollback plan, so a killed cancel resumes like any run.
   */
  static async cancelDowngrade(env: ExecutorEnv, run: RunSummary): Promise<UpgradeReport> {
    if ((run.begin.operation ?? 'upgrade') !== 'downgrade') {
      throw new ProblemError('not-a-downgrade', `run ${run.runId} is an upgrade: there is no downgrade to cancel`, { hint: '`upshift upgrade abort` stops an upgrade run; `upshift upgrade resume` continues it' });
    }
    const ex = await UpgradeExecutor.reopen(env, run);
    const plan = rollbackPlanOf(ex.records);
    if (plan?.mode === 'cancel') return ex.guarded(() => ex.runFrom(ex.point.nextIndex));
    const obs = ex.state.lastObs!;
    const steps = planDowngradeCancel(obs, run.begin.memberVersions, { n: 1, to: ex.settings.to, load: ex.settings.loadOpsPerSec > 0, drain: ex.settings.drain });
    const reason = `downgrade cancel requested (pid ${process.pid})`;
    ex.append({ type: 'decision', at: iso(), decision: 'rollback', reason });
    ex.append({ type: 'rollback-plan', at: iso(), mode: 'cancel', failedStep: ex.point.steps[ex.point.nextIndex]?.id ?? 'none', reason, steps });
    return ex.guarded(() => ex.runFrom(0));
  }

  /** Where a resumed run is (set by reopen). */
  private point!: Extract<ReturnType<typeof reconstruct>, { state: 'resumable' }>;

  /** An executor for an open run: identity checked, journal reopened, facts of finished steps restored, lock re-taken. */
  private static async reopen(env: ExecutorEnv, run: RunSummary): Promise<UpgradeExecutor> {
    const obs = await observeCluster(env.config, { signal: env.signal });
    // Another cluster's journal is never carried out: refuse before writing or touching anything.
    const foreign = clusterMismatch(run.begin, run.records, obs);
    if (foreign) throw wrongCluster(run.begin, obs.clusterId, foreign);
    const point = reconstruct(run.records, obs);
    if (point.state !== 'resumable') throw new ProblemError('nothing-to-resume', `run ${run.runId}: ${point.message}`, { hint: 'start a new run with `upshift upgrade --to V`' });
    const b = point.begin;
    const opts = b.options as Partial<UpgradeSettings>;
    const settings: UpgradeSettings = { ...DEFAULT_SETTINGS, ...opts, gates: { ...DEFAULT_GATES, ...(opts.gates ?? {}) }, to: b.to, from: b.from, path: b.path, hops: (opts.hops as Hop[] | undefined) ?? [] };
    const journal = new JsonlJournal(run.paths.journal);
    const ex = new UpgradeExecutor(env, settings, run.paths, journal, b, [...run.records]);
    ex.state.lastObs = obs;
    ex.append({ type: 'resume', at: iso(), pid: process.pid, fromStep: point.steps[point.nextIndex]?.id, reason: point.message });
    ex.telemetry.observed(obs);
    ex.progress.begin?.(run.runId);
    ex.log(`upshift ${ex.operation}: resuming run ${run.runId}: ${point.message}`);
    await ex.hookRunStart();
    // Facts of finished steps.
    const f = point.facts;
    if (typeof f.backup?.file === 'string') ex.state.backupFile = f.backup.file;
    if (f.baseline) ex.state.baseline = { p99Ms: f.baseline.p99Ms as number | undefined, alarms: (f.baseline.alarms as string[] | undefined) ?? [] };
    // Every canary history of the run so far (earlier processes' ones end where they were killed).
    for (let n = 1; existsSync(run.paths.history(n)); n++) ex.state.histories.push(run.paths.history(n));
    // The lock is re-taken before anything else, if the run had it.
    if (!point.done.some((id) => id === 'release-lock' || id.endsWith('/release-lock'))) await acquireLock(ex, true);
    ex.point = point;
    return ex;
  }

  /**
   * The cluster answering turned out not to be the run's (identity.ts; checked by every observation and before
   * every step that changes anything): stop at once, touching nothing more, and keep the run open for its own
   * cluster. No rollback, no verification: those would act on the wrong cluster.
   */
  private async guarded(run: () => Promise<UpgradeReport>): Promise<UpgradeReport> {
    try {
      return await run();
    } catch (e) {
      if (!isWrongCluster(e)) throw e;
      this.append({ type: 'decision', at: iso(), decision: 'stop', reason: e.message });
      // The lock's release only deletes a key holding this run's value, so it is safe on any cluster.
      await this.teardown();
      this.append({ type: 'run-end', at: iso(), result: 'paused', exitCode: e.exitCode, message: `${e.message}; the run stays open for its own cluster` });
      this.journal.close();
      throw e;
    }
  }

  // ---------------------------------------------------------------- the loop

  private async runFrom(index: number): Promise<UpgradeReport> {
    const steps = this.steps;
    try {
      if (!this.state.workload) await resumeWorkload(this, steps, index);
      for (let i = index; i < steps.length; i++) await this.runStep(steps[i]!, i, steps.length);
      const plan = rollbackPlanOf(this.records);
      if (!plan) return await this.finish('succeeded');
      const back = plan.steps.find((x) => x.kind === 'wait-downgrade-complete')?.to;
      const how = plan.mode === 'cancel' ? 'the downgrade was cancelled and every member runs its newer binary again' : `the cluster was rolled back through etcd's downgrade API; every member runs etcd ${back ?? '(see the journal)'}`;
      return await this.finish('rolled-back', `${plan.reason}. ${how}; the cluster is healthy`, undefined, { mode: plan.mode, failedStep: plan.failedStep });
    } catch (e) {
      if (!(e instanceof StepFailure)) {
        if (!isWrongCluster(e)) await this.teardown();
        throw e;
      }
      return this.onFailure(e);
    }
  }

  private async runStep(s: Step, i: number, total: number): Promise<void> {
    if (this.env.signal.aborted) throw new StepFailure(s, new UpshiftError('interrupted', 'interrupted by a signal before this step', ExitCode.stoppedSafely));
    if (this.state.lockLost) throw new StepFailure(s, new ProblemError('lock-lost', `the upgrade lock was lost (${this.state.lockLost})`));
    if (CHANGES_CLUSTER.has(s.kind)) await this.checkCluster();
    const attempt = this.records.filter((r) => r.type === 'step-begin' && r.step === s.id).length + 1;
    this.append({ type: 'step-begin', at: iso(), step: s.id, attempt });
    await this.env.hooks?.onStep?.({ phase: 'begin', step: s });
    const t0 = performance.now();
    this.progress.stepStart(i + 1, total, s);
    try {
      const detail = await stepHandlers[s.kind](this, s);
      const injected = injectedFailure(s);
      if (injected) throw injected;
      const durationMs = Math.round(performance.now() - t0);
      this.append({ type: 'step-end', at: iso(), step: s.id, ok: true, durationMs, ...(detail ? { detail } : {}) });
      this.progress.stepEnd(s, true, durationMs);
    } catch (e) {
      const durationMs = Math.round(performance.now() - t0);
      const detail = e instanceof UpshiftError && e.details ? (JSON.parse(JSON.stringify(e.details)) as Record<string, unknown>) : undefined;
      this.append({ type: 'step-end', at: iso(), step: s.id, ok: false, durationMs, error: errorMessage(e), ...(detail ? { detail } : {}) });
      this.progress.stepEnd(s, false, durationMs, errorMessage(e));
      await this.env.hooks?.onStep?.({ phase: 'end', step: s, ok: false });
      if (isWrongCluster(e)) throw e;
      throw new StepFailure(s, e);
    }
    await this.env.hooks?.onStep?.({ phase: 'end', step: s, ok: true });
  }

  // ---------------------------------------------------------------- failure

  private async onFailure(f: StepFailure): Promise<UpgradeReport> {
    const s = f.step;
    // An interrupt (SIGINT/SIGTERM, `upgrade abort`) is not a failure of the step: pause, never roll back.
    const signalled = this.env.signal.aborted;
    this.stopping = true;
    let obs: ClusterObservation | undefined;
    try {
      obs = await observeCluster(this.env.config);
    } catch {
      obs = this.state.lastObs;
    }
    const plan = rollbackPlanOf(this.records);
    const hops = this.operation === 'downgrade' ? [{ from: this.settings.from, to: this.settings.to }] : this.settings.hops;
    // Run-level steps after the last hop (stop-workload, verify, release-lock) belong to the last hop.
    const n = s.hop ?? (this.records.some((r) => r.type === 'step-end' && r.ok && /^hop\d+\//.test(r.step)) ? hops.length : 1);
    const hop = hops[n - 1];
    const interrupted = signalled || (f.cause instanceof UpshiftError && (f.cause.code === 'interrupted' || f.cause.code === 'lock-lost'));
    const enabled = this.records.some((r) => r.type === 'step-end' && r.ok && /\/downgrade-enable$/.test(r.step) && !r.step.startsWith('rollback/')) || Boolean(obs?.members.some((m) => m.downgrade?.enabled));
    const decision: FailureDecision = interrupted
      ? { action: 'pause', reason: `${errorMessage(f.cause)}; \`upshift upgrade resume\` continues` }
      : decideOnFailure({
          policy: this.settings.onFailure,
          operation: this.operation,
          inRollbackPlan: plan !== undefined,
          downgradeEnabled: enabled,
          from: hop?.from ?? this.settings.from,
          to: hop?.to ?? this.settings.to,
          clusterVersion: obs?.clusterVersion,
          member: s.member,
          stepKind: s.kind,
        });
    const journaled = decision.action === 'pause' ? 'pause' : decision.action === 'stop-no-rollback' ? 'stop' : 'rollback';
    this.append({ type: 'decision', at: iso(), step: s.id, decision: journaled, reason: decision.reason, member: s.member });
    this.log(`upshift ${this.operation}: ${s.id} failed: ${errorMessage(f.cause)}`);
    this.log(`upshift ${this.operation}: decision: ${decision.reason}`);
    const why = `${s.id} failed: ${errorMessage(f.cause)}`;
    switch (decision.action) {
      case 'rollback-member':
        return this.finishWith(await rollBackMember(this, decision.member, decision.toVersion, errorMessage(f.cause)), 'member', s.id);
      case 'downgrade-rollback':
      case 'cancel-downgrade': {
        if (!obs || !hop) return this.finish('failed', `${why}. No cluster observation to plan the way back from: ${decision.reason}`);
        const load = this.settings.loadOpsPerSec > 0;
        const steps =
          decision.action === 'downgrade-rollback'
            ? planDowngradeRollback(obs, { from: decision.toVersion, to: hop.to }, n, { load, drain: this.settings.drain })
            : planDowngradeCancel(obs, this.begin.memberVersions, { n, to: this.settings.to, load, drain: this.settings.drain });
        this.append({ type: 'rollback-plan', at: iso(), mode: decision.action === 'downgrade-rollback' ? 'downgrade' : 'cancel', failedStep: s.id, reason: why, steps });
        this.log(`upshift ${this.operation}: ${steps.length} steps to go back; \`upshift upgrade resume\` continues them if this process stops`);
        this.stopping = false;
        return this.runFrom(0);
      }
      case 'pause':
        return this.finish('paused', `${why}. ${decision.reason}`);
      case 'stop-no-rollback': {
        // Never pretend. Stopped safely if the cluster is healthy (resume continues), else it needs attention.
        const healthy = obs ? obs.members.every((m) => m.reachable && m.healthy) && obs.members.some((m) => m.isLeader) : false;
        return this.finish(healthy ? 'paused' : 'failed', `${why}. ${decision.reason}`, decision.downgradePath);
      }
    }
  }

  /** End a run the way a member rollback came out. */
  private finishWith(o: { result: RunResult; message: string }, mode: 'member', failedStep?: string): Promise<UpgradeReport> {
    return this.finish(o.result, o.message, undefined, failedStep ? { mode, failedStep } : undefined);
  }

  // ---------------------------------------------------------------- end

  private async teardown(): Promise<void> {
    this.progressSink?.close();
    this.state.workload?.abort();
    this.state.workload = undefined;
    await this.state.lock?.release().catch(() => undefined);
    this.state.lock = undefined;
  }

  private async finish(result: RunResult, message?: string, downgradePath?: string, rollback?: UpgradeReport['rollback']): Promise<UpgradeReport> {
    const st = this.state;
    // Stop the canary and check its history even when the run stopped early: the proof matters most then.
    if (st.workload) {
      try {
        st.workloadReport = await st.workload.stop();
        st.workload = undefined;
        if (!st.verification) await verifyHistories(this);
      } catch (e) {
        this.log(`    canary: ${errorMessage(e)}`);
        st.workload?.abort();
        st.workload = undefined;
      }
    }
    if (!st.verification && st.histories.length > 0 && !st.workload) {
      // A resumed run that went straight to a rollback has no canary of its own: still check what earlier processes recorded.
      await verifyHistories(this).catch((e: unknown) => this.log(`    verification: ${errorMessage(e)}`));
    }
    if (st.lock) {
      await st.lock.release().catch(() => undefined);
      this.append({ type: 'lock', at: iso(), action: 'released', key: LOCK_KEY });
      st.lock = undefined;
    }
    let clusterVersion: string | null = st.lastObs?.clusterVersion ?? null;
    try {
      clusterVersion = (await observeCluster(this.env.config)).clusterVersion ?? clusterVersion;
    } catch {
      /* keep the last known */
    }
    const w = st.workloadReport;
    const v = st.verification;
    const plan = rollbackPlanOf(this.records);
    const allSteps = plan ? [...this.begin.steps, ...plan.steps] : this.begin.steps;
    let perHop: Omit<HopFigures, 'start' | 'end'>[] | undefined;
    try {
      const histories = await Promise.all(st.histories.map((f) => readHistory(f, { lenient: true })));
      perHop = hopFigures(histories, hopWindows(this.records, allSteps)).map(({ start: _s, end: _e, ...rest }) => rest);
    } catch (e) {
      this.log(`    per-hop figures: ${errorMessage(e)}`);
    }
    const report: UpgradeReport = {
      result,
      runId: this.paths.runId,
      operation: this.operation,
      from: this.settings.from,
      to: this.settings.to,
      path: this.settings.path,
      clusterVersion,
      backup: st.backupFile ? { file: st.backupFile } : null,
      members: memberDurations(this.records, allSteps).map(({ name, hop, from, to, durationMs }) => ({ name, hop, from, to, durationMs })),
      workload: w
        ? {
            ops: w.ops,
            failed: w.failed,
            indeterminate: w.indeterminate,
            retries: w.retries,
            stalled: w.stalled,
            maxWriteGapMs: w.maxWriteGapMs,
            p99Ms: w.p99Ms !== undefined ? Math.round(w.p99Ms * 100) / 100 : null,
            baselineP99Ms: st.baseline?.p99Ms !== undefined ? Math.round(st.baseline.p99Ms * 100) / 100 : null,
            firstAttemptFailures: w.firstAttemptFailures,
            ...(perHop ? { perHop } : {}),
          }
        : null,
      verification: {
        lostWrites: v?.summary.lostWrites ?? 0,
        watchViolations: v?.summary.watchViolations ?? 0,
        linearizabilityViolations: v?.summary.linearizabilityViolations ?? 0,
        consistent: st.consistent ?? null,
        ok: v ? v.ok : null,
        histories: st.histories,
      },
      ...(rollback ? { rollback } : {}),
      journal: this.paths.journal,
      ...(message ? { message } : {}),
      ...(downgradePath ? { downgradePath } : {}),
    };
    const exitCode = result === 'succeeded' && v && !v.ok ? ExitCode.problem : EXIT[result];
    await this.env.hooks?.onRunEnd?.();
    this.append({ type: 'run-end', at: iso(), result, exitCode, ...(message ? { message } : {}), report: { verification: report.verification, workload: report.workload } });
    await writeFileAtomic(this.paths.report, JSON.stringify(report, null, 2) + '\n');
    this.journal.close();
    this.progress.close();
    return report;
  }
}

/** Refuse (exit 1, naming what is wrong) unless the cluster is fit for a rolling upgrade. */
export function assertPreflight(obs: ClusterObservation): void {
  const pf = preflight(obs);
  if (pf.ok) return;
  const blockers = pf.findings.filter((f) => f.severity === 'blocker');
  throw new ProblemError('preflight-failed', `the cluster is not fit for a rolling upgrade: ${blockers.map((b) => b.message).join('; ')}`, {
    hint: pf.down.length > 0 ? `bring ${pf.down.join(', ')} back first; nothing was touched` : 'fix the findings above; nothing was touched',
    details: { findings: pf.findings, down: pf.down },
  });
}

/** Refuse (exit 1, nothing changed) when a readiness check found a blocker: member, what was found, the fix. */
export function assertReady(findings: readonly ReadinessFinding[]): void {
  const blockers = blockersOf(findings);
  if (blockers.length === 0) return;
  throw new ProblemError('not-ready', `not ready to upgrade: ${blockers.map(describeFinding).join(' | ')}`, {
    hint: 'nothing was touched; fix the findings and run again (`upshift upgrade --dry-run` lists every readiness finding)',
    details: { findings },
  });
}

export function exitCodeFor(r: UpgradeReport): ExitCodeValue {
  if (r.result === 'succeeded' && r.verification.ok === false) return ExitCode.problem;
  return EXIT[r.result];
}

export { runPaths };
