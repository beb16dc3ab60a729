/** The proof at the end: lost writes, watch, linearizability, consistency, and the canary's totals. */
import type { RunView } from '../../../runview/model.js';

function verdict(ok: boolean | null | undefined): string {
  return ok === null || ok === undefined ? 'not run' : ok ? 'ok' : 'FAILED';
}

export function Verification({ view }: { view: RunView }) {
  const v = view.verification;
  const w = view.workload as { ops?: number; failed?: number; indeterminate?: number; retries?: number; maxWriteGapMs?: number; p99Ms?: number | null; baselineP99Ms?: number | null } | undefined;
  return (
    <div class="verification" id="verification">
      {v ? (
        <table>
          <tbody>
            <tr class={v.ok === false ? 'fail' : v.ok ? 'pass' : ''}>
              <th>history check</th>
              <td>{verdict(v.ok)}</td>
            </tr>
            <tr>
              <th>lost writes</th>
              <td>{v.lostWrites}</td>
            </tr>
            <tr>
              <th>watch violations</th>
              <td>{v.watchViolations}</td>
            </tr>
            <tr>
              <th>linearizability violations</th>
              <td>{v.linearizabilityViolations}</td>
            </tr>
            <tr class={v.consistent === false ? 'fail' : ''}>
              <th>members consistent (HashKV)</th>
              <td>{v.consistent === null ? 'not checked' : v.consistent ? 'yes' : 'NO'}</td>
            </tr>
          </tbody>
        </table>
      ) : (
        <p class="muted">Not verified yet: the canary's histories are checked at the end of the run.</p>
      )}
      {w ? (
        <p>
          Canary: {w.ops} ops, {w.failed} failed, {w.indeterminate} indeterminate, {w.retries} safe retries; longest write gap {w.maxWriteGapMs} ms; P99 {w.p99Ms ?? '–'} ms
          (baseline {w.baselineP99Ms ?? '–'} ms).
        </p>
      ) : null}
      {view.backup ? (
        <p>
          Backup: <span class="mono">{view.backup.file}</span>
          {view.backup.revision !== undefined ? ` (revision ${view.backup.revision})` : ''}
        </p>
      ) : null}
    </div>
  );
}
