/**
 * `upshift topology collect --otlp ADDR`: a live OTLP receiver (gRPC and HTTP on one address) feeding the
 * linker, so etcd (`--enable-distributed-tracing --distributed-tracing-address ADDR` on 3.6+,
 * `--experimental-enable-distributed-tracing ...` on 3.5) and the applications send their spans to one
 * place. Traces are linked once idle (--trace-idle), with at most --max-open-traces held. Stops on
 * Ctrl-C, --duration or --until-spans, then prints the graph; --snapshot-every writes windows into
 * UPSHIFT_HOME for `lifecycle --since`.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { writeFileAtomic } from '../core/files.js';
import { TraceAssembler } from '../topology/assembler.js';
import { GraphBuilder } from '../topology/graph.js';
import type { LinkEvent, LinkSink, SkipReason } from '../topology/linker.js';
import { readOtlpRequest } from '../topology/otlp.js';
import { peerOptionsFrom } from '../topology/pipeline.js';
import { OtlpReceiver } from '../topology/receiver.js';
import type { Span } from '../topology/span.js';
import { writeSnapshot } from '../topology/store.js';
import { parseAddress } from './faults-proxy.js';
import { finish, type TopologyOptions, type TopologyResult } from './topology.js';

export interface TopologyCollectOptions extends Omit<TopologyOptions, 'files' | 'format' | 'stdin'> {
  otlp?: string;
  duration?: string;
  untilSpans?: string;
  snapshotEvery?: string;
  out?: string;
  traceIdle?: string;
  readyFile?: string;
}

/** Feeds the whole-run graph and the current snapshot window at once. */
class WindowedSink implements LinkSink {
  traces = 0;
  window = new GraphBuilder();
  constructor(readonly total: GraphBuilder) {}
  link(e: LinkEvent): void {
    this.total.link(e);
    this.window.link(e);
  }
  entry(service: string, op: string | undefined, error: boolean, durationUs: number, startUs: number): void {
    this.total.entry(service, op, error, durationUs, startUs);
    this.window.entry(service, op, error, durationUs, startUs);
  }
  skip(reason: SkipReason): void {
    this.total.skip(reason);
    this.window.skip(reason);
  }
  span(s: Span): void {
    this.total.span(s);
    this.window.span(s);
  }
  countTrace(): void {
    this.total.traces++;
    this.window.traces++;
  }
}

/** OTLP JSON wants hex ids; a decoded protobuf request holds bytes. */
function toOtlpJson(doc: unknown): unknown {
  return JSON.parse(JSON.stringify(doc, (k, v: unknown) => {
    if ((k === 'traceId' || k === 'spanId' || k === 'parentSpanId') && v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer') return Buffer.from((v as { data: number[] }).data).toString('hex');
    return v;
  }));
}

function positiveInt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} ${v}: not a positive integer`);
  return n;
}

export async function run(opts: TopologyCollectOptions, ctx: CommandContext): Promise<TopologyResult> {
  const addr = parseAddress(opts.otlp, '--otlp');
  const durationMs = opts.duration ? parseDuration(opts.duration, '--duration') : undefined;
  const untilSpans = positiveInt(opts.untilSpans, '--until-spans');
  const snapshotMs = opts.snapshotEvery ? parseDuration(opts.snapshotEvery, '--snapshot-every') : undefined;
  // Longer than the senders' batch delay: etcd's BatchSpanProcessor exports every 5 s, so its server spans
  // come seconds after the callers' client spans.
  const idleMs = opts.traceIdle ? parseDuration(opts.traceIdle, '--trace-idle') : 15_000;
  const maxOpen = positiveInt(opts.maxOpenTraces, '--max-open-traces') ?? 100_000;
  const peer = peerOptionsFrom(opts, ctx.env, ctx.home);
  const total = new GraphBuilder();
  const sink = new WindowedSink(total);
  const asm = new TraceAssembler(sink, { maxOpenTraces: maxOpen, idleMs });
  const stats = { spans: 0, invalid: 0 };
  let out: WriteStream | undefined;
  if (opts.out) out = createWriteStream(opts.out, { flags: 'a' });
  let resolveDone!: (why: string) => void;
  const done = new Promise<string>((r) => (resolveDone = r));
  const receiver = new OtlpReceiver({
    host: addr.host,
    port: addr.port,
    onRequest: (doc, protocol) => {
      readOtlpRequest(doc, peer, asm.add, stats, `OTLP ${protocol} request`);
      out?.write(JSON.stringify(protocol === 'http/json' ? doc : toOtlpJson(doc)) + '\n');
      if (untilSpans !== undefined && stats.spans >= untilSpans) resolveDone(`${stats.spans} spans received`);
    },
  });
  let port: number;
  try {
    port = await receiver.start();
  } catch (e) {
    throw new UsageError(`--otlp ${opts.otlp}: cannot listen (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { hint: 'pick a free port (0 for any) on an address of this machine' });
  }
  const where = `${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${port}`;
  note(ctx, `upshift: receiving OTLP traces on ${where} (gRPC and HTTP ${'/v1/traces'}); etcd: --enable-distributed-tracing --distributed-tracing-address ${where}`);
  if (opts.readyFile) await writeFileAtomic(opts.readyFile, JSON.stringify({ otlp: where, pid: process.pid }) + '\n');
  const timers: NodeJS.Timeout[] = [];
  timers.push(setInterval(() => asm.closeIdle(), Math.min(1000, Math.max(100, idleMs / 2))));
  let lastReport = 0;
  timers.push(
    setInterval(() => {
      if (stats.spans !== lastReport) note(ctx, `upshift: ${stats.spans} spans, ${total.traces} traces linked, ${asm.openTraces} open`);
      lastReport = stats.spans;
    }, 10_000),
  );
  const flushWindow = async (): Promise<void> => {
    const w = sink.window;
    sink.window = new GraphBuilder();
    if (w.spans === 0 && w.edges.size === 0) return;
    const file = await writeSnapshot(ctx.home, w.snapshot({ sources: [`otlp://${where}`] }));
    note(ctx, `upshift: wrote ${file}`);
  };
  if (snapshotMs) timers.push(setInterval(() => void flushWindow().catch((e: unknown) => note(ctx, `upshift: snapshot failed: ${(e as Error).message}`)), snapshotMs));
  if (durationMs !== undefined) timers.push(setTimeout(() => resolveDone(`--duration ${opts.duration} elapsed`), durationMs));
  const onAbort = () => resolveDone('interrupted');
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const why = await done;
  ctx.signal.removeEventListener('abort', onAbort);
  for (const t of timers) clearInterval(t);
  await receiver.close();
  asm.closeAll();
  if (snapshotMs) await flushWindow();
  await new Promise<void>((r) => (out ? out.end(() => r()) : r()));
  note(ctx, `upshift: stopped (${why}): ${stats.spans} spans in ${receiver.stats.requests.grpc} gRPC and ${receiver.stats.requests['http/protobuf'] + receiver.stats.requests['http/json']} HTTP requests${receiver.stats.rejected ? `, ${receiver.stats.rejected} rejected` : ''}`);
  return finish(total, { quality: { invalidSpans: stats.invalid, evictedTraces: asm.evictedTraces, lateSpans: asm.lateSpans }, sources: [`otlp://${where}`] }, { etcdService: peer.etcdService, to: opts.to, from: opts.from, save: opts.save }, ctx);
}

export { render } from './topology.js';
