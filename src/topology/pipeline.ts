/**
 * Files -> spans -> traces -> links -> graph: the I/O around the pure linker, shared by `topology`,
 * `topology collect` (which feeds the same GraphBuilder from its receiver) and `lifecycle`.
 */
import { resolveConnection, type ConnectionFlags } from '../client/connection.js';
import { TraceAssembler } from './assembler.js';
import { GraphBuilder, type TopologySnapshot } from './graph.js';
import { readSpanFile, type SpanFormat } from './input.js';
import { endpointKeys, type PeerOptions } from './peer.js';

export interface BuildOptions {
  files: string[];
  format?: SpanFormat;
  peer: PeerOptions;
  maxOpenTraces?: number;
  stdin?: NodeJS.ReadableStream;
}

export interface Built {
  graph: GraphBuilder;
  quality: NonNullable<TopologySnapshot['quality']>;
  sources: string[];
}

export async function buildFromFiles(opts: BuildOptions): Promise<Built> {
  const graph = new GraphBuilder();
  // A trace with no span among the last 100k read is complete: memory follows the traces in flight.
  const asm = new TraceAssembler(graph, { maxOpenTraces: opts.maxOpenTraces ?? 100_000, idleSpans: 100_000 });
  const stats = { spans: 0, invalid: 0 };
  const sources: string[] = [];
  for (const f of opts.files) {
    await readSpanFile(f, opts.format ?? 'auto', opts.peer, { span: asm.add, snapshot: (s, where) => (graph.addSnapshot(s), sources.push(...(s.sources ?? [where]))) }, stats, opts.stdin);
    sources.push(f === '-' ? '<stdin>' : f);
  }
  asm.closeAll();
  return { graph, quality: { invalidSpans: stats.invalid, evictedTraces: asm.evictedTraces, lateSpans: asm.lateSpans }, sources: [...new Set(sources)] };
}

/** etcd's endpoints, only when the user named them (flags or ETCDCTL_ENDPOINTS): they name etcd for callers' spans. */
export function peerOptionsFrom(flags: ConnectionFlags & { etcdService?: string }, env: NodeJS.ProcessEnv, home: string): PeerOptions {
  const named = flags.endpoints || flags.cluster || env.ETCDCTL_ENDPOINTS;
  const endpoints = named ? resolveConnection(flags, env, home).endpoints : [];
  return { etcdService: flags.etcdService || 'etcd', etcdEndpoints: endpointKeys(endpoints) };
}
