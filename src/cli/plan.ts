import type { Command } from 'commander';
import { runCommand, type CliIO } from './run.js';
import { collect, withConnectionOptions, withOutputOption } from './common.js';

export function registerPlan(program: Command, io: CliIO): void {
  withOutputOption(
    withConnectionOptions(
      program
        .command('plan')
        .description('plan an etcd upgrade: the version path, ordered steps per hop, blockers with sources, CVEs fixed (pure; reads the live cluster unless --from)')
        .option('--to <version>', 'target etcd version, e.g. 3.6.14 (X.Y = its latest known patch)')
        .option('--from <version>', 'source version; without it the live cluster is read (connection flags)')
        .option('--via <version>', 'pin an intermediate version (repeatable), e.g. --via 3.5.32', collect, [])
        .option('--config <file>', 'etcd config to lint: YAML config file, flag list, systemd unit, or ETCD_* env file; prefix yaml:|flags:|systemd:|env: to force the kind (repeatable)', collect, [])
        .option('--auth-enabled', 'the cluster has auth enabled (default with --from: unknown)')
        .option('--no-auth-enabled', 'the cluster has auth disabled')
        .option('--v2-store <state>', 'v2 store use: in-use|enabled|not-observed|unknown (default with --from: unknown)')
        .option('--topology <file>', 'trace files or topology snapshots: add the impact of the target on the services they show (repeatable)', collect, []),
    ),
  ).action(async (opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/plan.js'), opts);
  });
}
