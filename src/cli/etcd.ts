import type { Command } from 'commander';
import { runCommand, type CliIO } from './run.js';
import { withOutputOption } from './common.js';
import type { EtcdInstallOptions } from '../commands/etcd-install.js';
import type { EtcdListOptions } from '../commands/etcd-list.js';

const SOURCE_HELP = 'where binaries come from: auto|github|debian|go|dir:PATH (go: build from Go modules with the local Go toolchain)';

export function registerEtcd(program: Command, io: CliIO): void {
  const etcd = program.command('etcd').description('install and list etcd binaries under $UPSHIFT_HOME/etcd');

  withOutputOption(
    etcd
      .command('install')
      .description('install etcd, etcdctl (and etcdutl) of each VERSION, checksum-verified, with a manifest')
      .argument('[versions...]', 'etcd versions, e.g. 3.4.23 3.5.30 (optional with --source dir:PATH)')
      .option('--source <source>', SOURCE_HELP, 'auto')
      .option('--base-url <url>', 'release archive base for --source github (a mirror with the official layout)')
      .option('--force', 'reinstall even if the version is installed (also repairs a damaged install)')
      .option('--refresh', 'refresh Debian suite discovery and apt indices even if fresh')
      .option('--timeout <duration>', 'deadline of each download (default 10m); with --source go, of each build step (default 30m)')
      .option('--request-timeout <duration>', 'deadline of each small request (checksums, listings)', '20s'),
  ).action(async (versions: string[], opts: Omit<EtcdInstallOptions, 'versions'>) => {
    await runCommand(io, () => import('../commands/etcd-install.js'), { ...opts, versions });
  });

  withOutputOption(
    etcd
      .command('list')
      .alias('ls')
      .description('list installed etcd versions; --available: what each source offers')
      .option('--available', 'also ask the sources which versions they offer')
      .option('--source <source>', SOURCE_HELP, 'auto')
      .option('--base-url <url>', 'release archive base for --source github')
      .option('--refresh', 'refresh Debian suite discovery and apt indices even if fresh')
      .option('--timeout <duration>', 'deadline of each index download', '10m')
      .option('--request-timeout <duration>', 'deadline of each small request', '20s'),
  ).action(async (opts: EtcdListOptions) => {
    await runCommand(io, () => import('../commands/etcd-list.js'), opts);
  });
}
