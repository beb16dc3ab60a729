import type { Command } from 'commander';
import { runCommand, type CliIO } from './run.js';
import { withOutputOption } from './common.js';

/** serve (the live dashboard) and report (a run's self-contained HTML). */
export function registerDashboard(program: Command, io: CliIO): void {
  withOutputOption(
    program
      .command('serve')
      .description('the dashboard: runs (live and past) with charts, gates and the journal, clusters, backups, and /metrics; loopback only, a fresh token per start')
      .option('--port <port>', 'TCP port (0 picks a free one)', '8379')
      .option('--bind <address>', 'address to listen on', '127.0.0.1')
      .option('--allow-remote', 'allow a non-loopback --bind (plain HTTP: prints a warning)')
      .option('--token-file <file>', "also write this start's token to FILE (mode 0600), e.g. for Prometheus' credentials_file"),
  ).action(async (opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/serve.js'), opts);
  });

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
