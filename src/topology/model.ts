/**
 * The topology result model: what `topology -o json` prints and the dashboard's topology page reads.
 * Type-only and free of Node imports, so the front end shares it.
 */
import type { Finding } from '../core/finding.js';

export interface TopologyEdge {
  parent: string;
  child: string;
  calls: number;
  errors: number;
  errorRate: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Every call was known from the caller only (the callee sent no span for it: uninstrumented, or not sampled). */
  virtual: boolean;
  selfLoop: boolean;
  connection?: 'database' | 'messaging';
  ops: { op: string; calls: number; errors: number }[];
  lastSeen: string | null;
}

export interface TopologyService {
  name: string;
  role: 'etcd' | 'service' | 'peer';
  spans: number;
  /** Calls into this service from callers outside the traces (root server spans). */
  entry: { calls: number; errors: number; ops: { op: string; calls: number; errors: number }[] };
  lastSeen: string | null;
}

export interface EtcdCaller {
  service: string;
  /** 1: calls etcd itself; 2+: through others. */
  hops: number;
  direct: boolean;
  /** For transitive callers: the path to etcd (service, ..., etcd). */
  path: string[];
  /** Direct callers: calls, errors, latency and the etcd RPCs they use. */
  calls?: number;
  errors?: number;
  p99Ms?: number;
  rpcs?: { op: string; calls: number; errors: number }[];
}

export interface TopologyReport {
  window: { from: string | null; to: string | null };
  traces: number;
  spans: number;
  services: TopologyService[];
  edges: TopologyEdge[];
  etcd: {
    nodes: string[];
    /** Every etcd RPC seen, over all callers (traced and untraced). */
    rpcs: { op: string; calls: number; errors: number }[];
    /** RPCs that reached etcd from callers that do not trace (etcd's own root spans). */
    untracedCalls: { calls: number; errors: number; ops: { op: string; calls: number; errors: number }[] };
  };
  etcdCallers: EtcdCaller[];
  /** Every service that depends on etcd, directly or transitively. */
  blastRadius: string[];
  unlinked: { total: number; byReason: Record<string, number> };
  quality?: { invalidSpans: number; evictedTraces: number; lateSpans: number };
  sources?: string[];
}

export interface ImpactFinding extends Finding {
  services: string[];
  ops: string[];
}

export interface ImpactReport {
  from?: string | undefined;
  to: string;
  findings: ImpactFinding[];
  /** Services with a blocker or warning, most affected first. */
  servicesToCheck: string[];
  notes: string[];
}

/** `$UPSHIFT_HOME/topology/latest.json`, served as GET /api/topology. */
export interface LatestTopology {
  savedAt: string;
  report: TopologyReport & { impact?: ImpactReport };
  mermaid: string;
}
