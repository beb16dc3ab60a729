/**
 * The canary's figures per hop (pure): ops, failures, longest gap between acknowledged writes and P99
 * latency over the time each hop took, from the run's recorded histories and the journal's step times.
 * A rollback plan's steps carry the hop they undo, in the other direction: they get their own row.
 */
import type { History } from '../history/model.js';
import { percentile } from '../workload/stats.js';
import type { JournalRecord } from './journal.js';
import type { Step } from './steps.js';

export interface HopFigures {
  hop: number;
  from: string;
  to: string;
  /** Epoch ms of the hop's first step begin and last step end. */
  start: number;
  end: number;
  ops: number;
  failed: number;
  indeterminate: number;
  maxWriteGapMs: number;
  p99Ms: number | null;
}

/** Time windows of each hop (and of each way back), from the journal. */
export function hopWindows(records: readonly JournalRecord[], steps: readonly Step[]): { hop: number; from: string; to: string; start: number; end: number }[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const w = new Map<string, { hop: number; from: string; to: string; start: number; end: number }>();
  for (const r of records) {
    if (r.type !== 'step-begin' && r.type !== 'step-end') continue;
    const s = byId.get(r.step);
    if (!s || s.hop === undefined || s.from === undefined || s.to === undefined) continue;
    // A cancel restores members to their own versions: key by direction only (the hop and its target minor).
    const k = `${s.hop}/${s.id.split('/')[0]}`;
    const t = Date.parse(r.at);
    const cur = w.get(k) ?? { hop: s.hop, from: s.from, to: s.to, start: t, end: t };
    cur.start = Math.min(cur.start, t);
    cur.end = Math.max(cur.end, t);
    w.set(k, cur);
  }
  return [...w.values()].sort((a, b) => a.start - b.start);
}

export function hopFigures(histories: readonly History[], windows: ReturnType<typeof hopWindows>): HopFigures[] {
  const ops = histories.flatMap((h) => h.ops).filter((o) => o.kind === 'put' || o.kind === 'get');
  return windows.map((win) => {
    const inside = ops.filter((o) => o.start >= win.start && o.start <= win.end);
    const writes = inside
      .filter((o) => o.kind === 'put' && o.outcome === 'ok' && o.end !== undefined)
      .map((o) => o.end!)
      .sort((a, b) => a - b);
    let gap = 0;
    let prev = win.start;
    for (const e of writes) {
      gap = Math.max(gap, e - prev);
      prev = e;
    }
    if (writes.length > 0) gap = Math.max(gap, win.end - prev);
    const p99 = percentile(
      inside.filter((o) => o.outcome === 'ok' && o.end !== undefined).map((o) => o.end! - o.start),
      99,
    );
    return {
      ...win,
      ops: inside.length,
      failed: inside.filter((o) => o.outcome === 'failed').length,
      indeterminate: inside.filter((o) => o.outcome === 'indeterminate').length,
      maxWriteGapMs: Math.round(gap * 10) / 10,
      p99Ms: p99 === undefined ? null : Math.round(p99 * 100) / 100,
    };
  });
}
