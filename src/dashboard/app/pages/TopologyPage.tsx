/**
 * The latest service graph any topology command built in this home ($UPSHIFT_HOME/topology/latest.json):
 * a layered drawing (callers left, etcd right), etcd's callers with their RPCs, the blast radius, the
 * impact of the target release when one was given, and every edge.
 */
import { useJson } from '../api.js';
import { time } from '../format.js';
import type { LatestTopology, TopologyEdge, TopologyReport } from '../../../topology/model.js';

const BOX_W = 150;
const BOX_H = 32;
const COL_GAP = 110;
const ROW_GAP = 18;

/** Columns: etcd last, its callers by hops to it, other services by longest path from the callers (cycles cut). */
function layout(r: TopologyReport): { pos: Map<string, { x: number; y: number }>; width: number; height: number } {
  const names = [...new Set([...r.services.map((s) => s.name), ...r.edges.flatMap((e) => [e.parent, e.child])])].sort();
  const etcd = new Set(r.etcd.nodes);
  const out = new Map<string, string[]>();
  for (const e of r.edges) if (e.parent !== e.child) out.set(e.parent, [...(out.get(e.parent) ?? []), e.child]);
  const col = new Map<string, number>();
  const state = new Map<string, 'visiting' | 'done'>();
  const depth = (n: string): number => {
    if (state.get(n) === 'done') return col.get(n)!;
    if (state.get(n) === 'visiting') return 0; // a cycle: cut here
    state.set(n, 'visiting');
    let d = 0;
    for (const [p, cs] of out) if (cs.includes(n) && state.get(p) !== 'visiting') d = Math.max(d, depth(p) + 1);
    state.set(n, 'done');
    col.set(n, d);
    return d;
  };
  for (const n of names) depth(n);
  // etcd's callers stand by their distance to etcd (direct callers next to it), etcd in the last column.
  const maxHops = Math.max(0, ...r.etcdCallers.map((c) => c.hops));
  for (const c of r.etcdCallers) col.set(c.service, maxHops - c.hops);
  const last = Math.max(maxHops, ...[...col.entries()].filter(([n]) => !etcd.has(n)).map(([, c]) => c + 1));
  for (const n of etcd) col.set(n, last);
  const rows = new Map<number, string[]>();
  for (const n of names) rows.set(col.get(n)!, [...(rows.get(col.get(n)!) ?? []), n]);
  const pos = new Map<string, { x: number; y: number }>();
  let maxRows = 0;
  for (const [c, ns] of rows) {
    maxRows = Math.max(maxRows, ns.length);
    ns.forEach((n, i) => pos.set(n, { x: 10 + c * (BOX_W + COL_GAP), y: 10 + i * (BOX_H + ROW_GAP) }));
  }
  return { pos, width: 20 + (Math.max(...rows.keys(), 0) + 1) * (BOX_W + COL_GAP) - COL_GAP, height: 20 + maxRows * (BOX_H + ROW_GAP) };
}

function Graph({ r }: { r: TopologyReport }) {
  const { pos, width, height } = layout(r);
  const etcd = new Set(r.etcd.nodes);
  const radius = new Set(r.blastRadius);
  const peers = new Set(r.services.filter((s) => s.role === 'peer').map((s) => s.name));
  const edgePath = (e: TopologyEdge): string => {
    const a = pos.get(e.parent)!;
    const b = pos.get(e.child)!;
    if (e.parent === e.child) return `M${a.x + BOX_W - 20},${a.y} c 0,-22 30,-22 20,0`;
    const x1 = a.x + BOX_W;
    const y1 = a.y + BOX_H / 2;
    const x2 = b.x;
    const y2 = b.y + BOX_H / 2;
    const mx = (x1 + x2) / 2;
    return `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2 - 6},${y2}`;
  };
  return (
    <svg id="topology-graph" width={width} height={height + 10} viewBox={`0 -10 ${width} ${height + 10}`} role="img" aria-label="service graph">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#6a737d" />
        </marker>
      </defs>
      {r.edges.map((e) => {
        const a = pos.get(e.parent)!;
        const b = pos.get(e.child)!;
        return (
          <g key={`${e.parent}>${e.child}`} class="edge">
            <path d={edgePath(e)} fill="none" stroke={e.errors ? '#c5221f' : '#9aa0a6'} stroke-width={1 + Math.min(3, Math.log10(1 + e.calls))} stroke-dasharray={e.virtual ? '5 4' : undefined} marker-end="url(#arrow)">
              <title>{`${e.parent} -> ${e.child}: ${e.calls} calls, ${e.errors} errors, p99 ${e.p99Ms} ms\n${e.ops.slice(0, 8).map((o) => `${o.op} ${o.calls}`).join('\n')}`}</title>
            </path>
            {e.parent !== e.child ? (
              <text x={(a.x + BOX_W + b.x) / 2} y={(a.y + b.y) / 2 + BOX_H / 2 - 4} text-anchor="middle" font-size="11" fill="#444">
                {e.calls}
                {e.errors ? ` (${e.errors} err)` : ''}
              </text>
            ) : null}
          </g>
        );
      })}
      {[...pos].map(([name, p]) => (
        <g key={name} class={`node${etcd.has(name) ? ' etcd' : ''}`}>
          <rect x={p.x} y={p.y} width={BOX_W} height={BOX_H} rx={etcd.has(name) ? 14 : 4} fill={etcd.has(name) ? '#e8eaff' : '#fff'} stroke={etcd.has(name) ? '#3c4fb8' : radius.has(name) ? '#c26401' : '#9aa0a6'} stroke-width={etcd.has(name) || radius.has(name) ? 2 : 1} stroke-dasharray={peers.has(name) ? '4 3' : undefined} />
          <text x={p.x + BOX_W / 2} y={p.y + BOX_H / 2 + 4} text-anchor="middle" font-size="12">
            {name.length > 22 ? `${name.slice(0, 21)}…` : name}
          </text>
        </g>
      ))}
    </svg>
  );
}

const shortOp = (op: string): string => op.replace(/^\/etcdserverpb\./, '');

export function TopologyPage() {
  const { data, error } = useJson<LatestTopology | { empty: true }>('/api/topology', 10_000);
  if (error && !data) return <p class="error">{error}</p>;
  if (!data) return <p class="muted">Reading the topology…</p>;
  if ('empty' in data) {
    return (
      <p>
        No topology yet: <code>upshift topology FILES...</code> (OTLP JSON or Zipkin spans) or <code>upshift topology collect --otlp 127.0.0.1:4317</code> (live, with etcd's <code>--enable-distributed-tracing</code>) build one.
      </p>
    );
  }
  const r = data.report;
  return (
    <div id="topology">
      <p class="muted">
        {r.spans} spans in {r.traces} traces{r.window.from ? `, ${time(r.window.from)} – ${time(r.window.to ?? undefined)}` : ''}; built {time(data.savedAt)} from {(r.sources ?? []).join(', ') || 'spans'}.
      </p>
      {r.edges.length ? <Graph r={r} /> : <p>No service-to-service calls in the spans.</p>}
      <p class="muted small">etcd: round box; blast radius: orange; dashed: known from callers only (no spans of its own for those calls); red: calls with errors.</p>
      <h2>Who depends on etcd</h2>
      {r.etcd.nodes.length === 0 ? (
        <p>etcd was not seen in these spans.</p>
      ) : (
        <table id="etcd-callers">
          <thead>
            <tr>
              <th>service</th>
              <th>how</th>
              <th>calls</th>
              <th>errors</th>
              <th>p99</th>
              <th>etcd RPCs</th>
            </tr>
          </thead>
          <tbody>
            {r.etcdCallers.map((c) => (
              <tr key={c.service}>
                <td class="mono">{c.service}</td>
                <td>{c.direct ? 'direct' : c.path.join(' → ')}</td>
                <td class="num">{c.calls ?? ''}</td>
                <td class="num">{c.errors ?? ''}</td>
                <td class="num">{c.p99Ms !== undefined ? `${c.p99Ms} ms` : ''}</td>
                <td class="mono small">{(c.rpcs ?? []).map((o) => `${shortOp(o.op)} ${o.calls}`).join(', ')}</td>
              </tr>
            ))}
            {r.etcd.untracedCalls.calls ? (
              <tr>
                <td class="muted">(callers that send no spans)</td>
                <td>direct</td>
                <td class="num">{r.etcd.untracedCalls.calls}</td>
                <td class="num">{r.etcd.untracedCalls.errors}</td>
                <td />
                <td class="mono small">{r.etcd.untracedCalls.ops.map((o) => `${shortOp(o.op)} ${o.calls}`).join(', ')}</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      )}
      {r.impact ? (
        <>
          <h2>
            Impact of {r.impact.from ? `${r.impact.from} → ` : ''}
            {r.impact.to}
          </h2>
          {r.impact.findings.length === 0 ? <p>Nothing the traces show is affected.</p> : <p>Check first: {r.impact.servicesToCheck.join(', ') || '—'}</p>}
          <ul id="impact">
            {r.impact.findings.map((f) => (
              <li key={f.code + f.message} class={f.severity === 'blocker' ? 'error' : f.severity === 'warning' ? 'warn' : ''}>
                <strong>{f.severity}</strong> {f.code}: {f.message} — {f.services.join(', ')} <span class="muted small">({f.source})</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h2>Calls</h2>
      <table id="edges">
        <thead>
          <tr>
            <th>caller</th>
            <th>callee</th>
            <th>calls</th>
            <th>errors</th>
            <th>p50</th>
            <th>p99</th>
            <th>operations</th>
          </tr>
        </thead>
        <tbody>
          {r.edges.map((e) => (
            <tr key={`${e.parent}>${e.child}`} class={e.errors ? 'fail' : ''}>
              <td class="mono">{e.parent}</td>
              <td class="mono">{e.child}</td>
              <td class="num">{e.calls}</td>
              <td class="num">{e.errors}</td>
              <td class="num">{e.p50Ms} ms</td>
              <td class="num">{e.p99Ms} ms</td>
              <td class="mono small">{e.ops.slice(0, 6).map((o) => `${shortOp(o.op)} ${o.calls}`).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.unlinked.total ? (
        <p class="warn">
          {r.unlinked.total} spans could not be linked ({Object.entries(r.unlinked.byReason).map(([k, v]) => `${k} ${v}`).join(', ')}).
        </p>
      ) : null}
    </div>
  );
}
