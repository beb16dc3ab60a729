/**
 * Benchmark: what a rolling upgrade costs clients — `upshift upgrade` against the careful manual
 * procedure and against kill -9, on fresh 3-member clusters under the same load, in one run.
 *
 *   node --import tsx bench/upgrade-compare.ts [--reps 3] [--from 3.4.23] [--to 3.5.30] [--rate 250] [--procs upshift,manual,kill9]
 *
 * Each repetition of each procedure: a fresh local 3-member cluster on --from; an external client (the
 * canary workload: ~80% unique-key writes, 20% linearizable reads, round-robin over all members, safe
 * retries only) at --rate ops/s; a 3 s baseline; the procedure; 2 s after; then the client stops,
 * reads everything back and the recorded history is checked. Procedures:
 *   upshift  `upshift upgrade --to TO --load 0` (its own canary off, so every procedure faces the same client)
 *   upshift-move  the same with --leader-transfer move-leader (explicit MoveLeader before the leader stops)
 *   manual   followers then leader: MoveLeader to an upgraded member before the leader, SIGTERM, swap
 *            binary, start, wait healthy
 *   kill9    the same with SIGKILL instead of SIGTERM
 * Reported per procedure (min / median / max over reps): first-attempt failures (by error), failures
 * after safe retry (failed + indeterminate), requests over 1 s, longest gap between successful writes
 * and P99 each against the baseline of the same run, lost acknowledged writes. Figures, no assertions.
 */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir, homedir, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterUp, clusterDown, loadCluster, startMember, stopMember } from '../src/cluster/local.js';
import { resolveConnection, type ConnectionConfig } from '../src/client/connection.js';
import { EndpointClient } from '../src/client/endpoint.js';
import { CanaryWorkload } from '../src/workload/canary.js';
import { readHistory } from '../src/history/io.js';
import { checkHistory } from '../src/history/check.js';
import { percentile } from '../src/workload/stats.js';
import { observeCluster } from '../src/upgrade/observe.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
};
const reps = Number(arg('reps', '3'));
const FROM = arg('from', '3.4.23');
const TO = arg('to', '3.5.30');
const rate = Number(arg('rate', '250'));
const procs = arg('procs', 'upshift,manual,kill9').split(',') as Proc[];
type Proc = 'upshift' | 'upshift-move' | 'manual' | 'kill9';

interface RunFigures {
  proc: Proc;
  firstAttemptFailures: number;
  byError: Record<string, number>;
  failedAfterRetry: number;
  stalled: number;
  maxWriteGapMs: number;
  baselineMaxGapMs: number;
  p99Ms: number;
  baselineP99Ms: number;
  lostWrites: number;
  historyOk: boolean;
  procedureMs: number;
}

async function manual(home: string, name: string, config: ConnectionConfig, kill: boolean): Promise<void> {
  const obs = await observeCluster(config);
  const leader = obs.members.find((m) => m.isLeader)!;
  const order = [...obs.members.filter((m) => m !== leader).sort((a, b) => a.name.localeCompare(b.name)), leader];
  for (const m of order) {
    if (m === leader && !kill) {
      // The careful procedure: hand leadership to an upgraded member first (etcdctl move-leader).
      const to = order[0]!;
      const c = new EndpointClient(m.clientURLs[0]!, config);
      try {
        await c.moveLeader(to.id, { timeoutMs: 10_000 });
      } finally {
        c.close();
      }
    }
    const cl = await loadCluster(home, name);
    await stopMember(cl, m.name, { signal: kill ? 'SIGKILL' : 'SIGTERM', timeoutMs: 20_000 });
    await startMember(home, await loadCluster(home, name), m.name, { version: TO, wait: 'healthy', timeoutMs: 60_000 });
  }
}

function upshift(home: string, name: string, transfer: 'auto' | 'move-leader'): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repo, 'bin', 'upshift.js'), 'upgrade', '--cluster', name, '--to', TO, '--yes', '--load', '0', '--soak', '2s', '--leader-transfer', transfer, '-o', 'json'], {
      env: { ...process.env, UPSHIFT_HOME: home, UPSHIFT_FROM_SOURCE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`upshift upgrade exited ${code}: ${err.slice(-2000)}`))));
  });
}

async function once(proc: Proc, rep: number): Promise<RunFigures> {
  const home = mkdtempSync(join(tmpdir(), 'upshift-bench-upgrade-'));
  symlinkSync(join(process.env.UPSHIFT_TEST_BIN_HOME ?? join(homedir(), '.upshift'), 'etcd'), join(home, 'etcd'));
  const name = `b${rep}`;
  try {
    await clusterUp(home, { name, version: FROM, members: 3, readyTimeoutMs: 90_000 });
    const config = resolveConnection({ cluster: name }, {}, home);
    const historyFile = join(home, 'history.jsonl');
    const load = new CanaryWorkload({ config, prefix: '/bench/', historyFile, opsPerSec: rate, readRatio: 0.2, opTimeoutMs: 5000, windowMs: 60_000 });
    await load.start();
    await sleep(3000);
    const base = load.stats.totals();
    const t0 = performance.now();
    if (proc === 'upshift' || proc === 'upshift-move') await upshift(home, name, proc === 'upshift' ? 'auto' : 'move-leader');
    else await manual(home, name, config, proc === 'kill9');
    const procedureMs = performance.now() - t0;
    await sleep(2000);
    const report = await load.stop();
    const h = await readHistory(historyFile);
    const check = checkHistory(h);
    // Baseline figures from the history itself: ops that ended before the procedure began.
    const tStart = performance.timeOrigin + t0;
    const baseOps = h.ops.filter((o) => o.kind !== 'watch-event' && o.kind !== 'lease' && o.end !== undefined && o.end < tStart);
    const baseP99 = percentile(baseOps.map((o) => o.end! - o.start), 99) ?? 0;
    const baseWrites = baseOps.filter((o) => o.kind === 'put' && o.outcome === 'ok').map((o) => o.end!).sort((a, b) => a - b);
    let baseGap = 0;
    for (let i = 1; i < baseWrites.length; i++) baseGap = Math.max(baseGap, baseWrites[i]! - baseWrites[i - 1]!);
    const first = Object.values(report.firstAttemptFailures).reduce((a, b) => a + b, 0) - Object.values(base.firstAttemptFailures).reduce((a, b) => a + b, 0);
    return {
      proc,
      firstAttemptFailures: first,
      byError: report.firstAttemptFailures,
      failedAfterRetry: report.failed + report.indeterminate,
      stalled: report.stalled,
      maxWriteGapMs: report.maxWriteGapMs,
      baselineMaxGapMs: Math.round(baseGap * 10) / 10,
      p99Ms: Math.round((report.p99Ms ?? 0) * 10) / 10,
      baselineP99Ms: Math.round(baseP99 * 10) / 10,
      lostWrites: check.summary.lostWrites,
      historyOk: check.ok,
      procedureMs: Math.round(procedureMs),
    };
  } finally {
    await clusterDown(home, name, { timeoutMs: 10_000 }).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  }
}

const stat = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[0]} / ${s[Math.floor((s.length - 1) / 2)]} / ${s[s.length - 1]}`;
};

const all: RunFigures[] = [];
process.stderr.write(`upgrade bench: ${FROM} -> ${TO}, ${reps} rep(s) of ${procs.join(', ')}, load ${rate} ops/s; loadavg ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
for (let r = 0; r < reps; r++) {
  for (const p of procs) {
    const f = await once(p, r);
    all.push(f);
    process.stderr.write(`  rep ${r + 1} ${p}: ${JSON.stringify(f)}\n`);
  }
}
const rows: string[] = [];
rows.push('procedure | first-attempt failures | failed after retry | stalls > 1 s | longest write gap ms (baseline) | P99 ms (baseline) | P99 / baseline | lost writes | procedure s');
for (const p of procs) {
  const xs = all.filter((f) => f.proc === p);
  rows.push(
    [
      p,
      stat(xs.map((f) => f.firstAttemptFailures)),
      stat(xs.map((f) => f.failedAfterRetry)),
      stat(xs.map((f) => f.stalled)),
      `${stat(xs.map((f) => f.maxWriteGapMs))} (${stat(xs.map((f) => f.baselineMaxGapMs))})`,
      `${stat(xs.map((f) => f.p99Ms))} (${stat(xs.map((f) => f.baselineP99Ms))})`,
      stat(xs.map((f) => Math.round((f.p99Ms / Math.max(0.1, f.baselineP99Ms)) * 10) / 10)),
      stat(xs.map((f) => f.lostWrites)),
      stat(xs.map((f) => Math.round(f.procedureMs / 100) / 10)),
    ].join(' | '),
  );
}
process.stdout.write(`min / median / max over ${reps} rep(s), ${FROM} -> ${TO}, ${rate} ops/s\n${rows.join('\n')}\n`);
const errs: Record<string, Record<string, number>> = {};
for (const f of all) for (const [k, v] of Object.entries(f.byError)) ((errs[f.proc] ??= {})[k] = (errs[f.proc]![k] ?? 0) + v);
process.stdout.write(`first-attempt failures by error (all reps): ${JSON.stringify(errs)}\n`);
