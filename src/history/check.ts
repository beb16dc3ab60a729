/**
 * The checker behind `upshift verify HISTORY`: from a recorded history, prove that nothing the
 * cluster acknowledged was lost, that every key behaved as a linearizable register, and that the watch
 * on the canary prefix saw every write once, in revision order, without gaps.
 *
 * Pure: a History in, a report out.
 */
import { checkRegister, type RegisterOp } from './linearizability.js';
import type { GetOp, History, Operation, PutOp, WatchEventOp } from './model.js';

export type ViolationCode =
  /** An acknowledged write is missing from the final read-back, or was overwritten by nothing newer. */
  | 'lost-write'
  /** The read-back holds, at a write's revision, another value than the write's. */
  | 'readback-mismatch'
  /** A key's reads cannot be explained by any order of its writes consistent with real time. */
  | 'non-linearizable'
  /** A read or watch event returned the value of a write the client was told definitely failed. */
  | 'failed-write-applied'
  /** A read returned a value with another mod revision than the write that created it. */
  | 'read-revision-mismatch'
  | 'watch-out-of-order'
  | 'watch-duplicate'
  /** An acknowledged write inside the watched range never arrived on the watch. */
  | 'watch-gap'
  /** An event no recorded write explains. */
  | 'watch-phantom'
  /** An event at a write's revision carries another key or value. */
  | 'watch-revision-mismatch'
  /** Two writes of one key carry the same value: that key cannot be checked. */
  | 'unique-values';

export interface Violation {
  code: ViolationCode;
  message: string;
  key?: string;
  revision?: number;
  opIds?: number[];
}

export interface HistoryReport {
  ok: boolean;
  operations: number;
  violations: Violation[];
  summary: {
    writes: { ok: number; failed: number; indeterminate: number };
    reads: { ok: number; failed: number; indeterminate: number };
    watchEvents: number;
    leaseOps: number;
    keys: number;
    /** Keys checked as linearizable registers (lease-attached keys can vanish and are left out). */
    registersChecked: number;
    /** Sends beyond the first, all of them safe retries. */
    retries: number;
    /** Indeterminate writes later seen applied (read, watch or read-back) and never seen. */
    indeterminate: { applied: number; notObserved: number };
    lostWrites: number;
    watchViolations: number;
    linearizabilityViolations: number;
    readback: boolean;
    watched: boolean;
  };
}

const WATCH_CODES: ReadonlySet<ViolationCode> = new Set(['watch-out-of-order', 'watch-duplicate', 'watch-gap', 'watch-phantom', 'watch-revision-mismatch']);

/** At most this many violations of one code are listed (the counts stay exact). */
const MAX_LISTED_PER_CODE = 50;

export function checkHistory(h: History): HistoryReport {
  const violations: Violation[] = [];
  const counts = new Map<ViolationCode, number>();
  const add = (v: Violation): void => {
    const n = (counts.get(v.code) ?? 0) + 1;
    counts.set(v.code, n);
    if (n <= MAX_LISTED_PER_CODE) violations.push(v);
  };

  const puts = h.ops.filter((o): o is PutOp => o.kind === 'put');
  const gets = h.ops.filter((o): o is GetOp => o.kind === 'get');
  const events = h.ops.filter((o): o is WatchEventOp => o.kind === 'watch-event');
  const tally = (ops: Operation[]): { ok: number; failed: number; indeterminate: number } => ({
    ok: ops.filter((o) => o.outcome === 'ok').length,
    failed: ops.filter((o) => o.outcome === 'failed').length,
    indeterminate: ops.filter((o) => o.outcome === 'indeterminate').length,
  });

  // Index writes by (key, value): values are unique per key in a well-formed history.
  const putByKeyValue = new Map<string, PutOp>();
  const kv = (key: string, value: string): string => `${key}\u0000${value}`;
  const badKeys = new Set<string>();
  for (const p of puts) {
    const id = kv(p.key, p.value);
    const prior = putByKeyValue.get(id);
    if (prior) {
      badKeys.add(p.key);
      add({ code: 'unique-values', key: p.key, opIds: [prior.id, p.id], message: `key ${p.key}: value ${JSON.stringify(p.value)} written twice (ops #${prior.id}, #${p.id}); the key's linearizability cannot be checked` });
    } else putByKeyValue.set(id, p);
  }
  const leaseKeys = new Set(puts.filter((p) => p.lease !== undefined).map((p) => p.key));
  const putByRevision = new Map<number, PutOp>();
  for (const p of puts) if (p.outcome === 'ok' && p.revision !== undefined) putByRevision.set(p.revision, p);

  // Indeterminate writes proven applied by any observation.
  const observedApplied = new Set<PutOp>();
  const observe = (key: string, value: string | null | undefined, by: Operation | 'readback', revision?: number): void => {
    if (value === null || value === undefined) return;
    const p = putByKeyValue.get(kv(key, value));
    if (!p) return;
    if (p.outcome === 'failed') {
      add({
        code: 'failed-write-applied',
        key,
        opIds: by === 'readback' ? [p.id] : [p.id, by.id],
        message: `write #${p.id} of ${key} failed with "${p.error ?? 'error'}" (classified as not applied), but ${by === 'readback' ? 'the read-back' : `${by.kind} #${by.id}`} saw its value${revision !== undefined ? ` at revision ${revision}` : ''}`,
      });
    }
    if (p.outcome === 'indeterminate') observedApplied.add(p);
  };
  for (const g of gets) if (g.outcome === 'ok') observe(g.key, g.value, g, g.modRevision);
  for (const e of events) if (e.eventType === 'put') observe(e.key, e.value, e, e.revision);
  for (const e of h.readback?.entries ?? []) observe(e.key, e.value, 'readback', e.modRevision);

  // Reads must report the revision the write got (when both are known).
  for (const g of gets) {
    if (g.outcome !== 'ok' || g.value == null || g.modRevision === undefined) continue;
    const p = putByKeyValue.get(kv(g.key, g.value));
    if (p?.outcome === 'ok' && p.revision !== undefined && p.revision !== g.modRevision) {
      add({ code: 'read-revision-mismatch', key: g.key, opIds: [p.id, g.id], message: `read #${g.id} of ${g.key} saw ${JSON.stringify(g.value)} at mod revision ${g.modRevision}, but write #${p.id} was acknowledged at revision ${p.revision}` });
    }
  }

  // Lost writes: every acknowledged write is in the read-back, or superseded by a newer revision of its key.
  if (h.readback) {
    const rb = new Map(h.readback.entries.map((e) => [e.key, e]));
    for (const p of puts) {
      if (p.outcome !== 'ok' || leaseKeys.has(p.key)) continue;
      const e = rb.get(p.key);
      if (!e) {
        add({ code: 'lost-write', key: p.key, revision: p.revision, opIds: [p.id], message: `write #${p.id} of ${p.key} was acknowledged${p.revision !== undefined ? ` at revision ${p.revision}` : ''} but the key is absent from the read-back at revision ${h.readback.revision}` });
      } else if (p.revision !== undefined && e.modRevision < p.revision) {
        add({ code: 'lost-write', key: p.key, revision: p.revision, opIds: [p.id], message: `write #${p.id} of ${p.key} was acknowledged at revision ${p.revision} but the read-back holds an older version (mod revision ${e.modRevision})` });
      } else if (p.revision !== undefined && e.modRevision === p.revision && e.value !== p.value) {
        add({ code: 'readback-mismatch', key: p.key, revision: p.revision, opIds: [p.id], message: `at revision ${p.revision} ${p.key} holds ${JSON.stringify(e.value)}, but write #${p.id} wrote ${JSON.stringify(p.value)} there` });
      }
    }
  }

  // Linearizability, key by key.
  const byKey = new Map<string, RegisterOp[]>();
  const push = (key: string, op: RegisterOp): void => {
    let l = byKey.get(key);
    if (!l) byKey.set(key, (l = []));
    l.push(op);
  };
  const keys = new Set<string>(h.ops.filter((o) => o.kind !== 'lease').map((o) => o.key));
  for (const p of puts) {
    if (p.outcome === 'failed') continue; // proven not applied (a read of it is reported above)
    const end = p.outcome === 'ok' && p.end !== undefined ? p.end : Infinity;
    push(p.key, { id: p.id, type: 'write', value: p.value, start: p.start, end });
  }
  for (const g of gets) {
    if (g.outcome !== 'ok' || g.end === undefined) continue;
    if (g.value !== null && g.value !== undefined && putByKeyValue.get(kv(g.key, g.value))?.outcome === 'failed') continue;
    push(g.key, { id: g.id, type: 'read', value: g.value ?? null, start: g.start, end: g.end });
  }
  if (h.readback) {
    // The read-back is one linearizable read of every key under the prefix at one revision.
    const present = new Map(h.readback.entries.map((e) => [e.key, e.value]));
    let synthetic = -2;
    for (const key of byKey.keys()) {
      const value = present.get(key) ?? null;
      if (value !== null && putByKeyValue.get(kv(key, value))?.outcome === 'failed') continue;
      push(key, { id: synthetic--, type: 'read', value, start: h.readback.start, end: h.readback.end });
    }
  }
  let registersChecked = 0;
  for (const [key, ops] of byKey) {
    if (leaseKeys.has(key) || badKeys.has(key)) continue;
    registersChecked++;
    const initial = h.header.initial?.[key] ?? null;
    const v = checkRegister(ops, initial);
    if (!v.ok) {
      add({ code: 'non-linearizable', key, opIds: v.opIds.filter((id) => id >= 0), message: `key ${key}: ${v.message}${v.opIds.some((id) => id < -1) ? ' (including the final read-back)' : ''}` });
    }
  }

  // Watch: events in revision order, once each, and every acknowledged write inside the watched range.
  const watched = h.watch.some((w) => w.action === 'start');
  if (watched) checkWatch(h, events, puts, putByKeyValue, putByRevision, leaseKeys, add, kv);

  const lostWrites = counts.get('lost-write') ?? 0;
  let watchViolations = 0;
  for (const [code, n] of counts) if (WATCH_CODES.has(code)) watchViolations += n;
  const indeterminatePuts = puts.filter((p) => p.outcome === 'indeterminate');
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return {
    ok: total === 0,
    operations: h.ops.length,
    violations,
    summary: {
      writes: tally(puts),
      reads: tally(gets),
      watchEvents: events.length,
      leaseOps: h.ops.filter((o) => o.kind === 'lease').length,
      keys: keys.size,
      registersChecked,
      retries: h.ops.reduce((a, o) => a + Math.max(0, (o.attempts ?? 1) - 1), 0),
      indeterminate: { applied: indeterminatePuts.filter((p) => observedApplied.has(p)).length, notObserved: indeterminatePuts.filter((p) => !observedApplied.has(p)).length },
      lostWrites,
      watchViolations,
      linearizabilityViolations: counts.get('non-linearizable') ?? 0,
      readback: h.readback !== undefined,
      watched,
    },
  };
}

function checkWatch(
  h: History,
  events: WatchEventOp[],
  puts: PutOp[],
  putByKeyValue: Map<string, PutOp>,
  putByRevision: Map<number, PutOp>,
  leaseKeys: Set<string>,
  add: (v: Violation) => void,
  kv: (k: string, v: string) => string,
): void {
  const startRev = Math.min(...h.watch.filter((w) => w.action === 'start' && w.revision !== undefined).map((w) => w.revision!));
  // Events are checked in the order they were received (history order).
  let lastRev = -1;
  const seen = new Set<string>();
  const seenRevisions = new Set<number>();
  for (const e of events) {
    const id = `${e.revision}\u0000${e.key}`;
    if (seen.has(id)) {
      add({ code: 'watch-duplicate', key: e.key, revision: e.revision, opIds: [e.id], message: `watch delivered ${e.key} at revision ${e.revision} twice (event #${e.id})` });
      continue;
    }
    seen.add(id);
    if (e.revision < lastRev) {
      add({ code: 'watch-out-of-order', key: e.key, revision: e.revision, opIds: [e.id], message: `watch event #${e.id} at revision ${e.revision} arrived after revision ${lastRev}` });
    }
    lastRev = Math.max(lastRev, e.revision);
    seenRevisions.add(e.revision);
    if (Number.isFinite(startRev) && e.revision < startRev) {
      add({ code: 'watch-out-of-order', key: e.key, revision: e.revision, opIds: [e.id], message: `watch event #${e.id} at revision ${e.revision} is older than the revision the watch started from (${startRev})` });
    }
    if (e.eventType === 'delete') {
      // Deletes come only from leases ending (the workload never deletes).
      if (!leaseKeys.has(e.key)) add({ code: 'watch-phantom', key: e.key, revision: e.revision, opIds: [e.id], message: `watch event #${e.id}: delete of ${e.key} at revision ${e.revision}, which nothing recorded deleted` });
      continue;
    }
    const p = e.value == null ? undefined : putByKeyValue.get(kv(e.key, e.value));
    if (!p) {
      add({ code: 'watch-phantom', key: e.key, revision: e.revision, opIds: [e.id], message: `watch event #${e.id}: ${e.key}=${JSON.stringify(e.value)} at revision ${e.revision} matches no recorded write` });
      continue;
    }
    if (p.outcome === 'ok' && p.revision !== undefined && p.revision !== e.revision) {
      add({ code: 'watch-revision-mismatch', key: e.key, revision: e.revision, opIds: [p.id, e.id], message: `watch event #${e.id} shows write #${p.id} at revision ${e.revision}, but it was acknowledged at revision ${p.revision}` });
    }
    const atRev = putByRevision.get(e.revision);
    if (atRev && atRev !== p) {
      add({ code: 'watch-revision-mismatch', key: e.key, revision: e.revision, opIds: [atRev.id, e.id], message: `watch event #${e.id} shows ${e.key}=${JSON.stringify(e.value)} at revision ${e.revision}, where write #${atRev.id} (${atRev.key}) was acknowledged` });
    }
  }
  // Gaps: every acknowledged write at or after the start revision must have arrived (up to where a
  // truncated history's watch got).
  const cut = h.watch.find((w) => w.action === 'end' && w.truncated);
  const upper = cut?.revision ?? Infinity;
  for (const p of puts) {
    if (p.outcome !== 'ok' || p.revision === undefined) continue;
    if (Number.isFinite(startRev) && p.revision < startRev) continue;
    if (p.revision > upper) continue;
    if (!seenRevisions.has(p.revision)) {
      add({ code: 'watch-gap', key: p.key, revision: p.revision, opIds: [p.id], message: `write #${p.id} of ${p.key} was acknowledged at revision ${p.revision} but the watch never delivered it` });
    }
  }
}
