/**
 * quorumGuard: never stop a member when that would leave fewer than a quorum of voting members healthy.
 * Raft needs a majority of voters to commit (etcd raft quorum = floor(n/2)+1); learners do not count.
 */
import { quorumSize, voters, type ClusterObservation } from './observation.js';

export type QuorumVerdict =
  | { ok: true; healthyAfter: number; quorum: number; voters: number }
  | { ok: false; healthyAfter: number; quorum: number; voters: number; down: string[]; message: string };

export function quorumGuard(obs: ClusterObservation, memberToStop: string): QuorumVerdict {
  const target = obs.members.find((m) => m.name === memberToStop);
  const vs = voters(obs);
  const quorum = quorumSize(vs.length);
  const down = vs.filter((m) => !(m.reachable && m.healthy) && m.name !== memberToStop).map((m) => m.name || m.id);
  // A learner holds no vote: stopping it cannot cost quorum.
  const stopsAVoter = target !== undefined && !target.isLearner;
  const healthyAfter = vs.filter((m) => m.reachable && m.healthy && !(stopsAVoter && m.name === memberToStop)).length;
  if (healthyAfter >= quorum) return { ok: true, healthyAfter, quorum, voters: vs.length };
  const downText = down.length > 0 ? `; down: ${down.join(', ')}` : '';
  const message =
    vs.length === 1
      ? `stopping ${memberToStop} would stop the only voting member: the cluster would be unavailable until it is back`
      : `stopping ${memberToStop} would leave ${healthyAfter} of ${vs.length} voting members healthy, fewer than the quorum of ${quorum}${downText}`;
  return { ok: false, healthyAfter, quorum, voters: vs.length, down, message };
}
