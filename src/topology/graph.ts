/**
 * The service graph as the linker builds it: nodes (services seen in spans, peers named by callers),
 * edges parent -> child with call and error counts, latency histogram and the operations called, and
 * the calls that entered the traced system from outside. A snapshot is plain JSON and snapshots add up
 * (Zipkin's DependencyLinker.merge sums links across windows), which is how `lifecycle --since 30d`
 * reads a month of collection.
 */
import { LatencyHistogram } from './histogram.js';
import type { LinkEvent, LinkSink, SkipReason } from './linker.js';
import { isEtcdRpcPath, type Span } from './span.js';

/** Operations kept per edge; the rest count as "(other)" so a chatty HTTP API cannot blow up memory. */
export const MAX_OPS_PER_EDGE = 200;
export const OTHER_OP = '(other)';

export interface OpCount {
  calls: number;
  errors: number;
}

export interface EdgeAgg {
  parent: string;
  child: string;
  calls: number;
  errors: number;
  latency: LatencyHistogram;
  ops: Map<string, OpCount>;
  /** Calls whose callee was named by the caller only (no spans of its own). */
  virtualCalls: number;
  connection?: 'database' | 'messaging' | undefined;
  firstUs: number;
  lastUs: number;
}

export interface NodeAgg {
  name: string;
  spans: number;
  /** Server spans of etcd's gRPC services (the node is etcd, tracing itself). */
  etcdServerSpans: number;
  entry: { calls: number; errors: number; ops: Map<string, OpCount> };
  firstUs: number;
  lastUs: number;
}

export type SkipCounts = Partial<Record<SkipReason, number>>;

function countOp(ops: Map<string, OpCount>, op: string | undefined, error: boolean): void {
  if (op === undefined) return;
  let c = ops.get(op);
  if (!c) {
    if (ops.size >= MAX_OPS_PER_EDGE) {
      c = ops.get(OTHER_OP);
      if (!c) ops.set(OTHER_OP, (c = { calls: 0, errors: 0 }));
    } else ops.set(op, (c = { calls: 0, errors: 0 }));
  }
  c.calls++;
  if (error) c.errors++;
}

export class GraphBuilder implements LinkSink {
  readonly nodes = new Map<string, NodeAgg>();
  readonly edges = new Map<string, EdgeAgg>();
  /** parent -> child -> the edge in `edges`: a lookup per call without building the key string. */
  private readonly edgeIndex = new Map<string, Map<string, EdgeAgg>>();
  readonly skipped: SkipCounts = {};
  traces = 0;
  spans = 0;
  minUs = 0;
  maxUs = 0;

  countTrace(): void {
    this.traces++;
  }

  node(name: string): NodeAgg {
    let n = this.nodes.get(name);
    if (!n) this.nodes.set(name, (n = { name, spans: 0, etcdServerSpans: 0, entry: { calls: 0, errors: 0, ops: new Map() }, firstUs: 0, lastUs: 0 }));
    return n;
  }

  private seen(n: { firstUs: number; lastUs: number }, us: number): void {
    if (us <= 0) return;
    if (n.firstUs === 0 || us < n.firstUs) n.firstUs = us;
    if (us > n.lastUs) n.lastUs = us;
    if (this.minUs === 0 || us < this.minUs) this.minUs = us;
    if (us > this.maxUs) this.maxUs = us;
  }

  span(s: Span): void {
    const n = this.node(s.localService!);
    n.spans++;
    this.spans++;
    if (s.kind === 'SERVER' && s.op && isEtcdRpcPath(s.op)) n.etcdServerSpans++;
    this.seen(n, s.startUs);
  }

  private edge(parent: string, child: string): EdgeAgg | undefined {
    return this.edgeIndex.get(parent)?.get(child);
  }

  private newEdge(parent: string, child: string): EdgeAgg {
    const edge: EdgeAgg = { parent, child, calls: 0, errors: 0, latency: new LatencyHistogram(), ops: new Map(), virtualCalls: 0, firstUs: 0, lastUs: 0 };
    this.edges.set(`${parent}\u0000${child}`, edge);
    let byChild = this.edgeIndex.get(parent);
    if (!byChild) this.edgeIndex.set(parent, (byChild = new Map()));
    byChild.set(child, edge);
    return edge;
  }

  link(e: LinkEvent): void {
    let edge = this.edge(e.parent, e.child);
    if (!edge) {
      edge = this.newEdge(e.parent, e.child);
      this.node(e.parent);
      this.node(e.child);
    }
    edge.calls++;
    if (e.error) edge.errors++;
    if (e.virtual) edge.virtualCalls++;
    if (e.connection) edge.connection = e.connection;
    if (e.durationUs >= 0) edge.latency.record(e.durationUs);
    countOp(edge.ops, e.op, e.error);
    this.seen(edge, e.startUs);
  }

  entry(service: string, op: string | undefined, error: boolean, _durationUs: number, startUs: number): void {
    const n = this.node(service);
    n.entry.calls++;
    if (error) n.entry.errors++;
    countOp(n.entry.ops, op, error);
    this.seen(n, startUs);
  }

  skip(reason: SkipReason): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
  }

  /** Plain JSON, mergeable. */
  snapshot(extra: Omit<TopologySnapshot, 'kind' | 'version' | 'window' | 'traces' | 'spans' | 'nodes' | 'edges' | 'skipped'>): TopologySnapshot {
    const ops = (m: Map<string, OpCount>) => Object.fromEntries([...m].sort((a, b) => b[1].calls - a[1].calls || (a[0] < b[0] ? -1 : 1)));
    return {
      kind: 'upshift-topology-snapshot',
      version: 1,
      window: { from: this.minUs ? new Date(this.minUs / 1000).toISOString() : null, to: this.maxUs ? new Date(this.maxUs / 1000).toISOString() : null },
      traces: this.traces,
      spans: this.spans,
      nodes: [...this.nodes.values()]
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((n) => ({ name: n.name, spans: n.spans, etcdServerSpans: n.etcdServerSpans, entry: { calls: n.entry.calls, errors: n.entry.errors, ops: ops(n.entry.ops) }, firstUs: n.firstUs, lastUs: n.lastUs })),
      edges: [...this.edges.values()]
        .sort((a, b) => (a.parent < b.parent ? -1 : a.parent > b.parent ? 1 : a.child < b.child ? -1 : 1))
        .map((e) => ({ parent: e.parent, child: e.child, calls: e.calls, errors: e.errors, virtualCalls: e.virtualCalls, ...(e.connection ? { connection: e.connection } : {}), latency: e.latency.toJSON(), ops: ops(e.ops), firstUs: e.firstUs, lastUs: e.lastUs })),
      skipped: { ...this.skipped },
      ...extra,
    };
  }

  /** Add a snapshot (another window) into this graph. */
  addSnapshot(s: TopologySnapshot): void {
    this.traces += s.traces;
    this.spans += s.spans;
    for (const n of s.nodes) {
      const m = this.node(n.name);
      m.spans += n.spans;
      m.etcdServerSpans += n.etcdServerSpans;
      m.entry.calls += n.entry.calls;
      m.entry.errors += n.entry.errors;
      addOps(m.entry.ops, n.entry.ops);
      this.seen(m, n.firstUs);
      this.seen(m, n.lastUs);
    }
    for (const e of s.edges) {
      const m = this.edge(e.parent, e.child) ?? this.newEdge(e.parent, e.child);
      m.calls += e.calls;
      m.errors += e.errors;
      m.virtualCalls += e.virtualCalls;
      if (e.connection) m.connection = e.connection;
      m.latency.add(LatencyHistogram.fromJSON(e.latency));
      addOps(m.ops, e.ops);
      this.seen(m, e.firstUs);
      this.seen(m, e.lastUs);
    }
    for (const [k, v] of Object.entries(s.skipped)) this.skipped[k as SkipReason] = (this.skipped[k as SkipReason] ?? 0) + (v ?? 0);
  }
}

function addOps(into: Map<string, OpCount>, from: Record<string, OpCount>): void {
  for (const [op, c] of Object.entries(from)) {
    const m = into.get(op) ?? (into.size >= MAX_OPS_PER_EDGE ? into.get(OTHER_OP) : undefined);
    if (m) {
      m.calls += c.calls;
      m.errors += c.errors;
    } else into.set(into.size >= MAX_OPS_PER_EDGE ? OTHER_OP : op, { calls: c.calls, errors: c.errors });
  }
}

export interface SnapshotNode {
  name: string;
  spans: number;
  etcdServerSpans: number;
  entry: { calls: number; errors: number; ops: Record<string, OpCount> };
  firstUs: number;
  lastUs: number;
}

export interface SnapshotEdge {
  parent: string;
  child: string;
  calls: number;
  errors: number;
  virtualCalls: number;
  connection?: 'database' | 'messaging';
  latency: { buckets: [number, number][]; max: number };
  ops: Record<string, OpCount>;
  firstUs: number;
  lastUs: number;
}

/** What `topology --save` / `topology collect` write: the graph of one window, ready to be added to others. */
export interface TopologySnapshot {
  kind: 'upshift-topology-snapshot';
  version: 1;
  window: { from: string | null; to: string | null };
  traces: number;
  spans: number;
  nodes: SnapshotNode[];
  edges: SnapshotEdge[];
  skipped: SkipCounts;
  /** Input quality: spans without ids, traces closed before all their spans came, spans that came late. */
  quality?: { invalidSpans: number; evictedTraces: number; lateSpans: number };
  sources?: string[];
}

export function isSnapshot(doc: unknown): doc is TopologySnapshot {
  return !!doc && typeof doc === 'object' && (doc as { kind?: unknown }).kind === 'upshift-topology-snapshot';
}
