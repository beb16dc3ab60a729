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
  /** Status errors (alarms as strings, "etcdserver: no leader") or the probe's error. */
  errors: string[];
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

/** Quorum of a voting membership: floor(n/2) + 1 (etcd raft). */
export function quorumSize(votingMembers: number): number {
  return Math.floor(votingMembers / 2) + 1;
}

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

/** "3.5.30" -> [3, 5, 30]; pre-release suffixes ignored. */
export function versionParts(v: string): [number, number, number] {
  const [a, b, c] = v.replace(/^v/, '').split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  return [a ?? 0, b ?? 0, c ?? 0];
}

export function compareVersions(a: string, b: string): number {
  const x = versionParts(a);
  const y = versionParts(b);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

export function minorOf(v: string): string {
  const [a, b] = versionParts(v);
  return `${a}.${b}`;
}

export function sameVersion(a: string | undefined, b: string): boolean {
  return a !== undefined && compareVersions(a, b) === 0;
}
