/**
 * `upshift report [RUN] [--html FILE]`: regenerate a run's self-contained report.html from its journal and
 * canary histories (default: beside the journal; RUN defaults to the newest run). Exit 0 when written.
 */
import { resolve } from 'node:path';
import type { CommandContext } from '../core/context.js';
import { ProblemError } from '../core/errors.js';
import { listRuns } from '../upgrade/runs.js';
import { join } from 'node:path';
import { REPORT_FILE, writeViewReport } from '../dashboard/report.js';
import { loadRunView } from '../runview/files.js';
import { stateLabelOf } from '../dashboard/runs.js';

export interface ReportOptions {
  run?: string;
  html?: string;
  output?: string;
}

export interface ReportResult {
  runId: string;
  kind: string;
  path: string[];
  state: string;
  html: string;
  journal: string;
}

export async function run(opts: ReportOptions, ctx: CommandContext): Promise<ReportResult> {
  const runs = await listRuns(ctx.home);
  const r = opts.run ? runs.find((x) => x.runId === opts.run) : runs[runs.length - 1];
  if (!r) {
    const known = runs.slice(-5).map((x) => x.runId).join(', ');
    throw new ProblemError('no-run', opts.run ? `no run ${opts.run} under ${ctx.home}/runs` : `no run under ${ctx.home}/runs`, { hint: known ? `recent runs: ${known}` : 'runs are made by `upshift upgrade`' });
  }
  const view = await loadRunView(r.paths.dir);
  if (!view) throw new ProblemError('no-run', `${r.paths.dir} holds no run journal`);
  const html = await writeViewReport(view, opts.html ? resolve(opts.html) : join(r.paths.dir, REPORT_FILE));
  return { runId: r.runId, kind: view.kind, path: view.path, state: stateLabelOf(view), html, journal: r.paths.journal };
}

export function render(r: ReportResult): string {
  return `${r.kind} ${r.path.join(' -> ')} (${r.state}): report written to ${r.html}\n`;
}
