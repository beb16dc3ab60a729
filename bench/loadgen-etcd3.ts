/**
 * Baseline load generator for bench/loadgen-compare.ts: the same put/range load as `upshift bench`, driven
 * through the `etcd3` npm client (grpc-js + proto-loader), the way a Node user would write it. Retries and
 * circuit breakers are switched off (faultHandling noop) so every outcome is observed, and each of the
 * --conns clients gets its own TCP connection: grpc-js shares one connection per target across channels
 * unless 'grpc.use_local_subchannel_pool' is set (grpc-node@2670b37a:packages/grpc-js/src/internal-channel.ts,
 * getSubchannelPool). One process, one event loop.
 *
 *   node --import tsx bench/loadgen-etcd3.ts --endpoints URL,... --workload put --clients 64 --conns 8 --total 20000
 *
 * Prints one JSON document: {tool, ops, errors, durationSec, throughput, latencyMs, clientCpuUsPerOp}.
 */
import { parseArgs } from 'node:util';
import { Etcd3 } from 'etcd3';
// cockatiel is etcd3's own policy library (installed with it); noop disables its retries/breakers.
import { noop } from 'cockatiel';
import { newHistogram, summarize } from '../src/bench/histogram.js';

const { values } = parseArgs({
  options: {
    endpoints: { type: 'string' },
    workload: { type: 'string', default: 'put' },
    clients: { type: 'string', default: '64' },
    conns: { type: 'string', default: '8' },
    total: { type: 'string', default: '10000' },
    'key-size': { type: 'string', default: '32' },
    'val-size': { type: 'string', default: '256' },
    'key-space': { type: 'string', default: '100000' },
    consistency: { type: 'string', default: 'l' },
    warmup: { type: 'string', default: '0' },
  },
});

const endpoints = (values.endpoints ?? 'http://127.0.0.1:2379').split(',');
const clients = Number(values.clients);
const conns = Number(values.conns);
const total = Number(values.total);
const keySize = Number(values['key-size']);
const keySpace = Number(values['key-space']);
const warmupMs = Number(values.warmup) * 1000;
const value = Buffer.alloc(Number(values['val-size']), 'x');
const prefix = 'bench/';
const keyOf = (i: number): string => prefix + String(i).padStart(keySize - prefix.length, '0');

const etcds = Array.from(
  { length: conns },
  (_, i) =>
    new Etcd3({
      // One endpoint per client object so connections spread like upshift's (conn i -> endpoint i % n).
      hosts: endpoints[i % endpoints.length]!,
      faultHandling: { host: () => noop, global: noop },
      grpcOptions: { 'grpc.use_local_subchannel_pool': 1 },
    }),
);

const op = (c: number): Promise<unknown> => {
  const e = etcds[c % conns]!;
  const key = keyOf(Math.floor(Math.random() * keySpace));
  if (values.workload === 'range') {
    const g = e.get(key);
    return g.serializable(values.consistency === 's').buffer();
  }
  return e.put(key).value(value).exec();
};

const hist = newHistogram();
let errors = 0;
let ops = 0;

async function phase(untilMs: number | undefined, count: number | undefined, record: boolean): Promise<void> {
  let issued = 0;
  const loop = async (c: number): Promise<void> => {
    for (;;) {
      if (count !== undefined && issued >= count) return;
      if (untilMs !== undefined && performance.now() >= untilMs) return;
      issued++;
      const t0 = performance.now();
      try {
        await op(c);
        if (record) {
          hist.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
          ops++;
        }
      } catch {
        if (record) errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, c) => loop(c)));
}

// Connect every client object first (the first call opens the channel).
await Promise.all(etcds.map((e) => e.get('bench-connect-probe').string().catch(() => undefined)));
if (warmupMs > 0) await phase(performance.now() + warmupMs, undefined, false);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await phase(undefined, total, true);
const durationSec = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
for (const e of etcds) e.close();
process.stdout.write(
  JSON.stringify({
    tool: 'etcd3',
    workload: values.workload,
    ops,
    errors,
    durationSec,
    throughput: ops / durationSec,
    latencyMs: summarize(hist),
    clientCpuUsPerOp: ops ? (cpu.user + cpu.system) / ops : 0,
  }) + '\n',
);
