/**
 * upshift bench vs a baseline, on one local 3-member cluster, in the same run (ratios, not absolutes:
 * the machine may be shared). Baseline: etcd's own benchmark tool (tools/benchmark) — `--go-bench PATH`,
 * or `--build-go-bench` to build it from the Go module proxy at the server's version (bench/go-benchmark.ts)
 * — and always also the `etcd3` npm client (bench/loadgen-etcd3.ts).
 *
 *   node --import tsx bench/loadgen-compare.ts [--go-bench PATH | --build-go-bench] [--version 3.5.30] [--rounds 2]
 *        [--scenarios put:64:8:40000,put:256:16:60000,range:64:8:120000] [--total N] [--tools upshift,etcd3,go]
 *
 * Each scenario runs every tool `rounds` times, alternating the order (ABC, CBA, ...) so drift in the
 * machine's load does not favour one tool; the medians are compared. Reported per tool: ops/s, p99,
 * client CPU per op, and the machine's busy % during the run. CPU/op: the Node tools report CPU over
 * their measured window (excluding process start-up and TypeScript loading, which a long benchmark
 * amortises); the Go binary is measured as a whole process (/usr/bin/time), start-up included (tiny).
 * Both Node tools are also measured as whole processes for reference. No tool gets a warmup (the Go
 * tool has none), so JIT warm-up is part of the Node tools' cost. "server us/op" is the CPU the etcd
 * members spent per op during the run: it shows whether a tool's requests cost the servers more.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir, loadavg, homedir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { clusterUp, clusterDown } from '../src/cluster/local.js';
import { keyOf } from '../src/bench/config.js';
import { buildEtcdBenchmark } from './go-benchmark.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    'go-bench': { type: 'string' },
    'build-go-bench': { type: 'boolean', default: false },
    version: { type: 'string', default: '3.5.30' },
    members: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '2' },
    /** workload:clients:conns[:total]; totals sized for several seconds per run at the anchor rates. */
    scenarios: { type: 'string', default: 'put:64:8:40000,put:256:16:60000,range:64:8:120000' },
    /** Overrides every scenario's total. */
    total: { type: 'string' },
    'key-size': { type: 'string', default: '32' },
    'val-size': { type: 'string', default: '256' },
    'key-space': { type: 'string', default: '100000' },
    json: { type: 'boolean', default: false },
    /** Comma-separated subset of: upshift, etcd3, go (go needs --go-bench). */
    tools: { type: 'string', default: 'upshift,etcd3,go' },
  },
});

const keySize = Number(values['key-size']);
const valSize = Number(values['val-size']);
const keySpace = Number(values['key-space']);
const totalOverride = values.total !== undefined ? Number(values.total) : undefined;
const rounds = Number(values.rounds);
let goBench = values['go-bench'];
if (goBench && !existsSync(goBench)) throw new Error(`--go-bench: ${goBench} does not exist`);
let goBenchVersion = goBench ? 'given' : '';
if (!goBench && values['build-go-bench']) {
  const b = await buildEtcdBenchmark(values.version!);
  goBench = b.path;
  goBenchVersion = `tools/benchmark of go.etcd.io/etcd/v3@v${b.version} (${b.goVersion}${b.built ? ', built now' : ', cached'})`;
  process.stderr.write(`go benchmark: ${goBenchVersion}: ${b.path}\n`);
}
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Scenario {
  workload: 'put' | 'range';
  clients: number;
  conns: number;
  total: number;
}
const scenarios: Scenario[] = values.scenarios!.split(',').map((s) => {
  const [workload, clients, conns, t] = s.split(':');
  // Short runs measure start-up (connections, JIT) more than steady state: default to ~5-10 s runs.
  return { workload: workload as Scenario['workload'], clients: Number(clients), conns: Number(conns), total: totalOverride ?? Number(t ?? 40000) };
});

interface Measured {
  tool: string;
  throughput: number;
  p99Ms: number;
  /** Node tools: measured window; Go: whole process. */
  cpuUsPerOp: number;
  wholeProcessCpuUsPerOp?: number;
  serverCpuUsPerOp: number;
  machineBusyPct: number;
  load1: number;
  errors: number;
}

function machineCpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const t = f.reduce((a, b) => a + b, 0);
  return { busy: t - idle, total: t };
}

/** Run a command (under /usr/bin/time when present); resolve stdout, stderr and whole-process CPU seconds. */
function exec(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 300_000): Promise<{ stdout: string; stderr: string; cpuSec?: number; code: number }> {
  return new Promise((resolve, reject) => {
    const timeFile = join(tmpdir(), `loadgen-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
    const [c, a] = TIME ? [TIME, ['-o', timeFile, '-f', '%U %S', cmd, ...args]] : [cmd, args];
    const child = spawn(c, a, { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      let cpuSec: number | undefined;
      if (TIME && existsSync(timeFile)) {
        const m = /([\d.]+) ([\d.]+)\s*$/.exec(readFileSync(timeFile, 'utf8'));
        if (m) cpuSec = Number(m[1]) + Number(m[2]);
        rmSync(timeFile, { force: true });
      }
      resolve({ stdout, stderr, code: code ?? 1, ...(cpuSec !== undefined ? { cpuSec } : {}) });
    });
  });
}

/** CPU seconds used so far by the cluster's etcd processes (utime + stime from /proc/PID/stat). */
let serverPids: number[] = [];
function serverCpuSec(): number {
  let ticks = 0;
  for (const pid of serverPids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // fields 14 and 15 of proc(5)
    } catch {
      /* member gone */
    }
  }
  return ticks / 100; // USER_HZ
}

async function measure(tool: string, run: () => Promise<Omit<Measured, 'machineBusyPct' | 'load1' | 'tool' | 'serverCpuUsPerOp'> & { ops: number }>): Promise<Measured> {
  const load1 = loadavg()[0]!;
  const m0 = machineCpu();
  const s0 = serverCpuSec();
  const { ops, ...r } = await run();
  const s1 = serverCpuSec();
  const m1 = machineCpu();
  return {
    tool,
    ...r,
    // Server work per op (all members): shows whether a tool's requests cost the servers more.
    serverCpuUsPerOp: ((s1 - s0) * 1e6) / Math.max(1, ops),
    machineBusyPct: Math.round(((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * 1000) / 10,
    load1: Math.round(load1 * 100) / 100,
  };
}

async function runUpshift(s: Scenario, endpoints: string[]): Promise<Measured> {
  return measure('upshift', async () => {
    const args = [join(root, 'bin', 'upshift.js'), 'bench', s.workload, '--endpoints', endpoints.join(','), '--clients', String(s.clients), '--conns', String(s.conns), '--total', String(s.total), '--key-size', String(keySize), '--val-size', String(valSize), '-o', 'json'];
    if (s.workload === 'range') args.push('--key-space', '1', '--consistency', 'l');
    else args.push('--key-space', String(keySpace));
    const r = await exec(process.execPath, args, { ...process.env, UPSHIFT_FROM_SOURCE: '1' });
    const j = JSON.parse(r.stdout) as { ops: number; errors: number; throughput: number; latencyMs: { p99: number }; clientCpuUsPerOp: number; config: { warmupMs: number } };
    return {
      ops: j.ops,
      throughput: j.throughput,
      p99Ms: j.latencyMs.p99,
      cpuUsPerOp: j.clientCpuUsPerOp,
      errors: j.errors,
      ...(r.cpuSec !== undefined ? { wholeProcessCpuUsPerOp: (r.cpuSec * 1e6) / j.ops } : {}),
    };
  });
}

/** The etcd3 client is ~5x slower: cap its runs (20000 ops is still many seconds for it). */
const etcd3Total = (s: Scenario): number => Math.min(s.total, 20000);

async function runEtcd3(s: Scenario, endpoints: string[]): Promise<Measured> {
  return measure('etcd3 (npm)', async () => {
    const args = ['--import', 'tsx', join(root, 'bench', 'loadgen-etcd3.ts'), '--endpoints', endpoints.join(','), '--workload', s.workload, '--clients', String(s.clients), '--conns', String(s.conns), '--total', String(etcd3Total(s)), '--key-size', String(keySize), '--val-size', String(valSize)];
    args.push('--key-space', s.workload === 'range' ? '1' : String(keySpace));
    const r = await exec(process.execPath, args);
    if (r.code !== 0) throw new Error(`etcd3 loadgen failed: ${r.stderr}`);
    const j = JSON.parse(r.stdout) as { ops: number; errors: number; throughput: number; latencyMs: { p99: number }; clientCpuUsPerOp: number };
    return { ops: j.ops, throughput: j.throughput, p99Ms: j.latencyMs.p99, cpuUsPerOp: j.clientCpuUsPerOp, errors: j.errors, ...(r.cpuSec !== undefined ? { wholeProcessCpuUsPerOp: (r.cpuSec * 1e6) / j.ops } : {}) };
  });
}

async function runGo(s: Scenario, endpoints: string[]): Promise<Measured> {
  return measure('go benchmark', async () => {
    const hosts = endpoints.map((e) => e.replace(/^https?:\/\//, '')).join(',');
    const args = ['--endpoints', hosts, '--conns', String(s.conns), '--clients', String(s.clients)];
    // The same key the Node tools read with --key-space 1 (key 0 of the key-space).
    if (s.workload === 'range') args.push('range', keyOf({ keyPrefix: 'bench/', keySize }, 0), '--consistency', 'l', '--total', String(s.total));
    else args.push('put', '--total', String(s.total), '--key-size', String(keySize), '--val-size', String(valSize), '--key-space-size', String(keySpace));
    const r = await exec(goBench!, args);
    const out = r.stdout + r.stderr;
    const rps = /Requests\/sec:\s*([\d.]+)/.exec(out);
    const p99 = /99% in ([\d.]+) secs/.exec(out);
    if (!rps || !p99) throw new Error(`cannot read the Go benchmark's output:\n${out.slice(-2000)}`);
    const throughput = Number(rps[1]);
    const cpu = r.cpuSec !== undefined ? (r.cpuSec * 1e6) / s.total : NaN;
    return { ops: s.total, throughput, p99Ms: Number(p99[1]) * 1000, cpuUsPerOp: cpu, errors: 0 };
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'upshift-loadgen-'));
  symlinkSync(join(process.env.UPSHIFT_TEST_BIN_HOME ?? process.env.UPSHIFT_HOME ?? join(homedir(), '.upshift'), 'etcd'), join(home, 'etcd'));
  const name = `loadgen-${process.pid}`;
  let up = false;
  const cleanup = async (): Promise<void> => {
    if (up) await clusterDown(home, name, { purge: true }).catch((e: unknown) => process.stderr.write(`cluster down failed: ${String(e)}\n`));
    up = false;
    rmSync(home, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    process.stderr.write(`starting a ${values.members}-member etcd ${values.version} cluster...\n`);
    const cluster = await clusterUp(home, { name, version: values.version!, members: Number(values.members) });
    up = true;
    const endpoints = cluster.members.map((m) => m.clientURL);
    serverPids = cluster.members.map((m) => m.pid).filter((p): p is number => p !== undefined);
    const results: { scenario: Scenario; runs: Measured[] }[] = [];
    for (const s of scenarios) {
      const wanted = new Set(values.tools!.split(','));
      const tools: ((s: Scenario, e: string[]) => Promise<Measured>)[] = [
        ...(wanted.has('upshift') ? [runUpshift] : []),
        ...(wanted.has('etcd3') ? [runEtcd3] : []),
        ...(goBench && wanted.has('go') ? [runGo] : []),
      ];
      const runs: Measured[] = [];
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 === 0 ? tools : [...tools].reverse();
        for (const t of order) {
          const m = await t(s, endpoints);
          process.stderr.write(`${s.workload} ${s.clients}/${s.conns} round ${r + 1}: ${m.tool}: ${Math.round(m.throughput)} ops/s, p99 ${m.p99Ms.toFixed(1)} ms, CPU ${m.cpuUsPerOp.toFixed(1)} us/op, server CPU ${Math.round(m.serverCpuUsPerOp)} us/op, machine ${m.machineBusyPct}% busy, load ${m.load1}\n`);
          runs.push(m);
        }
      }
      results.push({ scenario: s, runs });
    }

    const summary = results.map(({ scenario, runs }) => {
      const by = (tool: string) => runs.filter((r) => r.tool === tool);
      const agg = (tool: string) => {
        const rs = by(tool);
        return {
          tool,
          throughput: Math.round(median(rs.map((r) => r.throughput))),
          p99Ms: Math.round(median(rs.map((r) => r.p99Ms)) * 10) / 10,
          cpuUsPerOp: Math.round(median(rs.map((r) => r.cpuUsPerOp)) * 10) / 10,
          wholeProcessCpuUsPerOp: Math.round(median(rs.map((r) => r.wholeProcessCpuUsPerOp ?? NaN)) * 10) / 10,
          serverCpuUsPerOp: Math.round(median(rs.map((r) => r.serverCpuUsPerOp))),
          machineBusyPct: Math.round(median(rs.map((r) => r.machineBusyPct))),
          load1: Math.round(median(rs.map((r) => r.load1)) * 10) / 10,
          errors: rs.reduce((a, r) => a + r.errors, 0),
        };
      };
      const tools = [...new Set(runs.map((r) => r.tool))].map(agg);
      const baseline = tools.find((t) => t.tool === 'go benchmark') ?? tools.find((t) => t.tool === 'etcd3 (npm)') ?? tools[0]!;
      const up = tools.find((t) => t.tool === 'upshift') ?? tools[0]!;
      return {
        scenario: `${scenario.workload} ${scenario.clients} clients / ${scenario.conns} conns, ${scenario.total} ops per run`,
        baseline: baseline.tool,
        tools,
        ratios: {
          throughput: Math.round((up.throughput / baseline.throughput) * 100) / 100,
          p99: Math.round((up.p99Ms / baseline.p99Ms) * 100) / 100,
          cpuPerOp: Math.round((up.cpuUsPerOp / baseline.cpuUsPerOp) * 100) / 100,
        },
      };
    });

    if (values.json) {
      process.stdout.write(JSON.stringify({ version: values.version, members: Number(values.members), rounds, goBench: goBenchVersion || null, summary }, null, 2) + '\n');
      return;
    }
    for (const s of summary) {
      process.stdout.write(`\n${s.scenario} (etcd ${values.version}, ${values.members} members, median of ${rounds}${goBenchVersion ? `; go: ${goBenchVersion}` : ''})\n`);
      process.stdout.write(`  ${'tool'.padEnd(14)} ${'ops/s'.padStart(8)} ${'p99 ms'.padStart(8)} ${'CPU us/op'.padStart(10)} ${'(whole proc)'.padStart(12)} ${'server us/op'.padStart(12)} ${'machine busy'.padStart(13)} ${'load1'.padStart(6)} errors\n`);
      for (const t of s.tools) {
        process.stdout.write(
          `  ${t.tool.padEnd(14)} ${String(t.throughput).padStart(8)} ${String(t.p99Ms).padStart(8)} ${String(t.cpuUsPerOp).padStart(10)} ${String(t.wholeProcessCpuUsPerOp).padStart(12)} ${String(t.serverCpuUsPerOp).padStart(12)} ${`${t.machineBusyPct}%`.padStart(13)} ${String(t.load1).padStart(6)} ${t.errors}\n`,
        );
      }
      process.stdout.write(`  upshift / ${s.baseline}: throughput x${s.ratios.throughput}, p99 x${s.ratios.p99}, CPU/op x${s.ratios.cpuPerOp}\n`);
    }
  } finally {
    await cleanup();
  }
}

await main();
