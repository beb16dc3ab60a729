/**
 * The executor's telemetry sink: what the dashboard and `report.html` chart beyond the step records —
 * the cluster as observed (per member: version, leader, applied index, db size) and gate values while a
 * member soaks. Records go into the run journal as `observation` / `gate-sample` (journal.ts), written
 * without an fsync of their own: a sample is not a decision, and fsyncing one a second would stall the
 * event loop the canary measures latency on.
 */
import type { JsonlJournal } from '../core/files.js';
import type { ClusterObservation } from './observation.js';
import { appliedIndex } from './observation.js';
import type { GateCheck } from './gates.js';
import type { Step } from './steps.js';
import type { ObservationRecord, ObservedMember, TelemetryRecord } from './journal.js';

export interface RunTelemetry {
  /** The executor observed the cluster (called at every observation; the sink decides what to keep). */
  observed(obs: ClusterObservation): void;
  /** Gate values of a soaking member, before the verdict. */
  gates(step: Step, checks: readonly GateCheck[]): void;
}

/** Observations kept at most this often, unless something changed (leader, version, reachability). */
export const OBSERVATION_INTERVAL_MS = 1000;

export function observedMembers(obs: ClusterObservation): ObservedMember[] {
  return obs.members.map((m) => ({
    name: m.name,
    id: m.id,
    reachable: m.reachable,
    healthy: m.healthy,
    leader: m.isLeader,
    ...(m.version !== undefined ? { version: m.version } : {}),
    ...(appliedIndex(m) !== undefined ? { applied: appliedIndex(m) } : {}),
    ...(m.dbSize !== undefined ? { dbSize: m.dbSize } : {}),
  }));
}

/** What makes an observation worth keeping at once: who leads, who answers, which version each runs. */
function shape(members: readonly ObservedMember[]): string {
  return members.map((m) => `${m.name}:${m.reachable ? 1 : 0}${m.healthy ? 1 : 0}${m.leader ? 'L' : ''}:${m.version ?? ''}`).join(',');
}

/** Telemetry into the run journal (unsynced appends). */
export function journalTelemetry(journal: JsonlJournal, now: () => number = Date.now): RunTelemetry {
  let lastAt = 0;
  let lastShape = '';
  const write = (r: TelemetryRecord): void => {
    try {
      journal.append(r as unknown as Record<string, unknown>, { sync: false });
    } catch {
      // Telemetry never stops a run (e.g. a sample after the journal was closed).
    }
  };
  return {
    observed(obs) {
      const members = observedMembers(obs);
      const s = shape(members);
      const t = now();
      if (s === lastShape && t - lastAt < OBSERVATION_INTERVAL_MS) return;
      lastAt = t;
      lastShape = s;
      const r: ObservationRecord = { type: 'observation', at: new Date(obs.at).toISOString(), ...(obs.clusterVersion ? { clusterVersion: obs.clusterVersion } : {}), members };
      write(r);
    },
    gates(step, checks) {
      write({ type: 'gate-sample', at: new Date(now()).toISOString(), step: step.id, member: step.member ?? '', checks: [...checks] });
    },
  };
}
