/**
 * Per-RPC fault rules of the L7 proxy and the pure decision for one RPC: abort it with a gRPC status,
 * delay it, delay its response messages (watch), or hold it (blackhole). Envoy's HTTP fault filter has the
 * same shape (abort{percentage, grpc_status}, delay{fixed_delay, percentage}, scoped by headers; see
 * governance.md §3); the method scope here is the gRPC path, e.g. `/etcdserverpb.KV/Put`, or a prefix
 * ending in `*` (`/etcdserverpb.KV/*`).
 * The rules are per RPC: a plain HTTP request on the same port (etcd's /health, /version, /metrics, the
 * JSON gateway's /v3/...) is touched only by a rule whose `methods` name its path explicitly, so an
 * "every RPC" abort never turns a health check into a fake outage.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { UsageError } from '../core/errors.js';
import { jittered, type Rng } from './rng.js';

export interface RpcRule {
  id: string;
  /** Method paths or `prefix*` patterns; absent or empty: every RPC. */
  methods?: string[] | undefined;
  abort?: { rate: number; code: number; message?: string | undefined } | undefined;
  delay?: { ms: number; jitterMs?: number | undefined; rate?: number | undefined } | undefined;
  /** Delay every response chunk of the matched (streaming) RPCs, in order (default methods: Watch). */
  streamDelay?: { ms: number; jitterMs?: number | undefined } | undefined;
  /** Hold matched RPCs (new ones before forwarding, open ones' responses) until the rule is lifted. */
  blackhole?: boolean | undefined;
  /** Reset the client connections when the rule is added, and new ones while it lasts. */
  reset?: boolean | undefined;
}

export interface RpcDecision {
  abort?: { code: number; message: string; rule: string } | undefined;
  delayMs: number;
  streamDelay?: { ms: number; jitterMs: number } | undefined;
  hold: boolean;
  /** Rules that touched the RPC (for statistics). */
  rules: string[];
}

export const WATCH_METHOD = '/etcdserverpb.Watch/Watch';

export function methodMatches(patterns: readonly string[] | undefined, method: string): boolean {
  if (!patterns || patterns.length === 0) return true;
  return patterns.some((p) => (p.endsWith('*') ? method.startsWith(p.slice(0, -1)) : p === method));
}

/**
 * The decision for one RPC. Rules are consulted in the order given, each rolling its own dice (`rngOf`:
 * one seeded stream per rule, so the sequence of outcomes per rule depends only on the seed and the
 * order the RPCs arrive in). The first abort wins; delays add up.
 */
export function decideRpc(rules: readonly RpcRule[], method: string, rngOf: (ruleId: string) => Rng, grpc = true): RpcDecision {
  const d: RpcDecision = { delayMs: 0, hold: false, rules: [] };
  for (const r of rules) {
    if (!grpc && !targetsHttp(r, method)) continue;
    const scopedToWatch = r.streamDelay && !r.methods ? [WATCH_METHOD] : r.methods;
    if (!methodMatches(r.streamDelay && !r.abort && !r.delay ? scopedToWatch : r.methods, method)) continue;
    const rng = rngOf(r.id);
    let touched = false;
    if (r.abort && !d.abort && rng.chance(r.abort.rate)) {
      d.abort = { code: r.abort.code, message: r.abort.message ?? `upshift fault ${r.id}: injected ${grpcCodeName(r.abort.code)}`, rule: r.id };
      touched = true;
    }
    if (r.delay && (r.delay.rate === undefined || rng.chance(r.delay.rate))) {
      d.delayMs += jittered(rng, r.delay.ms, r.delay.jitterMs ?? 0);
      touched = true;
    }
    if (r.streamDelay) {
      d.streamDelay = { ms: (d.streamDelay?.ms ?? 0) + r.streamDelay.ms, jitterMs: Math.max(d.streamDelay?.jitterMs ?? 0, r.streamDelay.jitterMs ?? 0) };
      touched = true;
    }
    if (r.blackhole) {
      d.hold = true;
      touched = true;
    }
    if (touched) d.rules.push(r.id);
  }
  return d;
}

/**
 * What the rules do to an open stream's responses (no dice rolled: a stream's messages are held or delayed
 * as a whole, and the per-RPC dice stay one roll per RPC).
 */
export function streamEffects(rules: readonly RpcRule[], method: string, grpc = true): { hold: boolean; streamDelay?: { ms: number; jitterMs: number } | undefined } {
  let hold = false;
  let streamDelay: { ms: number; jitterMs: number } | undefined;
  for (const r of rules) {
    if (!grpc && !targetsHttp(r, method)) continue;
    const onlyStreamDelay = r.streamDelay && !r.abort && !r.delay && !r.blackhole;
    if (!methodMatches(r.methods ?? (onlyStreamDelay ? [WATCH_METHOD] : undefined), method)) continue;
    if (r.blackhole) hold = true;
    if (r.streamDelay) streamDelay = { ms: (streamDelay?.ms ?? 0) + r.streamDelay.ms, jitterMs: Math.max(streamDelay?.jitterMs ?? 0, r.streamDelay.jitterMs ?? 0) };
  }
  return { hold, streamDelay };
}

/** A rule touches a plain HTTP request only when its `methods` are given and one of them matches the path. */
export function targetsHttp(rule: RpcRule, path: string): boolean {
  return rule.methods !== undefined && rule.methods.length > 0 && methodMatches(rule.methods, path);
}

/** Any rule that names an HTTP path (not a gRPC method path `/pkg.Service/...`). */
export function rulesTargetHttp(rules: Iterable<RpcRule>): boolean {
  for (const r of rules) if (r.methods?.some((m) => !/^\/[\w.]+\.[\w]+\//.test(m))) return true;
  return false;
}

const GRPC_CONTENT_TYPE = /^\s*application\/grpc(?:[+;]|\s*$)/i;

/** A gRPC request, by its content-type (application/grpc, application/grpc+proto, ...); surrounding blanks ignored. */
export function isGrpcContentType(ct: string | string[] | undefined): boolean {
  const v = Array.isArray(ct) ? ct[0] : ct;
  // The regex skips the blanks itself: this runs for every request the L7 relay sees (no trimmed copy).
  return v !== undefined && GRPC_CONTENT_TYPE.test(v);
}

/** The HTTP status an aborted plain HTTP request is answered with (grpc-gateway's mapping of the code). */
export function httpStatusOf(code: number): number {
  const map: Record<number, number> = { 1: 499, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400, 10: 409, 11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401 };
  return map[code] ?? 500;
}

const CODE_NAMES = Object.entries(GrpcStatus).filter(([k, v]) => typeof v === 'number' && /^[A-Z_]+$/.test(k)) as [string, number][];

export function grpcCodeName(code: number): string {
  return CODE_NAMES.find(([, v]) => v === code)?.[0] ?? String(code);
}

/** `UNAVAILABLE`, `unavailable`, `14` -> 14. */
export function parseGrpcCode(v: string, what = 'gRPC status'): number {
  const t = v.trim();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n >= 1 && n <= 16) return n;
  }
  const hit = CODE_NAMES.find(([k]) => k === t.toUpperCase().replace(/-/g, '_'));
  if (hit && hit[1] !== 0) return hit[1];
  throw new UsageError(`${what}: "${v}" is not a gRPC error status`, { hint: `use one of ${CODE_NAMES.filter(([, n]) => n !== 0).map(([k]) => k).join(', ')} (or its number)` });
}

/** `5%`, `0.05` -> 0.05. */
export function parseRate(v: string, what = 'rate'): number {
  const t = v.trim();
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(t);
  const n = pct ? Number(pct[1]) / 100 : /^\d*\.?\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`${what}: "${v}" is not a rate`, { hint: 'write it as a percentage (5%) or a fraction (0.05)' });
  return n;
}

/** `5%:UNAVAILABLE` (the `--abort` flag) -> rate and code; the code defaults to UNAVAILABLE. */
export function parseAbortSpec(v: string): { rate: number; code: number } {
  const [rate, code] = v.split(':');
  return { rate: parseRate(rate ?? '', '--abort'), code: code ? parseGrpcCode(code, '--abort') : GrpcStatus.UNAVAILABLE };
}
