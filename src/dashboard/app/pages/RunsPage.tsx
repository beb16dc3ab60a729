/** Every run under $UPSHIFT_HOME/runs, live ones first; the list follows the server's `runs` events. */
import { useState } from 'preact/hooks';
import { useEvents } from '../api.js';
import { duration, time } from '../format.js';
import type { RunListItem } from '../../api-types.js';

function proof(v: RunListItem['verification']): string {
  if (!v || v.ok === null) return '–';
  return v.ok ? `ok (0 lost writes)` : `FAILED: ${v.lostWrites} lost, ${v.watchViolations} watch, ${v.linearizabilityViolations} lin.`;
}

export function RunsPage() {
  const [runs, setRuns] = useState<RunListItem[] | undefined>();
  useEvents('/api/events', { runs: (r) => setRuns(r as RunListItem[]) });
  if (!runs) return <p class="muted">Loading runs…</p>;
  if (runs.length === 0) return <p>No runs yet. Start one with <code>upshift upgrade --to VERSION</code> (or <code>upshift demo --serve</code>).</p>;
  return (
    <table class="runs" id="runs">
      <thead>
        <tr>
          <th>run</th>
          <th>state</th>
          <th>path</th>
          <th>cluster</th>
          <th>started</th>
          <th>duration</th>
          <th>steps</th>
          <th>proof</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.runId} class={r.state}>
            <td class="mono">
              <a href={`/runs/${encodeURIComponent(r.runId)}`}>{r.runId}</a>
            </td>
            <td>
              <span class={`badge ${r.state}`}>{r.state}</span>
            </td>
            <td>
              {r.kind === 'upgrade' ? '' : `${r.kind} `}
              {r.path.join(' → ')}
            </td>
            <td>{r.cluster ?? ''}</td>
            <td>{time(r.startedAt)}</td>
            <td class="num">{duration(r.durationMs)}</td>
            <td class="num">
              {r.stepsDone}/{r.steps}
            </td>
            <td>{proof(r.verification)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
