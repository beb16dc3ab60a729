/**
 * Benchmark: what the fault proxies cost clients with no fault configured, on loopback, against direct
 * connections measured in the same run (the target: under 1 ms added at P99).
 *
 *   node --import tsx bench/faults-proxy-overhead.ts [--version 3.5.30] [--rounds 5] [--rpcs 2000] [--rate 100] [--canary-seconds 10] [--modes direct,direct-again,l7,l7-thread,l4]
 *
 * One local 3-member cluster; in front of every member an L7 proxy (node:http2) and an L4 proxy
 * (node:net) in the client's process (`l7`, `l4`: how `upshift rehearse` runs them), and the fault
 * layer's other mode, L7 proxies in a worker thread of their own (`l7-thread`), and `direct-again`: direct
 * connections measured a second time, an A/A control whose "added" figures are this machine's noise floor
 * (a proxy's added latency means something only where it stands out of that). Two measurements, modes
 * interleaved round by round, each round starting one mode later (direct, direct-again, l7, ...; then direct-again,
 * l7, ..., direct), so machine noise and a round's warm-up hit all alike:
 *  1. unary: --rpcs sequential serializable Range calls to one member per round; median and P99.
 *  2. canary: the upgrade's canary workload (writes and linearizable reads over all members, a watch, a
 *     lease) at --rate ops/s for --canary-seconds per round; its P99.
 * Reported: per mode the median over rounds of each figure, the added latency against direct (the
 * median of the per-round differences, with their spread: min..max over rounds), the ratio to direct, and the CPU per unary RPC of this process
 * (client and proxies, every thread: process.cpuUsage) as a ratio to direct. Figures, no assertions.
 */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir, homedir, loadavg } from 'node:os';
import { join } from 'node:path';
import { clusterUp, clusterDown } from '../src/cluster/local.js';
import { resolveConnection, type ConnectionConfig } from '../src/client/connection.js';
import { EtcdClient } from '../src/client/kv.js';
import { CanaryWorkload } from '../src/workload/canary.js';
import { percentile } from '../src/workload/stats.js';
import { L7FaultProxy } from '../src/faults/l7-proxy.js';
import { L4FaultProxy } from '../src/faults/l4-proxy.js';
import { FaultLayer } from '../src/faults/layer.js';
import { loadCluster } from '../src/cluster/local.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
};
const VERSION = arg('version', '3.5.30');
const ROUNDS = Number(arg('rounds', '5'));
const RPCS = Number(arg('rpcs', '2000'));
const RATE = Number(arg('rate', '100'));
const CANARY_S = Number(arg('canary-seconds', '10'));
type Mode = 'direct' | 'direct-again' | 'l7' | 'l7-thread' | 'l4';
const ALL_MODES: Mode[] = ['direct', 'direct-again', 'l7', 'l7-thread', 'l4'];
const MODES: Mode[] = ['direct', ...(arg('modes', ALL_MODES.join(',')).split(',') as Mode[]).filter((m) => m !== 'direct')];
for (const m of MODES) if (!ALL_MODES.includes(m)) throw new Error(`--modes: unknown mode ${m} (use ${ALL_MODES.join(', ')})`);

const median = (xs: number[]): number => percentile(xs, 50) ?? NaN;
const f = (n: number): string => (Number.isFinite(n) ? n.toFixed(3) : '-');

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'upshift-bench-faults-'));
  symlinkSync(join(process.env.UPSHIFT_TEST_BIN_HOME ?? join(homedir(), '.upshift'), 'etcd'), join(home, 'etcd'));
  const name = 'bench';
  const proxies: { close(): Promise<void> }[] = [];
  try {
    await clusterUp(home, { name, version: VERSION, members: 3 });
    const direct = resolveConnection({ cluster: name, dialTimeout: '2s', commandTimeout: '5s' }, {}, home);
    const endpoints: Record<Mode, string[]> = { direct: direct.endpoints, 'direct-again': direct.endpoints, l7: [], 'l7-thread': [], l4: [] };
    const cluster = await loadCluster(home, name);
    const layer = await FaultLayer.create({ members: cluster.members.map((m) => ({ name: m.name, dataDir: m.dataDir })), seed: 0 }, { thread: 'own' });
    proxies.push(layer);
    for (const m of cluster.members) {
      await layer.setTargets(m.name, { clientPort: m.spec.clientPort, peerPort: m.spec.peerPort });
      endpoints['l7-thread'].push(layer.advertised(m.name).clientURL);
    }
    for (const ep of direct.endpoints) {
      const u = new URL(ep);
      const target = { host: u.hostname, port: Number(u.port) };
      const l7 = new L7FaultProxy({ listen: { host: '127.0.0.1', port: 0 }, target });
      const l4 = new L4FaultProxy({ listen: { host: '127.0.0.1', port: 0 }, target });
      endpoints.l7.push(`http://127.0.0.1:${await l7.start()}`);
      endpoints.l4.push(`http://127.0.0.1:${await l4.start()}`);
      proxies.push(l7, l4);
    }
    const cfg = (m: Mode): ConnectionConfig => ({ ...direct, endpoints: endpoints[m] });
    const unary = Object.fromEntries(MODES.map((m) => [m, { p50: [] as number[], p99: [] as number[], cpuUs: [] as number[] }])) as Record<Mode, { p50: number[]; p99: number[]; cpuUs: number[] }>;
    const canary = Object.fromEntries(MODES.map((m) => [m, [] as number[]])) as Record<Mode, number[]>;
    process.stderr.write(`etcd ${VERSION}, 3 members, ${ROUNDS} rounds; load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
    for (let r = 0; r < ROUNDS; r++) {
      // Each round starts with the next mode: no mode always runs first (the first runs of a round measured slower).
      const order = MODES.map((_, i) => MODES[(i + r) % MODES.length]!);
      for (const m of order) {
        const c = new EtcdClient({ ...cfg(m), endpoints: [endpoints[m][0]!] });
        for (let i = 0; i < 50; i++) await c.range('bench', { serializable: true });
        const lat: number[] = [];
        const cpu0 = process.cpuUsage();
        for (let i = 0; i < RPCS; i++) {
          const t0 = performance.now();
          await c.range('bench', { serializable: true });
          lat.push(performance.now() - t0);
        }
        const cpu = process.cpuUsage(cpu0);
        c.close();
        unary[m].cpuUs.push((cpu.user + cpu.system) / RPCS);
        unary[m].p50.push(median(lat));
        unary[m].p99.push(percentile(lat, 99)!);
      }
      for (const m of order) {
        const dir = mkdtempSync(join(tmpdir(), 'upshift-bench-canary-'));
        const w = new CanaryWorkload({ config: cfg(m), prefix: `/bench/${r}/${m}/`, historyFile: join(dir, 'h.jsonl'), opsPerSec: RATE });
        await w.start();
        await new Promise((res) => setTimeout(res, CANARY_S * 1000));
        const rep = await w.stop();
        rmSync(dir, { recursive: true, force: true });
        canary[m].push(rep.p99Ms ?? NaN);
      }
      process.stderr.write(
        `round ${r + 1} (load ${loadavg()[0]!.toFixed(1)}): unary P99 ${MODES.map((m) => `${m} ${f(unary[m].p99[r]!)}`).join(', ')} ms; CPU/RPC ${MODES.map((m) => `${m} ${unary[m].cpuUs[r]!.toFixed(0)}`).join(', ')} µs; canary P99 ${MODES.map((m) => `${m} ${f(canary[m][r]!)}`).join(', ')} ms\n`,
      );
    }
    const diffs = (xs: number[], base: number[]): number[] => xs.map((x, i) => x - base[i]!);
    const added = (xs: number[], base: number[]): string => {
      const d = diffs(xs, base);
      return `${f(median(d))} (${f(Math.min(...d))}..${f(Math.max(...d))})`;
    };
    const ratio = (xs: number[], base: number[]): string => `x${median(xs.map((x, i) => x / base[i]!)).toFixed(2)}`;
    const lines = [
      `| mode | unary P50 ms | unary P99 ms | added P50 | added P99 | P99 vs direct | CPU/RPC µs (client+proxy) | CPU vs direct | canary P99 ms (${RATE}/s) | added canary P99 | canary P99 vs direct |`,
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...MODES.map((m) => {
        const d = m === 'direct';
        return `| ${m} | ${f(median(unary[m].p50))} | ${f(median(unary[m].p99))} | ${d ? '-' : added(unary[m].p50, unary.direct.p50)} | ${d ? '-' : added(unary[m].p99, unary.direct.p99)} | ${d ? 'x1' : ratio(unary[m].p99, unary.direct.p99)} | ${median(unary[m].cpuUs).toFixed(0)} | ${d ? 'x1' : ratio(unary[m].cpuUs, unary.direct.cpuUs)} | ${f(median(canary[m]))} | ${d ? '-' : added(canary[m], canary.direct)} | ${d ? 'x1' : ratio(canary[m], canary.direct)} |`;
      }),
    ];
    process.stdout.write(lines.join('\n') + `\n(medians over ${ROUNDS} rounds; added = median of per-round differences against direct (min..max over rounds); direct-again is the A/A noise floor; load average at end ${loadavg().map((x) => x.toFixed(1)).join(' ')})\n`);
  } finally {
    for (const p of proxies) await p.close();
    await clusterDown(home, name, { purge: true }).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
