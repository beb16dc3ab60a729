import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeRehearsal, memberFigures, faultsOnAt, type VerdictInput } from './verdict.js';
import type { JournalRecord } from '../upgrade/journal.js';
import type { UpgradeReport } from '../upgrade/executor.js';
import { parseSchedule, resolveTimeline } from '../faults/schedule.js';

const steps = [
  { id: 'hop1/m1/stop', kind: 'stop', hop: 1, member: 'm1', from: '3.5.36', to: '3.6.17', description: '' },
  { id: 'hop1/m1/wait-ready', kind: 'wait-ready', hop: 1, member: 'm1', from: '3.5.36', to: '3.6.17', description: '' },
  { id: 'hop1/m1/soak', kind: 'soak', hop: 1, member: 'm1', from: '3.5.36', to: '3.6.17', description: '' },
];
const t = (s: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const records = [
  { type: 'run-begin', at: t(0), runId: 'r', from: '3.5.36', to: '3.6.17', path: ['3.5.36', '3.6.17'], target: { endpoints: [] }, driver: 'local', options: {}, steps, memberVersions: {}, pid: 1, host: 'h' },
  { type: 'fault', at: t(1), event: 'begin', id: 'f1', fault: 'partition', tMs: 1000 },
  { type: 'step-begin', at: t(2), step: 'hop1/m1/stop', attempt: 1 },
  { type: 'step-end', at: t(3), step: 'hop1/m1/stop', ok: true, durationMs: 1000 },
  { type: 'step-begin', at: t(3), step: 'hop1/m1/wait-ready', attempt: 1 },
  { type: 'step-end', at: t(7), step: 'hop1/m1/wait-ready', ok: true, durationMs: 4000, detail: { readyAfterMs: 3500 } },
  { type: 'step-begin', at: t(7), step: 'hop1/m1/soak', attempt: 1 },
  { type: 'step-end', at: t(9), step: 'hop1/m1/soak', ok: false, durationMs: 2000, detail: { gates: [{ name: 'error-rate', ok: false, value: 0.04, threshold: 0.01, message: '' }] } },
  { type: 'fault', at: t(10), event: 'end', id: 'f1', fault: 'partition', tMs: 10000 },
] as unknown as JournalRecord[];

const report = (over: Partial<UpgradeReport>): UpgradeReport =>
  ({ result: 'succeeded', runId: 'r', from: '3.5.36', to: '3.6.17', path: ['3.5.36', '3.6.17'], clusterVersion: '3.6.0', backup: null, members: [], workload: null, verification: { lostWrites: 0, watchViolations: 0, linearizabilityViolations: 0, consistent: true, ok: true, histories: ['h'] }, journal: 'j', ...over }) as UpgradeReport;

const base: VerdictInput = { from: '3.5.36', to: '3.6.17', backup: { file: 'b.db', revision: 10 }, members: 3, restore: { ok: true, failed: [] }, readiness: [], upgrade: report({}), records, quorum: { kept: true, samples: 10, withQuorum: 10, longestLossMs: 0, losses: [] }, timeline: [], faultEvents: [], aborted: {} };

test('figures per member from the journal: downtime from stop to ready, catch-up, gate verdict', () => {
  const [m] = memberFigures(records);
  assert.equal(m!.member, 'm1');
  assert.equal(m!.downtimeMs, 5000);
  assert.equal(m!.catchUpMs, 3500);
  assert.deepEqual(m!.gates, { ok: false, checks: [{ name: 'error-rate', ok: false, value: 0.04, threshold: 0.01 }] });
  assert.deepEqual(faultsOnAt(records, Date.parse(t(9))), ['f1 (partition)']);
  assert.deepEqual(faultsOnAt(records, Date.parse(t(11))), []);
});

test('go only when the upgrade succeeded with the proof, consistent, quorum kept, no blocker', () => {
  assert.equal(judgeRehearsal(base).go, true);
  assert.match(judgeRehearsal(base).reasons.join('\n'), /succeeded on a 3-member copy of b\.db/);
  assert.equal(judgeRehearsal({ ...base, readiness: [{ severity: 'blocker', code: 'x', message: 'no' }] }).go, false);
  assert.equal(judgeRehearsal({ ...base, quorum: { kept: false, samples: 1, withQuorum: 0, longestLossMs: 6000, losses: [] } }).go, false);
  const lost = judgeRehearsal({ ...base, upgrade: report({ verification: { lostWrites: 2, watchViolations: 0, linearizabilityViolations: 0, consistent: true, ok: false, histories: [] } }) });
  assert.equal(lost.go, false);
  assert.match(lost.reasons[0]!, /2 lost writes/);
  assert.equal(judgeRehearsal({ ...base, restore: { ok: false, failed: ['m1 differs'] }, upgrade: null }).outcome.result, 'not-run');
});

test('a rolled-back run is a no-go whose outcome names the faults that were on when it stopped', () => {
  const v = judgeRehearsal({ ...base, upgrade: report({ result: 'rolled-back', message: 'gates failed for m1' }) });
  assert.equal(v.go, false);
  assert.equal(v.outcome.result, 'rolled-back');
  assert.match(v.outcome.why, /gates failed for m1 while f1 \(partition\) was on/);
});

test('the faults line counts what the proxies did: aborted RPCs by code, delayed RPCs', () => {
  const timeline = resolveTimeline(parseSchedule('faults:\n  - fault: delay\n    target: all\n    latency: 20ms\n'), 1, ['m1']).entries;
  const v = judgeRehearsal({ ...base, timeline, aborted: { UNAVAILABLE: 3 }, delayed: 40 });
  assert.match(v.reasons.join('\n'), /faults: 0 of 1 happened; the proxies answered 3 UNAVAILABLE; the proxies delayed 40 RPCs/);
  assert.doesNotMatch(judgeRehearsal({ ...base, timeline }).reasons.join('\n'), /delayed/);
});
