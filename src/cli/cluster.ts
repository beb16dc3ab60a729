import type { Command } from 'commander';
import { runCommand, type CliIO } from './run.js';
import { withOutputOption } from './common.js';

export function registerCluster(program: Command, io: CliIO): void {
  const cluster = program.command('cluster').description('local etcd clusters on 127.0.0.1 (data under $UPSHIFT_HOME/clusters/NAME)');

  withOutputOption(
    cluster
      .command('up')
      .description('start a local cluster of N members with free ports; processes outlive this command')
      .option('--name <name>', 'cluster name', 'local')
      .option('--version <version>', 'installed etcd version (default: the newest installed)')
      .option('--members <n>', 'number of members, 1-7', '3')
      .option('--tls', 'generate a CA and certificates; client and peer TLS with client-cert auth')
      .option('--auth', 'enable auth with user root (random password in a 0600 file)'),
  ).action(async (opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/cluster-up.js'), opts);
  });

  withOutputOption(
    cluster
      .command('down')
      .description('stop every member by PID (SIGTERM, then SIGKILL after --timeout) and wait for it to exit')
      .argument('<name>', 'cluster name')
      .option('--purge', 'also delete the cluster directory (data, logs, certificates)')
      .option('--timeout <duration>', 'how long to wait for each member after SIGTERM', '15s'),
  ).action(async (name: string, opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/cluster-down.js'), { ...opts, name });
  });

  withOutputOption(
    cluster
      .command('start')
      .description('start the stopped members of a cluster kept by `cluster down` (without --purge)')
      .argument('<name>', 'cluster name'),
  ).action(async (name: string, opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/cluster-start.js'), { ...opts, name });
  });

  withOutputOption(cluster.command('ls').description('local clusters and the state of each member')).action(async (opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/cluster-ls.js'), opts);
  });

  withOutputOption(
    cluster
      .command('env')
      .description('print `export ETCDCTL_...` lines for a cluster; use: eval "$(upshift cluster env NAME)"')
      .argument('<name>', 'cluster name'),
    ['shell', 'json'],
  ).action(async (name: string, opts: { output?: string }) => {
    await runCommand(io, () => import('../commands/cluster-env.js'), { ...opts, name, output: opts.output === 'table' ? 'shell' : opts.output }, ['shell', 'json']);
  });
}
