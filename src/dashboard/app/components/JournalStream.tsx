/** The journal as an event stream, newest last (telemetry records are charted, not listed). */
import type { JournalLine } from '../../../runview/model.js';
import { clock } from '../format.js';

export function JournalStream({ lines }: { lines: JournalLine[] }) {
  return (
    <ol class="journal" id="journal">
      {lines.map((l, i) => (
        <li key={i} class={l.level}>
          <span class="muted mono">{clock(l.t)}</span> <span class="mono type">{l.type}</span> {l.text}
        </li>
      ))}
    </ol>
  );
}
