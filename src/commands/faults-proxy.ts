/**
 * `upshift faults proxy --listen ADDR --target ADDR [--latency 50ms --jitter 10ms --abort 5%:UNAVAILABLE
 * --method PATH ... | --l4 --bandwidth R --blackhole --reset --slow-close D]`: the fault layer on its own,
 * for your own staging tests (what toxiproxy is used for, but per RPC). Runs until SIGINT/SIGTERM (or
 * --duration), then prints what it did. A TLS target without --listen-cert/--listen-key is relayed at L4
 * (TLS passed through), where per-RPC faults cannot act: the command says so.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { L7FaultProxy } from '../faults/l7-proxy.js';
import { L4FaultProxy, type L4Rule } from '../faults/l4-proxy.js';
import { grpcCodeName, parseAbortSpec, type RpcRule } from '../faults/rpc-rules.js';
import { parseBandwidth } from '../faults/schedule.js';

export interface FaultsProxyOptions {
  listen?: string;
  target?: string;
  l4?: boolean;
  latency?: string;
  jitter?: string;
  abort?: string;
  method?: string[];
  watchDelay?: string;
  bandwidth?: string;
  direction?: string;
  blackhole?: boolean;
  reset?: boolean;
  slowClose?: string;
  cacert?: string;
  cert?: string;
  key?: string;
  insecureSkipTlsVerify?: boolean;
  listenCert?: string;
  listenKey?: string;
  listenCacert?: string;
  seed?: string;
  duration?: string;
  output?: string;
}

export interface FaultsProxyResult {
  mode: 'l7' | 'l4';
  listen: string;
  target: string;
  tls: 'none' | 'terminated' | 'passed-through';
  rules: (RpcRule | L4Rule)[];
  notes: string[];
  durationMs: number;
  stats: unknown;
}

/** `127.0.0.1:2379`, `:2379`, `http(s)://host:port` -> host, port, and whether the URL said https. */
export function parseAddress(v: string | undefined, flag: string): { host: string; port: number; https: boolean } {
  if (!v) throw new UsageError(`${flag} is required`, { hint: `e.g. ${flag} 127.0.0.1:${flag === '--listen' ? '23790' : '2379'}` });
  const withScheme = /^[a-z]+:\/\//i.test(v) ? v : `tcp://${v.startsWith(':') ? '127.0.0.1' + v : v}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new UsageError(`${flag}: "${v}" is not an address`, { hint: 'write it as HOST:PORT or http(s)://HOST:PORT' });
  }
  const port = Number(u.port);
  if (!u.hostname || !Number.isInteger(port) || port < 0 || port > 65535 || u.port === '') throw new UsageError(`${flag}: "${v}" has no port`, { hint: 'write it as HOST:PORT (port 0 picks a free one for --listen)' });
  if (!['tcp:', 'http:', 'https:'].includes(u.protocol)) throw new UsageError(`${flag}: scheme ${u.protocol} is not supported`, { hint: 'use http://, https:// or plain HOST:PORT' });
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port, https: u.protocol === 'https:' };
}

function file(path: string | undefined, flag: string): Buffer | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { hint: 'give a PEM file' });
  }
}

export async function run(opts: FaultsProxyOptions, ctx: CommandContext): Promise<FaultsProxyResult> {
  const listen = parseAddress(opts.listen, '--listen');
  const target = parseAddress(opts.target, '--target');
  const tlsTarget = target.https || Boolean(opts.cacert || opts.cert);
  const canTerminate = Boolean(opts.listenCert && opts.listenKey);
  if (Boolean(opts.listenCert) !== Boolean(opts.listenKey)) throw new UsageError('--listen-cert and --listen-key go together', { hint: 'the certificate and key the proxy presents to clients (e.g. the member\'s server cert)' });
  const notes: string[] = [];
  const perRpc = ['abort', 'method', 'watchDelay'].filter((k) => (opts as Record<string, unknown>)[k] !== undefined && !(Array.isArray((opts as Record<string, unknown>)[k]) && ((opts as Record<string, unknown>)[k] as unknown[]).length === 0));
  const l4Only = ['bandwidth', 'slowClose'].filter((k) => (opts as Record<string, unknown>)[k] !== undefined);
  let mode: 'l7' | 'l4' = opts.l4 ? 'l4' : 'l7';
  if (mode === 'l7' && tlsTarget && !canTerminate) {
    mode = 'l4';
    notes.push(`the target serves TLS and no --listen-cert/--listen-key were given: relaying at L4 (TLS passed through); per-RPC faults need the L7 proxy, which terminates TLS with the member's certificate`);
  }
  if (mode === 'l7' && l4Only.length > 0) mode = 'l4';
  if (mode === 'l4' && perRpc.length > 0) {
    throw new UsageError(`--${perRpc.map((k) => k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())).join(', --')}: per-RPC faults need the L7 proxy${tlsTarget && !canTerminate ? ', which for a TLS target needs --listen-cert and --listen-key (the certificate it presents to clients)' : ''}`, {
      hint: l4Only.length > 0 ? `--${l4Only.join(', --')} ${l4Only.length > 1 ? 'are' : 'is'} L4 faults: run two proxies in a row for both kinds` : opts.l4 ? 'drop --l4' : 'e.g. --listen-cert member.crt --listen-key member.key (the member\'s server certificate) with --cacert/--cert/--key for the member',
    });
  }
  const latencyMs = opts.latency !== undefined ? parseDuration(opts.latency, '--latency') : undefined;
  const jitterMs = opts.jitter !== undefined ? parseDuration(opts.jitter, '--jitter') : undefined;
  if (jitterMs !== undefined && latencyMs === undefined) throw new UsageError('--jitter needs --latency', { hint: 'e.g. --latency 50ms --jitter 10ms' });
  const durationMs = opts.duration !== undefined ? parseDuration(opts.duration, '--duration') : undefined;
  const direction = opts.direction ?? 'down';
  if (!['up', 'down', 'both'].includes(direction)) throw new UsageError(`--direction: "${direction}" is not up, down or both`);
  const seed = opts.seed ?? '0';
  const startedAt = performance.now();
  let proxy: L7FaultProxy | L4FaultProxy;
  const rules: (RpcRule | L4Rule)[] = [];
  if (mode === 'l7') {
    const rule: RpcRule = { id: 'cli', ...(opts.method?.length ? { methods: opts.method } : {}) };
    if (opts.abort !== undefined) {
      const a = parseAbortSpec(opts.abort);
      rule.abort = { rate: a.rate, code: a.code };
    }
    if (latencyMs !== undefined) rule.delay = { ms: latencyMs, jitterMs };
    if (opts.watchDelay !== undefined) rule.streamDelay = { ms: parseDuration(opts.watchDelay, '--watch-delay') };
    if (opts.blackhole) rule.blackhole = true;
    if (opts.reset) rule.reset = true;
    proxy = new L7FaultProxy({
      listen,
      target,
      seed,
      name: 'cli',
      tls: tlsTarget
        ? {
            listen: { cert: file(opts.listenCert, '--listen-cert')!, key: file(opts.listenKey, '--listen-key')!, ca: file(opts.listenCacert, '--listen-cacert') },
            upstream: { ca: file(opts.cacert, '--cacert'), cert: file(opts.cert, '--cert'), key: file(opts.key, '--key'), insecureSkipVerify: opts.insecureSkipTlsVerify },
          }
        : undefined,
    });
    if (Object.keys(rule).length > 1) rules.push(rule);
  } else {
    const rule: L4Rule = { id: 'cli', direction: direction as L4Rule['direction'] };
    if (latencyMs !== undefined) Object.assign(rule, { latencyMs, jitterMs });
    if (opts.bandwidth !== undefined) rule.bandwidth = parseBandwidth(opts.bandwidth);
    if (opts.blackhole) rule.blackhole = true;
    if (opts.reset) rule.reset = true;
    if (opts.slowClose !== undefined) rule.slowCloseMs = parseDuration(opts.slowClose, '--slow-close');
    proxy = new L4FaultProxy({ listen, target, seed, name: 'cli' });
    if (Object.keys(rule).length > 2) rules.push(rule);
  }
  let port: number;
  try {
    port = await proxy.start();
  } catch (e) {
    throw new UsageError(`--listen ${opts.listen}: cannot listen (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { code: 'listen-failed', hint: 'pick a free port (0 picks one)' });
  }
  for (const r of rules) (proxy as { addRule(r: RpcRule | L4Rule): void }).addRule(r);
  const listenText = `${listen.host}:${port}`;
  const targetText = `${target.host}:${target.port}`;
  for (const n of notes) note(ctx, `note: ${n}`);
  note(ctx, `upshift faults proxy (${mode.toUpperCase()}): ${listenText} -> ${targetText}; ${describeRules(rules)}; stop with Ctrl-C${durationMs !== undefined ? ` or after ${opts.duration}` : ''}`);
  try {
    await (durationMs !== undefined ? sleep(durationMs, undefined, { signal: ctx.signal }) : new Promise<void>((resolve) => (ctx.signal.aborted ? resolve() : ctx.signal.addEventListener('abort', () => resolve(), { once: true }))));
  } catch {
    // interrupted: stop and report
  }
  await proxy.close();
  return {
    mode,
    listen: listenText,
    target: targetText,
    tls: !tlsTarget ? 'none' : mode === 'l7' ? 'terminated' : 'passed-through',
    rules,
    notes,
    durationMs: Math.round(performance.now() - startedAt),
    stats: proxy.stats,
  };
}

function describeRules(rules: (RpcRule | L4Rule)[]): string {
  if (rules.length === 0) return 'no faults (a plain relay)';
  const r = rules[0] as RpcRule & L4Rule;
  const parts: string[] = [];
  if (r.abort) parts.push(`abort ${(r.abort.rate * 100).toFixed(1)}% with ${grpcCodeName(r.abort.code)}`);
  if (r.delay) parts.push(`delay ${r.delay.ms} ms${r.delay.jitterMs ? ` ± ${r.delay.jitterMs} ms` : ''} per RPC`);
  if (r.streamDelay) parts.push(`watch responses delayed ${r.streamDelay.ms} ms`);
  if (r.methods) parts.push(`on ${r.methods.join(', ')}`);
  if (r.latencyMs) parts.push(`latency ${r.latencyMs} ms${r.jitterMs ? ` ± ${r.jitterMs} ms` : ''} (${r.direction})`);
  if (r.bandwidth) parts.push(`bandwidth ${r.bandwidth} B/s`);
  if (r.blackhole) parts.push('blackhole');
  if (r.reset) parts.push('reset');
  if (r.slowCloseMs) parts.push(`slow close ${r.slowCloseMs} ms`);
  return parts.join(', ');
}

export function render(r: FaultsProxyResult): string {
  const s = r.stats as Record<string, unknown>;
  const lines = [`faults proxy (${r.mode.toUpperCase()}, TLS ${r.tls}) ${r.listen} -> ${r.target} ran ${(r.durationMs / 1000).toFixed(1)} s; ${describeRules(r.rules)}`];
  if (r.mode === 'l7') lines.push(`connections ${String(s.connections)}, RPCs ${String(s.rpcs)}, forwarded ${String(s.forwarded)}, aborted ${JSON.stringify(s.aborted)}, delayed ${String(s.delayed)}, held ${String(s.held)}, refused ${String(s.refused)}`);
  else lines.push(`connections ${String(s.connections)}, bytes up ${String(s.bytesUp)}, down ${String(s.bytesDown)}, resets ${String(s.resets)}, refused ${String(s.refused)}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.join('\n') + '\n';
}
