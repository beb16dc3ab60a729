/**
 * `upshift upgrade resume [--run ID] [--yes]`: continue a run that was killed (kill -9 at any point) or paused.
 * The run is the newest open one of the cluster pointed at (upgrade/select.ts): never another cluster's.
 * The journal says what was done; the cluster as it is now decides about the step that was in flight
 * (upgrade/journal.ts reconstruct). Connection settings come from the flags/env again (credentials are
 * never journaled), defaulting to the run's cluster or endpoints.
 */
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { ExitCode, ProblemError } from '../core/errors.js';
import type { CommandOutcome } from '../core/errors.js';
import type { ConnectionFlags } from '../cli/common.js';
import { outcome } from './command.js';
import { beforeFirstStep } from '../upgrade/runs.js';
import { selectRun } from '../upgrade/select.js';
import { describeRunCluster } from '../upgrade/identity.js';
import { UpgradeExecutor, exitCodeFor, type UpgradeReport } from '../upgrade/executor.js';
import { driverFromFlags, renderReport, runMetricsEndpoint, progressFor } from './upgrade.js';
import { isAlive } from '../cluster/process.js';
import { assertAdminUser } from '../upgrade/permissions.js';
import { hostname } from 'node:os';
import { withRunReport } from '../dashboard/report.js';

export interface UpgradeResumeOptions extends ConnectionFlags {
  run?: string;
  metricsAddr?: string;
  output?: string;
  /** Accepted like `upgrade --yes` so scripts can pass it to both; resume never asks. */
  yes?: boolean;
}

export async function run(opts: UpgradeResumeOptions, ctx: CommandContext): Promise<UpgradeReport | CommandOutcome<UpgradeReport>> {
  // The newest open run of the cluster pointed at (or the named run, if it is that cluster's): upgrade/select.ts.
  const { run: r, flags, config: selected } = await selectRun(opts, ctx, 'resume');
  const config = selected!;
  const last = [...r.records].reverse().find((x) => x.type === 'resume' || x.type === 'run-begin') as { pid: number } | undefined;
  if (last && r.begin.host === hostname() && last.pid !== process.pid && isAlive(last.pid) && !r.end) {
    throw new ProblemError('run-active', `run ${r.runId} is still running (pid ${last.pid})`, { hint: '`upshift upgrade status` shows where it is; `upshift upgrade abort` stops it' });
  }
  const driver = await driverFromFlags({ driver: r.begin.driver, driverConfig: r.begin.driverConfig, cluster: flags.cluster }, ctx);
  note(ctx, `upshift upgrade resume: run ${r.runId} (${r.begin.path.join(' -> ')}) of ${describeRunCluster(r.begin)}${beforeFirstStep(r) ? '; it was stopped before its first step (no member was touched)' : ''}`);
  await assertAdminUser(config, undefined);
  const metrics = await runMetricsEndpoint(opts.metricsAddr, ctx);
  let report: UpgradeReport;
  try {
    const env = { config, driver, home: ctx.home, target: { cluster: flags.cluster, endpoints: config.endpoints }, driverConfig: r.begin.driverConfig, log: (l: string) => note(ctx, l), progress: progressFor(ctx), signal: ctx.signal };
    report = await withRunReport(await UpgradeExecutor.resume(env, r), (l) => note(ctx, l));
  } finally {
    await metrics?.close();
  }
  const code = exitCodeFor(report);
  return code === ExitCode.ok ? report : outcome(report, code);
}

export function render(r: UpgradeReport): string {
  return renderReport(r);
}
