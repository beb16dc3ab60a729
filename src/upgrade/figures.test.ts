import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hopFigures, hopWindows } from './figures.js';
import type { JournalRecord } from './journal.js';
import type { Step } from './steps.js';
import type { History } from '../history/model.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (ms: number): string => new Date(T0 + ms).toISOString();
const step = (id: string, hop: number, from: string, to: string): Step => ({ id, kind: 'stop', hop, member: 'm1', from, to, description: '' });

test('per-hop canary figures: ops, failures, longest write gap and P99 inside each hop window; a way back gets its own row', () => {
  const steps = [step('hop1/m1/stop', 1, '3.6.17', '3.7.4'), step('rollback/m1/stop', 1, '3.7.4', '3.6.17')];
  const records: JournalRecord[] = [
    { type: 'step-begin', at: at(0), step: 'hop1/m1/stop', attempt: 1 },
    { type: 'step-end', at: at(1000), step: 'hop1/m1/stop', ok: true, durationMs: 1000 },
    { type: 'step-begin', at: at(2000), step: 'rollback/m1/stop', attempt: 1 },
    { type: 'step-end', at: at(3000), step: 'rollback/m1/stop', ok: true, durationMs: 1000 },
  ];
  const w = hopWindows(records, steps);
  assert.deepEqual(w.map((x) => [x.from, x.to, x.end - x.start]), [['3.6.17', '3.7.4', 1000], ['3.7.4', '3.6.17', 1000]]);
  const op = (id: number, s: number, e: number, outcome: 'ok' | 'failed' = 'ok') => ({ type: 'op' as const, id, kind: 'put' as const, key: `k${id}`, value: 'v', start: T0 + s, end: T0 + e, outcome, attempts: 1 });
  const h = { header: {} as never, ops: [op(1, 100, 110), op(2, 600, 650), op(3, 700, 900, 'failed'), op(4, 2100, 2105)], watch: [] } as unknown as History;
  const f = hopFigures([h], w);
  assert.equal(f[0]!.ops, 3);
  assert.equal(f[0]!.failed, 1);
  assert.equal(f[0]!.maxWriteGapMs, 540, 'from the write at 110 to the one at 650');
  assert.equal(f[0]!.p99Ms, 50);
  assert.equal(f[1]!.ops, 1);
});
