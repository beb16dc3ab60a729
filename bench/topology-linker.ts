/**
 * Benchmark: the topology linker on 1 million spans (target: under 10 s, bounded memory). Spans are made
 * on the fly, never all held: traces of a 40-service system (an entry server, internal spans, client and
 * server halves, etcd calls with their RPCs, some errors), 200 traces in flight at once and their spans
 * interleaved, as a receiver sees them. Each stage runs in its own process so its peak RSS is its own:
 *   baseline  - the same spans generated and grouped by trace, then dropped (what any linker pays);
 *   linker    - TraceAssembler (bounded open traces) + the Zipkin-style linker + the graph with histograms;
 *   otlp-json - (with --otlp-json) the spans serialised as OTLP JSON lines, read back and linked, as
 *               `upshift topology FILE.jsonl` does: parsing included.
 * Prints time, throughput and peak RSS per stage and the linker's ratios to the baseline of the same run.
 *
 *   node --import tsx bench/topology-linker.ts [--spans 1000000] [--otlp-json]
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceAssembler } from '../src/topology/assembler.js';
import { GraphBuilder } from '../src/topology/graph.js';
import { analyzeGraph } from '../src/topology/analyze.js';
import { buildFromFiles } from '../src/topology/pipeline.js';
import { DEFAULT_PEER_OPTIONS } from '../src/topology/peer.js';
import type { Span } from '../src/topology/span.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const SPANS = Number(arg('spans') ?? 1_000_000);
const IN_FLIGHT = 200;
const SERVICES = 40;

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ETCD_OPS = ['/etcdserverpb.KV/Range', '/etcdserverpb.KV/Put', '/etcdserverpb.KV/Txn', '/etcdserverpb.Lease/LeaseKeepAlive', '/etcdserverpb.Watch/Watch'];

/** One trace: entry server -> (internal) -> client/server pairs down a call chain, leaves calling etcd. */
function makeTrace(n: number, r: () => number): Span[] {
  const traceId = n.toString(16).padStart(32, '0');
  let id = 0;
  const sid = () => (n * 64 + ++id).toString(16).padStart(16, '0');
  const t0 = 1_765_000_000_000_000 + n * 1000;
  const spans: Span[] = [];
  const entry = Math.floor(r() * 8);
  const rootId = sid();
  spans.push({ traceId, id: rootId, kind: 'SERVER', localService: `svc-${entry}`, localEndpoint: `svc-${entry}`, error: false, startUs: t0, durationUs: 9000, op: 'GET /checkout' });
  let parent = rootId;
  let service = entry;
  const depth = 1 + Math.floor(r() * 3);
  for (let d = 0; d < depth; d++) {
    const internal = sid();
    spans.push({ traceId, id: internal, parentId: parent, localService: `svc-${service}`, localEndpoint: `svc-${service}`, error: false, startUs: t0 + d * 10 + 1, durationUs: 5000 });
    const next = 8 + Math.floor(r() * (SERVICES - 8));
    const client = sid();
    const failed = r() < 0.01;
    spans.push({ traceId, id: client, parentId: internal, kind: 'CLIENT', localService: `svc-${service}`, localEndpoint: `svc-${service}`, error: failed, startUs: t0 + d * 10 + 2, durationUs: 4000 - d * 100 });
    const server = sid();
    spans.push({ traceId, id: server, parentId: client, kind: 'SERVER', localService: `svc-${next}`, localEndpoint: `svc-${next}`, error: false, startUs: t0 + d * 10 + 3, durationUs: 3500 - d * 100, op: `POST /api/${next}` });
    parent = server;
    service = next;
  }
  const calls = 1 + Math.floor(r() * 2);
  for (let c = 0; c < calls; c++) {
    const op = ETCD_OPS[Math.floor(r() * ETCD_OPS.length)]!;
    spans.push({ traceId, id: sid(), parentId: parent, kind: 'CLIENT', localService: `svc-${service}`, localEndpoint: `svc-${service}`, remoteService: 'etcd', remoteBy: 'rpc.service', error: r() < 0.002, startUs: t0 + 100 + c, durationUs: 300 + Math.floor(r() * 2000), op });
  }
  return spans;
}

/** Every span, traces interleaved IN_FLIGHT at a time, until `total` spans were emitted. */
function generate(total: number, emit: (s: Span) => void): number {
  const r = rng(42);
  const queue: Span[][] = [];
  let made = 0;
  let n = 0;
  while (made < total) {
    while (queue.length < IN_FLIGHT) queue.push(makeTrace(n++, r));
    const i = Math.floor(r() * queue.length);
    const t = queue[i]!;
    emit(t.shift()!);
    made++;
    if (t.length === 0) queue.splice(i, 1);
  }
  return n;
}

async function stage(name: string): Promise<void> {
  const t0 = process.hrtime.bigint();
  let traces = 0;
  let edges = 0;
  if (name === 'baseline') {
    const open = new Map<string, Span[]>();
    let closed = 0;
    traces = generate(SPANS, (s) => {
      let t = open.get(s.traceId);
      if (!t) open.set(s.traceId, (t = []));
      t.push(s);
      if (open.size > IN_FLIGHT * 2) {
        const [k] = open.keys();
        open.delete(k!);
        closed++;
      }
    });
    void closed;
  } else if (name === 'linker') {
    const g = new GraphBuilder();
    const asm = new TraceAssembler(g, { maxOpenTraces: 100_000, idleSpans: 100_000 });
    generate(SPANS, asm.add);
    asm.closeAll();
    const report = analyzeGraph(g, { etcdService: 'etcd' });
    traces = g.traces;
    edges = report.edges.length;
    if (report.etcdCallers.length === 0) throw new Error('linker found no etcd callers');
  } else {
    const file = process.argv[process.argv.indexOf('--file') + 1]!;
    const built = await buildFromFiles({ files: [file], peer: DEFAULT_PEER_OPTIONS });
    traces = built.graph.traces;
    edges = built.graph.edges.size;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage();
  process.stdout.write(JSON.stringify({ name, ms, cpuMs: (cpu.user + cpu.system) / 1000, traces, edges, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

/** Write the spans as OTLP JSONL, 1000 spans per request line. */
async function writeOtlp(file: string): Promise<void> {
  const out = createWriteStream(file);
  let batch: Span[] = [];
  const flush = async () => {
    const byService = new Map<string, Span[]>();
    for (const s of batch) byService.set(s.localService!, [...(byService.get(s.localService!) ?? []), s]);
    const doc = {
      resourceSpans: [...byService].map(([svc, spans]) => ({
        resource: { attributes: [{ key: 'service.name', value: { stringValue: svc } }] },
        scopeSpans: [
          {
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.id,
              parentSpanId: s.parentId ?? '',
              name: s.op ?? 'internal',
              kind: s.kind === 'SERVER' ? 2 : s.kind === 'CLIENT' ? 3 : 1,
              startTimeUnixNano: `${s.startUs}000`,
              endTimeUnixNano: `${s.startUs + s.durationUs}000`,
              attributes: s.remoteService === 'etcd' ? [{ key: 'rpc.service', value: { stringValue: s.op!.split('/')[1] } }, { key: 'rpc.method', value: { stringValue: s.op!.split('/')[2] } }] : [],
              status: { code: s.error ? 2 : 0 },
            })),
          },
        ],
      })),
    };
    batch = [];
    if (!out.write(JSON.stringify(doc) + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
  };
  const pending: Span[] = [];
  generate(SPANS, (s) => pending.push(s));
  for (const s of pending) {
    batch.push(s);
    if (batch.length >= 1000) await flush();
  }
  if (batch.length) await flush();
  await new Promise<void>((r) => out.end(() => r()));
}

if (process.argv.includes('--stage')) {
  await stage(process.argv[process.argv.indexOf('--stage') + 1]!);
} else {
  const run = (name: string, extra: string[] = []) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--stage', name, '--spans', String(SPANS), ...extra], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`${name}: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as { name: string; ms: number; cpuMs: number; traces: number; edges: number; maxRssMb: number };
  };
  const results = [run('baseline'), run('linker')];
  let dir: string | undefined;
  if (process.argv.includes('--otlp-json')) {
    dir = mkdtempSync(join(tmpdir(), 'upshift-bench-topology-'));
    const file = join(dir, 'spans.jsonl');
    await writeOtlp(file);
    results.push(run('otlp-json', ['--file', file]));
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  const [base, linker] = results as [(typeof results)[0], (typeof results)[0]];
  console.log(`topology linker on ${SPANS.toLocaleString('en')} spans (${linker.traces.toLocaleString('en')} traces, ${IN_FLIGHT} in flight, ${linker.edges} edges); each stage in its own process; machine shared with other work`);
  for (const r of results) {
    console.log(`${r.name.padEnd(10)} ${(r.ms / 1000).toFixed(2).padStart(7)} s wall ${(r.cpuMs / 1000).toFixed(2).padStart(7)} s CPU  ${Math.round(SPANS / (r.ms / 1000)).toLocaleString('en').padStart(11)} spans/s  peak RSS ${r.maxRssMb.toFixed(0).padStart(5)} MB  ${(r.ms / base.ms).toFixed(2)}x baseline time (${(r.cpuMs / base.cpuMs).toFixed(2)}x CPU), ${(r.maxRssMb / base.maxRssMb).toFixed(2)}x baseline RSS`);
  }
  console.log(`linker: ${linker.ms < 10_000 ? 'under' : 'OVER'} the 10 s target (${(linker.ms / 1000).toFixed(2)} s wall, ${(linker.cpuMs / 1000).toFixed(2)} s CPU); open traces are bounded (idle after 100k spans, at most 100000), so memory follows the traces in flight, not the number of spans`);
}
