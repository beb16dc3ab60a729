/** `upshift check consistency`: HashKV of every member at one revision; exit 1 when not consistent. */
import type { CommandContext } from '../core/context.js';
import { ExitCode, UsageError } from '../core/errors.js';
import type { CommandOutcome } from '../core/errors.js';
import { renderTable } from '../core/output.js';
import type { ConnectionFlags } from '../cli/common.js';
import { resolveConnection } from '../client/connection.js';
import { outcome } from './command.js';
import { checkConsistency, type ConsistencyReport } from '../check/consistency.js';

export interface CheckConsistencyOptions extends ConnectionFlags {
  revision?: string;
  retries?: string;
  output?: string;
}

export async function run(opts: CheckConsistencyOptions, ctx: CommandContext): Promise<ConsistencyReport | CommandOutcome<ConsistencyReport>> {
  let revision: number | undefined;
  if (opts.revision !== undefined) {
    if (!/^\d+$/.test(opts.revision) || Number(opts.revision) <= 0) throw new UsageError(`--revision: "${opts.revision}" is not a positive revision`, { hint: 'e.g. --revision 1234' });
    revision = Number(opts.revision);
  }
  const retries = opts.retries === undefined ? 3 : Number(opts.retries);
  if (!Number.isInteger(retries) || retries < 0) throw new UsageError(`--retries: "${opts.retries}" is not a whole number`, { hint: 'e.g. --retries 3' });
  const config = resolveConnection(opts, ctx.env, ctx.home);
  const report = await checkConsistency(config, { revision, retries, signal: ctx.signal });
  return report.consistent ? report : outcome(report, ExitCode.problem);
}

export function render(r: ConsistencyReport): string {
  let out = renderTable({
    head: ['MEMBER', 'ID', 'HASH', 'HASH REVISION', 'COMPACT REVISION', 'ERROR'],
    rows: r.members.map((m) => [m.name, m.id, m.hash, m.hashRevision, m.compactRevision, m.error ?? (r.differing.includes(m.name || m.id) ? 'DIFFERS' : '')]),
  });
  out += r.consistent ? `consistent at revision ${r.revision}\n` : `NOT consistent at revision ${r.revision}\n`;
  for (const p of r.problems) out += `  ${p}\n`;
  return out;
}
