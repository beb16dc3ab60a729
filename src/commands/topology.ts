/**
 * `upshift topology FILE...`: who depends on etcd, from trace files (OTLP JSON/JSONL, Zipkin v2 JSON,
 * or upshift topology snapshots). Reads -> links (src/topology, Zipkin's DependencyLinker semantics) ->
 * analyses (pure) -> prints table, JSON or Mermaid. With --to, the impact of upgrading etcd to that
 * release on the callers seen. --save writes a snapshot that `lifecycle` and later runs can add up.
 */
import type { CommandContext } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import type { ConnectionFlags } from '../cli/common.js';
import { writeFileAtomic } from '../core/files.js';
import { toJson } from '../core/output.js';
import { analyzeGraph, type TopologyReport } from '../topology/analyze.js';
import { impactOf, type ImpactReport } from '../topology/impact.js';
import { buildFromFiles, peerOptionsFrom } from '../topology/pipeline.js';
import { renderTopologyMermaid, renderTopologyTable } from '../topology/render.js';
import type { GraphBuilder, TopologySnapshot } from '../topology/graph.js';
import type { SpanFormat } from '../topology/input.js';
import { saveLatest } from '../topology/store.js';

export interface TopologyOptions extends ConnectionFlags {
  files?: string[];
  format?: string;
  etcdService?: string;
  to?: string;
  from?: string;
  save?: string;
  maxOpenTraces?: string;
  output?: string;
  /** For tests: stdin for `-`. */
  stdin?: NodeJS.ReadableStream;
}

export type TopologyResult = TopologyReport & { impact?: ImpactReport };

export function parseFormat(v: string | undefined): SpanFormat {
  const f = v ?? 'auto';
  if (f !== 'auto' && f !== 'otlp' && f !== 'zipkin') throw new UsageError(`--format ${v}: unknown`, { hint: 'use otlp, zipkin or auto (detected per document)' });
  return f;
}

/** Analysis, impact and --save, shared with `topology collect`. */
export async function finish(graph: GraphBuilder, extra: Pick<TopologySnapshot, 'quality' | 'sources'>, opts: { etcdService: string; to?: string | undefined; from?: string | undefined; save?: string | undefined }, ctx: CommandContext): Promise<TopologyResult> {
  const report: TopologyResult = analyzeGraph(graph, { etcdService: opts.etcdService }, extra);
  if (opts.to) {
    report.impact = impactOf(report, opts.to, opts.from);
    for (const n of report.impact.notes) ctx.stderr.write(`note: ${n}\n`);
  } else if (opts.from) {
    throw new UsageError('--from needs --to', { hint: 'give the release to upgrade to with --to' });
  }
  const snap = graph.snapshot(extra);
  if (opts.save) await writeFileAtomic(opts.save, toJson(snap));
  // The dashboard's topology page shows the latest graph of this home.
  await saveLatest(ctx.home, snap, report);
  return report;
}

export async function run(opts: TopologyOptions, ctx: CommandContext): Promise<TopologyResult> {
  const files = opts.files ?? [];
  if (files.length === 0) throw new UsageError('topology needs span files (or `topology collect` for a live receiver)', { hint: 'e.g. upshift topology traces.jsonl, or - for stdin' });
  const maxOpen = opts.maxOpenTraces !== undefined ? Number(opts.maxOpenTraces) : undefined;
  if (maxOpen !== undefined && !(Number.isInteger(maxOpen) && maxOpen > 0)) throw new UsageError(`--max-open-traces ${opts.maxOpenTraces}: not a positive integer`);
  const peer = peerOptionsFrom(opts, ctx.env, ctx.home);
  const built = await buildFromFiles({ files, format: parseFormat(opts.format), peer, ...(maxOpen ? { maxOpenTraces: maxOpen } : {}), ...(opts.stdin ? { stdin: opts.stdin } : {}) });
  return finish(built.graph, { quality: built.quality, sources: built.sources }, { etcdService: peer.etcdService, to: opts.to, from: opts.from, save: opts.save }, ctx);
}

export function render(r: TopologyResult, format: string): string {
  if (format === 'mermaid') return renderTopologyMermaid(r);
  return renderTopologyTable(r);
}
