/**
 * `upshift bench WORKLOAD`: run a load test against a cluster and report throughput, the latency
 * ladder, errors by type and the client's own CPU per op. Exit 1 when any operation failed.
 */
import { resolve } from 'node:path';
import type { ConnectionFlags } from '../cli/common.js';
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { ExitCode, UsageError, type CommandOutcome } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { writeFileAtomic } from '../core/files.js';
import { toJson } from '../core/output.js';
import { resolveConnection } from '../client/connection.js';
import { outcome } from './command.js';
import { DEFAULT_KEY_SPACE, defaultWorkers, validateConfig, type BenchConfig, type Workload } from '../bench/config.js';
import { runBench } from '../bench/engine.js';
import { renderResult, type BenchResult } from '../bench/result.js';
import { renderHtml } from '../bench/html.js';

export interface BenchOptions extends ConnectionFlags {
  workload: Workload;
  clients?: string;
  conns?: string;
  total?: string;
  duration?: string;
  rate?: string;
  keySize?: string;
  valSize?: string;
  keySpace?: string;
  keyPrefix?: string;
  sequentialKeys?: boolean;
  warmup?: string;
  workers?: string;
  consistency?: string;
  prefix?: boolean;
  limit?: string;
  readRatio?: string;
  watchers?: string;
  leaseTtl?: string;
  transport?: string;
  out?: string;
  html?: string;
  output?: string;
}

function num(v: string | undefined, flag: string, def: number, integer = true): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag}: "${v}" is not ${integer ? 'an integer' : 'a number'}`, { hint: `write e.g. ${flag} ${def}` });
  }
  return n;
}

/** Flags -> a validated BenchConfig (pure apart from the core count for the default worker count). */
export function benchConfigFrom(opts: BenchOptions, endpoints: string[], timeouts: { dialTimeoutMs: number; commandTimeoutMs: number }): BenchConfig {
  const clients = num(opts.clients, '--clients', 64);
  const conns = num(opts.conns, '--conns', Math.min(8, clients));
  const durationMs = opts.duration !== undefined ? parseDuration(opts.duration, '--duration') : undefined;
  // Neither given: a fixed number of ops, like etcd's benchmark (--total 10000).
  const total = opts.total !== undefined ? num(opts.total, '--total', 10000) : durationMs === undefined ? 10000 : undefined;
  const c: BenchConfig = {
    workload: opts.workload,
    endpoints,
    clients,
    conns,
    keySize: num(opts.keySize, '--key-size', 32),
    valSize: num(opts.valSize, '--val-size', 256),
    keySpace: num(opts.keySpace, '--key-space', DEFAULT_KEY_SPACE),
    keyPrefix: opts.keyPrefix ?? 'bench/',
    sequentialKeys: opts.sequentialKeys === true,
    warmupMs: opts.warmup !== undefined ? parseDuration(opts.warmup, '--warmup') : 0,
    workers: num(opts.workers, '--workers', defaultWorkers(clients, conns)),
    consistency: (opts.consistency ?? 'l') as 'l' | 's',
    prefix: opts.prefix === true,
    limit: num(opts.limit, '--limit', 0),
    readRatio: num(opts.readRatio, '--read-ratio', 0.9, false),
    watchers: num(opts.watchers, '--watchers', 64),
    leaseTtlSec: num(opts.leaseTtl, '--lease-ttl', 30),
    commandTimeoutMs: timeouts.commandTimeoutMs,
    dialTimeoutMs: timeouts.dialTimeoutMs,
  };
  if (total !== undefined) c.total = total;
  if (durationMs !== undefined) c.durationMs = durationMs;
  if (opts.transport !== undefined) c.transport = opts.transport as 'raw' | 'node-http2';
  if (opts.rate !== undefined) c.rate = num(opts.rate, '--rate', 1000, false);
  return validateConfig(c);
}

export async function run(opts: BenchOptions, ctx: CommandContext): Promise<BenchResult | CommandOutcome<BenchResult>> {
  const conn = resolveConnection(opts, ctx.env, ctx.home);
  const config = benchConfigFrom(opts, conn.endpoints, conn);
  const tls = conn.tls
    ? {
        ...(conn.tls.ca ? { ca: conn.tls.ca } : {}),
        ...(conn.tls.cert ? { cert: conn.tls.cert } : {}),
        ...(conn.tls.key ? { key: conn.tls.key } : {}),
        rejectUnauthorized: !conn.tls.insecureSkipVerify,
      }
    : undefined;
  const result = await runBench(config, {
    ...(tls ? { tls } : {}),
    ...(conn.auth ? { auth: { user: conn.auth.user, password: conn.auth.password } } : {}),
    signal: ctx.signal,
    progress: (l) => note(ctx, l),
    ...(ctx.interactive ? { live: (l: string) => ctx.stderr.write(`\r\x1b[K${l}`) } : {}),
  });
  if (ctx.interactive) ctx.stderr.write('\r\x1b[K');
  if (opts.out) {
    await writeFileAtomic(resolve(opts.out), toJson(result), { mode: 0o644 });
    note(ctx, `bench: result written to ${opts.out}`);
  }
  if (opts.html) {
    await writeFileAtomic(resolve(opts.html), renderHtml([{ label: result.workload, result }], undefined, `upshift bench ${result.workload}`), { mode: 0o644 });
    note(ctx, `bench: HTML report written to ${opts.html}`);
  }
  return result.errors > 0 || result.interrupted ? outcome(result, ExitCode.problem) : result;
}

export function render(result: BenchResult): string {
  return renderResult(result);
}
