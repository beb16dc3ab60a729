import type { Command } from 'commander';
import { runCommand, type CliIO } from './run.js';
import { withOutputOption } from './common.js';

export function registerMisc(program: Command, io: CliIO): void {
  withOutputOption(
    program
      .command('demo')
      .description('the whole story unattended: install two etcd versions, start a 3-member cluster on the older with realistic data, back up, plan, upgrade live under load, verify, report, clean up')
      .option('--from <version>', 'start version (default: the oldest this machine can get)')
      .option('--to <version>', 'target version (default: the newest this machine can get)')
      .option('--members <n>', 'cluster size', '3')
      .option('--load <ops>', 'canary load during the upgrade, ops/s', '100')
      .option('--soak <duration>', 'gate each upgraded member for this long', '3s')
      .option('--name <name>', 'local cluster name (default: demo, or demo-N when taken)')
      .option('--source <source>', 'where etcd binaries come from: auto|debian|github|dir:PATH', 'auto')
      .option('--keep', 'keep the cluster running afterwards')
      .option('--serve', 'start the dashboard first and watch the upgrade live in a browser (stays up until Ctrl-C on a terminal)')
      .option('--port <port>', 'dashboard port with --serve (0 picks a free one)', '8379'),
  ).action(async (opts) => {
    await runCommand(io, () => import('../commands/demo.js'), opts);
  });
}
