/**
 * A hand-made run for unit tests of the run view, the dashboard's HTTP surface and the metrics: a journal
 * (begin, steps of a 3-member plan, observations, a soak with gate samples and verdict, run-end) and a canary
 * history, as the executor and the canary write them. No etcd: pure data in a temp run directory.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planRun } from '../upgrade/steps.js';
import { cluster } from '../upgrade/testing.js';
import type { JournalRecord, RunBeginRecord } from '../upgrade/journal.js';
import type { GateCheck } from '../upgrade/gates.js';

export const T0 = Date.parse('2026-01-02T03:04:05.000Z');
export const RUN_ID = '20260102T030405Z-abcdef';

const at = (ms: number): string => new Date(T0 + ms).toISOString();

export const PASSING_GATES: GateCheck[] = [
  { name: 'health', ok: true, value: 0, threshold: 2, message: '3 health checks, 0 failed' },
  { name: 'catch-up', ok: true, value: 3, threshold: 100, message: 'lag 3' },
  { name: 'error-rate', ok: true, value: 0, threshold: 0.01, message: '0 errors in 150 ops' },
  { name: 'p99', ok: true, value: 12.5, threshold: 300, message: 'P99 12.5 ms' },
];

/** The journal of a run that upgraded m2 (soaked, passed) and is still running at m3's stop, or ended when `end`. */
export function sampleJournal(opts: { end?: 'succeeded' | 'paused'; pid?: number; host?: string; cluster?: string } = {}): JournalRecord[] {
  const steps = planRun(cluster(3), [{ from: '3.4.23', to: '3.5.30' }], { backup: true, loadOpsPerSec: 50, soakMs: 2000, drain: true });
  const begin: RunBeginRecord = {
    type: 'run-begin',
    at: at(0),
    runId: RUN_ID,
    from: '3.4.23',
    to: '3.5.30',
    path: ['3.4.23', '3.5.30'],
    target: { cluster: opts.cluster ?? 'c1', endpoints: ['http://127.0.0.1:1'], clusterId: 'cid1' },
    driver: 'local',
    options: { loadOpsPerSec: 50, soakMs: 2000, onFailure: 'rollback' },
    steps,
    memberVersions: { m1: '3.4.23', m2: '3.4.23', m3: '3.4.23' },
    pid: opts.pid ?? 1,
    host: opts.host ?? 'nohost',
  };
  const recs: JournalRecord[] = [begin];
  let t = 100;
  const obs = (versions: Record<string, string | undefined>, applied: Record<string, number>, leader = 'm1'): void => {
    recs.push({
      type: 'observation',
      at: at(t),
      clusterVersion: '3.4.0',
      members: ['m1', 'm2', 'm3'].map((m) => ({ name: m, id: `id-${m}`, reachable: versions[m] !== undefined, healthy: versions[m] !== undefined, leader: m === leader, ...(versions[m] ? { version: versions[m], applied: applied[m], dbSize: 1_000_000 + t } : {}) })),
    });
  };
  obs({ m1: '3.4.23', m2: '3.4.23', m3: '3.4.23' }, { m1: 100, m2: 100, m3: 99 });
  for (const s of steps) {
    if (s.member === 'm3' && s.kind === 'stop' && !opts.end) {
      recs.push({ type: 'step-begin', at: at(t), step: s.id, attempt: 1 });
      break;
    }
    recs.push({ type: 'step-begin', at: at(t), step: s.id, attempt: 1 });
    if (s.kind === 'stop' && s.member === 'm2') obs({ m1: '3.4.23', m3: '3.4.23' }, { m1: 120, m3: 120 });
    if (s.kind === 'soak' && s.member === 'm2') {
      obs({ m1: '3.4.23', m2: '3.5.30', m3: '3.4.23' }, { m1: 150, m2: 140, m3: 150 });
      recs.push({ type: 'gate-sample', at: at(t + 500), step: s.id, member: 'm2', checks: PASSING_GATES.map((c) => (c.name === 'catch-up' ? { ...c, value: 10 } : c)) });
      t += 2000;
    }
    t += 100;
    const detail = s.kind === 'soak' ? { gates: PASSING_GATES } : s.kind === 'backup' ? { file: '/b/snap.db', revision: 7, size: 4096 } : s.kind === 'verify' ? { ok: true, lostWrites: 0, watchViolations: 0, linearizabilityViolations: 0 } : undefined;
    recs.push({ type: 'step-end', at: at(t), step: s.id, ok: true, durationMs: 100, ...(detail ? { detail } : {}) });
    t += 10;
  }
  if (opts.end) {
    recs.push({ type: 'run-end', at: at(t + 10), result: opts.end, exitCode: opts.end === 'succeeded' ? 0 : 4, report: { verification: { ok: true, lostWrites: 0, watchViolations: 0, linearizabilityViolations: 0, consistent: true }, workload: { ops: 200 } } });
  }
  return recs;
}

/** Canary ops of the run: `perSecond` puts and gets for `seconds` seconds from T0 (every 10th get failed). */
export function sampleHistory(seconds = 5, perSecond = 10): string[] {
  const lines: string[] = [JSON.stringify({ type: 'header', format: 'upshift-history', version: 1, prefix: '/p/', startedAt: at(0) })];
  let id = 0;
  for (let s = 0; s < seconds; s++) {
    for (let i = 0; i < perSecond; i++) {
      const start = T0 + s * 1000 + i * (1000 / perSecond);
      const kind = i % 2 === 0 ? 'put' : 'get';
      const end = start + 2 + i;
      const outcome = kind === 'get' && id % 10 === 1 ? 'failed' : 'ok';
      if (kind === 'put') lines.push(JSON.stringify({ type: 'op', id, kind, key: `/p/w/${id}`, value: `v${id}`, start, outcome: 'indeterminate', attempts: 1 }));
      lines.push(JSON.stringify({ type: 'op', id, kind, key: `/p/w/${id}`, ...(kind === 'put' ? { value: `v${id}` } : {}), start, end, outcome, attempts: 1 }));
      id++;
    }
  }
  return lines;
}

/** Write a run directory under `home`/runs and return it. */
export function writeSampleRun(home: string, journal = sampleJournal(), history = sampleHistory()): string {
  const dir = join(home, 'runs', (journal[0] as RunBeginRecord).runId);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'journal.jsonl'), journal.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(join(dir, 'history-1.jsonl'), history.join('\n') + '\n');
  return dir;
}
