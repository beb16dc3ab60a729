/**
 * `upshift downgrade cancel [--run ID]`: abandon the open downgrade run of the cluster pointed at, the way
 * upstream documents it (web:content/en/docs/v3.6/downgrades/downgrade_3_6.md "Rollback"): cancel the downgrade
 * (Maintenance.Downgrade CANCEL), start every member already on the older binary on its newer one again, wait
 * for the cluster version to come back; canary, verification and journal as any run (UpgradeExecutor.cancelDowngrade).
 */
import { hostname } from 'node:os';
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { ExitCode, ProblemError } from '../core/errors.js';
import type { CommandOutcome } from '../core/errors.js';
import type { ConnectionFlags } from '../cli/common.js';
import { outcome } from './command.js';
import { selectRun } from '../upgrade/select.js';
import { describeRunCluster } from '../upgrade/identity.js';
import { UpgradeExecutor, exitCodeFor, type UpgradeReport } from '../upgrade/executor.js';
import { driverFromFlags, progressFor, renderReport } from './upgrade.js';
import { withRunReport } from '../dashboard/report.js';
import { isAlive } from '../cluster/process.js';
import { assertAdminUser } from '../upgrade/permissions.js';

export interface DowngradeCancelOptions extends ConnectionFlags {
  run?: string;
  output?: string;
  yes?: boolean;
}

export async function run(opts: DowngradeCancelOptions, ctx: CommandContext): Promise<UpgradeReport | CommandOutcome<UpgradeReport>> {
  const { run: r, flags, config: selected } = await selectRun(opts, ctx, 'resume');
  const config = selected!;
  const last = [...r.records].reverse().find((x) => x.type === 'resume' || x.type === 'run-begin') as { pid: number } | undefined;
  if (last && r.begin.host === hostname() && last.pid !== process.pid && isAlive(last.pid) && !r.end) {
    throw new ProblemError('run-active', `run ${r.runId} is still running (pid ${last.pid})`, { hint: 'stop it first with `upshift upgrade abort` (it pauses at a step boundary), then cancel' });
  }
  const driver = await driverFromFlags({ driver: r.begin.driver, driverConfig: r.begin.driverConfig, cluster: flags.cluster }, ctx);
  note(ctx, `upshift downgrade cancel: run ${r.runId} (${r.begin.path.join(' -> ')}) of ${describeRunCluster(r.begin)}`);
  await assertAdminUser(config, undefined);
  const report = await withRunReport(
    await UpgradeExecutor.cancelDowngrade({ config, driver, home: ctx.home, target: { cluster: flags.cluster, endpoints: config.endpoints }, driverConfig: r.begin.driverConfig, log: (l) => note(ctx, l), progress: progressFor(ctx), signal: ctx.signal }, r),
    (l) => note(ctx, l),
  );
  const code = exitCodeFor(report);
  return code === ExitCode.ok ? report : outcome(report, code);
}

export function render(r: UpgradeReport): string {
  return renderReport(r);
}
