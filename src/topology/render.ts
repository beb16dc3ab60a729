/** Printers of a topology report: the table view and Mermaid (a `graph LR` for docs, PRs and the dashboard). */
import { renderFindings, renderTable } from '../core/output.js';
import type { TopologyReport } from './analyze.js';
import type { ImpactReport } from './impact.js';

const shortOp = (op: string): string => op.replace(/^\/etcdserverpb\./, '').replace(/^\/(v3lockpb|v3electionpb)\./, '$1.');

function topOps(ops: { op: string; calls: number }[], n = 4): string {
  if (ops.length === 0) return '';
  const shown = ops.slice(0, n).map((o) => `${shortOp(o.op)} ${o.calls}`);
  return shown.join(', ') + (ops.length > n ? `, +${ops.length - n} more` : '');
}

const fmtMs = (v: number): string => (v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`);

export function renderTopologyTable(r: TopologyReport & { impact?: ImpactReport }): string {
  const out: string[] = [];
  out.push(`topology: ${r.spans} spans in ${r.traces} traces${r.window.from ? `, ${r.window.from} .. ${r.window.to}` : ''}`);
  if (r.edges.length === 0) {
    out.push('no service-to-service calls found in the spans');
  } else {
    out.push('');
    out.push(
      renderTable({
        head: ['caller', 'callee', 'calls', 'errors', 'p50', 'p99', 'operations'],
        rows: r.edges.map((e) => [e.parent, `${e.child}${e.virtual ? ' (no spans)' : ''}${e.selfLoop ? ' (self)' : ''}`, e.calls, e.errors, fmtMs(e.p50Ms), fmtMs(e.p99Ms), topOps(e.ops)]),
      }).trimEnd(),
    );
  }
  out.push('');
  if (r.etcd.nodes.length === 0) {
    out.push('etcd: not seen (no spans from etcd, no calls naming etcdserverpb.* services or the given --endpoints)');
  } else {
    const direct = r.etcdCallers.filter((c) => c.direct);
    const transitive = r.etcdCallers.filter((c) => !c.direct);
    out.push(`etcd (${r.etcd.nodes.join(', ')}): ${direct.length} direct caller${direct.length === 1 ? '' : 's'}, ${transitive.length} more through them; blast radius: ${r.blastRadius.join(', ') || 'none'}`);
    if (direct.length) {
      out.push(
        renderTable({
          head: ['direct caller', 'calls', 'errors', 'p99', 'etcd RPCs'],
          rows: direct.map((c) => [c.service, c.calls, c.errors, fmtMs(c.p99Ms ?? 0), topOps(c.rpcs ?? [], 8)]),
        }).trimEnd(),
      );
    }
    for (const c of transitive) out.push(`  ${c.path.join(' -> ')}`);
    if (r.etcd.untracedCalls.calls) out.push(`  untraced callers: ${r.etcd.untracedCalls.calls} RPCs reached etcd from callers that send no spans (${topOps(r.etcd.untracedCalls.ops, 6)})`);
  }
  if (r.unlinked.total) {
    out.push('');
    out.push(`unlinked spans: ${r.unlinked.total} (${Object.entries(r.unlinked.byReason).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  }
  if (r.quality && (r.quality.invalidSpans || r.quality.evictedTraces || r.quality.lateSpans)) {
    out.push(`input quality: ${r.quality.invalidSpans} spans without ids, ${r.quality.evictedTraces} traces linked before they were complete, ${r.quality.lateSpans} spans came after their trace was linked`);
  }
  if (r.impact) {
    out.push('');
    out.push(`impact of ${r.impact.from ? `${r.impact.from} -> ` : 'moving to '}${r.impact.to}: ${r.impact.findings.length ? `${r.impact.servicesToCheck.length} service(s) to check first: ${r.impact.servicesToCheck.join(', ')}` : 'nothing the traces show is affected'}`);
    out.push(renderFindings(r.impact.findings).trimEnd());
  }
  return out.filter((l, i, a) => !(l === '' && a[i - 1] === '')).join('\n').trimEnd() + '\n';
}

/** Mermaid ids must be plain: n0, n1, ... with the service name as the label. */
export function renderTopologyMermaid(r: TopologyReport): string {
  const ids = new Map<string, string>();
  const id = (name: string): string => {
    let v = ids.get(name);
    if (!v) ids.set(name, (v = `n${ids.size}`));
    return v;
  };
  const label = (s: string): string => s.replace(/"/g, '#quot;');
  const lines = ['graph LR'];
  const etcd = new Set(r.etcd.nodes);
  const names = new Set<string>([...r.services.map((s) => s.name), ...r.edges.flatMap((e) => [e.parent, e.child])]);
  for (const name of [...names].sort()) {
    const svc = r.services.find((s) => s.name === name);
    lines.push(etcd.has(name) ? `  ${id(name)}[("${label(name)}")]` : svc?.role === 'peer' ? `  ${id(name)}(["${label(name)}"])` : `  ${id(name)}["${label(name)}"]`);
  }
  for (const e of r.edges) {
    const text = `${e.calls} calls${e.errors ? ` · ${e.errors} err` : ''} · p99 ${fmtMs(e.p99Ms)}`;
    lines.push(`  ${id(e.parent)} ${e.virtual ? '-.->' : '-->'}|"${label(text)}"| ${id(e.child)}`);
  }
  const radius = new Set(r.blastRadius);
  lines.push('  classDef etcd fill:#eef,stroke:#447,stroke-width:2px');
  lines.push('  classDef radius stroke:#c60,stroke-width:2px');
  if (etcd.size) lines.push(`  class ${[...etcd].map(id).join(',')} etcd`);
  if (radius.size) lines.push(`  class ${[...radius].map(id).join(',')} radius`);
  return lines.join('\n') + '\n';
}
