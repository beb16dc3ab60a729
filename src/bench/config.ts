/**
 * Benchmark configuration: the validated settings of one run, and how they are split across worker
 * threads (pure functions, unit-tested).
 */
import { availableParallelism } from 'node:os';
import { UsageError } from '../core/errors.js';

export const WORKLOADS = ['put', 'range', 'txn', 'mixed', 'watch', 'lease'] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface BenchConfig {
  workload: Workload;
  endpoints: string[];
  /** Concurrent request loops (closed loop), or the concurrency limit under --rate. */
  clients: number;
  /** TCP connections (HTTP/2 sessions) in total, spread over the endpoints. */
  conns: number;
  /** Exactly this many measured operations (puts for `watch`), or undefined with durationMs. */
  total?: number;
  durationMs?: number;
  /** Open loop: intended start times at this many ops/s in total; latencies measured from those times. */
  rate?: number;
  keySize: number;
  valSize: number;
  keySpace: number;
  keyPrefix: string;
  sequentialKeys: boolean;
  warmupMs: number;
  workers: number;
  /** `l` linearizable (default) or `s` serializable, for range/mixed/txn reads. */
  consistency: 'l' | 's';
  /** range: read the whole key prefix instead of one key. */
  prefix: boolean;
  limit: number;
  /** mixed: fraction of operations that are reads. */
  readRatio: number;
  /** watch: number of watchers, spread over the key-space keys and over `conns` watch streams. */
  watchers: number;
  /** lease: TTL of the leases granted (seconds). */
  leaseTtlSec: number;
  commandTimeoutMs: number;
  dialTimeoutMs: number;
  /** `raw` (default): h2raw.ts; `node-http2`: transport.ts (for comparison). */
  transport?: 'raw' | 'node-http2';
}

export interface WorkerShare {
  index: number;
  clients: number;
  conns: number;
  /** First connection index (global), so connections spread evenly over the endpoints. */
  connOffset: number;
  /** Exact measured ops this worker performs (total mode). */
  total?: number;
  /** Offset of this worker's slice of the op sequence (sequential keys). */
  opOffset: number;
  /** This worker's share of the open-loop rate. */
  rate?: number;
  watchers: number;
  /** First watcher index (global): watcher j watches key j % keySpace. */
  watcherOffset: number;
}

/** Default key-space: big enough that writes do not pile onto a few keys (etcd's tool defaults to 1 key). */
export const DEFAULT_KEY_SPACE = 100_000;

/**
 * Default worker threads: a quarter of the cores (at least one). One thread on the raw transport drives
 * well over 20k ops/s at ~30-50 us of CPU per op; on a small machine that runs the cluster too, more
 * threads only take CPU from the servers (measured on 2 cores: 1 worker 30-35 us/op, 2 workers 48-50,
 * same throughput).
 */
export function defaultWorkers(clients: number, conns: number): number {
  return Math.max(1, Math.min(Math.floor(availableParallelism() / 4), conns, clients));
}

/** Split `n` into `parts` integers that differ by at most one, larger ones first. */
export function splitEven(n: number, parts: number): number[] {
  const base = Math.floor(n / parts);
  const extra = n % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

export function planShares(c: BenchConfig): WorkerShare[] {
  const workers = Math.max(1, Math.min(c.workers, c.clients, c.conns));
  const clients = splitEven(c.clients, workers);
  const conns = splitEven(c.conns, workers);
  const totals = c.total === undefined ? undefined : splitEven(c.total, workers);
  const watchers = splitEven(c.workload === 'watch' ? c.watchers : 0, workers);
  const shares: WorkerShare[] = [];
  let connOffset = 0;
  let opOffset = 0;
  let watcherOffset = 0;
  for (let i = 0; i < workers; i++) {
    const s: WorkerShare = {
      index: i,
      clients: clients[i]!,
      conns: conns[i]!,
      connOffset,
      opOffset,
      watchers: watchers[i]!,
      watcherOffset,
    };
    if (totals) s.total = totals[i]!;
    // The rate follows the clients, so each worker's open loop has the same per-client pace.
    if (c.rate !== undefined) s.rate = (c.rate * clients[i]!) / c.clients;
    shares.push(s);
    connOffset += conns[i]!;
    opOffset += totals ? totals[i]! : Math.floor(c.keySpace / workers);
    watcherOffset += watchers[i]!;
  }
  return shares;
}

/** Key i of the key-space: prefix + zero-padded decimal, exactly keySize bytes. */
export function keyOf(c: Pick<BenchConfig, 'keyPrefix' | 'keySize'>, i: number): string {
  return c.keyPrefix + String(i).padStart(c.keySize - c.keyPrefix.length, '0');
}

/** Usage errors for impossible combinations; returns the config unchanged when valid. */
export function validateConfig(c: BenchConfig): BenchConfig {
  const bad = (flag: string, msg: string, hint?: string): never => {
    throw new UsageError(`${flag}: ${msg}`, hint ? { hint } : {});
  };
  if (!WORKLOADS.includes(c.workload)) bad('WORKLOAD', `unknown workload "${c.workload}"`, `use one of: ${WORKLOADS.join(', ')}`);
  if (c.endpoints.length === 0) bad('--endpoints', 'no endpoints', 'give --endpoints, ETCDCTL_ENDPOINTS or --cluster');
  const posInt = (flag: string, v: number | undefined): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) bad(flag, `must be a positive integer, got ${v}`);
  };
  posInt('--clients', c.clients);
  posInt('--conns', c.conns);
  posInt('--total', c.total);
  posInt('--key-space', c.keySpace);
  posInt('--workers', c.workers);
  posInt('--watchers', c.watchers);
  posInt('--lease-ttl', c.leaseTtlSec);
  if (c.total !== undefined && c.durationMs !== undefined) bad('--total', 'give either --total or --duration, not both');
  if (c.total === undefined && c.durationMs === undefined) bad('--total', 'give --total N or --duration D');
  if (c.durationMs !== undefined && c.durationMs <= 0) bad('--duration', 'must be positive');
  if (c.rate !== undefined && !(c.rate > 0)) bad('--rate', `must be a positive number of ops/s, got ${c.rate}`);
  if (!(c.readRatio >= 0 && c.readRatio <= 1)) bad('--read-ratio', `must be between 0 and 1, got ${c.readRatio}`);
  if (c.consistency !== 'l' && c.consistency !== 's') bad('--consistency', `must be l or s, got "${c.consistency}"`);
  if (c.limit < 0 || !Number.isInteger(c.limit)) bad('--limit', `must be a non-negative integer, got ${c.limit}`);
  const digits = String(c.keySpace - 1).length;
  if (c.keySize < c.keyPrefix.length + digits) {
    bad('--key-size', `${c.keySize} bytes cannot hold the prefix "${c.keyPrefix}" plus ${digits} digits for --key-space ${c.keySpace}`, `use --key-size ${c.keyPrefix.length + digits} or more, or a shorter --key-prefix`);
  }
  if (c.valSize < 1 || !Number.isInteger(c.valSize)) bad('--val-size', `must be a positive integer, got ${c.valSize}`);
  if (c.workload === 'watch' && c.valSize < 8) bad('--val-size', 'watch needs at least 8 bytes to carry the put time', 'use --val-size 8 or more');
  if (c.transport !== undefined && c.transport !== 'raw' && c.transport !== 'node-http2') bad('--transport', `must be raw or node-http2, got "${c.transport}"`);
  if (c.conns > c.clients && c.workload !== 'watch') bad('--conns', `${c.conns} connections for ${c.clients} clients leaves connections idle`, 'use --conns <= --clients');
  return c;
}
