/**
 * Replacing a member as a fresh one: the last resort of a rollback, when the old binary cannot open the
 * data the new one left (it exits at start-up, or never becomes ready). The member is removed from the
 * membership, added back with the same peer URL, its data dir moved aside (never deleted), and it is
 * started empty with `--initial-cluster-state existing`, so it receives a snapshot from the leader and
 * catches up (etcd-io/website content/en/docs/v3.5/op-guide/runtime-configuration.md "Replace a failed
 * member"; the joiner must list the current membership, etcd@v3.5.16:server/etcdserver/api/membership/
 * cluster.go ValidateClusterAndAssignIDs). Every stage is journaled begin/end (RollbackRecord with
 * phase 'replace'); this module holds the pure parts: may we, and how far did an earlier process get.
 */
import { minorOf, quorumSize, voters, type ClusterObservation, type MemberObservation } from './observation.js';
import type { JournalRecord, RollbackRecord } from './journal.js';

export const REPLACE_STAGES = ['begin', 'stop', 'remove', 'add', 'move-aside', 'start', 'ready'] as const;
export type ReplaceStage = (typeof REPLACE_STAGES)[number];

/** What an earlier process journaled about a replacement of `member`. */
export interface ReplaceProgress {
  started: boolean;
  ended: Set<ReplaceStage>;
  begun: Set<ReplaceStage>;
  /** The id the member had before it was removed, its URLs (from stage 'begin'). */
  oldId?: string | undefined;
  peerURL?: string | undefined;
  clientURL?: string | undefined;
  /** The id MemberAdd gave it, and the membership the fresh member must be started with (stage 'add'). */
  newId?: string | undefined;
  initialCluster?: string | undefined;
  /** Where the data dir went (stage 'move-aside'). */
  aside?: unknown;
}

export function replaceProgress(records: readonly JournalRecord[], member: string): ReplaceProgress {
  const p: ReplaceProgress = { started: false, ended: new Set(), begun: new Set() };
  for (const r of records) {
    if (r.type !== 'rollback' || r.member !== member || r.phase !== 'replace' || !r.stage) continue;
    p.started = true;
    if (r.status === 'begin') p.begun.add(r.stage);
    if (r.status === 'end' && r.ok !== false) {
      p.ended.add(r.stage);
      const d = r.detail ?? {};
      if (r.stage === 'begin') {
        p.oldId = str(d.oldId);
        p.peerURL = str(d.peerURL);
        p.clientURL = str(d.clientURL);
      }
      if (r.stage === 'add') {
        p.newId = str(d.newId);
        p.initialCluster = str(d.initialCluster);
      }
      if (r.stage === 'move-aside') p.aside = d.aside;
    }
  }
  return p;
}

/** Has a replacement of `member` been begun in this run (then a resume continues it, never a plain restart)? */
export function replacementBegun(records: readonly JournalRecord[], member: string): boolean {
  return records.some((r): r is RollbackRecord => r.type === 'rollback' && r.member === member && r.phase === 'replace');
}

export type ReplaceVerdict = { ok: true } | { ok: false; reason: string };

/**
 * May `member` be removed and re-added now? The other voters must be healthy with a leader and keep a
 * quorum of the smaller membership; and for a minor hop some other member must still run the old minor:
 * otherwise, between MemberRemove and MemberAdd, every remaining member reports the new version and the
 * leader raises the cluster version (it checks about every 4 s, and a member that does not answer stops
 * it only while it is in the membership: etcd@v3.5.16:server/etcdserver/cluster_util.go decideClusterVersion),
 * after which the old binary could never join again.
 */
export function replacementGuard(obs: ClusterObservation, member: string, hop: { from: string; to: string }, oldPeerURL: string | undefined): ReplaceVerdict {
  const target = obs.members.find((m) => m.name === member || (oldPeerURL !== undefined && m.peerURLs.includes(oldPeerURL)));
  const others = voters(obs).filter((m) => m !== target);
  const healthy = others.filter((m) => m.reachable && m.healthy);
  if (minorOf(hop.from) !== minorOf(hop.to)) {
    if (obs.clusterVersion && minorOf(obs.clusterVersion) === minorOf(hop.to)) {
      return { ok: false, reason: `the cluster version is already ${obs.clusterVersion}: etcd ${hop.from} can no longer join` };
    }
    const oldOnes = others.filter((m) => m.version !== undefined && minorOf(m.version) === minorOf(hop.from));
    if (oldOnes.length === 0) {
      return { ok: false, reason: `every other member already runs ${minorOf(hop.to)}: while ${member} is out of the membership the leader would raise the cluster version to ${minorOf(hop.to)}, and etcd ${hop.from} could never join again` };
    }
  }
  if (!others.some((m) => m.isLeader) && !obs.leaderId) return { ok: false, reason: 'the cluster has no leader' };
  const down = others.filter((m) => !(m.reachable && m.healthy)).map((m) => m.name || m.id);
  // After removal the membership has `others.length` voters; all must keep a quorum of it (and of the re-added size).
  const needed = Math.max(quorumSize(others.length), quorumSize(others.length + 1));
  if (healthy.length < needed) {
    return { ok: false, reason: `only ${healthy.length} other member(s) are healthy, fewer than the ${needed} needed to remove and re-add ${member} safely${down.length ? ` (down: ${down.join(', ')})` : ''}` };
  }
  return { ok: true };
}

/** The membership a fresh member is started with: `name=peerURL,...`, the member itself under its own name. */
export function initialClusterFor(members: readonly Pick<MemberObservation, 'name' | 'peerURLs' | 'id'>[], self: { name: string; id: string }): string {
  return members
    .map((m) => ({ name: m.id === self.id ? self.name : m.name, urls: m.peerURLs }))
    .filter((m) => m.name !== '' && m.urls.length > 0)
    .flatMap((m) => m.urls.map((u) => `${m.name}=${u}`))
    .join(',');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
