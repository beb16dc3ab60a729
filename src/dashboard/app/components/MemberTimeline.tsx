/**
 * Per member, a lane across the run's time span: which version it ran (colour), when it was down (grey),
 * when it led (thick top border). Built from the run's observations.
 */
import type { ObservationPoint, RunView } from '../../../runview/model.js';
import { clock } from '../format.js';

const VERSION_COLORS = ['#5b8def', '#2ecc71', '#f39c12', '#9b59b6', '#1abc9c', '#e74c3c'];

interface Segment {
  from: number;
  to: number;
  up: boolean;
  leader: boolean;
  version?: string | undefined;
}

function segments(obs: ObservationPoint[], member: string, end: number): Segment[] {
  const out: Segment[] = [];
  for (let i = 0; i < obs.length; i++) {
    const p = obs[i]!.members[member];
    if (!p) continue;
    const to = obs[i + 1]?.t ?? end;
    const last = out[out.length - 1];
    if (last && last.up === p.up && last.leader === p.leader && last.version === p.version) last.to = to;
    else out.push({ from: obs[i]!.t, to, up: p.up, leader: p.leader, version: p.version });
  }
  return out;
}

/** Stopped by the run: from its stop step's begin to its start step's end (observations may miss it). */
function downSpans(view: RunView, member: string, end: number): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  let open: number | undefined;
  for (const e of view.events) {
    if (e.member !== member) continue;
    if (e.kind === 'stop' && open === undefined) open = e.t;
    if (e.kind === 'start' && open !== undefined) {
      out.push({ from: open, to: e.t });
      open = undefined;
    }
  }
  if (open !== undefined) out.push({ from: open, to: end });
  return out;
}

export function MemberTimeline({ view, end }: { view: RunView; end: number }) {
  const obs = view.observations;
  if (obs.length === 0) return <p class="muted">No observations yet.</p>;
  const start = Math.min(obs[0]!.t, view.startedAt);
  const span = Math.max(1, end - start);
  const versions = [...new Set(obs.flatMap((o) => Object.values(o.members).map((m) => m.version)).filter((v): v is string => Boolean(v)))];
  const color = (v?: string): string => (v ? VERSION_COLORS[versions.indexOf(v) % VERSION_COLORS.length]! : '#bbb');
  return (
    <div class="timeline" id="member-timeline" data-points={obs.length}>
      {view.members.map((m) => (
        <div class="lane" key={m}>
          <span class="lane-name mono">{m}</span>
          <div class="lane-bar">
            {segments(obs, m, end).map((s, i) => (
              <div
                key={i}
                class={`seg${s.up ? '' : ' down'}${s.leader ? ' leader' : ''}`}
                style={{ left: `${((s.from - start) / span) * 100}%`, width: `${Math.max(0.2, ((s.to - s.from) / span) * 100)}%`, background: s.up ? color(s.version) : undefined }}
                title={`${m} ${s.up ? `etcd ${s.version ?? '?'}` : 'down'}${s.leader ? ', leader' : ''}: ${clock(s.from)} – ${clock(s.to)}`}
              />
            ))}
            {downSpans(view, m, end).map((s, i) => (
              <div key={`d${i}`} class="seg down" style={{ left: `${((s.from - start) / span) * 100}%`, width: `${Math.max(0.2, ((s.to - s.from) / span) * 100)}%` }} title={`${m} stopped: ${clock(s.from)} – ${clock(s.to)}`} />
            ))}
          </div>
        </div>
      ))}
      <div class="legend">
        {versions.map((v) => (
          <span key={v}>
            <i style={{ background: color(v) }} /> {v}
          </span>
        ))}
        <span>
          <i class="down" /> down
        </span>
        <span>
          <i class="leader-key" /> leader
        </span>
        <span class="muted">
          {clock(start)} – {clock(end)}
        </span>
      </div>
    </div>
  );
}
