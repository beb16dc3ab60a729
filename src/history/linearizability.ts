/**
 * Linearizability of one read/write register whose writes all carry distinct values.
 *
 * General linearizability checking is NP-complete (Knossos and Porcupine search the space of
 * orderings, with memoisation). With unique write values every read names the write it observed, and
 * the problem becomes polynomial: Gibbons & Korach, "Testing shared memories" (SIAM J. Comput. 1997),
 * as restated by Golab, Li & Shah, "Analyzing consistency properties for fun and profit" (PODC 2011).
 * Group each write with the reads of its value (a "cluster"); a cluster's zone runs from the earliest
 * end to the latest start of its operations. If the earliest end comes first the zone is "forward"
 * (the value must be held across it), otherwise "backward". The history is linearizable iff
 *   1. every read returns the initial value or a value some write wrote, and does not end before that
 *      write starts;
 *   2. no two forward zones overlap;
 *   3. no backward zone lies inside a forward zone.
 * No library implements this for JS, hence the hand-written checker (`checkRegister`), cross-checked
 * in the tests against `checkRegisterBySearch`, a bounded Wing-Gong/Lowe search (what Porcupine does).
 *
 * Indeterminate writes (the client does not know if they happened) get end = +Infinity: if any read
 * returned their value they happened at some point after their start; if none did, leaving them out is
 * exact, since an unobserved write can only add constraints.
 *
 * Real-time order is strict: a precedes b iff a.end < b.start; equal timestamps count as concurrent.
 */

export interface RegisterOp {
  id: number;
  type: 'write' | 'read';
  /** Written or read value; null for a read that found the key absent. */
  value: string | null;
  start: number;
  /** +Infinity for an indeterminate write. */
  end: number;
}

export type RegisterVerdict =
  | { ok: true }
  | { ok: false; reason: 'read-of-unknown-value' | 'read-before-write' | 'overlapping-zones' | 'zone-inside-zone' | 'duplicate-write-value'; message: string; opIds: number[] };

interface Zone {
  /** The write of the cluster (undefined for the initial value). */
  writeId: number | undefined;
  value: string | null;
  lo: number;
  hi: number;
  opIds: number[];
}

const show = (v: string | null): string => (v === null ? '(absent)' : JSON.stringify(v));

/** Decide linearizability of one register (see module comment). `initial` is the value before any op. */
export function checkRegister(ops: readonly RegisterOp[], initial: string | null = null): RegisterVerdict {
  const writes = new Map<string, RegisterOp>();
  for (const op of ops) {
    if (op.type !== 'write') continue;
    if (op.value === null) continue; // deletes are not modelled; callers exclude such keys
    const prior = writes.get(op.value);
    if (prior || op.value === initial) {
      return { ok: false, reason: 'duplicate-write-value', message: `value ${show(op.value)} written more than once: the history cannot be checked`, opIds: prior ? [prior.id, op.id] : [op.id] };
    }
    writes.set(op.value, op);
  }
  // Clusters: the initial value is a write at -Infinity.
  const clusters = new Map<string | null, RegisterOp[]>();
  const initialWrite: RegisterOp = { id: -1, type: 'write', value: initial, start: -Infinity, end: -Infinity };
  clusters.set(initial, [initialWrite]);
  for (const w of writes.values()) clusters.set(w.value, [w]);
  for (const op of ops) {
    if (op.type !== 'read') continue;
    const c = clusters.get(op.value);
    if (!c) {
      return { ok: false, reason: 'read-of-unknown-value', message: `read #${op.id} returned ${show(op.value)}, which no write wrote`, opIds: [op.id] };
    }
    const w = c[0]!;
    if (op.end < w.start) {
      return { ok: false, reason: 'read-before-write', message: `read #${op.id} returned ${show(op.value)} but ended before write #${w.id} of that value started`, opIds: [w.id, op.id] };
    }
    c.push(op);
  }

  const forward: Zone[] = [];
  const backward: Zone[] = [];
  for (const [value, c] of clusters) {
    const w = c[0]!;
    // An indeterminate write nobody read may not have happened: leave it out (exact, see above).
    if (w.end === Infinity && c.length === 1) continue;
    let minEnd = Infinity;
    let maxStart = -Infinity;
    for (const op of c) {
      if (op.end < minEnd) minEnd = op.end;
      if (op.start > maxStart) maxStart = op.start;
    }
    const zone: Zone = { writeId: w.id < 0 ? undefined : w.id, value, lo: 0, hi: 0, opIds: c.map((o) => o.id).filter((id) => id >= 0) };
    if (minEnd < maxStart) forward.push({ ...zone, lo: minEnd, hi: maxStart });
    else backward.push({ ...zone, lo: maxStart, hi: minEnd });
  }

  forward.sort((a, b) => a.lo - b.lo || a.hi - b.hi);
  let widest: Zone | undefined;
  for (const z of forward) {
    if (widest && z.lo < widest.hi) {
      return {
        ok: false,
        reason: 'overlapping-zones',
        message: `value ${show(widest.value)} must be held until t=${fmt(widest.hi)} but ${show(z.value)} had to be in place from t=${fmt(z.lo)}: no order of these operations explains what the reads saw`,
        opIds: [...widest.opIds, ...z.opIds],
      };
    }
    if (!widest || z.hi > widest.hi) widest = z;
  }
  // Forward zones are now disjoint and sorted: a binary search finds the one that could contain each backward zone.
  for (const b of backward) {
    let lo = 0;
    let hi = forward.length - 1;
    let cand = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (forward[mid]!.lo < b.lo) {
        cand = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (cand < 0) continue;
    const f = forward[cand]!;
    if (b.hi < f.hi) {
      return {
        ok: false,
        reason: 'zone-inside-zone',
        message: `the operations on ${show(b.value)} all happened while ${show(f.value)} had to stay in place (t=${fmt(f.lo)}..${fmt(f.hi)})`,
        opIds: [...f.opIds, ...b.opIds],
      };
    }
  }
  return { ok: true };
}

function fmt(t: number): string {
  return Number.isFinite(t) ? t.toFixed(3) : String(t);
}

export type SearchVerdict = 'linearizable' | 'not-linearizable' | 'unknown';

/**
 * Bounded Wing-Gong/Lowe search (Knossos/Porcupine style): try every operation that may come next in
 * real-time order, apply it to the register, backtrack on a read mismatch; memoise (remaining ops,
 * register value). Indeterminate writes may also be dropped. Returns 'unknown' past `maxSteps`.
 * Exponential in the worst case: meant for small histories (tests, second opinions).
 */
export function checkRegisterBySearch(ops: readonly RegisterOp[], initial: string | null = null, maxSteps = 200_000): SearchVerdict {
  const n = ops.length;
  if (n > 30) return 'unknown';
  const seen = new Set<string>();
  let steps = 0;
  const full = (1 << n) - 1;
  const search = (remaining: number, value: string | null): boolean | undefined => {
    if (remaining === 0) return true;
    if (++steps > maxSteps) return undefined;
    const memo = `${remaining}|${value === null ? '\u0000' : value}`;
    if (seen.has(memo)) return false;
    // The earliest end among remaining ops bounds which ops may go next.
    let minEnd = Infinity;
    for (let i = 0; i < n; i++) if (remaining & (1 << i) && ops[i]!.end < minEnd) minEnd = ops[i]!.end;
    for (let i = 0; i < n; i++) {
      if (!(remaining & (1 << i))) continue;
      const op = ops[i]!;
      const rest = remaining & ~(1 << i);
      if (op.type === 'write' && op.end === Infinity) {
        const r = search(rest, value); // it never happened
        if (r !== false) return r;
      }
      if (op.start > minEnd) continue; // some remaining op finished before this one began
      if (op.type === 'read') {
        if (op.value !== value) continue;
        const r = search(rest, value);
        if (r !== false) return r;
      } else {
        const r = search(rest, op.value);
        if (r !== false) return r;
      }
    }
    seen.add(memo);
    return false;
  };
  const r = search(full, initial);
  return r === undefined ? 'unknown' : r ? 'linearizable' : 'not-linearizable';
}
