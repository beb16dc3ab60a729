/**
 * Every gate of every soak window (one row per member and hop): the measured value against its threshold,
 * and the verdict. Open windows show the latest live sample; "why did it pass or fail?" is the message.
 */
import type { GateWindow } from '../../../runview/model.js';
import { num } from '../format.js';

const GATES = ['member-healthy', 'health', 'version', 'catch-up', 'leader', 'alarms', 'error-rate', 'p99'];

export function GateTable({ gates }: { gates: GateWindow[] }) {
  if (gates.length === 0) return <p class="muted" id="gates-empty">No soak window yet.</p>;
  const names = GATES.filter((g) => gates.some((w) => w.checks.some((c) => c.name === g)));
  return (
    <table class="gates" id="gates">
      <thead>
        <tr>
          <th>member</th>
          <th>hop</th>
          <th>window</th>
          {names.map((n) => (
            <th key={n}>{n}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {gates.map((w) => (
          <tr key={`${w.step}-${w.startedAt ?? 0}`} class={w.ok === undefined ? 'open' : w.ok ? 'pass' : 'fail'}>
            <td class="mono">{w.member}</td>
            <td>{w.to ? `→ ${w.to}` : w.hop}</td>
            <td>{w.ok === undefined ? `live (${w.samples.length} samples)` : w.ok ? 'passed' : 'FAILED'}</td>
            {names.map((n) => {
              const c = w.checks.find((x) => x.name === n);
              if (!c) return <td key={n} />;
              return (
                <td key={n} class={`gate ${c.ok ? 'ok' : 'bad'}`} title={c.message} data-gate={n}>
                  {c.value !== undefined ? num(c.value) : c.ok ? 'ok' : 'fail'}
                  {c.threshold !== undefined ? <span class="muted"> / {num(c.threshold)}</span> : null}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
