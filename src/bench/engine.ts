/**
 * The benchmark engine: starts worker threads (each with its own connections and histograms), runs
 * setup -> warmup -> measured phase in step, measures the client's own CPU, and merges everything into
 * one BenchResult.
 */
import type { Worker } from 'node:worker_threads';
import { spawnModuleWorker } from '../core/worker.js';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { EnvironmentError } from '../core/errors.js';
import { planShares, type BenchConfig } from './config.js';
import type { FromWorker, ToWorker, WorkerInit, WorkerResult } from './protocol.js';
import { mergeHistograms, summarize, ladder, encodeHistogram } from './histogram.js';
import type { BenchResult, TimelinePoint } from './result.js';

export interface EngineOptions {
  tls?: WorkerInit['tls'];
  auth?: WorkerInit['auth'];
  signal?: AbortSignal;
  /** Progress lines (stderr). */
  progress?: (line: string) => void;
  /** stderr is a terminal: a live-updated status line instead of a line every 10 s. */
  live?: (line: string) => void;
}

/** Machine-wide CPU counters from /proc/stat (Linux), to report how busy the machine was. */
function machineCpu(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

function spawnWorker(init: WorkerInit): Worker {
  return spawnModuleWorker(import.meta.url, 'worker', init);
}

export async function runBench(config: BenchConfig, opts: EngineOptions = {}): Promise<BenchResult> {
  const shares = planShares(config);
  const progress = opts.progress ?? (() => undefined);
  const workers: Worker[] = [];
  const results: WorkerResult[] = [];
  const putsPerKey: number[][] = [];
  const gotResult: boolean[] = [];
  const live: { ops: number; errors: number }[] = [];
  let ready = 0;
  let measuredDone = 0;
  let cpuEnd: NodeJS.CpuUsage | undefined;
  let cpuStart: NodeJS.CpuUsage | undefined;
  let machineStart: ReturnType<typeof machineCpu>;
  let machineEnd: ReturnType<typeof machineCpu>;
  const load1Start = loadavg()[0]!;

  const broadcast = (m: ToWorker): void => {
    for (const w of workers) w.postMessage(m);
  };

  let onReady!: () => void;
  const allReady = new Promise<void>((r) => (onReady = r));
  let onDone!: () => void;
  let onFail!: (e: Error) => void;
  const allDone = new Promise<void>((res, rej) => {
    onDone = res;
    onFail = rej;
  });
  // Keep a rejection from being unhandled while we are still waiting for `allReady`.
  allDone.catch(() => undefined);

  const markMeasured = (): void => {
    measuredDone++;
    if (measuredDone === shares.length) {
      cpuEnd = process.cpuUsage();
      machineEnd = machineCpu();
    }
  };

  for (const share of shares) {
    const init: WorkerInit = { config, share };
    if (opts.tls) init.tls = opts.tls;
    if (opts.auth) init.auth = opts.auth;
    const w = spawnWorker(init);
    workers.push(w);
    w.on('message', (m: FromWorker) => {
      switch (m.type) {
        case 'progress':
          live[share.index] = { ops: m.ops, errors: m.errors };
          break;
        case 'ready':
          if (++ready === shares.length) onReady();
          break;
        case 'fatal':
          onFail(new EnvironmentError('bench-failed', `benchmark worker ${share.index}: ${m.message}`, { hint: 'check --endpoints and that the cluster is healthy (upshift status)' }));
          break;
        case 'putsDone':
          putsPerKey[share.index] = m.putsPerKey;
          if (putsPerKey.filter(Boolean).length === shares.length) {
            const sum = putsPerKey[0]!.map((_, k) => putsPerKey.reduce((s, p) => s + (p[k] ?? 0), 0));
            broadcast({ type: 'drain', putsPerKey: sum });
          }
          break;
        case 'result':
          results.push(m);
          gotResult[share.index] = true;
          markMeasured();
          if (results.length === shares.length) onDone();
          break;
      }
    });
    w.on('error', (e) => onFail(new EnvironmentError('bench-failed', `benchmark worker ${share.index} crashed: ${e.message}`)));
    w.on('exit', (code) => {
      if (!gotResult[share.index]) onFail(new EnvironmentError('bench-failed', `benchmark worker ${share.index} exited (code ${code}) without a result`));
    });
  }

  const onAbort = (): void => broadcast({ type: 'stop' });
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const setupTimeout = config.dialTimeoutMs + config.commandTimeoutMs * 2 + 5000;
    let setupTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      allReady,
      allDone.then(() => undefined),
      new Promise<never>((_, rej) => {
        setupTimer = setTimeout(() => rej(new EnvironmentError('bench-setup-timeout', `benchmark workers not ready within ${setupTimeout} ms`, { hint: 'is the cluster reachable and healthy?' })), setupTimeout);
      }),
    ]).finally(() => clearTimeout(setupTimer));

    // Start together a little in the future; measurement begins after the warmup.
    const begin = performance.timeOrigin + performance.now() + 20;
    const measureStart = begin + config.warmupMs;
    const start: ToWorker = { type: 'start', begin, measureStart };
    if (config.durationMs !== undefined) start.measureEnd = measureStart + config.durationMs;
    broadcast(start);
    progress(
      `bench: ${config.workload} against ${config.endpoints.length} endpoint(s), ${config.clients} clients, ${config.conns} conns, ${shares.length} worker thread(s)` +
        (config.total !== undefined ? `, ${config.total} ops` : `, ${config.durationMs! / 1000}s`) +
        (config.rate !== undefined ? `, at ${config.rate} ops/s` : '') +
        (config.warmupMs ? ` after ${config.warmupMs / 1000}s warmup` : ''),
    );
    const startDelay = Math.max(0, measureStart - (performance.timeOrigin + performance.now()));
    const cpuTimer = setTimeout(() => {
      cpuStart = process.cpuUsage();
      machineStart = machineCpu();
    }, startDelay);
    // Progress: a live line on a terminal, otherwise a plain line every 10 s.
    let ticks = 0;
    let lastOps = 0;
    const progressTimer = setInterval(() => {
      ticks++;
      const ops = live.reduce((s, x) => s + (x?.ops ?? 0), 0);
      const errors = live.reduce((s, x) => s + (x?.errors ?? 0), 0);
      const elapsed = Math.max(0, (performance.timeOrigin + performance.now() - measureStart) / 1000);
      const line = `bench: ${elapsed.toFixed(0)}s ${ops} ops${config.total !== undefined ? `/${config.total}` : ''}, ${ops - lastOps} ops/s, ${errors} errors`;
      lastOps = ops;
      if (opts.live) opts.live(line);
      else if (ticks % 10 === 0) progress(line);
    }, 1000);
    try {
      await allDone;
    } finally {
      clearInterval(progressTimer);
    }
    clearTimeout(cpuTimer);
    cpuStart ??= process.cpuUsage();
    return assemble(config, shares.length, results, measureStart, {
      cpuStart,
      cpuEnd: cpuEnd ?? process.cpuUsage(),
      machineStart,
      machineEnd,
      load1Start,
      interrupted: opts.signal?.aborted ?? false,
    });
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    // Workers end by themselves after their result; terminate stragglers (and all of them on failure).
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            const t = setTimeout(() => void w.terminate().then(() => resolve()), 2000);
            w.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            if (w.threadId < 0) resolve();
          }),
      ),
    );
  }
}

interface Measures {
  cpuStart: NodeJS.CpuUsage;
  cpuEnd: NodeJS.CpuUsage;
  machineStart: ReturnType<typeof machineCpu>;
  machineEnd: ReturnType<typeof machineCpu>;
  load1Start: number;
  interrupted: boolean;
}

function assemble(config: BenchConfig, workerCount: number, results: WorkerResult[], measureStart: number, m: Measures): BenchResult {
  const hist = mergeHistograms(results.map((r) => r.histogram));
  const ops = results.reduce((s, r) => s + r.ops, 0);
  const errors = results.reduce((s, r) => s + r.errors, 0);
  const conflicts = results.reduce((s, r) => s + r.conflicts, 0);
  const lastAt = Math.max(...results.map((r) => r.lastAt));
  const durationSec = Math.max(1e-3, (lastAt - measureStart) / 1000);
  const errorsByType: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.errorsByType)) errorsByType[k] = (errorsByType[k] ?? 0) + v;

  const buckets = Math.max(0, ...results.map((r) => r.timeline.length));
  const timeline: TimelinePoint[] = [];
  for (let i = 0; i < buckets; i++) {
    let o = 0;
    let e = 0;
    let sum = 0;
    let max = 0;
    for (const r of results) {
      const b = r.timeline[i];
      if (!b) continue;
      o += b.ops;
      e += b.errors;
      sum += b.latSumUs;
      max = Math.max(max, b.latMaxUs);
    }
    // The last bucket is usually partial: its length is given so rates stay honest.
    const sec = Math.min(1, Math.max(1e-3, durationSec - i));
    timeline.push({ t: i, sec: Math.round(sec * 1000) / 1000, ops: o, errors: e, opsPerSec: Math.round(o / sec), meanMs: o ? Math.round(sum / o) / 1000 : 0, maxMs: max / 1000 });
  }

  const cpuUs = m.cpuEnd.user - m.cpuStart.user + (m.cpuEnd.system - m.cpuStart.system);
  const result: BenchResult = {
    workload: config.workload,
    config: publicConfig(config, workerCount),
    ops,
    errors,
    durationSec: Math.round(durationSec * 1000) / 1000,
    throughput: Math.round((ops / durationSec) * 10) / 10,
    latencyMs: summarize(hist),
    percentiles: ladder(hist),
    clientCpuUsPerOp: ops ? Math.round((cpuUs / ops) * 10) / 10 : 0,
    clientCpu: {
      userMs: Math.round((m.cpuEnd.user - m.cpuStart.user) / 1000),
      systemMs: Math.round((m.cpuEnd.system - m.cpuStart.system) / 1000),
      cores: Math.round((cpuUs / 1e6 / durationSec) * 100) / 100,
    },
    errorsByType,
    timeline,
    histogram: encodeHistogram(hist),
    host: {
      cpus: cpus().length,
      loadAvg1AtStart: Math.round(m.load1Start * 100) / 100,
      ...(m.machineStart && m.machineEnd && m.machineEnd.total > m.machineStart.total
        ? { machineBusyPct: Math.round(((m.machineEnd.busy - m.machineStart.busy) / (m.machineEnd.total - m.machineStart.total)) * 1000) / 10 }
        : {}),
    },
    startedAt: new Date(measureStart).toISOString(),
  };
  if (config.workload === 'txn') result.conflicts = conflicts;
  if (m.interrupted) result.interrupted = true;
  const service = results.map((r) => r.serviceHistogram).filter((x): x is string => Boolean(x));
  if (service.length) result.serviceLatencyMs = summarize(mergeHistograms(service));
  if (config.workload === 'watch') {
    const aux = mergeHistograms(results.map((r) => r.auxHistogram).filter((x): x is string => Boolean(x)));
    const expected = results.reduce((s, r) => s + (r.extra.eventsExpected ?? 0), 0);
    result.watch = {
      watchers: config.watchers,
      keys: Math.min(config.keySpace, config.watchers),
      puts: aux.totalCount,
      eventsExpected: expected,
      eventsReceived: ops,
      eventsPerSec: result.throughput,
      putLatencyMs: summarize(aux),
    };
  }
  if (config.rate !== undefined) {
    const sum = (k: string): number => results.reduce((s, r) => s + (r.extra[k] ?? 0), 0);
    result.rate = {
      target: config.rate,
      achieved: result.throughput,
      ...(config.durationMs !== undefined ? { notStarted: Math.max(0, sum('rateIntended') - sum('rateStarted')) } : {}),
    };
  }
  if (config.workload === 'lease') result.lease = { leasesGranted: results.reduce((s, r) => s + (r.extra.leasesGranted ?? 0), 0) };
  return result;
}

/** The config as reported: no secrets (there are none in BenchConfig; credentials travel separately). */
function publicConfig(c: BenchConfig, workers: number): BenchResult['config'] {
  return { ...c, workers };
}
