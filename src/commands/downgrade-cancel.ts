/**
 * `upshift downgrade cancel [--run ID]`: abandon the open downgrade run of the cluster pointed at, the way
 * upstream documents it (web:content/en/docs/v3.6/downgrades/downgrade_3_6.md "Rollback"): cancel the downgrade
 * (Maintenance.Downgrade CANCEL), start every member already on the older binary on its newer one again, wait
 * for the cluster version to come back; canary, verification and journal as any run (UpgradeExecutor.cancelDowngrade).
 */
import type { CommandContext } from '../core/context.js';
import type { CommandOutcome } from '../core/errors.js';
import { UpgradeExecutor, type UpgradeReport } from '../upgrade/executor.js';
import { continueRun, type UpgradeResumeOptions } from './upgrade-resume.js';
import { renderReport } from './upgrade.js';

export async function run(opts: UpgradeResumeOptions, ctx: CommandContext): Promise<UpgradeReport | CommandOutcome<UpgradeReport>> {
  return continueRun(opts, ctx, 'cancel', (env, r) => UpgradeExecutor.cancelDowngrade(env, r));
}

export function render(r: UpgradeReport): string {
  return renderReport(r);
}
