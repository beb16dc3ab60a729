/**
 * Which cluster a run belongs to. A run records, when it begins, the cluster id and the member ids
 * of the cluster it upgrades (RunBeginRecord.target); every later process that acts for the run
 * (`upgrade resume`, `status`, `abort`, and the executor before each step that changes anything)
 * compares what it observes with that record, so a journal is never carried out against another
 * cluster — two local clusters both have members m1..m3, so names alone prove nothing.
 * Pure: unit-tested against hand-made observations (identity.test.ts).
 */
import { UsageError } from '../core/errors.js';
import type { ClusterObservation } from './observation.js';
import type { JournalRecord, RunBeginRecord } from './journal.js';

export interface RunMember {
  name: string;
  id: string;
}

/** The members to record at the start of a run (named ones: a member added but never started has no name). */
export function runMembers(obs: ClusterObservation): RunMember[] {
  return obs.members.filter((m) => m.name !== '').map((m) => ({ name: m.name, id: m.id }));
}

/** Member ids the run itself brought in: replacing a member as a fresh one gives it a new id (replace.ts, stage `add`). */
function replacementIds(records: readonly JournalRecord[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const r of records) {
    if (r.type !== 'rollback' || r.phase !== 'replace' || r.stage !== 'add' || r.status !== 'end' || !r.ok) continue;
    const id = r.detail?.newId;
    if (typeof id === 'string') out.set(r.member, (out.get(r.member) ?? new Set()).add(id));
  }
  return out;
}

/** "cluster 1c2d… (local cluster ca)" for messages. */
export function describeRunCluster(begin: RunBeginRecord): string {
  const t = begin.target;
  const where = t.cluster ? `local cluster ${t.cluster}` : `endpoints ${t.endpoints.join(',')}`;
  return `cluster ${t.clusterId ?? '(id not recorded)'} (${where})`;
}

/**
 * Why the observed cluster is not the run's, or undefined when it is (or when nothing tells them apart:
 * a journal from before ids were recorded, or no member answered). Checks, in order:
 *  - the cluster id;
 *  - every named member: its id must be the one recorded for its name when the run began, or one the run
 *    gave it by replacing it; a named member the run never knew is another cluster (or a changed one).
 * A member missing from the observation is fine (removed while being replaced); so is an unnamed one (added,
 * not started yet: the replacement stage `add` recognises it by its peer URL).
 */
export function clusterMismatch(begin: RunBeginRecord, records: readonly JournalRecord[], obs: ClusterObservation): string | undefined {
  const t = begin.target;
  if (t.clusterId && obs.clusterId && t.clusterId !== obs.clusterId) {
    return `the cluster reached has id ${obs.clusterId}, run ${begin.runId} belongs to ${describeRunCluster(begin)}`;
  }
  if (!t.members) return undefined;
  const recorded = new Map(t.members.map((m) => [m.name, m.id]));
  const replaced = replacementIds(records);
  for (const m of obs.members) {
    if (m.name === '') continue;
    const was = recorded.get(m.name);
    if (was === undefined) {
      return `the cluster reached${obs.clusterId ? ` (id ${obs.clusterId})` : ''} has a member ${m.name} (${m.id}) that was not in run ${begin.runId}'s ${describeRunCluster(begin)} when it began (members ${t.members.map((x) => `${x.name}=${x.id}`).join(', ')})`;
    }
    if (m.id !== was && !replaced.get(m.name)?.has(m.id)) {
      return `member ${m.name} of the cluster reached${obs.clusterId ? ` (id ${obs.clusterId})` : ''} has id ${m.id}, but in run ${begin.runId}'s ${describeRunCluster(begin)} ${m.name} is ${was}`;
    }
  }
  return undefined;
}

export function isWrongCluster(e: unknown): e is UsageError {
  return e instanceof UsageError && e.code === 'wrong-cluster';
}

/** Refusal to act for a run on a cluster that is not its own: exit 2, nothing touched. */
export function wrongCluster(begin: RunBeginRecord, observedClusterId: string | undefined, why: string, pointedAt?: string): UsageError {
  return new UsageError(`${pointedAt ? `${pointedAt}: ` : ''}${why}; nothing was touched`, {
    code: 'wrong-cluster',
    hint: `point the command at the run's cluster (${begin.target.cluster ? `--cluster ${begin.target.cluster}` : `--endpoints ${begin.target.endpoints.join(',')}`}), or leave out --run to pick the newest run of the cluster you named`,
    details: { runId: begin.runId, runClusterId: begin.target.clusterId ?? null, clusterId: observedClusterId ?? null },
  });
}
