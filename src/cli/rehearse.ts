import type { Command } from 'commander';
import { runCommand, type CliIO } from './run.js';
import { collect, withConnectionOptions, withOutputOption } from './common.js';
import { withCanaryAndGateOptions } from './upgrade.js';

/** `rehearse`: the upgrade on a throw-away copy of the newest verified backup, under faults. */
export function registerRehearse(program: Command, io: CliIO): void {
  withOutputOption(
    withConnectionOptions(
      withCanaryAndGateOptions(
        program
          .command('rehearse')
          .description('rehearse the upgrade on a throw-away copy of the newest verified backup, every link through the fault layer, under a seeded fault schedule; go (exit 0) or no-go (exit 1) with reasons')
          .option('--to <version>', 'target etcd version')
          .option('--via <version>', 'pin an intermediate version (repeatable)', collect, [])
          .option('--backup <file|latest>', 'the snapshot to restore (default latest: the newest backup of the cluster that verifies; one is taken if there is none)')
          .option('--faults <file>', 'fault schedule (YAML; see README "Fault schedule")')
          .option('--seed <n>', 'seed of the schedule\'s draws and the proxies\' dice (default: the schedule\'s, else random; always reported)')
          .option('--config <file>', 'the source\'s etcd configuration (YAML, flag list, systemd unit, ETCD_* env file; repeatable): its flags go onto the copy', collect, [])
          .option('--driver-config <file>', 'an exec driver config: its `config:` files give the source\'s flags')
          .option('--keep', 'keep the copy afterwards (detached from the fault layer)')
          .option('--source <source>', 'where the etcd versions the copy needs come from when not installed, as for `etcd install`', 'auto')
          .option('--base-url <url>', 'release archive base (a mirror in the GitHub release layout) for --source auto or github'),
        'upgrade',
      ),
    ),
  ).action(async (opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/rehearse.js'), opts);
  });
}
