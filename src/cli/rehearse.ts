import type { Command } from 'commander';
import { runCommand, type CliIO } from './run.js';
import { collect, withConnectionOptions, withOutputOption } from './common.js';

/** `rehearse`: the upgrade on a throw-away copy of the newest verified backup, under faults. */
export function registerRehearse(program: Command, io: CliIO): void {
  withOutputOption(
    withConnectionOptions(
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
        .option('--load <ops>', 'canary load in ops/s', '50')
        .option('--soak <duration>', 'gate each upgraded member for this long', '5s')
        .option('--on-failure <policy>', 'rollback (while the cluster is mixed) or pause', 'rollback')
        .option('--no-drain', 'do not move canary traffic off a member before it stops')
        .option('--leader-transfer <method>', 'auto, move-leader, graceful-stop', 'auto')
        .option('--baseline <duration>', 'baseline measurement window', '3s')
        .option('--max-error-rate <ratio>', 'gate: error rate over the window (default 0.01)')
        .option('--max-p99 <duration>', 'gate: absolute P99 (default 1s)')
        .option('--max-p99-factor <n>', 'gate: P99 relative to the baseline P99 (default 5)')
        .option('--max-p99-slack <duration>', 'gate: the relative P99 limit is at least baseline + this (default 300ms)')
        .option('--max-failed-health-checks <n>', 'gate: failed health checks per window (default 2)')
        .option('--max-applied-lag <entries>', 'gate: applied-index distance to the leader (default 100)')
        .option('--ready-timeout <duration>', 'how long a restarted member may take to be ready', '60s'),
    ),
  ).action(async (opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/rehearse.js'), opts);
  });
}
