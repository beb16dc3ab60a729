import { Command } from 'commander';
import type { CliIO } from './run.js';
import { runCommand } from './run.js';
import { withConnectionOptions, withOutputOption } from './common.js';
import type { BenchOptions } from '../commands/bench.js';
import type { BenchCompareOptions } from '../commands/bench-compare.js';

const WORKLOAD_HELP: Record<string, string> = {
  put: 'puts of --val-size values to keys of the key-space',
  range: 'reads of one key (or the whole prefix with --prefix), --consistency l|s',
  txn: 'compare-and-swap: read a key’s mod revision, then txn(if mod == r then put); lost races count as conflicts',
  mixed: 'reads and puts, --read-ratio of them reads',
  watch: '--watchers watchers on the key-space keys; puts carry their send time; reports event delivery latency and events/s',
  lease: 'one lease per client, granted up front; each op is one keepalive round trip',
};

function withBenchOptions(cmd: Command): Command {
  cmd
    .option('--clients <n>', 'concurrent clients (closed loop; the concurrency cap under --rate)', '64')
    .option('--conns <n>', 'TCP connections in total, spread over the endpoints (default: min(8, clients))')
    .option('--total <n>', 'exactly this many measured ops (default 10000 when no --duration)')
    .option('--duration <d>', 'run for this long instead of --total, e.g. 30s')
    .option('--rate <ops/s>', 'open loop at this rate; latencies from each op’s intended start (coordinated-omission corrected)')
    .option('--key-size <bytes>', 'key size in bytes', '32')
    .option('--val-size <bytes>', 'value size in bytes', '256')
    .option('--key-space <n>', 'number of distinct keys', '100000')
    .option('--key-prefix <p>', 'prefix of every key', 'bench/')
    .option('--sequential-keys', 'walk the key-space in order instead of random keys')
    .option('--warmup <d>', 'unmeasured load before the measurement, e.g. 2s', '0s')
    .option('--workers <n>', 'worker threads, each with its own connections (default: a quarter of the cores, at least 1)')
    .option('--consistency <l|s>', 'reads: l linearizable, s serializable', 'l')
    .option('--prefix', 'range: read the whole key prefix')
    .option('--limit <n>', 'range: at most this many keys (0 = no limit)', '0')
    .option('--read-ratio <0..1>', 'mixed: fraction of reads', '0.9')
    .option('--watchers <n>', 'watch: number of watchers', '64')
    .option('--lease-ttl <seconds>', 'lease: TTL of the granted leases', '30')
    .option('--transport <raw|node-http2>', 'HTTP/2 client: raw (lean, default) or node-http2 (for comparison)', 'raw')
    .option('--out <file>', 'also write the JSON result to FILE (crash-safe), for `bench compare`')
    .option('--html <file>', 'also write a self-contained HTML report');
  withConnectionOptions(cmd);
  withOutputOption(cmd);
  return cmd;
}

export function registerBench(program: Command, io: CliIO): void {
  const bench = new Command('bench').description('load-test a cluster (put, range, txn, mixed, watch, lease) and compare runs');
  for (const [workload, help] of Object.entries(WORKLOAD_HELP)) {
    const cmd = withBenchOptions(new Command(workload).description(help));
    cmd.action(async (opts: Omit<BenchOptions, 'workload'>) => {
      await runCommand(io, () => import('../commands/bench.js'), { ...opts, workload: workload as BenchOptions['workload'] });
    });
    bench.addCommand(cmd);
  }
  const compare = new Command('compare')
    .description('before/after table of two saved results (exit 1 when a metric is worse beyond noise)')
    .argument('<before>', 'JSON result of the earlier run')
    .argument('<after>', 'JSON result of the later run')
    .option('--html <file>', 'write a self-contained HTML report with charts')
    .option('--noise-floor <pct>', 'changes smaller than this are always noise', '5');
  withOutputOption(compare);
  compare.action(async (before: string, after: string, opts: Omit<BenchCompareOptions, 'before' | 'after'>) => {
    await runCommand(io, () => import('../commands/bench-compare.js'), { ...opts, before, after });
  });
  bench.addCommand(compare);
  program.addCommand(bench);
}
