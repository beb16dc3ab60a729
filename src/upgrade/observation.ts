/**
 * What the executor knows about the cluster at one moment: the input of every pure decision in
 * src/upgrade (ordering, quorum guard, gates, resume). Produced by `observeCluster` (I/O), consumed
 * by pure functions, so each decision is unit-tested against hand-made observations.
 */

export interface MemberObservation {
  /** Member id (hex, as etcdctl prints it). */
  id: string;
  name: string;
  clientURLs: string[];
  peerURLs: string[];
  isLearner: boolean;
  /** Answered Status within the deadline. */
  reachable: boolean;
  /** /health (or an equivalent linearizable probe) succeeded. */
  healthy: boolean;
  /** Server binary version from Status. */
  version?: string | undefined;
  isLeader: boolean;
  raftIndex?: number | undefined;
  /** 3.4+; older servers only report the committed index. */
  raftAppliedIndex?: number | undefined;
  raftTerm?: number | undefined;
  /** Backend size in bytes (Status dbSize). */
  dbSize?: number | undefined;
  /** Status errors (alarms as strings, "etcdserver: no leader") or the probe's error. */
  errors: string[];
  /** 3.6+: the storage version (`3.6.0`); undefined before 3.6 or when not reachable. */
  storageVersion?: string | undefined;
  /** 3.6+: the downgrade as this member knows it (a 3.5 member's Status has none). */
  downgrade?: { enabled: boolean; targetVersion: string } | undefined;
}

export interface AlarmObservation {
  memberId: string;
  alarm: string;
}

export interface ClusterObservation {
  /** Epoch ms. */
  at: number;
  clusterId?: string | undefined;
  /** From /version (`etcdcluster`), e.g. "3.5.0"; undefined when unknown. */
  clusterVersion?: string | undefined;
  /** Member id of the leader, when some member reports one. */
  leaderId?: string | undefined;
  members: MemberObservation[];
  alarms: AlarmObservation[];
}

export function voters(obs: ClusterObservation): MemberObservation[] {
  return obs.members.filter((m) => !m.isLearner);
}

export { quorumSize } from '../core/raft.js';

export function findByName(obs: ClusterObservation, name: string): MemberObservation | undefined {
  return obs.members.find((m) => m.name === name);
}

export function leaderOf(obs: ClusterObservation): MemberObservation | undefined {
  return obs.members.find((m) => m.isLeader) ?? (obs.leaderId ? obs.members.find((m) => m.id === obs.leaderId) : undefined);
}

/** The index a member has applied: the applied index where reported (3.4+), else the committed index (3.3). */
export function appliedIndex(m: MemberObservation): number | undefined {
  return m.raftAppliedIndex ?? m.raftIndex;
}

// Version arithmetic is core's (one lenient major.minor.patch parser for the whole project).
export { versionParts, compareVersionParts as compareVersions, minorOf } from '../core/version.js';
import { compareVersionParts } from '../core/version.js';

export function sameVersion(a: string | undefined, b: string): boolean {
  return a !== undefined && compareVersionParts(a, b) === 0;
}
