import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyUpdate, buildRunView, currentStep, membersUpgraded, mergeCanary } from './model.js';
import { CanaryAggregator } from './canary.js';
import { RunFiles, loadRunView } from './files.js';
import { sampleHistory, sampleJournal, writeSampleRun, T0, RUN_ID } from './testing.js';

test('a running run: steps, member points with lag, soak window with its verdict, events', () => {
  const v = buildRunView(sampleJournal())!;
  assert.equal(v.runId, RUN_ID);
  assert.equal(v.state, 'running');
  assert.deepEqual(v.members, ['m1', 'm2', 'm3']);
  const cur = currentStep(v)!;
  assert.equal(cur.id, 'hop1/m3/stop');
  assert.equal(cur.status, 'running');
  assert.equal(membersUpgraded(v), 1, 'm2 done, m3 in progress, m1 pending');
  // Observations: lag = leader's applied - member's; a stopped member has no lag.
  assert.equal(v.observations.length, 3);
  assert.equal(v.observations[0]!.members.m3!.lag, 1);
  assert.equal(v.observations[1]!.members.m2!.up, false);
  assert.equal(v.observations[1]!.members.m2!.lag, undefined);
  assert.equal(v.observations[2]!.members.m2!.version, '3.5.30');
  assert.equal(v.observations[2]!.members.m2!.lag, 10);
  // One soak window (m2): a live sample, then the verdict's checks.
  assert.equal(v.gates.length, 1);
  const g = v.gates[0]!;
  assert.equal(g.member, 'm2');
  assert.equal(g.to, '3.5.30');
  assert.equal(g.ok, true);
  assert.equal(g.samples.length, 1);
  assert.equal(g.samples[0]!.checks.find((c) => c.name === 'catch-up')!.value, 10, 'the live sample');
  assert.equal(g.checks.find((c) => c.name === 'catch-up')!.value, 3, 'the verdict');
  // Member events on the time charts.
  const kinds = v.events.map((e) => `${e.kind}:${e.member ?? ''}`);
  assert.ok(kinds.includes('stop:m2') && kinds.includes('start:m2') && kinds.includes('ready:m2') && kinds.includes('stop:m3'), kinds.join(' '));
  assert.equal(v.backup?.revision, 7);
  assert.ok(v.journal.every((l) => l.type !== 'observation' && l.type !== 'gate-sample'), 'telemetry is charted, not listed');
});

test('an ended run: result, verification and workload from run-end; applying later records keeps one state', () => {
  const recs = sampleJournal({ end: 'paused' });
  const v = buildRunView(recs)!;
  assert.equal(v.state, 'paused');
  assert.equal(v.verification?.consistent, true);
  assert.equal(v.steps.filter((s) => s.status === 'running').length, 0);
  // A resume reopens it; a pending step begins again.
  applyUpdate(v, { records: [{ type: 'resume', at: new Date(T0 + 60_000).toISOString(), pid: 42, reason: 'resume at x' }] });
  assert.equal(v.state, 'running');
  assert.equal(v.pid, 42);
  assert.equal(v.endedAt, undefined);
});

test('an old journal without telemetry records reads the same (no observations, no samples)', () => {
  const recs = sampleJournal({ end: 'succeeded' }).filter((r) => r.type !== 'observation' && r.type !== 'gate-sample');
  const v = buildRunView(recs)!;
  assert.equal(v.state, 'succeeded');
  assert.equal(v.observations.length, 0);
  assert.equal(v.gates.length, 3, 'every soak window from the step-ends');
  assert.ok(v.gates.every((g) => g.ok === true && g.samples.length === 0), 'verdicts without samples');
});

test('canary seconds: ops per type, failures, percentiles; an invocation record alone does not count', () => {
  const agg = new CanaryAggregator();
  for (const l of sampleHistory(3, 10)) agg.add(JSON.parse(l));
  const all = agg.all();
  assert.equal(all.length, 3);
  const b = all[0]!;
  assert.equal(b.t, Math.floor(T0 / 1000));
  assert.equal(b.ops.put!.n, 5);
  assert.equal(b.ops.get!.n, 5);
  assert.equal(b.ops.get!.err, 1);
  assert.equal(b.ops.put!.err, 0);
  // put latencies 2,4,6,8,10 ms (i = 0,2,..,8): p50 6, p99 10.
  assert.equal(b.ops.put!.p50, 6);
  assert.equal(b.ops.put!.p99, 10);
  assert.equal(agg.takeChanged().length, 3);
  assert.equal(agg.takeChanged().length, 0, 'nothing changed since');
});

test('mergeCanary upserts by second (a growing second replaces its earlier state)', () => {
  const v = buildRunView(sampleJournal())!;
  mergeCanary(v, [{ t: 10, ops: {} }, { t: 12, ops: {} }]);
  mergeCanary(v, [{ t: 11, ops: { put: { n: 1, err: 0 } } }, { t: 12, ops: { put: { n: 2, err: 0 } } }]);
  assert.deepEqual(v.canary.map((b) => b.t), [10, 11, 12]);
  assert.equal(v.canary[2]!.ops.put!.n, 2);
});

test('RunFiles reads a run directory incrementally: a half-written line waits for its newline', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'upshift-runview-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const recs = sampleJournal();
  const dir = writeSampleRun(home, recs.slice(0, 5));
  const f = new RunFiles(dir);
  const first = await f.read();
  assert.equal(f.view?.steps.filter((s) => s.status !== 'pending').length, 2);
  assert.equal(first.ops.length, 50);
  const line = JSON.stringify(recs[5]);
  appendFileSync(join(dir, 'journal.jsonl'), line.slice(0, 10));
  assert.equal((await f.read()).records?.length, 0);
  appendFileSync(join(dir, 'journal.jsonl'), line.slice(10) + '\n');
  const r = await f.read();
  assert.equal(r.records?.length, 1);
  const whole = await loadRunView(dir);
  assert.deepEqual(whole?.steps, f.view?.steps);
  assert.equal(whole?.canary.length, 5);
});
