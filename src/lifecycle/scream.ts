/**
 * The scream test (governance.md §5, webstackbuilders "service-decommissioning-scream-test-shutdown"):
 * before removing a dependency that looks unused, make it degrade in stages through the fault proxy —
 * latency first, then a growing share of errors — and watch whether anyone still uses it. The fault layer
 * is i14's L7 gRPC proxy (src/faults), so faults hit single RPCs. Traffic through the proxy is the scream:
 * with `stopOnTraffic` the faults are lifted at once and the verdict is "in-use". After the stages the
 * proxy keeps forwarding without faults for the rollback window, so a caller that appears late still
 * works and is still counted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { UsageError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { L7FaultProxy } from '../faults/l7-proxy.js';
import { parseRate, type RpcRule } from '../faults/rpc-rules.js';

export interface ScreamStage {
  label: string;
  kind: 'latency' | 'abort';
  /** latency: milliseconds; abort: share 0..1 */
  value: number;
  durationMs: number;
}

export const DEFAULT_STAGES = 'latency:100ms@1h,latency:1s@1h,abort:1%@1h,abort:5%@1h,abort:10%@1h,abort:100%@1h';

/** `latency:100ms@10m,abort:5%@10m` */
export function parseStages(spec: string): ScreamStage[] {
  const out: ScreamStage[] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(latency|abort):([^@]+)@(.+)$/.exec(part);
    if (!m) throw new UsageError(`--scream-stages: cannot read "${part}"`, { hint: 'write stages like latency:100ms@10m or abort:5%@10m, comma-separated' });
    const kind = m[1] as 'latency' | 'abort';
    const value = kind === 'latency' ? parseDuration(m[2]!, '--scream-stages latency') : parseRate(m[2]!, '--scream-stages abort');
    out.push({ label: part, kind, value, durationMs: parseDuration(m[3]!, '--scream-stages duration') });
  }
  if (out.length === 0) throw new UsageError('--scream-stages: no stages');
  return out;
}

export interface StageResult {
  stage: string;
  durationMs: number;
  rpcs: number;
  aborted: number;
  delayed: number;
  methods: Record<string, number>;
}

export interface ScreamReport {
  service: string;
  proxy: string;
  target: string;
  verdict: 'silent' | 'in-use';
  /** Faults were lifted early because traffic appeared. */
  stoppedEarly: boolean;
  stages: StageResult[];
  /** durationMs null: until interrupted. */
  rollbackWindow: { durationMs: number | null; rpcs: number };
}

export interface ScreamOptions {
  service: string;
  listen: { host: string; port: number };
  target: { host: string; port: number };
  stages: ScreamStage[];
  /** Infinity: until the signal aborts. */
  rollbackWindowMs: number;
  stopOnTraffic?: boolean;
  signal: AbortSignal;
  log: (line: string) => void;
  /** Called once the proxy listens (tests point their client at it). */
  onListening?: (addr: { host: string; port: number }) => void;
}

function snapshot(p: L7FaultProxy): { rpcs: number; aborted: number; delayed: number; methods: Record<string, number> } {
  const s = p.stats;
  return { rpcs: s.rpcs, aborted: Object.values(s.aborted).reduce((a, b) => a + b, 0), delayed: s.delayed, methods: Object.fromEntries(Object.entries(s.methods).map(([k, v]) => [k, v.rpcs])) };
}

async function wait(ms: number, signal: AbortSignal, until?: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end && !signal.aborted && !(until?.() ?? false)) {
    await sleep(Math.min(200, end - Date.now())).catch(() => undefined);
  }
}

export async function runScreamTest(o: ScreamOptions): Promise<ScreamReport> {
  const proxy = new L7FaultProxy({ listen: o.listen, target: o.target, name: `scream-${o.service}`, seed: 'scream' });
  const port = await proxy.start();
  const where = `${o.listen.host}:${port}`;
  o.onListening?.({ host: o.listen.host, port });
  o.log(`scream test for ${o.service}: proxy ${where} -> ${o.target.host}:${o.target.port}; point ${o.service} at ${where}`);
  const stages: StageResult[] = [];
  let stoppedEarly = false;
  try {
    for (const [i, st] of o.stages.entries()) {
      if (o.signal.aborted) break;
      const rule: RpcRule = st.kind === 'latency' ? { id: `scream-${i}`, delay: { ms: st.value } } : { id: `scream-${i}`, abort: { rate: st.value, code: GrpcStatus.UNAVAILABLE, message: `upshift scream test: ${o.service}'s etcd dependency is being retired (stage ${st.label})` } };
      const before = snapshot(proxy);
      proxy.addRule(rule);
      o.log(`scream test: stage ${i + 1}/${o.stages.length} ${st.label}`);
      await wait(st.durationMs, o.signal, o.stopOnTraffic ? () => proxy.stats.rpcs > before.rpcs : undefined);
      proxy.removeRule(rule.id);
      const after = snapshot(proxy);
      const methods: Record<string, number> = {};
      for (const [m, n] of Object.entries(after.methods)) if (n - (before.methods[m] ?? 0) > 0) methods[m] = n - (before.methods[m] ?? 0);
      stages.push({ stage: st.label, durationMs: st.durationMs, rpcs: after.rpcs - before.rpcs, aborted: after.aborted - before.aborted, delayed: after.delayed - before.delayed, methods });
      if (o.stopOnTraffic && after.rpcs > before.rpcs) {
        stoppedEarly = true;
        o.log(`scream test: ${after.rpcs - before.rpcs} RPC(s) came through during ${st.label}: ${o.service}'s dependency is in use; faults lifted`);
        break;
      }
    }
    // The dependent service still points at the proxy: keep forwarding without faults (the rollback
    // window) so it keeps working until it is pointed back, or the window ends, or Ctrl-C.
    const beforeRollback = proxy.stats.rpcs;
    if (!o.signal.aborted) {
      const forever = !Number.isFinite(o.rollbackWindowMs);
      o.log(`scream test: faults lifted; forwarding without faults ${forever ? 'until Ctrl-C' : `for ${Math.round(o.rollbackWindowMs / 1000)} s`} (rollback window): point ${o.service} back at ${o.target.host}:${o.target.port}`);
      await wait(forever ? 2 ** 31 - 1 : o.rollbackWindowMs, o.signal);
    }
    const inUse = stages.some((s) => s.rpcs > 0) || proxy.stats.rpcs > beforeRollback;
    return { service: o.service, proxy: where, target: `${o.target.host}:${o.target.port}`, verdict: inUse ? 'in-use' : 'silent', stoppedEarly, stages, rollbackWindow: { durationMs: Number.isFinite(o.rollbackWindowMs) ? o.rollbackWindowMs : null, rpcs: proxy.stats.rpcs - beforeRollback } };
  } finally {
    proxy.clearRules();
    await proxy.close();
  }
}
