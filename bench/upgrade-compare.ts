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
 *
 * To find out what causes the first-attempt failures, every one is attributed to the phase of the procedure
 * it happened in (the last member event before it: move-leader, stop, start, ready — from upshift's journal
 * or the manual procedure's own timestamps) and to whether it hit the member being stopped; the table of
 * phase x error goes to stdout, each failure to stderr with --verbose.
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
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import type { FirstAttemptFailure } from '../src/workload/canary.js';

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
const verbose = process.argv.includes('--verbose');

/** A member event of a procedure (epoch ms), to attribute client failures to. */
interface ProcEvent {
  at: number;
  member: string;
  /** e.g. 'stop', 'start', 'ready', 'move-leader', each with a begin and an end. */
  what: string;
  role: 'leader' | 'follower';
  /** The member's client URL (does a failure hit the member being stopped?). */
  url?: string | undefined;
}

interface Attributed {
  phase: string;
  code: string;
  onStopped: boolean;
  outcome: string;
}

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
  attributed: Attributed[];
}

const epoch = (): number => performance.timeOrigin + performance.now();

async function manual(home: string, name: string, config: ConnectionConfig, kill: boolean, events: ProcEvent[]): Promise<void> {
  const obs = await observeCluster(config);
  const leader = obs.members.find((m) => m.isLeader)!;
  const order = [...obs.members.filter((m) => m !== leader).sort((a, b) => a.name.localeCompare(b.name)), leader];
  for (const m of order) {
    const ev = (what: string): void => void events.push({ at: epoch(), member: m.name, what, role: m === leader ? 'leader' : 'follower', url: m.clientURLs[0] });
    if (m === leader && !kill) {
      // The careful procedure: hand leadership to an upgraded member first (etcdctl move-leader).
      const to = order[0]!;
      const c = new EndpointClient(m.clientURLs[0]!, config);
      ev('move-leader begin');
      try {
        await c.moveLeader(to.id, { timeoutMs: 10_000 });
      } finally {
        c.close();
      }
      ev('move-leader end');
    }
    const cl = await loadCluster(home, name);
    ev('stop begin');
    await stopMember(cl, m.name, { signal: kill ? 'SIGKILL' : 'SIGTERM', timeoutMs: 20_000 });
    ev('stop end');
    await startMember(home, await loadCluster(home, name), m.name, { version: TO, wait: 'healthy', timeoutMs: 60_000 });
    ev('healthy');
  }
}

/** upshift's journal as member events (leadership, drain, stop, start, wait-ready begin/end). */
function journalEvents(home: string, leaderName: string, urls: Map<string, string>): ProcEvent[] {
  const runs = join(home, 'runs');
  if (!existsSync(runs)) return [];
  const out: ProcEvent[] = [];
  for (const id of readdirSync(runs)) {
    const f = join(runs, id, 'journal.jsonl');
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const r = JSON.parse(line) as { type: string; step?: string; at: string };
      const m = /^hop\d+\/([^/]+)\/(leadership|stop|start|wait-ready|soak)$/.exec(r.step ?? '');
      if (!m || (r.type !== 'step-begin' && r.type !== 'step-end')) continue;
      out.push({ at: Date.parse(r.at), member: m[1]!, what: `${m[2]} ${r.type === 'step-begin' ? 'begin' : 'end'}`, role: m[1] === leaderName ? 'leader' : 'follower', url: urls.get(m[1]!) });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/** The phase a failure happened in: the last member event at or before it (its role and step). */
function attribute(f: FirstAttemptFailure, events: readonly ProcEvent[], procStart: number): Attributed {
  let last: ProcEvent | undefined;
  for (const e of events) if (e.at <= f.at) last = e;
  const phase = f.at < procStart ? 'baseline' : last ? `${last.role} ${last.what}` : 'before the first member step';
  // The member stopped last before the failure (stop begun, not yet healthy again) — did the op go there?
  const stopping = [...events].reverse().find((e) => e.at <= f.at && e.what === 'stop begin');
  const back = stopping ? events.find((e) => e.member === stopping.member && e.at >= stopping.at && (e.what === 'wait-ready end' || e.what === 'healthy')) : undefined;
  const onStopped = Boolean(stopping && (!back || back.at >= f.start) && stopping.url === f.endpoint);
  return { phase, code: `${f.kind}:${f.code}`, onStopped, outcome: f.outcome ?? '?' };
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
    const before = await observeCluster(config);
    const leaderName = before.members.find((m) => m.isLeader)?.name ?? '';
    const urls = new Map(before.members.map((m) => [m.name, m.clientURLs[0] ?? '']));
    const events: ProcEvent[] = [];
    const t0 = performance.now();
    if (proc === 'upshift' || proc === 'upshift-move') await upshift(home, name, proc === 'upshift' ? 'auto' : 'move-leader');
    else await manual(home, name, config, proc === 'kill9', events);
    if (proc === 'upshift' || proc === 'upshift-move') events.push(...journalEvents(home, leaderName, urls));
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
    const attributed = report.firstAttemptLog.map((f) => attribute(f, events, tStart));
    if (verbose) {
      for (const [i, f] of report.firstAttemptLog.entries()) {
        const a = attributed[i]!;
        const ev = [...events].reverse().find((e) => e.at <= f.at);
        const rel = ev ? `, op sent ${Math.round(f.start - ev.at)} ms after ${ev.member} ${ev.what}` : '';
        process.stderr.write(`    ${proc} rep ${rep + 1}: +${Math.round(f.at - tStart)} ms ${a.phase}${a.onStopped ? ' (on the stopping member)' : ''}: ${f.kind} ${f.code} -> ${a.outcome}: ${f.message.slice(0, 160)} [op took ${Math.round(f.at - f.start)} ms to fail${rel}]\n`);
      }
    }
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
      attributed,
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
    const { attributed: _a, ...shown } = f;
    process.stderr.write(`  rep ${r + 1} ${p}: ${JSON.stringify(shown)}\n`);
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
const phases: Record<string, Record<string, number>> = {};
for (const f of all) {
  for (const a of f.attributed) {
    if (a.phase === 'baseline') continue;
    const k = `${f.proc} | ${a.phase}${a.onStopped ? ' (on the stopping member)' : ''}`;
    const e = `${a.code}->${a.outcome}`;
    (phases[k] ??= {})[e] = (phases[k]![e] ?? 0) + 1;
  }
}
process.stdout.write(`first-attempt failures by phase (all reps; phase = the last member event before the failure):\n${Object.entries(phases).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n')}\n`);
