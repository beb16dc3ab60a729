/**
 * From the service graph to the answers an etcd upgrade needs: which nodes are etcd, who calls it
 * directly and with which RPCs, who depends on it through others (the upgrade's blast radius: the
 * upstream closure of etcd, as Jaeger's deep-dependency paths describe it), and what could not be linked.
 * Pure: a snapshot in, a report out.
 */
import { LatencyHistogram } from './histogram.js';
import { GraphBuilder, type OpCount } from './graph.js';
import type { EtcdCaller, TopologyEdge, TopologyReport, TopologyService } from './model.js';

export type { EtcdCaller, TopologyEdge, TopologyReport, TopologyService } from './model.js';

export interface AnalyzeOptions {
  /** The name etcd's spans carry / callers' hints resolve to. */
  etcdService: string;
}

const ms = (us: number): number => Math.round(us) / 1000;
const iso = (us: number): string | null => (us > 0 ? new Date(us / 1000).toISOString() : null);
const opList = (m: Map<string, OpCount> | Record<string, OpCount>) =>
  (m instanceof Map ? [...m] : Object.entries(m)).map(([op, c]) => ({ op, calls: c.calls, errors: c.errors })).sort((a, b) => b.calls - a.calls || (a.op < b.op ? -1 : 1));

export function analyzeGraph(g: GraphBuilder, opts: AnalyzeOptions, extra: Pick<TopologyReport, 'quality' | 'sources'> = {}): TopologyReport {
  const etcdNodes = new Set<string>();
  for (const n of g.nodes.values()) if (n.name === opts.etcdService || n.etcdServerSpans > 0) etcdNodes.add(n.name);
  const edges: TopologyEdge[] = [...g.edges.values()]
    .map((e) => ({
      parent: e.parent,
      child: e.child,
      calls: e.calls,
      errors: e.errors,
      errorRate: e.calls ? Math.round((e.errors / e.calls) * 10000) / 10000 : 0,
      p50Ms: ms(e.latency.percentile(50)),
      p99Ms: ms(e.latency.percentile(99)),
      maxMs: ms(e.latency.max),
      virtual: e.virtualCalls === e.calls,
      selfLoop: e.parent === e.child,
      ...(e.connection ? { connection: e.connection } : {}),
      ops: opList(e.ops),
      lastSeen: iso(e.lastUs),
    }))
    .sort((a, b) => b.calls - a.calls || (a.parent < b.parent ? -1 : a.parent > b.parent ? 1 : a.child < b.child ? -1 : 1));
  const services: TopologyService[] = [...g.nodes.values()]
    .map((n) => ({
      name: n.name,
      role: (etcdNodes.has(n.name) ? 'etcd' : n.spans > 0 ? 'service' : 'peer') as TopologyService['role'],
      spans: n.spans,
      entry: { calls: n.entry.calls, errors: n.entry.errors, ops: opList(n.entry.ops) },
      lastSeen: iso(n.lastUs),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));

  // Reverse BFS from etcd: hops to etcd and the next service toward it.
  const callersOf = new Map<string, Set<string>>();
  for (const e of g.edges.values()) {
    if (e.parent === e.child) continue;
    let s = callersOf.get(e.child);
    if (!s) callersOf.set(e.child, (s = new Set()));
    s.add(e.parent);
  }
  const hops = new Map<string, { hops: number; next: string }>();
  let frontier = [...etcdNodes];
  for (let d = 1; frontier.length; d++) {
    const nextFrontier: string[] = [];
    for (const callee of frontier) {
      for (const caller of [...(callersOf.get(callee) ?? [])].sort()) {
        if (etcdNodes.has(caller) || hops.has(caller)) continue;
        hops.set(caller, { hops: d, next: callee });
        nextFrontier.push(caller);
      }
    }
    frontier = nextFrontier;
  }
  const etcdRpcs = new Map<string, OpCount>();
  const addTo = (m: Map<string, OpCount>, op: string, c: OpCount): void => {
    const x = m.get(op) ?? { calls: 0, errors: 0 };
    x.calls += c.calls;
    x.errors += c.errors;
    m.set(op, x);
  };
  const callers: EtcdCaller[] = [];
  for (const [service, h] of hops) {
    const path = [service];
    for (let cur = h.next; ; ) {
      path.push(cur);
      if (etcdNodes.has(cur)) break;
      cur = hops.get(cur)!.next;
    }
    const c: EtcdCaller = { service, hops: h.hops, direct: h.hops === 1, path };
    if (h.hops === 1) {
      const rpcs = new Map<string, OpCount>();
      const lat = new LatencyHistogram();
      let calls = 0;
      let errors = 0;
      for (const e of g.edges.values()) {
        if (e.parent !== service || !etcdNodes.has(e.child)) continue;
        calls += e.calls;
        errors += e.errors;
        lat.add(e.latency);
        for (const [op, oc] of e.ops) {
          addTo(rpcs, op, oc);
          addTo(etcdRpcs, op, oc);
        }
      }
      Object.assign(c, { calls, errors, p99Ms: ms(lat.percentile(99)), rpcs: opList(rpcs) });
    }
    callers.push(c);
  }
  callers.sort((a, b) => a.hops - b.hops || (b.calls ?? 0) - (a.calls ?? 0) || (a.service < b.service ? -1 : 1));
  const untraced = { calls: 0, errors: 0, ops: new Map<string, OpCount>() };
  for (const name of etcdNodes) {
    const n = g.nodes.get(name)!;
    untraced.calls += n.entry.calls;
    untraced.errors += n.entry.errors;
    for (const [op, oc] of n.entry.ops) {
      addTo(untraced.ops, op, oc);
      addTo(etcdRpcs, op, oc);
    }
  }
  const byReason = Object.fromEntries(Object.entries(g.skipped).filter(([, v]) => (v ?? 0) > 0)) as Record<string, number>;
  return {
    window: { from: iso(g.minUs), to: iso(g.maxUs) },
    traces: g.traces,
    spans: g.spans,
    services,
    edges,
    etcd: { nodes: [...etcdNodes].sort(), rpcs: opList(etcdRpcs), untracedCalls: { calls: untraced.calls, errors: untraced.errors, ops: opList(untraced.ops) } },
    etcdCallers: callers,
    blastRadius: callers.map((c) => c.service),
    unlinked: { total: Object.values(byReason).reduce((a, b) => a + b, 0), byReason },
    ...(extra.quality ? { quality: extra.quality } : {}),
    ...(extra.sources ? { sources: extra.sources } : {}),
  };
}
