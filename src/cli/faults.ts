import type { Command } from 'commander';
import { runCommand, type CliIO } from './run.js';
import { collect, withOutputOption } from './common.js';

/** `faults proxy`: the fault layer on its own. */
export function registerFaults(program: Command, io: CliIO): void {
  const faults = program.command('faults').description('fault injection in user space: per-RPC gRPC faults (L7) and TCP link faults (L4)');
  withOutputOption(
    faults
      .command('proxy')
      .description('a fault proxy in front of one etcd member (or any TCP service with --l4); runs until Ctrl-C, then prints what it did')
      .option('--listen <addr>', 'where the proxy listens, HOST:PORT (port 0: a free one)')
      .option('--target <addr>', 'the member, HOST:PORT or http(s)://HOST:PORT')
      .option('--l4', 'relay TCP instead of HTTP/2 (any protocol; TLS passed through)')
      .option('--latency <duration>', 'L7: delay each RPC; L4: delay each chunk (once per round trip, see --direction)')
      .option('--jitter <duration>', 'latency ± this (uniform, seeded; order is kept)')
      .option('--abort <rate[:code]>', 'L7: fail this share of RPCs with a gRPC status, answered trailers-only (e.g. 5%:UNAVAILABLE)')
      .option('--method <path>', 'L7: only RPCs of this gRPC path or prefix* (repeatable), e.g. /etcdserverpb.KV/Put', collect, [])
      .option('--watch-delay <duration>', 'L7: delay every watch response')
      .option('--bandwidth <rate>', 'L4: limit to this rate, e.g. 64KB/s')
      .option('--direction <dir>', 'L4 latency/bandwidth: up (client->target), down (default) or both')
      .option('--blackhole', 'forward nothing, keep the connections (L7: hold RPCs)')
      .option('--reset', 'reset every connection (TCP RST), and new ones')
      .option('--slow-close <duration>', 'L4: delay passing on a close')
      .option('--cacert <file>', 'TLS target: CA to verify the member')
      .option('--cert <file>', 'TLS target: client certificate for the member')
      .option('--key <file>', 'TLS target: client key')
      .option('--insecure-skip-tls-verify', 'TLS target: accept any certificate (testing only)')
      .option('--listen-cert <file>', 'terminate TLS with this certificate (e.g. the member\'s server cert): needed for per-RPC faults on a TLS member')
      .option('--listen-key <file>', 'key of --listen-cert')
      .option('--listen-cacert <file>', 'require client certificates signed by this CA')
      .option('--seed <n>', 'seed for the dice (abort, jitter)', '0')
      .option('--duration <duration>', 'stop after this long (default: until Ctrl-C)'),
  ).action(async (opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/faults-proxy.js'), opts);
  });
}
