/**
 * Benchmark: `upshift backup save` against `etcdctl snapshot save` on the same member, same run.
 *
 *   node --import tsx bench/backup-save.ts [--size-mib 1024] [--runs 3] [--version 3.5.30] [--value-kib 4] [--endpoint URL] [--s3]
 *
 * --s3 adds `upshift backup save --to s3://...` into a local S3-compatible server (moto, test/support/s3.ts;
 * its objects are deleted after each run) to the interleaved runs, reported against the save to a local file.
 *
 * Builds a db of about --size-mib on a 1-member local cluster (values of a few KiB, a third of the
 * keys overwritten, one compaction, no defrag — so the file holds free pages like a real one), then runs
 * both tools interleaved (etcdctl, upshift, etcdctl, upshift, ...) under /usr/bin/time -v, and prints
 * each run, the medians, the ratio upshift/etcdctl, and peak RSS. Not a test: figures, no assertions.
 * Both tools' outputs are deleted after each run. The cluster is stopped by PID at the end.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, existsSync, statSync } from 'node:fs';
import { tmpdir, homedir, loadavg, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterUp, clusterDown } from '../src/cluster/local.js';
import { EndpointClient } from '../src/client/endpoint.js';
import type { ConnectionConfig } from '../src/client/connection.js';
import { startTestS3 } from '../test/support/s3.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}

const sizeMiB = Number(arg('size-mib', '1024'));
const runs = Number(arg('runs', '3'));
const version = arg('version', '3.5.30');
const valueKiB = Number(arg('value-kib', '4'));
/** An existing member to snapshot instead of a fresh filled cluster (repeat runs without the ~4 min fill). */
const givenEndpoint = process.argv.includes('--endpoint') ? arg('endpoint', '') : undefined;

const withS3 = process.argv.includes('--s3');

interface Run {
  tool: 'etcdctl' | 'upshift' | 'upshift-s3';
  seconds: number;
  /** user + system CPU seconds: steadier than wall time on a shared machine. */
  cpuSeconds: number;
  /** The system part: mostly copying the file into the page cache, which varies with the machine's memory state. */
  sysSeconds: number;
  maxRssKiB: number;
  bytes: number;
  /** 1-minute load average when the run ended: other work on the machine competes for the same cores. */
  load1m: number;
}

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ seconds: number; cpuSeconds: number; sysSeconds: number; maxRssKiB: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    execFile('/usr/bin/time', ['-v', cmd, ...args], { env, maxBuffer: 16 << 20, timeout: 30 * 60_000 }, (err, stdout, stderr) => {
      const seconds = (performance.now() - t0) / 1000;
      if (err) return reject(new Error(`${cmd} failed: ${stderr.slice(-2000)}`));
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
      const sys = /System time \(seconds\): ([\d.]+)/.exec(stderr);
      resolve({ seconds, cpuSeconds: Number(user?.[1] ?? NaN) + Number(sys?.[1] ?? NaN), sysSeconds: Number(sys?.[1] ?? NaN), maxRssKiB: rss ? Number(rss[1]) : NaN, stdout, stderr });
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function fill(client: EndpointClient, targetBytes: number): Promise<{ puts: number; dbSize: number }> {
  const value = Buffer.alloc(valueKiB * 1024);
  const keySpace = Math.ceil(targetBytes / value.length / 1.3);
  let puts = 0;
  let dbSize = 0;
  let compacted = false;
  const inflight = 32;
  const t0 = performance.now();
  for (;;) {
    const batch: Promise<unknown>[] = [];
    for (let i = 0; i < inflight * 8; i++) {
      value.writeUInt32LE(puts, 0);
      const key = Buffer.from(`/bench/${String(puts % keySpace).padStart(8, '0')}`);
      batch.push(client.transport.unary('KV', 'Put', { key, value: Buffer.from(value) }, { op: 'write', timeoutMs: 60_000 }));
      puts++;
      if (batch.length >= inflight) await Promise.all(batch.splice(0));
    }
    await Promise.all(batch);
    if (!compacted && puts > keySpace * 1.2) {
      const st = await client.status();
      await client.transport.unary('KV', 'Compact', { revision: String(st.header.revision - Math.floor(keySpace / 10)), physical: true }, { op: 'write', timeoutMs: 120_000 });
      compacted = true;
    }
    if (puts % 8192 < inflight * 8) {
      dbSize = (await client.status()).dbSize;
      process.stderr.write(`\r  filled ${puts} puts, db ${(dbSize / 2 ** 20).toFixed(0)} MiB, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      if (dbSize >= targetBytes && compacted) break;
    }
  }
  process.stderr.write('\n');
  return { puts, dbSize };
}

/**
 * upshift as an installed package runs it: compiled JavaScript (bin/upshift.js -> dist/cli.js). A
 * checkout runs the TypeScript through tsx, which alone adds ~0.4 s and ~30 MiB at start-up, so the
 * bench compiles the sources into a temp dir (tsc -p tsconfig.build.json) unless dist/ exists.
 */
async function compiledCli(home: string): Promise<string> {
  if (existsSync(join(repo, 'dist', 'cli.js'))) return join(repo, 'bin', 'upshift.js');
  const root = join(home, 'compiled');
  process.stderr.write(`compiling upshift into ${root} (tsc)\n`);
  await new Promise<void>((resolve) => {
    execFile(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(repo, 'tsconfig.build.json'), '--outDir', join(root, 'dist')], { cwd: repo, maxBuffer: 64 << 20 }, () => resolve());
  });
  if (!existsSync(join(root, 'dist', 'cli.js'))) throw new Error('tsc produced no dist/cli.js');
  const { symlinkSync: link, copyFileSync, mkdirSync } = await import('node:fs');
  link(join(repo, 'proto'), join(root, 'proto'));
  link(join(repo, 'node_modules'), join(root, 'node_modules'));
  copyFileSync(join(repo, 'package.json'), join(root, 'package.json'));
  mkdirSync(join(root, 'bin'));
  copyFileSync(join(repo, 'bin', 'upshift.js'), join(root, 'bin', 'upshift.js'));
  return join(root, 'bin', 'upshift.js');
}

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'upshift-bench-backup-'));
  symlinkSync(join(process.env.UPSHIFT_TEST_BIN_HOME ?? join(homedir(), '.upshift'), 'etcd'), join(home, 'etcd'));
  const name = 'bench';
  let up = false;
  try {
    let endpoint = givenEndpoint;
    if (!endpoint) {
      process.stderr.write(`starting a 1-member etcd ${version} cluster in ${home}\n`);
      const cluster = await clusterUp(home, { name, version, members: 1, extraArgs: ['--quota-backend-bytes=8589934592', '--snapshot-count=100000'], readyTimeoutMs: 90_000 });
      up = true;
      endpoint = cluster.members[0]!.clientURL;
      const config: ConnectionConfig = { endpoints: [endpoint], dialTimeoutMs: 5000, commandTimeoutMs: 60_000 };
      const client = new EndpointClient(endpoint, config);
      const { puts, dbSize } = await fill(client, sizeMiB * 2 ** 20);
      client.close();
      process.stderr.write(`db: ${(dbSize / 2 ** 20).toFixed(0)} MiB after ${puts} puts of ${valueKiB} KiB\n`);
    } else {
      process.stderr.write(`using the member at ${endpoint} as it is (no fill)\n`);
    }

    const etcdctl = join(home, 'etcd', version, 'etcdctl');
    const compiled = await compiledCli(home);
    const out = join(home, 'out');
    const env = { ...process.env, ETCDCTL_API: '3', UPSHIFT_HOME: home };
    const results: Run[] = [];
    const load: number[] = [loadavg()[0]!];
    const s3 = withS3 ? await startTestS3() : undefined;
    if (s3) await s3.createBucket('bench');
    for (let i = 0; i < runs; i++) {
      for (const tool of withS3 ? (['etcdctl', 'upshift', 'upshift-s3'] as const) : (['etcdctl', 'upshift'] as const)) {
        const file = join(out, `${tool}-${i}.db`);
        let r;
        if (tool === 'etcdctl') {
          rmSync(out, { recursive: true, force: true });
          await import('node:fs/promises').then((f) => f.mkdir(out, { recursive: true }));
          r = await timed(etcdctl, [`--endpoints=${endpoint}`, 'snapshot', 'save', file], env);
        } else if (tool === 'upshift') {
          rmSync(out, { recursive: true, force: true });
          r = await timed(process.execPath, [compiled, 'backup', 'save', '--endpoints', endpoint, '--dir', out, '-o', 'json'], env);
        } else {
          r = await timed(process.execPath, [compiled, 'backup', 'save', '--endpoints', endpoint, '--to', `s3://bench/run-${i}/`, '-o', 'json'], { ...env, ...s3!.env });
          await s3!.deleteAll('bench');
        }
        const bytes = tool === 'etcdctl' ? statSync(file).size : (JSON.parse(r.stdout) as { size: number }).size;
        const load1m = loadavg()[0]!;
        results.push({ tool, seconds: r.seconds, cpuSeconds: r.cpuSeconds, sysSeconds: r.sysSeconds, maxRssKiB: r.maxRssKiB, bytes, load1m });
        process.stderr.write(`  run ${i + 1} ${tool.padEnd(7)} ${r.seconds.toFixed(2)} s  cpu ${r.cpuSeconds.toFixed(2)} s (sys ${r.sysSeconds.toFixed(2)})  ${(bytes / r.seconds / 2 ** 20).toFixed(0)} MiB/s  peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB  load ${load1m.toFixed(2)}\n`);
        rmSync(out, { recursive: true, force: true });
        load.push(load1m);
      }
    }
    await s3?.stop();
    const e = results.filter((r) => r.tool === 'etcdctl');
    const u = results.filter((r) => r.tool === 'upshift');
    const u3 = results.filter((r) => r.tool === 'upshift-s3');
    const summary = {
      etcdVersion: version,
      dbBytes: e[0]?.bytes,
      valueKiB,
      runs,
      etcdctlMedianSec: median(e.map((r) => r.seconds)),
      upshiftMedianSec: median(u.map((r) => r.seconds)),
      ratio: median(u.map((r) => r.seconds)) / median(e.map((r) => r.seconds)),
      etcdctlMedianCpuSec: median(e.map((r) => r.cpuSeconds)),
      upshiftMedianCpuSec: median(u.map((r) => r.cpuSeconds)),
      cpuRatio: median(u.map((r) => r.cpuSeconds)) / median(e.map((r) => r.cpuSeconds)),
      upshiftPeakRssMiB: Math.max(...u.map((r) => r.maxRssKiB)) / 1024,
      etcdctlPeakRssMiB: Math.max(...e.map((r) => r.maxRssKiB)) / 1024,
      ...(u3.length > 0
        ? {
            s3MedianSec: median(u3.map((r) => r.seconds)),
            s3VsFileRatio: median(u3.map((r) => r.seconds)) / median(u.map((r) => r.seconds)),
            s3MedianCpuSec: median(u3.map((r) => r.cpuSeconds)),
            s3PeakRssMiB: Math.max(...u3.map((r) => r.maxRssKiB)) / 1024,
          }
        : {}),
      machine: { cpus: cpus().length, loadAvg1mDuringRuns: { min: Math.min(...load), max: Math.max(...load) } },
      runsDetail: results,
    };
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  } finally {
    if (up) await clusterDown(home, name, { purge: true, timeoutMs: 20_000 }).catch((e: unknown) => process.stderr.write(`cluster down failed: ${String(e)}\n`));
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
