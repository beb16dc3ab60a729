/** The run's steps: state, attempts and duration (the running one's elapsed time ticks). */
import type { StepView } from '../../../runview/model.js';
import { duration } from '../format.js';

const ICON: Record<StepView['status'], string> = { pending: '○', running: '◐', done: '✓', failed: '✗' };

export function StepList({ steps, now }: { steps: StepView[]; now: number }) {
  return (
    <table class="steps" id="steps">
      <thead>
        <tr>
          <th />
          <th>step</th>
          <th>what</th>
          <th>took</th>
        </tr>
      </thead>
      <tbody>
        {steps.map((s) => (
          <tr key={s.id} class={`step ${s.status}`} data-status={s.status}>
            <td class="icon">{ICON[s.status]}</td>
            <td class="mono">
              {s.id}
              {s.attempts > 1 ? <span class="muted"> ×{s.attempts}</span> : null}
            </td>
            <td>
              {s.description}
              {s.error ? <div class="error">{s.error}</div> : null}
            </td>
            <td class="num">{s.status === 'running' && s.startedAt ? duration(now - s.startedAt) : duration(s.durationMs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
