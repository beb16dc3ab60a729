import { Command } from 'commander';
import type { CliIO } from './run.js';
import { runCommand } from './run.js';
import { withConnectionOptions, withOutputOption } from './common.js';
import type { StatusOptions } from '../commands/status.js';

export function registerStatus(program: Command, io: CliIO): void {
  const cmd = new Command('status')
    .description('members, versions, leader, health, alarms and findings of a cluster (exit 1 when not healthy)')
    .option('--endpoints-only', 'look only at the given endpoints, not every member of the member list')
    .option('--no-metrics', 'skip /metrics (quota and cluster-version fallbacks for servers before 3.6)');
  withConnectionOptions(cmd);
  withOutputOption(cmd);
  cmd.action(async (opts: StatusOptions) => {
    await runCommand(io, () => import('../commands/status.js'), opts);
  });
  program.addCommand(cmd);
}
