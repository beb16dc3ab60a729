/**
 * Builders for histories in tests: a simulated, correct register store that records what a client would
 * see, so property tests can start from a valid history and plant one violation at a time.
 */
import type { History, Operation, PutOp, GetOp, WatchEventOp } from './model.js';
import { newHeader } from './model.js';

export interface SimOp {
  key: string;
  type: 'write' | 'read';
  start: number;
  duration: number;
  /** Where in [start, start+duration] the store applies it (0..1); for indeterminate writes up to 3 (after the client gave up). */
  at: number;
  outcome: 'ok' | 'failed' | 'indeterminate';
  /** For an indeterminate write: did the store apply it. */
  applied?: boolean;
}

/**
 * Run `sim` against a correct, linearizable store and record the history a client would have seen:
 * revisions, read values, a watch from revision 1, and a read-back at the end.
 */
export function simulateHistory(sim: readonly SimOp[], prefix = '/canary/'): History {
  interface Ev {
    op: SimOp;
    idx: number;
    point: number;
  }
  const evs: Ev[] = sim.map((op, idx) => {
    const frac = op.type === 'write' && op.outcome === 'indeterminate' ? op.at : Math.min(op.at, 1);
    // Break ties deterministically so the linearization order is total.
    return { op, idx, point: op.start + op.duration * frac + idx * 1e-6 };
  });
  const order = [...evs].sort((a, b) => a.point - b.point);
  const state = new Map<string, { value: string; rev: number }>();
  let rev = 1;
  const recorded: Operation[] = new Array(sim.length);
  const applied: { key: string; value: string; rev: number; point: number }[] = [];
  for (const { op, idx, point } of order) {
    const end = op.start + op.duration;
    if (op.type === 'write') {
      const value = `v${idx}`;
      const put: PutOp = { type: 'op', id: idx, kind: 'put', key: prefix + op.key, value, start: op.start, end, outcome: op.outcome, attempts: 1 };
      const happens = op.outcome === 'ok' || (op.outcome === 'indeterminate' && op.applied === true);
      if (happens) {
        rev++;
        state.set(op.key, { value, rev });
        applied.push({ key: prefix + op.key, value, rev, point });
        if (op.outcome === 'ok') put.revision = rev;
      }
      if (op.outcome !== 'ok') put.error = op.outcome === 'failed' ? 'UNAVAILABLE: connection refused' : 'DEADLINE_EXCEEDED';
      recorded[idx] = put;
    } else {
      const cur = state.get(op.key);
      const get: GetOp = { type: 'op', id: idx, kind: 'get', key: prefix + op.key, start: op.start, end, outcome: op.outcome === 'ok' ? 'ok' : 'failed', attempts: 1, revision: rev };
      if (get.outcome === 'ok') {
        get.value = cur ? cur.value : null;
        if (cur) get.modRevision = cur.rev;
      }
      recorded[idx] = get;
    }
  }
  const ops: Operation[] = [...recorded];
  let id = sim.length;
  const lastEnd = Math.max(0, ...sim.map((o) => o.start + o.duration * Math.max(1, o.at)));
  for (const a of applied) {
    const t = a.point + 0.5;
    const ev: WatchEventOp = { type: 'op', id: id++, kind: 'watch-event', eventType: 'put', key: a.key, value: a.value, revision: a.rev, start: t, end: t, outcome: 'ok', attempts: 1 };
    ops.push(ev);
  }
  const h: History = {
    header: newHeader(prefix, { startedAt: '2026-01-01T00:00:00.000Z' }),
    ops,
    watch: [
      { type: 'watch', action: 'start', revision: 1, at: 0 },
      { type: 'watch', action: 'end', revision: rev, at: lastEnd + 2 },
    ],
    readback: {
      type: 'readback',
      start: lastEnd + 1,
      end: lastEnd + 1.5,
      revision: rev,
      entries: [...state.entries()].map(([k, s]) => ({ key: prefix + k, value: s.value, modRevision: s.rev })),
    },
  };
  return h;
}

export function cloneHistory(h: History): History {
  return structuredClone(h);
}
