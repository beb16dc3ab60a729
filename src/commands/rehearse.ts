/**
 * `upshift rehearse --to V [--backup FILE|latest] [--faults FILE] [--seed N] [--load OPS] [--config FILE]...
 * [--keep] [-o json]`: the upgrade rehearsed on a throw-away copy of the newest verified backup, under a
 * seeded fault schedule (src/rehearse). Exit 0 go, 1 no-go, others as usual.
 */
import { dirname } from 'node:path';
import type { CommandContext } from '../core/context.js';
import { ExitCode } from '../core/errors.js';
import type { CommandOutcome } from '../core/errors.js';
import { outcome } from './command.js';
import { rehearse, type RehearseOptions, type RehearsalResult } from '../rehearse/rehearse.js';

export type { RehearseOptions, RehearsalResult };

export async function run(opts: RehearseOptions, ctx: CommandContext): Promise<RehearsalResult | CommandOutcome<RehearsalResult>> {
  const r = await rehearse(opts, ctx);
  return r.go ? r : outcome(r, ExitCode.problem);
}

export function render(r: RehearsalResult): string {
  const lines = [`${r.go ? 'GO' : 'NO-GO'}: ${r.upgrade ? r.upgrade.path.join(' -> ') : r.report.source.version} rehearsed on a copy of ${r.report.backup.file}`, `outcome: ${r.report.outcome.result}: ${r.report.outcome.why}`];
  for (const x of r.reasons) lines.push(`  ${x}`);
  const shown = r.readiness.filter((f) => f.severity !== 'info');
  if (shown.length > 0) lines.push('readiness:', ...shown.map((f) => `  ${f.severity.toUpperCase()} ${f.code}: ${f.message}`));
  if (r.faults.length > 0) lines.push(`faults (seed ${r.report.seed}):`, ...r.faults.map((f) => `  ${f.at} ${f.id} ${f.fault}${f.endedAt ? ` until ${f.endedAt}` : ''}${f.detail ? `: ${f.detail}` : ''}`));
  for (const n of r.report.notes) lines.push(`note: ${n}`);
  if (r.report.journal) lines.push(`journal: ${r.report.journal}`);
  if (r.report.html) lines.push(`report: ${r.report.html}`);
  const logs = Object.values(r.report.memberLogs ?? {});
  if (logs.length > 0) lines.push(`member logs (last 256 KiB each): ${dirname(logs[0]!)}`);
  if (r.report.json) lines.push(`rehearsal: ${r.report.json}`);
  return lines.join('\n') + '\n';
}
