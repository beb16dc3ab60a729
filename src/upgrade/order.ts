/**
 * Which member next, and what to do about leadership.
 *
 * Order: learners, then followers, the leader last, so the cluster goes through one leader change at
 * most per hop (etcd-operator PR #403 and gardener DEP-07 do the same). Within a group, by name, so a
 * plan is deterministic.
 *
 * Leadership: before the leader stops it must be handed to a member that already runs the target, or
 * the next upgrade step stops the new leader again. etcd's graceful stop transfers leadership itself
 * (etcd@v3.6.14:server/etcdserver/server.go:1333 TryTransferLeadershipOnShutdown; 3.4:
 * etcd@v3.4.45:etcdserver/server.go:1654), to the longest-connected follower. Measured
 * (shared/reference/manual-upgrade-baseline.md): an explicit MoveLeader adds "raft proposal dropped"
 * errors for writes in flight during the transfer; the built-in transfer on SIGTERM does not. So when
 * every other voter already runs the target, the graceful stop is the handoff; MoveLeader is used only
 * when the leader is not the last member (leadership moved to it mid-run) and an upgraded member exists.
 */
import { appliedIndex, leaderOf, sameVersion, voters, type ClusterObservation, type MemberObservation } from './observation.js';

export interface OrderedMember {
  name: string;
  id: string;
  role: 'learner' | 'follower' | 'leader';
}

/** Members still to upgrade to `target`, in upgrade order. Members already on `target` are left out. */
export function orderMembers(obs: ClusterObservation, target: string): OrderedMember[] {
  const leader = leaderOf(obs);
  const pending = obs.members.filter((m) => !sameVersion(m.version, target));
  const role = (m: MemberObservation): OrderedMember['role'] => (m.isLearner ? 'learner' : leader && m.id === leader.id ? 'leader' : 'follower');
  const rank = { learner: 0, follower: 1, leader: 2 } as const;
  return pending
    .map((m) => ({ name: m.name, id: m.id, role: role(m) }))
    .sort((a, b) => rank[a.role] - rank[b.role] || a.name.localeCompare(b.name));
}

export type LeaderTransferPolicy = 'auto' | 'move-leader' | 'graceful-stop';

export type LeadershipAction =
  | { action: 'none'; reason: string }
  | { action: 'graceful-stop'; reason: string }
  | { action: 'move-leader'; to: string; toId: string; reason: string }
  | { action: 'pick-another-member'; reason: string };

/**
 * Decide what to do about leadership before `member` stops. Pure; the executor re-evaluates it on a
 * fresh observation right before the stop, since leadership can move at any time.
 */
export function leadershipAction(obs: ClusterObservation, member: string, target: string, policy: LeaderTransferPolicy = 'auto'): LeadershipAction {
  const leader = leaderOf(obs);
  if (!leader || leader.name !== member) return { action: 'none', reason: `${member} is not the leader` };
  const others = voters(obs).filter((m) => m.name !== member);
  if (others.length === 0) return { action: 'none', reason: `${member} is the only voting member` };
  const transferee = chooseTransferee(obs, member, target);
  const othersDone = others.every((m) => sameVersion(m.version, target));
  if (policy === 'graceful-stop' || (policy === 'auto' && othersDone)) {
    if (othersDone) return { action: 'graceful-stop', reason: `every other voter runs ${target}: etcd hands leadership over itself on a graceful stop` };
    if (policy === 'graceful-stop') return { action: 'graceful-stop', reason: 'leader transfer by graceful stop, as configured' };
  }
  if (transferee) {
    return { action: 'move-leader', to: transferee.name, toId: transferee.id, reason: `${member} leads while members still run the old version: hand leadership to ${transferee.name}, which runs ${target}` };
  }
  // No upgraded member yet (leadership moved onto the member we are about to stop): upgrade a follower first.
  return { action: 'pick-another-member', reason: `${member} leads and no healthy member runs ${target} yet: upgrade a follower first` };
}

/** A healthy voter already on `target`, the most caught-up first (ties by name). */
export function chooseTransferee(obs: ClusterObservation, member: string, target: string): MemberObservation | undefined {
  return voters(obs)
    .filter((m) => m.name !== member && m.reachable && m.healthy && sameVersion(m.version, target))
    .sort((a, b) => (appliedIndex(b) ?? -1) - (appliedIndex(a) ?? -1) || a.name.localeCompare(b.name))[0];
}

/**
 * The member to upgrade next among `remaining` (names, planned order), given who leads now: the first
 * one that is not the leader, or the leader when it is the only one left.
 */
export function nextMember(obs: ClusterObservation, remaining: readonly string[]): string | undefined {
  const leader = leaderOf(obs);
  return remaining.find((n) => !leader || n !== leader.name) ?? remaining[0];
}
