/**
 * `upshift upgrade status [--run ID]`: where the current (or named) run of the cluster pointed at is
 * (upgrade/select.ts), from its journal: steps done,
 * the step in flight, the last error and decision, whether its process is alive.
 */
import { hostname } from 'node:os';
import type { CommandContext } from '../core/context.js';
import { renderTable } from '../core/output.js';
import type { ConnectionFlags } from '../cli/common.js';
import { beforeFirstStep } from '../upgrade/runs.js';
import { selectRun } from '../upgrade/select.js';
import { isAlive } from '../cluster/process.js';
import { effectiveSteps, rollbackPlanOf, type StepEndRecord, type DecisionRecord, type RollbackRecord } from '../upgrade/journal.js';

export interface UpgradeStatusOptions extends ConnectionFlags {
  run?: string;
  output?: string;
}

export interface UpgradeStatusResult {
  runId: string;
  state: 'running' | 'paused' | 'interrupted' | 'finished';
  result: string | null;
  from: string;
  to: string;
  path: string[];
  driver: string;
  /** The cluster the run belongs to, as recorded when it began. */
  cluster: { name: string | null; id: string | null; endpoints: string[] };
  startedAt: string;
  /** True when the run stopped (or was killed) before its first step: no member was touched. */
  beforeFirstStep: boolean;
  steps: { total: number; done: number; current: string | null; next: string | null };
  lastError: { step: string; error: string } | null;
  lastDecision: { decision: string; reason: string } | null;
  /** The member being put back on its old version, if any; `replaced`: stages of replacing it as a fresh member. */
  rollback: { member: string; toVersion: string; state: 'in-progress' | 'done' | 'failed'; replaced: { done: string[]; current: string | null } | null } | null;
  /** `upgrade` or `downgrade` (extension). */
  operation: 'upgrade' | 'downgrade';
  /** The rollback plan that replaced the rest of the run, if any: through the downgrade API, or a cancelled downgrade (extension). */
  wayBack: { mode: 'downgrade' | 'cancel'; failedStep: string } | null;
  pid: number;
  host: string;
  journal: string;
  report: string | null;
}

export async function run(opts: UpgradeStatusOptions, ctx: CommandContext): Promise<UpgradeStatusResult> {
  // The newest run of the cluster pointed at (or the named run, if it is that cluster's): upgrade/select.ts.
  const { run: r } = await selectRun(opts, ctx, 'status');
  const lastProc = [...r.records].reverse().find((x) => x.type === 'resume' || x.type === 'run-begin') as { pid: number } | undefined;
  const pid = lastProc?.pid ?? r.begin.pid;
  const done = new Set<string>();
  let current: string | null = null;
  for (const rec of r.records) {
    if (rec.type === 'step-begin') current = rec.step;
    if (rec.type === 'step-end') {
      if (rec.ok) done.add(rec.step);
      if (current === rec.step) current = null;
    }
  }
  const alive = r.begin.host === hostname() && isAlive(pid);
  const endIdx = r.records.map((x) => x.type).lastIndexOf('run-end');
  const ended = endIdx >= 0 && !r.records.slice(endIdx + 1).some((x) => x.type === 'resume');
  const state: UpgradeStatusResult['state'] = ended ? (r.end?.result === 'paused' ? 'paused' : 'finished') : alive ? 'running' : 'interrupted';
  const lastErr = [...r.records].reverse().find((x): x is StepEndRecord => x.type === 'step-end' && !x.ok);
  const lastDec = [...r.records].reverse().find((x): x is DecisionRecord => x.type === 'decision');
  // After a failure a journaled rollback plan (downgrade API, or a cancelled downgrade) replaces the rest of the steps.
  const plan = rollbackPlanOf(r.records);
  const steps = effectiveSteps(r.begin, r.records);
  const next = steps.find((s) => !done.has(s.id))?.id ?? null;
  const rbs = r.records.filter((x): x is RollbackRecord => x.type === 'rollback');
  const lastRb = rbs.at(-1);
  let rollback: UpgradeStatusResult['rollback'] = null;
  if (lastRb) {
    const mine = rbs.filter((x) => x.member === lastRb.member && x.phase === 'replace');
    const stagesDone = mine.filter((x) => x.status === 'end' && x.ok).map((x) => x.stage!);
    const lastStage = mine.at(-1);
    rollback = {
      member: lastRb.member,
      toVersion: lastRb.toVersion,
      state: lastRb.phase === 'end' ? (lastRb.ok ? 'done' : 'failed') : 'in-progress',
      replaced: mine.length > 0 ? { done: stagesDone, current: lastStage?.status === 'begin' ? (lastStage.stage ?? null) : null } : null,
    };
  }
  return {
    runId: r.runId,
    state,
    result: ended ? (r.end?.result ?? null) : null,
    from: r.begin.from,
    to: r.begin.to,
    path: r.begin.path,
    driver: r.begin.driver,
    cluster: { name: r.begin.target.cluster ?? null, id: r.begin.target.clusterId ?? null, endpoints: r.begin.target.endpoints },
    startedAt: r.begin.at,
    beforeFirstStep: beforeFirstStep(r),
    steps: { total: steps.length, done: steps.filter((s) => done.has(s.id)).length, current: state === 'running' ? current : null, next: state === 'finished' ? null : next },
    operation: r.begin.operation ?? 'upgrade',
    wayBack: plan ? { mode: plan.mode, failedStep: plan.failedStep } : null,
    lastError: lastErr ? { step: lastErr.step, error: lastErr.error ?? '' } : null,
    lastDecision: lastDec ? { decision: lastDec.decision, reason: lastDec.reason } : null,
    rollback,
    pid,
    host: r.begin.host,
    journal: r.paths.journal,
    report: ended ? r.paths.report : null,
  };
}

export function render(s: UpgradeStatusResult): string {
  const rows: (string | number)[][] = [
    ['run', s.runId],
    ['state', `${s.state}${s.result ? ` (${s.result})` : ''}`],
    ['cluster', `${s.cluster.id ?? '(id not recorded)'} (${s.cluster.name ? `local cluster ${s.cluster.name}` : s.cluster.endpoints.join(',')})`],
    ['path', s.path.join(' -> ')],
    ['steps', `${s.steps.done}/${s.steps.total} done${s.beforeFirstStep ? ` (${s.state === 'running' ? 'not started yet' : 'stopped before its first step: no member was touched'})` : ''}${s.steps.current ? `, now: ${s.steps.current}` : ''}${s.steps.next && !s.steps.current ? `, next: ${s.steps.next}` : ''}`],
    ...(s.wayBack ? [['way back', `${s.wayBack.mode === 'downgrade' ? "etcd's downgrade API" : 'downgrade cancelled'} after ${s.wayBack.failedStep}`] as [string, string]] : []),
    ...(s.rollback ? [['rollback', `${s.rollback.member} -> ${s.rollback.toVersion}: ${s.rollback.state}${s.rollback.replaced ? `; replaced as a fresh member, stages done: ${s.rollback.replaced.done.join(', ') || 'none'}${s.rollback.replaced.current ? `, now: ${s.rollback.replaced.current}` : ''}` : ''}`] as [string, string]] : []),
    ['process', `pid ${s.pid} on ${s.host}`],
  ];
  if (s.lastError) rows.push(['last error', `${s.lastError.step}: ${s.lastError.error}`]);
  if (s.lastDecision) rows.push(['last decision', `${s.lastDecision.decision}: ${s.lastDecision.reason}`]);
  rows.push(['journal', s.journal]);
  const hint = s.state === 'interrupted' || s.state === 'paused' ? 'continue with `upshift upgrade resume`, or stop with `upshift upgrade abort`\n' : '';
  return renderTable({ head: ['upgrade run', s.runId], rows: rows.slice(1) }) + hint;
}
