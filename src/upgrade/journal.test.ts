import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { reconstruct, memberDurations, type JournalRecord, type RunBeginRecord } from './journal.js';
import { planRun, type Step } from './steps.js';
import { cluster } from './testing.js';
import type { ClusterObservation } from './observation.js';

const FROM = '3.4.23';
const TO = '3.5.30';

/** A model cluster: which members run, on which version. */
type Model = Map<string, { running: boolean; version: string }>;

function observe(model: Model): ClusterObservation {
  const obs = cluster(model.size);
  obs.members = obs.members.map((m) => {
    const s = model.get(m.name)!;
    return { ...m, reachable: s.running, healthy: s.running, version: s.running ? s.version : undefined, isLeader: false };
  });
  return obs;
}

function beginRecord(steps: Step[]): RunBeginRecord {
  return { type: 'run-begin', at: new Date(0).toISOString(), runId: 'r1', from: FROM, to: TO, path: [FROM, TO], target: { endpoints: [] }, driver: 'local', options: {}, steps, memberVersions: { m1: FROM, m2: FROM, m3: FROM }, pid: 1, host: 'h' };
}

/**
 * Run steps from `from`, appending journal records and applying effects, stopping after `budget`
 * events (a kill -9). Events per step: begin record, effect, end record. Returns false on an unsafe act.
 */
function execute(steps: Step[], from: number, model: Model, journal: JournalRecord[], budget: number): { finished: boolean; unsafe?: string } {
  let left = budget;
  const at = new Date(0).toISOString();
  for (let i = from; i < steps.length; i++) {
    const s = steps[i]!;
    if (left-- <= 0) return { finished: false };
    journal.push({ type: 'step-begin', at, step: s.id, attempt: 1 });
    if (left-- <= 0) return { finished: false };
    const m = s.member ? model.get(s.member)! : undefined;
    if (s.kind === 'stop') m!.running = false;
    if (s.kind === 'start') {
      // The executor's start is idempotent only for a member already on the target.
      if (m!.running && m!.version !== s.to) return { finished: false, unsafe: `start of ${s.member} while it still runs ${m!.version}` };
      m!.running = true;
      m!.version = s.to!;
    }
    if (s.kind === 'install' && m!.running && m!.version !== s.to) return { finished: false, unsafe: `install for ${s.member} while it runs the old binary` };
    if (left-- <= 0) return { finished: false };
    journal.push({ type: 'step-end', at, step: s.id, ok: true, durationMs: 1 });
  }
  return { finished: true };
}

const steps = planRun(cluster(3), [{ from: FROM, to: TO }], { backup: true, loadOpsPerSec: 50, soakMs: 1000, drain: true });
const totalEvents = steps.length * 3;

test('kill -9 at any point, then resume (up to three times): every member ends on the target, nothing unsafe', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: totalEvents }), { minLength: 1, maxLength: 3 }), (kills) => {
      const model: Model = new Map(['m1', 'm2', 'm3'].map((n) => [n, { running: true, version: FROM }]));
      const journal: JournalRecord[] = [beginRecord(steps)];
      let r = execute(steps, 0, model, journal, kills[0]!);
      assert.equal(r.unsafe, undefined);
      for (const k of [...kills.slice(1), Infinity]) {
        if (r.finished) break;
        const point = reconstruct(journal, observe(model));
        assert.equal(point.state, 'resumable');
        if (point.state !== 'resumable') return;
        // Every step called done really has its effect.
        for (const id of point.done) {
          const s = steps.find((x) => x.id === id)!;
          const m = s.member ? model.get(s.member)! : undefined;
          if (s.kind === 'start') assert.ok(m!.running && m!.version === TO, `${id} claimed done`);
          if (s.kind === 'stop') assert.ok(!m!.running || m!.version === TO, `${id} claimed done`);
        }
        journal.push({ type: 'resume', at: new Date(0).toISOString(), pid: 2, reason: 'test' });
        r = execute(steps, point.nextIndex, model, journal, k);
        assert.equal(r.unsafe, undefined, r.unsafe);
      }
      assert.ok(r.finished);
      for (const [name, s] of model) assert.deepEqual(s, { running: true, version: TO }, name);
    }),
    { numRuns: 500 },
  );
});

test('exhaustively: a single kill at each event resumes at the right step', () => {
  for (let k = 0; k <= totalEvents; k++) {
    const model: Model = new Map(['m1', 'm2', 'm3'].map((n) => [n, { running: true, version: FROM }]));
    const journal: JournalRecord[] = [beginRecord(steps)];
    execute(steps, 0, model, journal, k);
    const point = reconstruct(journal, observe(model));
    assert.equal(point.state, 'resumable');
    if (point.state !== 'resumable') continue;
    const stepIdx = Math.floor(k / 3);
    const phase = k % 3; // 0: nothing of step stepIdx; 1: begun; 2: begun + effect
    const s = steps[stepIdx];
    if (!s) continue;
    const effectVisible = phase === 2 && (s.kind === 'stop' || s.kind === 'start');
    assert.equal(point.nextIndex, effectVisible ? stepIdx + 1 : stepIdx, `kill at event ${k} (${s.id}, phase ${phase})`);
  }
});

test('finished, paused and empty journals', () => {
  const obs = cluster(3);
  assert.equal(reconstruct([], obs).state, 'empty');
  const done: JournalRecord[] = [beginRecord(steps), { type: 'run-end', at: '', result: 'succeeded', exitCode: 0 }];
  assert.equal(reconstruct(done, obs).state, 'finished');
  const paused: JournalRecord[] = [
    beginRecord(steps),
    { type: 'step-begin', at: '', step: 'preflight', attempt: 1 },
    { type: 'step-end', at: '', step: 'preflight', ok: false, durationMs: 3, error: 'member m3 down' },
    { type: 'run-end', at: '', result: 'paused', exitCode: 4 },
  ];
  const p = reconstruct(paused, obs);
  assert.equal(p.state, 'resumable');
  if (p.state === 'resumable') {
    assert.equal(p.paused, true);
    assert.equal(p.nextIndex, 0);
  }
});

test('an unfinished rollback is resumed first; facts of finished steps are carried', () => {
  const recs: JournalRecord[] = [
    beginRecord(steps),
    { type: 'step-begin', at: '', step: 'backup', attempt: 1 },
    { type: 'step-end', at: '', step: 'backup', ok: true, durationMs: 3, detail: { file: '/b/snap.db' } },
    { type: 'rollback', at: '', member: 'm1', phase: 'begin', toVersion: FROM },
  ];
  const p = reconstruct(recs, cluster(3));
  assert.equal(p.state, 'resumable');
  if (p.state === 'resumable') {
    assert.deepEqual(p.rollback, { member: 'm1', toVersion: FROM });
    assert.deepEqual(p.facts.backup, { file: '/b/snap.db' });
  }
});

test('member durations come from the journal', () => {
  const s = steps.filter((x) => x.member === 'm1');
  const recs: JournalRecord[] = [
    { type: 'step-begin', at: '2026-01-01T00:00:00.000Z', step: s[0]!.id, attempt: 1 },
    { type: 'step-end', at: '2026-01-01T00:00:02.500Z', step: s[s.length - 1]!.id, ok: true, durationMs: 1 },
  ];
  assert.deepEqual(memberDurations(recs, steps), [{ name: 'm1', hop: 1, from: FROM, to: TO, durationMs: 2500 }]);
});

test('a journaled rollback plan replaces the rest of the run: resume continues its steps, not the failed one', () => {
  const back: Step[] = [
    { id: 'rollback/downgrade-validate', kind: 'downgrade-validate', hop: 1, from: TO, to: FROM, description: '' },
    { id: 'rollback/downgrade-enable', kind: 'downgrade-enable', hop: 1, from: TO, to: FROM, description: '' },
    { id: 'rollback/release-lock', kind: 'release-lock', description: '' },
  ];
  const recs: JournalRecord[] = [
    beginRecord(steps),
    { type: 'step-begin', at: '', step: 'hop1/check-consistency', attempt: 1 },
    { type: 'step-end', at: '', step: 'hop1/check-consistency', ok: false, durationMs: 3, error: 'injected' },
    { type: 'rollback-plan', at: '', mode: 'downgrade', failedStep: 'hop1/check-consistency', reason: 'x', steps: back },
    { type: 'step-begin', at: '', step: 'rollback/downgrade-validate', attempt: 1 },
    { type: 'step-end', at: '', step: 'rollback/downgrade-validate', ok: true, durationMs: 3 },
    { type: 'step-begin', at: '', step: 'rollback/downgrade-enable', attempt: 1 },
  ];
  const p = reconstruct(recs, cluster(3));
  assert.equal(p.state, 'resumable');
  if (p.state === 'resumable') {
    assert.deepEqual(p.steps.map((s) => s.id), back.map((s) => s.id));
    assert.equal(p.nextIndex, 1, 'the begun enable runs again (it checks the cluster first)');
    assert.match(p.message, /rolling back through the downgrade API/);
    assert.equal(p.rollback, undefined);
  }
});
