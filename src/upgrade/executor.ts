/**
 * The upgrade executor: runs a step plan (steps.ts) against a live cluster through a driver, under the
 * canary workload, journaling every step before and after (journal.ts), gating each member (gates.ts),
 * and applying the failure policy (policy.ts). All decisions are pure functions of observations; this
 * module only gathers observations and carries decisions out.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { hostname } from 'node:os';
import { existsSync } from 'node:fs';
import type { ConnectionConfig } from '../client/connection.js';
import { EndpointClient } from '../client/endpoint.js';
import { EtcdClient } from '../client/kv.js';
import { errorMessage, ProblemError, UpshiftError, ExitCode, type ExitCodeValue } from '../core/errors.js';
import { homePaths } from '../core/home.js';
import { writeFileAtomic, type JsonlJournal } from '../core/files.js';
import { discoverTarget, saveSnapshot } from '../backup/save.js';
import { UPSHIFT_VERSION } from '../backup/version.js';
import { checkConsistency } from '../check/consistency.js';
import { readHistory } from '../history/io.js';
import { checkHistory, type HistoryReport } from '../history/check.js';
import { CanaryWorkload, type CanaryReport } from '../workload/canary.js';
import type { MemberOps, DriverMember, DriverResult } from './drivers/types.js';
import { observeCluster, memberEndpoint, tcpProbe } from './observe.js';
import { minorOf, sameVersion, appliedIndex, voters, type ClusterObservation } from './observation.js';
import { preflight } from './preflight.js';
import { quorumGuard } from './quorum.js';
import { leadershipAction, type LeaderTransferPolicy } from './order.js';
import { evaluateGates, READY_GATES, DEFAULT_GATES, type GateThresholds, type GateReport } from './gates.js';
import { decideOnFailure, type FailurePolicy, type FailureDecision } from './policy.js';
import { planRun, type Hop, type Step, type StepKind } from './steps.js';
import { memberDurations, reconstruct, type HookRecord, type JournalRecord, type RunBeginRecord, type RunResult } from './journal.js';
import { createRun, newRunId, nextHistorySegment, runPaths, type RunPaths, type RunSummary } from './runs.js';
import { UpgradeLock, LOCK_KEY } from './lock.js';
import { JsonlJournal as Journal } from '../core/files.js';
import { plainProgress, type ProgressSink } from './progress.js';
import { replaceProgress, replacementBegun, replacementGuard, initialClusterFor, type ReplaceStage } from './replace.js';
import { ExecDriver } from './drivers/exec.js';
import { clusterMismatch, isWrongCluster, runMembers, wrongCluster } from './identity.js';
import { reviewFlags, assertFlagsResolved, describeFlagChanges } from './flags.js';
import { journalTelemetry, type RunTelemetry } from './telemetry.js';

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
}

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

export interface UpgradeReport {
  result: RunResult;
  runId: string;
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
  } | null;
  verification: { lostWrites: number; watchViolations: number; linearizabilityViolations: number; consistent: boolean | null; ok: boolean | null; histories: string[] };
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

const iso = (): string => new Date().toISOString();

/** Steps that change the cluster, the members or the run's record of them: each is preceded by an identity check. */
const CHANGES_CLUSTER: ReadonlySet<StepKind> = new Set<StepKind>(['acquire-lock', 'backup', 'baseline', 'leadership', 'stop', 'install', 'start', 'stop-workload', 'verify', 'release-lock']);
const EXIT: Record<RunResult, ExitCodeValue> = { succeeded: ExitCode.ok, paused: ExitCode.stoppedSafely, 'rolled-back': ExitCode.stoppedSafely, failed: ExitCode.needsAttention, aborted: ExitCode.stoppedSafely };

export class UpgradeExecutor {
  private lock: UpgradeLock | undefined;
  private lockLost: string | undefined;
  private workload: CanaryWorkload | undefined;
  private workloadReport: CanaryReport | undefined;
  private baseline: { p99Ms?: number | undefined; alarms: string[] } | undefined;
  private backupFile: string | undefined;
  private consistent: boolean | undefined;
  private verification: HistoryReport | undefined;
  private histories: string[] = [];
  private lastObs: ClusterObservation | undefined;
  private stopping = false;
  private progressSink: ProgressSink | undefined;
  private telemetrySink: RunTelemetry | undefined;

  private constructor(
    private readonly env: ExecutorEnv,
    private readonly settings: UpgradeSettings,
    private readonly paths: RunPaths,
    private readonly journal: JsonlJournal,
    private readonly begin: RunBeginRecord,
    private readonly records: JournalRecord[],
  ) {}

  private get steps(): Step[] {
    return this.begin.steps;
  }

  private append(r: JournalRecord): void {
    this.journal.append(r as unknown as Record<string, unknown>);
    this.records.push(r);
  }

  private get progress(): ProgressSink {
    return (this.progressSink ??= this.env.progress ?? plainProgress(this.env.log));
  }

  private log(line: string): void {
    this.progress.info(line);
  }

  /** Observations and gate samples for the dashboard and report (journal `observation` / `gate-sample`). */
  private get telemetry(): RunTelemetry {
    return (this.telemetrySink ??= journalTelemetry(this.journal));
  }

  // ---------------------------------------------------------------- entry points

  /** Plan the steps for the observed cluster without touching anything (--dry-run, and the start of a real run). */
  static plan(obs: ClusterObservation, settings: UpgradeSettings): Step[] {
    return planRun(obs, settings.hops, { backup: settings.backup, loadOpsPerSec: settings.loadOpsPerSec, soakMs: settings.soakMs, drain: settings.drain });
  }

  /** A fresh run: preflight (refuses with exit 1 before anything is touched), then every step. */
  static async start(env: ExecutorEnv, settings: UpgradeSettings, obs: ClusterObservation): Promise<UpgradeReport> {
    assertPreflight(obs);
    const steps = UpgradeExecutor.plan(obs, settings);
    // Flags a target cannot take refuse the run before anything is touched; the rest is applied (and journaled) at each start.
    const flagChanges = await reviewFlags(env.driver, obs.members.map((m) => m.name).filter(Boolean), settings.hops);
    assertFlagsResolved(flagChanges);
    // The lock is part of preflight: a second upgrade of the same cluster is refused (exit 1) before it
    // creates a run or touches anything.
    const runId = newRunId();
    const lock = await UpgradeLock.acquire(env.config, { runId, to: settings.to });
    const begin: RunBeginRecord = {
      type: 'run-begin',
      at: iso(),
      runId,
      from: settings.from,
      to: settings.to,
      path: settings.path,
      // The run belongs to this cluster: every later observation is checked against these ids (identity.ts).
      target: { ...env.target, clusterId: obs.clusterId, members: runMembers(obs) },
      driver: env.driver.kind,
      driverConfig: env.driverConfig,
      options: settingsForJournal(settings),
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
    ex.lock = lock;
    lock.onLost = (why) => (ex.lockLost = why);
    ex.append({ type: 'lock', at: iso(), action: 'acquired', key: LOCK_KEY, lease: lock.leaseId });
    ex.lastObs = obs;
    ex.telemetry.observed(obs);
    ex.progress.begin?.(paths.runId);
    ex.log(`upshift upgrade: run ${paths.runId}: ${settings.path.join(' -> ')}, ${steps.length} steps; journal ${paths.journal}`);
    for (const line of describeFlagChanges(flagChanges)) ex.log(`    flag change: ${line}`);
    await ex.hookRunStart();
    return ex.guarded(() => ex.runFrom(0));
  }

  /** Resume a run after a kill or a pause: reconstruct from the journal and the cluster as it is now. */
  static async resume(env: ExecutorEnv, run: RunSummary): Promise<UpgradeReport> {
    const obs = await observeCluster(env.config, { signal: env.signal });
    // Another cluster's journal is never carried out: refuse before writing or touching anything.
    const foreign = clusterMismatch(run.begin, run.records, obs);
    if (foreign) throw wrongCluster(run.begin, obs.clusterId, foreign);
    const point = reconstruct(run.records, obs);
    if (point.state !== 'resumable') throw new ProblemError('nothing-to-resume', `run ${run.runId}: ${point.message}`, { hint: 'start a new run with `upshift upgrade --to V`' });
    const b = point.begin;
    const opts = b.options as Partial<UpgradeSettings>;
    const settings: UpgradeSettings = { ...DEFAULT_SETTINGS, ...opts, gates: { ...DEFAULT_GATES, ...(opts.gates ?? {}) }, to: b.to, from: b.from, path: b.path, hops: (opts.hops as Hop[] | undefined) ?? [] };
    const journal = new Journal(run.paths.journal);
    const ex = new UpgradeExecutor(env, settings, run.paths, journal, b, [...run.records]);
    ex.lastObs = obs;
    ex.append({ type: 'resume', at: iso(), pid: process.pid, fromStep: b.steps[point.nextIndex]?.id, reason: point.message });
    ex.telemetry.observed(obs);
    ex.progress.begin?.(run.runId);
    ex.log(`upshift upgrade: resuming run ${run.runId}: ${point.message}`);
    await ex.hookRunStart();
    // Facts of finished steps.
    const f = point.facts;
    if (typeof f.backup?.file === 'string') ex.backupFile = f.backup.file;
    if (f.baseline) ex.baseline = { p99Ms: f.baseline.p99Ms as number | undefined, alarms: (f.baseline.alarms as string[] | undefined) ?? [] };
    // Every canary history of the run so far (earlier processes' ones end where they were killed).
    for (let n = 1; existsSync(run.paths.history(n)); n++) ex.histories.push(run.paths.history(n));
    // The lock is re-taken before anything else, if the run had it.
    if (!point.done.includes('release-lock')) await ex.acquireLock(true);
    const rb = point.rollback;
    return ex.guarded(() => (rb ? ex.finishRollback(rb.member, rb.toVersion) : ex.runFrom(point.nextIndex)));
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
    try {
      // A resumed run with load needs a workload again (the old process and its streams are gone).
      const baselineIdx = this.steps.findIndex((s) => s.kind === 'baseline');
      const stopIdx = this.steps.findIndex((s) => s.kind === 'stop-workload');
      if (baselineIdx >= 0 && index > baselineIdx && index <= stopIdx) {
        await this.startWorkload();
        // Members drained by an earlier process and not given back yet stay drained.
        const ended = new Set(this.records.filter((r) => r.type === 'step-end' && r.ok).map((r) => (r as { step: string }).step));
        for (const s of this.steps) {
          if (s.kind === 'drain' && ended.has(s.id) && !ended.has(s.id.replace(/drain$/, 'undrain'))) {
            await this.workload!.drain(this.driverMember(s.member!).clientURL, 0);
          }
        }
        // Let the fresh canary settle before any gate looks at its window.
        await sleep(Math.min(this.settings.baselineMs, 2000), undefined, { signal: this.signal }).catch(() => undefined);
      }
      for (let i = index; i < this.steps.length; i++) {
        await this.runStep(this.steps[i]!);
      }
      return await this.finish('succeeded');
    } catch (e) {
      if (!(e instanceof StepFailure)) {
        if (!isWrongCluster(e)) await this.teardown();
        throw e;
      }
      return this.onFailure(e);
    }
  }

  private async runStep(s: Step): Promise<void> {
    if (this.env.signal.aborted) throw new StepFailure(s, new UpshiftError('interrupted', 'interrupted by a signal before this step', ExitCode.stoppedSafely));
    if (this.lockLost) throw new StepFailure(s, new ProblemError('lock-lost', `the upgrade lock was lost (${this.lockLost})`));
    if (CHANGES_CLUSTER.has(s.kind)) await this.checkCluster();
    const attempt = this.records.filter((r) => r.type === 'step-begin' && r.step === s.id).length + 1;
    this.append({ type: 'step-begin', at: iso(), step: s.id, attempt });
    await this.env.hooks?.onStep?.({ phase: 'begin', step: s });
    const t0 = performance.now();
    const n = this.steps.indexOf(s) + 1;
    this.progress.stepStart(n, this.steps.length, s);
    try {
      const detail = await this.execute(s);
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

  private async hookRunStart(): Promise<void> {
    await this.env.hooks?.onRunStart?.({ runId: this.paths.runId, journal: this.paths.journal, record: (r) => this.append(r) });
  }

  /** tcpProbe of a member's client URL, where it really listens (ExecutorHooks.probeURL). */
  private probe(url: string): Promise<'refused' | 'open' | 'timeout'> {
    return tcpProbe(this.env.hooks?.probeURL?.(url) ?? url);
  }

  /** The run's abort signal while steps run; none once it is stopping (the way out must still work). */
  private get signal(): AbortSignal | undefined {
    return this.stopping ? undefined : this.env.signal;
  }

  /** The cluster as it is now; refuses (wrong-cluster) when what answers is not the run's cluster. */
  private async observe(): Promise<ClusterObservation> {
    const obs = await observeCluster(this.env.config, { signal: this.signal });
    const foreign = clusterMismatch(this.begin, this.records, obs);
    if (foreign) throw wrongCluster(this.begin, obs.clusterId, foreign);
    this.lastObs = obs;
    this.telemetry.observed(obs);
    return obs;
  }

  /** Before a step that changes anything: what answers must still be the run's cluster. */
  private async checkCluster(): Promise<void> {
    try {
      await this.observe();
    } catch (e) {
      if (isWrongCluster(e)) throw e;
      // Nothing answers (e.g. the only member is stopped): nothing to compare; the step meets whatever is wrong itself.
    }
  }

  private driverMember(name: string, obs?: ClusterObservation): DriverMember {
    const m = (obs ?? this.lastObs)?.members.find((x) => x.name === name);
    if (!m) throw new ProblemError('member-unknown', `member ${name} is not in the cluster's member list`);
    return { name, id: m.id, clientURL: memberEndpoint(m, this.env.config.endpoints) ?? '', peerURL: m.peerURLs[0] ?? '' };
  }

  private async execute(s: Step): Promise<Record<string, unknown> | undefined> {
    switch (s.kind) {
      case 'preflight': {
        const pf = preflight(await this.observe());
        if (!pf.ok) throw new ProblemError('preflight-failed', pf.findings.filter((f) => f.severity === 'blocker').map((f) => f.message).join('; '), { details: { down: pf.down } });
        return { findings: pf.findings.length };
      }
      case 'acquire-lock':
        // Taken before the run began (fresh runs) or re-taken on resume; only a missing lock is taken here.
        if (!this.lock) await this.acquireLock(true);
        return { key: LOCK_KEY, lease: this.lock?.leaseId };
      case 'backup':
        return this.takeBackup();
      case 'baseline':
        return this.measureBaseline();
      case 'quorum-check': {
        const v = quorumGuard(await this.observe(), s.member!);
        if (!v.ok) throw new ProblemError('quorum-guard', v.message, { details: { down: v.down, quorum: v.quorum, voters: v.voters } });
        return { healthyAfter: v.healthyAfter, quorum: v.quorum };
      }
      case 'leadership':
        return this.handleLeadership(s);
      case 'drain': {
        const ep = this.driverMember(s.member!).clientURL;
        const drained = this.workload ? await this.workload.drain(ep, 2000) : true;
        return { endpoint: ep, drained };
      }
      case 'stop': {
        const member = this.driverMember(s.member!);
        const r = await this.env.driver.stop(member, { graceful: true, version: s.from!, deadlineMs: this.settings.stopTimeoutMs, signal: this.signal });
        await this.waitMemberGone(s.member!);
        return driverDetail(r);
      }
      case 'install':
        return driverDetail(await this.env.driver.install(this.driverMember(s.member!), s.to!, { deadlineMs: this.settings.installTimeoutMs, signal: this.signal }));
      case 'start': {
        const member = this.driverMember(s.member!);
        // Idempotent on resume: a member already up on the target is left alone. Nothing listening
        // (connection refused) settles it without a full observation.
        if ((await this.probe(member.clientURL)) !== 'refused') {
          const m = (await this.observe()).members.find((x) => x.name === s.member);
          if (m?.reachable && sameVersion(m.version, s.to!)) return { skipped: `${s.member} already runs ${s.to}` };
        }
        return driverDetail(await this.env.driver.start(member, { version: s.to!, deadlineMs: this.settings.startTimeoutMs, signal: this.signal }));
      }
      case 'wait-ready':
        return this.waitReady(s.member!, s.to!);
      case 'undrain': {
        const ep = this.driverMember(s.member!).clientURL;
        this.workload?.undrain(ep);
        return { endpoint: ep };
      }
      case 'soak':
        return this.soak(s);
      case 'wait-cluster-version':
        return this.waitClusterVersion(s.to!);
      case 'check-consistency': {
        const r = await checkConsistency(this.env.config, { retries: 3, signal: this.signal });
        this.consistent = r.consistent;
        if (!r.consistent) throw new ProblemError('inconsistent', `HashKV differs between members at revision ${r.revision}: ${r.differing.join(', ')}`, { details: { revision: r.revision, problems: r.problems } });
        return { revision: r.revision, members: r.members.length };
      }
      case 'stop-workload': {
        if (!this.workload) return { skipped: 'no workload running' };
        this.workloadReport = await this.workload.stop();
        this.workload = undefined;
        return { historyFile: this.workloadReport.historyFile, ops: this.workloadReport.ops, failed: this.workloadReport.failed, indeterminate: this.workloadReport.indeterminate };
      }
      case 'verify':
        return this.verify();
      case 'release-lock':
        await this.lock?.release();
        this.lock = undefined;
        this.append({ type: 'lock', at: iso(), action: 'released', key: LOCK_KEY });
        return undefined;
    }
  }

  // ---------------------------------------------------------------- steps

  private async acquireLock(takeOver: boolean): Promise<void> {
    this.lock = await UpgradeLock.acquire(this.env.config, { runId: this.paths.runId, to: this.settings.to }, { takeOver: takeOver ? this.paths.runId : undefined, onLost: (why) => (this.lockLost = why) });
    this.append({ type: 'lock', at: iso(), action: 'acquired', key: LOCK_KEY, lease: this.lock.leaseId });
  }

  private async takeBackup(): Promise<Record<string, unknown>> {
    const target = await discoverTarget(this.env.config, undefined, this.env.signal);
    const dir = homePaths.backupsDir(this.env.home, target.clusterId);
    const r = await saveSnapshot(this.env.config, target, { dir, inactivityTimeoutMs: 30_000, signal: this.env.signal, upshiftVersion: UPSHIFT_VERSION });
    this.backupFile = r.file;
    this.log(`    backup ${r.file} (revision ${r.manifest.revision}, ${r.manifest.size} bytes, sha256 verified)`);
    return { file: r.file, revision: r.manifest.revision, size: r.manifest.size, sha256: r.manifest.sha256 };
  }

  private async startWorkload(): Promise<void> {
    const segment = await nextHistorySegment(this.paths);
    const file = this.paths.history(segment);
    this.workload = new CanaryWorkload({
      config: this.env.config,
      prefix: `/upshift/canary/${this.paths.runId}/${segment}/`,
      historyFile: file,
      opsPerSec: this.settings.loadOpsPerSec,
      runId: this.paths.runId,
      log: (l) => this.log(`    ${l}`),
    });
    this.histories.push(file);
    await this.workload.start();
  }

  private async measureBaseline(): Promise<Record<string, unknown>> {
    if (!this.workload) await this.startWorkload();
    await sleep(this.settings.baselineMs, undefined, { signal: this.signal }).catch(() => undefined);
    const w = this.workload!.windowStats(this.settings.baselineMs);
    const obs = await this.observe();
    const alarms = obs.alarms.map((a) => `${a.alarm}@${a.memberId}`);
    this.baseline = { p99Ms: w.p99Ms, alarms };
    this.log(`    baseline: ${w.ops} ops, ${w.errors} errors, P99 ${w.p99Ms?.toFixed(1) ?? '-'} ms`);
    return { ops: w.ops, errors: w.errors, p99Ms: w.p99Ms, alarms };
  }

  private async handleLeadership(s: Step): Promise<Record<string, unknown>> {
    const obs = await this.observe();
    const a = leadershipAction(obs, s.member!, s.to!, this.settings.leaderTransfer);
    if (a.action === 'none' || a.action === 'graceful-stop') return { action: a.action, reason: a.reason };
    let toName: string;
    let toId: string;
    if (a.action === 'move-leader') {
      toName = a.to;
      toId = a.toId;
    } else {
      // Leadership moved onto a member still on the old version with no upgraded member to take it:
      // hand it to the most caught-up healthy voter, which is upgraded later in its turn.
      const cand = voters(obs)
        .filter((m) => m.name !== s.member && m.reachable && m.healthy)
        .sort((x, y) => (appliedIndex(y) ?? -1) - (appliedIndex(x) ?? -1))[0];
      if (!cand) throw new ProblemError('no-transferee', `${s.member} leads and no other healthy voting member can take over`);
      toName = cand.name;
      toId = cand.id;
    }
    this.append({ type: 'decision', at: iso(), step: s.id, decision: 'reorder', member: s.member, reason: `${a.reason}: MoveLeader to ${toName}` });
    const leader = obs.members.find((m) => m.name === s.member)!;
    const client = new EndpointClient(memberEndpoint(leader, this.env.config.endpoints)!, this.env.config);
    try {
      await client.moveLeader(toId, { timeoutMs: 10_000, signal: this.signal });
    } finally {
      client.close();
    }
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      const o = await this.observe();
      if (o.leaderId === toId) return { action: 'move-leader', to: toName };
      await sleep(100);
    }
    throw new ProblemError('leader-transfer-timeout', `leadership did not move from ${s.member} to ${toName} within 10 s`);
  }

  /** After the driver's stop returned, the member must stop answering (a stop that did nothing is a failure). */
  private async waitMemberGone(name: string): Promise<void> {
    const until = Date.now() + 10_000;
    const url = this.driverMember(name).clientURL;
    while (true) {
      if ((await this.probe(url)) === 'refused') return;
      const obs = await this.observe();
      const m = obs.members.find((x) => x.name === name);
      if (!m || !m.reachable) return;
      if (Date.now() >= until) throw new ProblemError('member-still-running', `the stop command finished but ${name} still answers (etcd ${m.version ?? '?'})`, { hint: 'check the driver\'s stop command' });
      await sleep(200);
    }
  }

  private async waitReady(member: string, version: string): Promise<Record<string, unknown>> {
    const until = Date.now() + this.settings.readyTimeoutMs;
    const t0 = Date.now();
    let last: GateReport | undefined;
    while (true) {
      this.signal?.throwIfAborted();
      const obs = await this.observe();
      last = evaluateGates({ member, target: version, observations: [obs] }, this.settings.gates, READY_GATES);
      if (last.ok) return { readyAfterMs: Date.now() - t0, checks: last.checks.map((c) => `${c.name}: ${c.message}`) };
      if (Date.now() >= until) break;
      await sleep(250);
    }
    throw new ProblemError('member-not-ready', `${member} did not become ready on etcd ${version} within ${this.settings.readyTimeoutMs} ms: ${last!.checks.filter((c) => !c.ok).map((c) => c.message).join('; ')}`, { details: { gates: last!.checks } });
  }

  private async soak(s: Step): Promise<Record<string, unknown>> {
    const until = Date.now() + (s.durationMs ?? 0);
    const observations: ClusterObservation[] = [];
    while (Date.now() < until) {
      this.signal?.throwIfAborted();
      observations.push(await this.observe());
      const w = this.workload?.windowStats(10_000);
      const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      const live = evaluateGates({ member: s.member!, target: s.to!, observations, workload: w, baseline: this.baseline }, this.settings.gates);
      this.telemetry.gates(s, live.checks);
      this.progress.live(`${left} s left  ${live.checks.map((c) => `${c.name} ${c.ok ? 'ok' : 'FAIL'}${c.value !== undefined && c.name !== 'version' ? ` ${c.value}` : ''}`).join('  ')}`);
      const early = evaluateGates({ member: s.member!, target: s.to!, observations }, this.settings.gates, ['health']);
      if (!early.ok && observations.length >= this.settings.gates.maxFailedHealthChecks) break;
      await sleep(Math.min(1000, Math.max(0, until - Date.now())));
    }
    if (observations.length === 0) observations.push(await this.observe());
    // Error rate and P99 over at least the workload's 10 s window: a 1-2 s soak holds too few samples for a
    // P99 (with 40 samples "P99" is the single slowest op), and the member's restart belongs in the window.
    const workload = this.workload ? this.workload.windowStats(Math.max(s.durationMs ?? 0, 10_000)) : undefined;
    const report = evaluateGates({ member: s.member!, target: s.to!, observations, workload, baseline: this.baseline }, this.settings.gates);
    const summary = report.checks.map((c) => `${c.name}=${c.ok ? 'ok' : 'FAIL'}${c.value !== undefined ? `(${c.value})` : ''}`).join(' ');
    this.log(`    gates: ${summary}`);
    if (!report.ok) throw new ProblemError('gate-failed', `gates failed for ${s.member}: ${report.checks.filter((c) => !c.ok).map((c) => c.message).join('; ')}`, { details: { gates: report.checks } });
    return { gates: report.checks };
  }

  private async waitClusterVersion(to: string): Promise<Record<string, unknown>> {
    const until = Date.now() + this.settings.clusterVersionTimeoutMs;
    const t0 = Date.now();
    while (true) {
      const obs = await this.observe();
      if (obs.clusterVersion && minorOf(obs.clusterVersion) === minorOf(to)) return { clusterVersion: obs.clusterVersion, afterMs: Date.now() - t0 };
      if (Date.now() >= until) {
        const silent = obs.members.filter((m) => !m.reachable).map((m) => m.name);
        throw new ProblemError('cluster-version-not-raised', `the cluster version is still ${obs.clusterVersion ?? 'unknown'} after ${this.settings.clusterVersionTimeoutMs} ms${silent.length ? ` (not answering: ${silent.join(', ')}; the leader raises it only when every member reports a version)` : ''}`);
      }
      await sleep(500);
    }
  }

  /** Check every history of the run; interrupted segments (killed runs) get their read-back now. */
  private async verify(): Promise<Record<string, unknown>> {
    const reports: HistoryReport[] = [];
    for (const file of this.histories) {
      const h = await readHistory(file, { lenient: true });
      if (!h.readback) {
        // A segment cut short by a kill: read its prefix back now, and check the watch only as far as it got.
        const c = new EtcdClient(this.env.config);
        try {
          const start = performance.timeOrigin + performance.now();
          const r = await c.range(h.header.prefix, { prefix: true, timeoutMs: 10_000 });
          h.readback = { type: 'readback', start, end: performance.timeOrigin + performance.now(), revision: r.header.revision, entries: r.kvs.map((kv) => ({ key: kv.key.toString('utf8'), value: kv.value.toString('utf8'), modRevision: kv.modRevision, ...(kv.lease !== '0' ? { lease: kv.lease } : {}) })) };
        } finally {
          c.close();
        }
        if (!h.watch.some((w) => w.action === 'end')) {
          const seen = h.ops.filter((o) => o.kind === 'watch-event').reduce((m, o) => Math.max(m, o.revision ?? 0), 0);
          h.watch.push({ type: 'watch', action: 'end', revision: seen, at: h.readback.start, truncated: true });
        }
      }
      reports.push(checkHistory(h));
    }
    const lostWrites = sum(reports, (r) => r.summary.lostWrites);
    const watchViolations = sum(reports, (r) => r.summary.watchViolations);
    const lin = sum(reports, (r) => r.summary.linearizabilityViolations);
    const ok = reports.every((r) => r.ok);
    this.verification = reports.length === 1 ? reports[0] : { ok, operations: sum(reports, (r) => r.operations), violations: reports.flatMap((r) => r.violations), summary: { ...reports[0]!.summary, lostWrites, watchViolations, linearizabilityViolations: lin } };
    // The canary keys served their purpose: remove them (an explicit prefix range, never an open one).
    await this.removeCanaryKeys();
    this.log(`    verification: ${ok ? 'ok' : 'FAILED'}: ${lostWrites} lost writes, ${watchViolations} watch violations, ${lin} linearizability violations over ${reports.length} history file(s)`);
    return { ok, lostWrites, watchViolations, linearizabilityViolations: lin, violations: reports.reduce((a, r) => a + r.violations.length, 0), histories: this.histories };
  }

  private async removeCanaryKeys(): Promise<void> {
    const c = new EtcdClient(this.env.config);
    try {
      await c.deleteRange(`/upshift/canary/${this.paths.runId}/`, { prefix: true, timeoutMs: 10_000 });
    } catch (e) {
      this.log(`    could not remove the canary keys under /upshift/canary/${this.paths.runId}/: ${errorMessage(e)}`);
    } finally {
      c.close();
    }
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
      obs = this.lastObs;
    }
    const hop = s.hop !== undefined ? this.settings.hops[s.hop - 1] : undefined;
    const interrupted = signalled || (f.cause instanceof UpshiftError && (f.cause.code === 'interrupted' || f.cause.code === 'lock-lost'));
    const decision: FailureDecision = interrupted
      ? { action: 'pause', reason: `${errorMessage(f.cause)}; \`upshift upgrade resume\` continues` }
      : decideOnFailure({ policy: this.settings.onFailure, from: hop?.from ?? this.settings.from, to: hop?.to ?? this.settings.to, clusterVersion: obs?.clusterVersion, member: s.member, stepKind: s.kind });
    this.append({ type: 'decision', at: iso(), step: s.id, decision: decision.action === 'rollback-member' ? 'rollback' : decision.action === 'pause' ? 'pause' : 'stop', reason: decision.reason, member: s.member });
    this.log(`upshift upgrade: ${s.id} failed: ${errorMessage(f.cause)}`);
    this.log(`upshift upgrade: decision: ${decision.reason}`);
    if (decision.action === 'rollback-member') return this.finishRollback(decision.member, decision.toVersion, errorMessage(f.cause));
    if (decision.action === 'pause') return this.finish('paused', `${s.id} failed: ${errorMessage(f.cause)}. ${decision.reason}`);
    // After the bump: never pretend. Stopped safely if the cluster is healthy, else it needs attention.
    const healthy = obs ? preflightHealthy(obs) : false;
    return this.finish(healthy ? 'paused' : 'failed', `${s.id} failed: ${errorMessage(f.cause)}. ${decision.reason}`, decision.downgradePath);
  }

  /**
   * Put `member` back on `version` (stop, install, start, wait ready), then end the run rolled back. When
   * the old binary cannot start on the member's data (it exits, or is not ready within the deadline), the
   * member is replaced as a fresh one (replaceMember), if the driver can and the cluster allows it.
   */
  private async finishRollback(member: string, version: string, why?: string): Promise<UpgradeReport> {
    this.append({ type: 'rollback', at: iso(), member, phase: 'begin', toVersion: version });
    // A replacement begun by an earlier process is continued, never followed by a plain restart: the data
    // dir may already be aside, and a plain start on an empty dir would bootstrap, not join.
    if (replacementBegun(this.records, member)) return this.replaceMember(member, version, why);
    this.log(`upshift upgrade: rolling ${member} back to etcd ${version}`);
    let phase: 'prepare' | 'start' | 'ready' = 'prepare';
    try {
      const obs = await this.observe();
      const dm = this.driverMember(member, obs);
      const cur = obs.members.find((m) => m.name === member);
      if (!(cur?.reachable && sameVersion(cur.version, version))) {
        if (cur?.reachable) {
          await this.env.driver.stop(dm, { graceful: true, version: cur.version ?? version, deadlineMs: this.settings.stopTimeoutMs });
          await this.waitMemberGone(member);
        } else {
          // It may still be a process that never became ready: stop is idempotent.
          await this.env.driver.stop(dm, { graceful: true, version, deadlineMs: this.settings.stopTimeoutMs }).catch(() => undefined);
        }
        await this.env.driver.install(dm, version, { deadlineMs: this.settings.installTimeoutMs });
        phase = 'start';
        await this.env.driver.start(dm, { version, deadlineMs: this.settings.startTimeoutMs });
      }
      phase = 'ready';
      await this.waitReady(member, version);
      this.workload?.undrain(dm.clientURL);
      this.append({ type: 'rollback', at: iso(), member, phase: 'end', toVersion: version, ok: true });
      return this.finish('rolled-back', `${why ? `${why}. ` : ''}${member} was put back on etcd ${version}; the cluster is healthy`);
    } catch (e) {
      if (isWrongCluster(e)) throw e;
      if (phase !== 'prepare' && this.canReplace(member)) {
        const reason = `etcd ${version} did not come up on ${member}'s data (${firstLine(errorMessage(e))}): replace ${member} as a fresh member (remove, re-add with the same peer URL, data dir moved aside, start empty, catch up)`;
        this.append({ type: 'decision', at: iso(), decision: 'rollback', member, reason });
        this.log(`upshift upgrade: ${reason}`);
        return this.replaceMember(member, version, why);
      }
      this.append({ type: 'rollback', at: iso(), member, phase: 'end', toVersion: version, ok: false, error: errorMessage(e) });
      const how = this.canReplace(member) ? '' : ' (the driver cannot replace members: for the exec driver add reset and join templates)';
      return this.finish('failed', `rollback of ${member} to ${version} failed: ${errorMessage(e)}. The member needs attention${how}: if etcd ${version} cannot open its data, remove it (etcdctl member remove), re-add it (member add), move its data dir aside and start it empty with --initial-cluster-state existing so it catches up`);
    }
  }

  private canReplace(member: string): boolean {
    const d = this.env.driver;
    if (!d.moveDataAside || !d.startFresh) return false;
    return d instanceof ExecDriver ? d.canReplace(member) : true;
  }

  /**
   * Replace `member` as a fresh member on `version` (replace.ts), every stage journaled begin/end so a
   * resume after kill -9 continues where the earlier process stopped; each stage also checks the cluster
   * as it is (removed already? added already? running already?).
   */
  private async replaceMember(member: string, version: string, why?: string): Promise<UpgradeReport> {
    const prog = replaceProgress(this.records, member);
    const hop = this.settings.hops.find((h) => h.from === version) ?? { from: version, to: this.settings.to };
    let current: ReplaceStage | undefined;
    const stage = async (name: ReplaceStage, fn: () => Promise<Record<string, unknown> | undefined>): Promise<void> => {
      if (prog.ended.has(name)) return;
      await this.checkCluster();
      current = name;
      this.append({ type: 'rollback', at: iso(), member, phase: 'replace', toVersion: version, stage: name, status: 'begin' });
      this.progress.info(`    replace ${member}: ${name}`);
      const detail = await fn();
      this.append({ type: 'rollback', at: iso(), member, phase: 'replace', toVersion: version, stage: name, status: 'end', ok: true, ...(detail ? { detail } : {}) });
      prog.ended.add(name);
      current = undefined;
    };
    const admin = async <T>(obs: ClusterObservation, fn: (c: EndpointClient) => Promise<T>): Promise<T> => {
      // Membership changes go to the leader (or another healthy member), never to the member being replaced.
      const cands = obs.members.filter((m) => m.reachable && m.healthy && m.id !== prog.oldId && m.id !== prog.newId).sort((a, b) => Number(b.isLeader) - Number(a.isLeader));
      const ep = cands.map((m) => memberEndpoint(m, this.env.config.endpoints)).find((e): e is string => Boolean(e));
      if (!ep) throw new ProblemError('no-healthy-member', 'no healthy member answers to take the membership change');
      const c = new EndpointClient(ep, this.env.config);
      try {
        return await fn(c);
      } finally {
        c.close();
      }
    };
    try {
      let obs = await this.observe();
      await stage('begin', async () => {
        const m = obs.members.find((x) => x.name === member);
        if (!m) throw new ProblemError('member-unknown', `${member} is not in the member list`);
        const dm = this.driverMember(member, obs);
        prog.oldId = m.id;
        prog.peerURL = dm.peerURL;
        prog.clientURL = dm.clientURL;
        return { oldId: m.id, peerURL: dm.peerURL, clientURL: dm.clientURL };
      });
      if (!prog.oldId || !prog.peerURL || !prog.clientURL) throw new ProblemError('replace-journal', `the journal does not say which member ${member} was (stage begin)`);
      const dm = (): DriverMember => ({ name: member, id: prog.newId ?? prog.oldId, clientURL: prog.clientURL!, peerURL: prog.peerURL! });
      if (!prog.ended.has('add')) {
        const g = replacementGuard(obs, member, hop, prog.peerURL);
        if (!g.ok) throw new ProblemError('replace-unsafe', `${member} cannot be replaced safely: ${g.reason}`);
      }
      await stage('stop', async () => {
        const r = await this.env.driver.stop(dm(), { graceful: true, version, deadlineMs: this.settings.stopTimeoutMs });
        const until = Date.now() + 10_000;
        while ((await this.probe(prog.clientURL!)) !== 'refused') {
          if (Date.now() >= until) throw new ProblemError('member-still-running', `the stop command finished but something still listens on ${prog.clientURL}`);
          await sleep(200);
        }
        return driverDetail(r);
      });
      await stage('remove', async () => {
        obs = await this.observe();
        if (!obs.members.some((m) => m.id === prog.oldId)) return { skipped: `${prog.oldId} is no longer a member` };
        await admin(obs, (c) => c.memberRemove(prog.oldId!, { timeoutMs: 10_000 }));
        return { removed: prog.oldId };
      });
      await stage('add', async () => {
        obs = await this.observe();
        const present = obs.members.find((m) => m.peerURLs.includes(prog.peerURL!) && m.id !== prog.oldId);
        let newId: string;
        let members: { id: string; name: string; peerURLs: string[] }[];
        if (present) {
          newId = present.id;
          members = obs.members;
        } else {
          const r = await admin(obs, (c) => c.memberAdd([prog.peerURL!], { timeoutMs: 10_000 }));
          newId = r.member.id;
          members = r.members;
        }
        prog.newId = newId;
        prog.initialCluster = initialClusterFor(members, { name: member, id: newId });
        return { newId, initialCluster: prog.initialCluster, ...(present ? { skipped: 'already added' } : {}) };
      });
      await stage('move-aside', async () => driverDetail(await this.env.driver.moveDataAside!(dm(), { version, deadlineMs: this.settings.stopTimeoutMs })));
      await stage('start', async () => {
        if ((await this.probe(prog.clientURL!)) === 'open') return { skipped: `something already listens on ${prog.clientURL} (started by an earlier process)` };
        return driverDetail(await this.env.driver.startFresh!(dm(), { version, initialCluster: prog.initialCluster!, deadlineMs: this.settings.startTimeoutMs }));
      });
      await stage('ready', () => this.waitReady(member, version));
      this.workload?.undrain(prog.clientURL);
      this.append({ type: 'rollback', at: iso(), member, phase: 'end', toVersion: version, ok: true });
      const aside = replaceProgress(this.records, member).aside;
      return this.finish(
        'rolled-back',
        `${why ? `${why}. ` : ''}etcd ${version} could not start on ${member}'s data, so ${member} was replaced as a fresh member on etcd ${version} (removed, re-added with the same peer URL, started empty, caught up)${aside ? `; its old data was moved aside: ${JSON.stringify(aside)}` : ''}; the cluster is healthy`,
      );
    } catch (e) {
      if (isWrongCluster(e)) throw e;
      if (current) this.append({ type: 'rollback', at: iso(), member, phase: 'replace', toVersion: version, stage: current, status: 'end', ok: false, error: errorMessage(e) });
      this.append({ type: 'rollback', at: iso(), member, phase: 'end', toVersion: version, ok: false, error: errorMessage(e) });
      const where = current ? ` at stage ${current}` : '';
      return this.finish('failed', `replacing ${member} as a fresh member failed${where}: ${errorMessage(e)}. Stages done: ${[...prog.ended].join(', ') || 'none'}. The member needs attention: finish by hand (etcdctl member list; member add ${prog.peerURL ?? '<peer URL>'} if it is missing; start it on etcd ${version} with an empty data dir and --initial-cluster-state existing)`);
    }
  }

  // ---------------------------------------------------------------- end

  private async teardown(): Promise<void> {
    this.progressSink?.close();
    this.workload?.abort();
    this.workload = undefined;
    await this.lock?.release().catch(() => undefined);
    this.lock = undefined;
  }

  private async finish(result: RunResult, message?: string, downgradePath?: string): Promise<UpgradeReport> {
    // Stop the canary and check its history even when the run stopped early: the proof matters most then.
    if (this.workload) {
      try {
        this.workloadReport = await this.workload.stop();
        this.workload = undefined;
        if (!this.verification) await this.verify();
      } catch (e) {
        this.log(`    canary: ${errorMessage(e)}`);
        this.workload?.abort();
        this.workload = undefined;
      }
    }
    if (!this.verification && this.histories.length > 0 && !this.workload) {
      // A resumed run that went straight to a rollback has no canary of its own: still check what earlier processes recorded.
      await this.verify().catch((e: unknown) => this.log(`    verification: ${errorMessage(e)}`));
    }
    if (this.lock) {
      await this.lock.release().catch(() => undefined);
      this.append({ type: 'lock', at: iso(), action: 'released', key: LOCK_KEY });
      this.lock = undefined;
    }
    let clusterVersion: string | null = this.lastObs?.clusterVersion ?? null;
    try {
      clusterVersion = (await observeCluster(this.env.config)).clusterVersion ?? clusterVersion;
    } catch {
      /* keep the last known */
    }
    const w = this.workloadReport;
    const v = this.verification;
    const report: UpgradeReport = {
      result,
      runId: this.paths.runId,
      from: this.settings.from,
      to: this.settings.to,
      path: this.settings.path,
      clusterVersion,
      backup: this.backupFile ? { file: this.backupFile } : null,
      members: memberDurations(this.records, this.steps).map(({ name, hop, from, to, durationMs }) => ({ name, hop, from, to, durationMs })),
      workload: w
        ? {
            ops: w.ops,
            failed: w.failed,
            indeterminate: w.indeterminate,
            retries: w.retries,
            stalled: w.stalled,
            maxWriteGapMs: w.maxWriteGapMs,
            p99Ms: w.p99Ms !== undefined ? Math.round(w.p99Ms * 100) / 100 : null,
            baselineP99Ms: this.baseline?.p99Ms !== undefined ? Math.round(this.baseline.p99Ms * 100) / 100 : null,
            firstAttemptFailures: w.firstAttemptFailures,
          }
        : null,
      verification: {
        lostWrites: v?.summary.lostWrites ?? 0,
        watchViolations: v?.summary.watchViolations ?? 0,
        linearizabilityViolations: v?.summary.linearizabilityViolations ?? 0,
        consistent: this.consistent ?? null,
        ok: v ? v.ok : null,
        histories: this.histories,
      },
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

export function exitCodeFor(r: UpgradeReport): ExitCodeValue {
  if (r.result === 'succeeded' && r.verification.ok === false) return ExitCode.problem;
  return EXIT[r.result];
}

function preflightHealthy(obs: ClusterObservation): boolean {
  return obs.members.every((m) => m.reachable && m.healthy) && obs.members.some((m) => m.isLeader);
}

function driverDetail(r: DriverResult): Record<string, unknown> {
  return { durationMs: Math.round(r.durationMs), ...(r.command ? { command: r.command } : {}), ...(r.stdout ? { stdout: r.stdout } : {}), ...(r.stderr ? { stderr: r.stderr } : {}), ...(r.detail ?? {}) };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!;
}

function sum<T>(xs: T[], f: (x: T) => number): number {
  return xs.reduce((a, x) => a + f(x), 0);
}

/** What of the settings goes into the journal (all of it: no secrets live there). */
function settingsForJournal(s: UpgradeSettings): Record<string, unknown> {
  return { ...s };
}

export { runPaths };
