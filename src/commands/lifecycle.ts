/**
 * `upshift lifecycle [FILES...] --since 30d --catalog catalog.yaml [--modules SVC=DIR ...]`: every
 * dependency (traffic edge, or declared in the catalog or a Go module) placed in the call-frequency x
 * importance quadrants with Kiali-style idle/dead states and a recommendation with its evidence.
 * Sleeping-critical dependencies (rare x important) are protected: never proposed for removal and never
 * scream-tested. `--scream SERVICE` runs the scream test for SERVICE's etcd dependency through the fault
 * proxy (staged latency, then errors, then a rollback window).
 */
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { ExitCode, UsageError, type CommandOutcome } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { renderTable } from '../core/output.js';
import type { ConnectionFlags } from '../cli/common.js';
import { analyzeGraph } from '../topology/analyze.js';
import { GraphBuilder } from '../topology/graph.js';
import { buildFromFiles, peerOptionsFrom } from '../topology/pipeline.js';
import { readSnapshots } from '../topology/store.js';
import { readCatalog, type Catalog } from '../lifecycle/catalog.js';
import { classifyDependencies, type LifecycleSummary } from '../lifecycle/analyze.js';
import type { Classified } from '../lifecycle/classify.js';
import { declaredEtcdDependencies } from '../lifecycle/declared.js';
import { DEFAULT_STAGES, parseStages, runScreamTest, type ScreamReport } from '../lifecycle/scream.js';
import { outcome } from './command.js';
import { parseAddress } from './faults-proxy.js';
import { parseFormat } from './topology.js';

export interface LifecycleOptions extends ConnectionFlags {
  files?: string[];
  since?: string;
  catalog?: string;
  modules?: string[];
  lowCalls?: string;
  format?: string;
  etcdService?: string;
  scream?: string;
  screamListen?: string;
  screamTarget?: string;
  screamStages?: string;
  rollbackWindow?: string;
  output?: string;
  /** Tests: called once the scream proxy listens. */
  onScreamListening?: (addr: { host: string; port: number }) => void;
}

export interface LifecycleResult {
  window: { since: string; from: string | null; to: string | null; coveredDays: number; sources: string[] };
  thresholds: { lowCalls: number; fullWindow: boolean };
  catalog: string | null;
  dependencies: Classified[];
  summary: LifecycleSummary;
  notes: string[];
  scream?: ScreamReport | { service: string; refused: string };
}

const DAY = 86_400_000;

export async function run(opts: LifecycleOptions, ctx: CommandContext): Promise<LifecycleResult | CommandOutcome<LifecycleResult>> {
  const sinceMs = parseDuration(opts.since ?? '30d', '--since');
  const days = sinceMs / DAY;
  const lowCalls = opts.lowCalls !== undefined ? Number(opts.lowCalls) : Math.max(1, Math.round(days));
  if (!Number.isFinite(lowCalls) || lowCalls < 0) throw new UsageError(`--low-calls ${opts.lowCalls}: not a number`);
  const peer = peerOptionsFrom(opts, ctx.env, ctx.home);
  const notes: string[] = [];
  let graph: GraphBuilder;
  let sources: string[];
  if (opts.files && opts.files.length) {
    const built = await buildFromFiles({ files: opts.files, format: parseFormat(opts.format), peer });
    graph = built.graph;
    sources = built.sources;
  } else {
    graph = new GraphBuilder();
    const snaps = await readSnapshots(ctx.home, Date.now() - sinceMs);
    for (const s of snaps) graph.addSnapshot(s.snapshot);
    sources = snaps.map((s) => s.file);
    if (snaps.length === 0) notes.push(`no topology snapshots of the last ${opts.since ?? '30d'} in ${ctx.home}/topology/snapshots (upshift topology collect --snapshot-every 1h writes them): no dependency has traffic`);
  }
  const topology = analyzeGraph(graph, { etcdService: peer.etcdService });
  const from = topology.window.from ? Date.parse(topology.window.from) : 0;
  const to = topology.window.to ? Date.parse(topology.window.to) : 0;
  const coveredDays = from && to ? Math.round(((to - from) / DAY) * 10) / 10 : 0;
  const fullWindow = coveredDays >= days * 0.9;
  if (!fullWindow) notes.push(`the traffic covers ${coveredDays} day(s) of the ${opts.since ?? '30d'} window: rare callers (monthly jobs) may be missing, so nothing is proposed for removal (observe-longer)`);
  const catalog: Catalog = opts.catalog ? await readCatalog(opts.catalog) : new Map();
  if (!opts.catalog) notes.push('no --catalog: importance is unknown for every service, so nothing is proposed for removal');
  const declared = await declaredEtcdDependencies(opts.modules ?? [], topology.etcd.nodes[0] ?? peer.etcdService);
  const { dependencies, summary } = classifyDependencies({ topology, catalog, declared, thresholds: { lowCalls, fullWindow } });
  const result: LifecycleResult = { window: { since: opts.since ?? '30d', from: topology.window.from, to: topology.window.to, coveredDays, sources }, thresholds: { lowCalls, fullWindow }, catalog: opts.catalog ?? null, dependencies, summary, notes };
  if (opts.scream) {
    const etcd = topology.etcd.nodes[0] ?? peer.etcdService;
    const dep = dependencies.find((d) => d.caller === opts.scream && d.callee === etcd);
    if (dep?.protected) {
      result.scream = { service: opts.scream, refused: `${opts.scream} -> ${etcd} is ${dep.quadrant} (protected): it is never scream-tested or proposed for removal; prove it with a fault-injection drill in a rehearsal instead` };
      return outcome(result, ExitCode.problem);
    }
    const stages = parseStages(opts.screamStages ?? DEFAULT_STAGES);
    result.scream = await runScreamTest({
      service: opts.scream,
      listen: parseAddress(opts.screamListen, '--scream-listen'),
      target: parseAddress(opts.screamTarget, '--scream-target'),
      stages,
      rollbackWindowMs: opts.rollbackWindow === undefined ? Infinity : parseDuration(opts.rollbackWindow, '--rollback-window'),
      stopOnTraffic: true,
      signal: ctx.signal,
      log: (l) => note(ctx, `upshift: ${l}`),
      ...(opts.onScreamListening ? { onListening: opts.onScreamListening } : {}),
    });
  }
  return result;
}

export function render(r: LifecycleResult): string {
  const out: string[] = [];
  out.push(`dependency lifecycle over ${r.window.since} (traffic ${r.window.from ?? '-'} .. ${r.window.to ?? '-'}, ${r.window.coveredDays} day(s); low frequency: <= ${r.thresholds.lowCalls} calls)`);
  if (r.dependencies.length) {
    out.push(
      renderTable({
        head: ['caller', 'callee', 'calls', 'last seen', 'state', 'quadrant', 'recommendation'],
        rows: r.dependencies.map((d) => [d.caller, d.callee, d.calls, d.lastSeen ?? '-', d.state, `${d.quadrant}${d.protected ? ' (protected)' : ''}`, d.recommendation]),
      }).trimEnd(),
    );
  } else out.push('no dependencies found (no traffic, no catalog dependsOn, no --modules)');
  if (r.summary.zombieCandidates.length) out.push(`zombie candidates (scream test, then remove after a rollback window): ${r.summary.zombieCandidates.join(', ')}`);
  if (r.summary.sleepingCritical.length) out.push(`sleeping critical (protected, never pruned): ${r.summary.sleepingCritical.join(', ')}`);
  if (r.summary.idleEtcdClients.length) out.push(`declared etcd clients without etcd traffic: ${r.summary.idleEtcdClients.join(', ')}`);
  for (const n of r.notes) out.push(`note: ${n}`);
  if (r.scream) {
    if ('refused' in r.scream) out.push(`scream test refused: ${r.scream.refused}`);
    else {
      out.push(`scream test ${r.scream.service} (${r.scream.proxy} -> ${r.scream.target}): ${r.scream.verdict}${r.scream.stoppedEarly ? ' (faults lifted when traffic appeared)' : ''}`);
      for (const s of r.scream.stages) out.push(`  ${s.stage}: ${s.rpcs} RPCs, ${s.aborted} failed by the test, ${s.delayed} delayed${Object.keys(s.methods).length ? ` (${Object.entries(s.methods).map(([m, n]) => `${m} ${n}`).join(', ')})` : ''}`);
      out.push(`  rollback window (no faults): ${r.scream.rollbackWindow.rpcs} RPCs`);
    }
  }
  return out.join('\n') + '\n';
}
