import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkHistory } from './check.js';
import { parseHistory, serializeHistory } from './io.js';
import { simulateHistory, cloneHistory, type SimOp } from './testing.js';
import type { History, PutOp, GetOp, WatchEventOp } from './model.js';

const simOp = fc.record({
  key: fc.constantFrom('a', 'b', 'c'),
  type: fc.constantFrom<'write' | 'read'>('write', 'write', 'read'),
  start: fc.integer({ min: 0, max: 200 }),
  duration: fc.integer({ min: 0, max: 25 }),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  outcome: fc.constantFrom<'ok' | 'failed' | 'indeterminate'>('ok', 'ok', 'ok', 'ok', 'failed', 'indeterminate'),
  applied: fc.boolean(),
  late: fc.double({ min: 1, max: 3, noNaN: true }),
}).map((o): SimOp => ({ ...o, at: o.type === 'write' && o.outcome === 'indeterminate' && o.applied ? o.late : o.at }));

const histories = fc.array(simOp, { minLength: 1, maxLength: 40 }).map((ops) => simulateHistory(ops));

const codes = (h: History): string[] => [...new Set(checkHistory(h).violations.map((v) => v.code))].sort();

test('valid histories pass, including indeterminate and failed writes', () => {
  fc.assert(
    fc.property(histories, (h) => {
      const rep = checkHistory(h);
      assert.deepEqual(rep.violations, [], JSON.stringify(rep.violations));
      assert.equal(rep.ok, true);
      assert.equal(rep.operations, h.ops.length);
    }),
    { numRuns: 400 },
  );
});

test('the JSONL round trip keeps the verdict', () => {
  fc.assert(
    fc.property(histories, (h) => {
      const back = parseHistory(serializeHistory(h));
      assert.deepEqual(checkHistory(back), checkHistory(h));
    }),
    { numRuns: 50 },
  );
});

const okPuts = (h: History): PutOp[] => h.ops.filter((o): o is PutOp => o.kind === 'put' && o.outcome === 'ok');
const events = (h: History): WatchEventOp[] => h.ops.filter((o): o is WatchEventOp => o.kind === 'watch-event');

test('planted: a dropped watch event is a watch gap', () => {
  fc.assert(
    fc.property(histories, fc.nat(), (h, n) => {
      const evs = events(h).filter((e) => okPuts(h).some((p) => p.revision === e.revision));
      fc.pre(evs.length > 0);
      const victim = evs[n % evs.length]!;
      const m = cloneHistory(h);
      m.ops = m.ops.filter((o) => o.id !== victim.id);
      assert.deepEqual(codes(m), ['watch-gap']);
      assert.equal(checkHistory(m).summary.watchViolations, 1);
    }),
    { numRuns: 200 },
  );
});

test('planted: duplicated and reordered watch events', () => {
  fc.assert(
    fc.property(histories, fc.nat(), (h, n) => {
      const evs = events(h);
      fc.pre(evs.length > 1);
      const i = n % (evs.length - 1);
      const dup = cloneHistory(h);
      dup.ops.push({ ...evs[i]!, id: 100_000 });
      assert.ok(codes(dup).includes('watch-duplicate'));
      const swapped = cloneHistory(h);
      const a = swapped.ops.findIndex((o) => o.id === evs[i]!.id);
      const b = swapped.ops.findIndex((o) => o.id === evs[i + 1]!.id);
      [swapped.ops[a], swapped.ops[b]] = [swapped.ops[b]!, swapped.ops[a]!];
      assert.deepEqual(codes(swapped), ['watch-out-of-order']);
    }),
    { numRuns: 200 },
  );
});

test('planted: an acknowledged write missing from the read-back is a lost write', () => {
  fc.assert(
    fc.property(histories, fc.nat(), (h, n) => {
      const entries = h.readback!.entries.filter((e) => okPuts(h).some((p) => p.key === e.key && p.revision === e.modRevision));
      fc.pre(entries.length > 0);
      const victim = entries[n % entries.length]!;
      const m = cloneHistory(h);
      m.readback!.entries = m.readback!.entries.filter((e) => e.key !== victim.key);
      const rep = checkHistory(m);
      assert.ok(rep.summary.lostWrites >= 1);
      assert.ok(codes(m).includes('lost-write'));
      assert.equal(rep.ok, false);
    }),
    { numRuns: 200 },
  );
});

test('planted: a stale read after an overwrite completed is non-linearizable', () => {
  fc.assert(
    fc.property(histories, (h) => {
      // Find w1 strictly before w2 (both ok, same key); add a read after w2 that returns w1's value.
      const ps = okPuts(h).sort((x, y) => x.revision! - y.revision!);
      let pair: [PutOp, PutOp] | undefined;
      for (const p1 of ps) {
        const p2 = ps.find((q) => q.key === p1.key && q.revision! > p1.revision! && q.start > p1.end!);
        if (p2) {
          pair = [p1, p2];
          break;
        }
      }
      fc.pre(pair !== undefined);
      const [w1, w2] = pair!;
      const m = cloneHistory(h);
      const t = w2.end! + 0.25;
      const stale: GetOp = { type: 'op', id: 200_000, kind: 'get', key: w1.key, value: w1.value, modRevision: w1.revision, start: t, end: t + 0.1, outcome: 'ok', attempts: 1 };
      m.ops.push(stale);
      const rep = checkHistory(m);
      assert.deepEqual(codes(m), ['non-linearizable'], JSON.stringify(rep.violations));
      assert.equal(rep.violations[0]!.key, w1.key);
    }),
    { numRuns: 200 },
  );
});

test('planted: the value of a write that failed definitively shows up', () => {
  const h = simulateHistory([
    { key: 'a', type: 'write', start: 0, duration: 2, at: 0.5, outcome: 'ok' },
    { key: 'a', type: 'write', start: 5, duration: 2, at: 0.5, outcome: 'failed' },
    { key: 'a', type: 'read', start: 10, duration: 1, at: 0.5, outcome: 'ok' },
  ]);
  assert.equal(checkHistory(h).ok, true);
  const m = cloneHistory(h);
  const read = m.ops.find((o): o is GetOp => o.kind === 'get')!;
  read.value = 'v1';
  assert.deepEqual(codes(m), ['failed-write-applied']);
});

test('indeterminate writes: seen applied late is fine, counted as applied', () => {
  const h = simulateHistory([
    { key: 'a', type: 'write', start: 0, duration: 2, at: 0.5, outcome: 'ok' },
    { key: 'a', type: 'write', start: 5, duration: 2, at: 2.5, outcome: 'indeterminate', applied: true },
    { key: 'a', type: 'read', start: 6, duration: 0.5, at: 0.5, outcome: 'ok' },
    { key: 'a', type: 'read', start: 20, duration: 1, at: 0.5, outcome: 'ok' },
    { key: 'b', type: 'write', start: 5, duration: 2, at: 0.5, outcome: 'indeterminate', applied: false },
  ]);
  const rep = checkHistory(h);
  assert.equal(rep.ok, true, JSON.stringify(rep.violations));
  assert.deepEqual(rep.summary.indeterminate, { applied: 1, notObserved: 1 });
  assert.deepEqual(rep.summary.writes, { ok: 1, failed: 0, indeterminate: 2 });
});

test('watch: phantom events and revision mismatches', () => {
  const h = simulateHistory([
    { key: 'a', type: 'write', start: 0, duration: 2, at: 0.5, outcome: 'ok' },
    { key: 'a', type: 'write', start: 5, duration: 2, at: 0.5, outcome: 'ok' },
  ]);
  const phantom = cloneHistory(h);
  phantom.ops.push({ type: 'op', id: 99, kind: 'watch-event', eventType: 'put', key: '/canary/a', value: 'nobody-wrote-this', revision: 4, start: 30, end: 30, outcome: 'ok', attempts: 1 });
  assert.deepEqual(codes(phantom), ['watch-phantom']);
  const del = cloneHistory(h);
  del.ops.push({ type: 'op', id: 99, kind: 'watch-event', eventType: 'delete', key: '/canary/a', revision: 4, start: 30, end: 30, outcome: 'ok', attempts: 1 });
  assert.deepEqual(codes(del), ['watch-phantom']);
  const mism = cloneHistory(h);
  const ev = mism.ops.find((o): o is WatchEventOp => o.kind === 'watch-event' && o.value === 'v0')!;
  ev.revision = 3; // v1's revision
  assert.ok(codes(mism).includes('watch-revision-mismatch'));
});

test('read-back holding another value at a write revision', () => {
  const h = simulateHistory([{ key: 'a', type: 'write', start: 0, duration: 2, at: 0.5, outcome: 'ok' }]);
  const m = cloneHistory(h);
  m.readback!.entries[0]!.value = 'other';
  assert.ok(codes(m).includes('readback-mismatch'));
});

test('lease keys may vanish; their deletes are not phantoms', () => {
  const h = simulateHistory([{ key: 'a', type: 'write', start: 0, duration: 2, at: 0.5, outcome: 'ok' }]);
  const m = cloneHistory(h);
  const put = m.ops.find((o): o is PutOp => o.kind === 'put')!;
  put.lease = '694d7d1c1f0b6a04';
  m.readback!.entries = [];
  m.ops.push({ type: 'op', id: 50, kind: 'watch-event', eventType: 'delete', key: put.key, revision: 3, start: 9, end: 9, outcome: 'ok', attempts: 1 });
  m.ops.push({ type: 'op', id: 51, kind: 'lease', action: 'revoke', key: '', lease: put.lease, start: 8, end: 8.5, outcome: 'ok', attempts: 1 });
  const rep = checkHistory(m);
  assert.equal(rep.ok, true, JSON.stringify(rep.violations));
  assert.equal(rep.summary.registersChecked, 0);
});

test('retries are counted', () => {
  const h = simulateHistory([{ key: 'a', type: 'read', start: 0, duration: 2, at: 0.5, outcome: 'ok' }]);
  h.ops[0]!.attempts = 3;
  assert.equal(checkHistory(h).summary.retries, 2);
});

test('parse errors name the line and field', () => {
  const h = simulateHistory([{ key: 'a', type: 'write', start: 0, duration: 2, at: 0.5, outcome: 'ok' }]);
  const lines = serializeHistory(h).split('\n');
  lines[1] = lines[1]!.replace('"outcome":"ok"', '"outcome":"maybe"');
  assert.throws(() => parseHistory(lines.join('\n'), 'h.jsonl'), (e: Error) => /h\.jsonl:2: outcome/.test(e.message));
  assert.throws(() => parseHistory('{"type":"op"}\n', 'x'), /x:1/);
  assert.throws(() => parseHistory('', 'x'), /no header/);
  // A torn last line (crash while appending) is accepted only when asked to.
  const torn = serializeHistory(h) + '{"type":"op","id":';
  assert.throws(() => parseHistory(torn, 'x'));
  assert.equal(parseHistory(torn, 'x', { lenient: true }).ops.length, h.ops.length);
});

test('a truncated history owes watch events only up to where its watch got', () => {
  const h = simulateHistory([
    { key: 'a', type: 'write', start: 0, duration: 2, at: 0.5, outcome: 'ok' },
    { key: 'a', type: 'write', start: 5, duration: 2, at: 0.5, outcome: 'ok' },
  ]);
  const m = cloneHistory(h);
  m.ops = m.ops.filter((o) => !(o.kind === 'watch-event' && o.revision === 3));
  assert.deepEqual(codes(m), ['watch-gap']);
  m.watch = [m.watch[0]!, { type: 'watch', action: 'end', revision: 2, at: 20, truncated: true }];
  assert.equal(checkHistory(m).ok, true);
});

test('an invocation record is replaced by its completion; alone it is an indeterminate write', () => {
  const lines = [
    JSON.stringify({ type: 'header', format: 'upshift-history', version: 1, prefix: '/c/', startedAt: 'x' }),
    JSON.stringify({ type: 'op', id: 1, kind: 'put', key: '/c/a', value: 'v1', start: 1, outcome: 'indeterminate' }),
    JSON.stringify({ type: 'op', id: 2, kind: 'put', key: '/c/a', value: 'v2', start: 2, outcome: 'indeterminate' }),
    JSON.stringify({ type: 'op', id: 1, kind: 'put', key: '/c/a', value: 'v1', start: 1, end: 3, outcome: 'ok', revision: 5 }),
    JSON.stringify({ type: 'readback', start: 10, end: 11, revision: 6, entries: [{ key: '/c/a', value: 'v2', modRevision: 6 }] }),
  ];
  const h = parseHistory(lines.join('\n'));
  assert.equal(h.ops.length, 2);
  assert.equal(h.ops[0]!.outcome, 'ok');
  const rep = checkHistory(h);
  assert.equal(rep.ok, true, JSON.stringify(rep.violations));
  assert.deepEqual(rep.summary.indeterminate, { applied: 1, notObserved: 0 });
});
