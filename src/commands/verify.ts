/**
 * `upshift verify HISTORY`: check a recorded operation history (SPEC "verify"). Exit 1 on a violation.
 */
import type { CommandContext } from '../core/context.js';
import { ExitCode } from '../core/errors.js';
import { renderTable } from '../core/output.js';
import { outcome } from './command.js';
import type { CommandOutcome } from '../core/errors.js';
import { readHistory } from '../history/io.js';
import { checkHistory, type HistoryReport } from '../history/check.js';

export interface VerifyOptions {
  history: string;
  output?: string;
  /** Accept a torn last line (a run killed while appending). */
  lenient?: boolean;
}

export async function run(opts: VerifyOptions, _ctx: CommandContext): Promise<HistoryReport | CommandOutcome<HistoryReport>> {
  const history = await readHistory(opts.history, { lenient: opts.lenient ?? false });
  const report = checkHistory(history);
  return report.ok ? report : outcome(report, ExitCode.problem);
}

export function render(r: HistoryReport): string {
  const s = r.summary;
  const lines: string[] = [];
  lines.push(r.ok ? `OK: ${r.operations} operations, no violations` : `FAILED: ${r.operations} operations, ${r.violations.length} violation(s) listed`);
  lines.push(
    renderTable({
      head: ['check', 'result'],
      rows: [
        ['writes ok / failed / indeterminate', `${s.writes.ok} / ${s.writes.failed} / ${s.writes.indeterminate}`],
        ['indeterminate seen applied / not seen', `${s.indeterminate.applied} / ${s.indeterminate.notObserved}`],
        ['reads ok / failed', `${s.reads.ok} / ${s.reads.failed + s.reads.indeterminate}`],
        ['safe retries', s.retries],
        ['lost writes', s.readback ? s.lostWrites : 'no read-back recorded'],
        ['registers checked (linearizable)', `${s.registersChecked} keys, ${s.linearizabilityViolations} violation(s)`],
        ['watch events', s.watched ? `${s.watchEvents}, ${s.watchViolations} violation(s)` : 'no watch recorded'],
      ],
    }).trimEnd(),
  );
  for (const v of r.violations) lines.push(`VIOLATION ${v.code}: ${v.message}`);
  return lines.join('\n') + '\n';
}
