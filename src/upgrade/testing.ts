/** Hand-made cluster observations for unit tests of the pure upgrade logic. */
import type { ClusterObservation, MemberObservation } from './observation.js';

export function member(name: string, over: Partial<MemberObservation> = {}): MemberObservation {
  return {
    id: `id-${name}`,
    name,
    clientURLs: [`http://127.0.0.1:${name}`],
    peerURLs: [`http://127.0.0.1:${name}p`],
    isLearner: false,
    reachable: true,
    healthy: true,
    version: '3.4.23',
    isLeader: false,
    raftIndex: 1000,
    raftAppliedIndex: 1000,
    raftTerm: 2,
    errors: [],
    ...over,
  };
}

/** A cluster of members named m1..mN on `version`, `leader` leading. */
export function cluster(n: number, opts: { version?: string; leader?: string; clusterVersion?: string; over?: Record<string, Partial<MemberObservation>> } = {}): ClusterObservation {
  const leader = opts.leader ?? 'm1';
  const members = Array.from({ length: n }, (_, i) => {
    const name = `m${i + 1}`;
    return member(name, { version: opts.version ?? '3.4.23', isLeader: name === leader, ...(opts.over?.[name] ?? {}) });
  });
  return {
    at: 0,
    clusterId: 'c1',
    clusterVersion: opts.clusterVersion ?? '3.4.0',
    leaderId: members.find((m) => m.isLeader)?.id,
    members,
    alarms: [],
  };
}
