import type { Command } from 'commander';
import { runCommand, type CliIO } from './run.js';
import { withOutputOption } from './common.js';

/** serve (the live dashboard) and report (a run's self-contained HTML). */
export function registerDashboard(program: Command, io: CliIO): void {
  withOutputOption(
    program
      .command('report')
      .description("regenerate a run's self-contained report.html (charts, gates, timeline, proof) from its journal and canary histories")
      .argument('[run]', 'run id (default: the newest run)')
      .option('--html <file>', 'write it here instead of beside the journal'),
  ).action(async (runId: string | undefined, opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/report.js'), { ...opts, ...(runId ? { run: runId } : {}) });
  });
}
