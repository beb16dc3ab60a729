/**
 * From an observation to the status result: member rows, cluster fields, health and findings. Pure and
 * deterministic (no I/O, no clock); the knowledge base is passed in so tests can use a fixed one.
 */
import { minorOf, versionAtLeast } from '../client/types.js';
import { sortBySeverity } from '../core/finding.js';
import { quorumSize } from '../core/raft.js';
import { advisoriesAffecting, eolStatus, knownBadPatches, staleFindings, standingOf } from '../knowledge/index.js';
import { v36Findings } from './v36.js';
import type { Finding, MemberObservation, MemberStatus, StatusAlarm, StatusObservation, StatusResult } from './model.js';

/** The knowledge-base lookups status needs (src/knowledge). */
export interface StatusKnowledge {
  eol(version: string): { status: string; latest?: string | undefined; finalRelease?: string | undefined; note?: string | undefined; source: string } | undefined;
  badPatches(version: string): { id: string; recommendedMinimum: string; reason: string; source: string }[];
  advisories(version: string): { id: string; kind: string; severity: string }[];
  /** `knowledge-stale` (a version newer than the data) and `version-unknown` findings for a version. */
  currency?(version: string): { severity: 'warning' | 'info'; code: string; message: string; source?: string | undefined }[];
}

export const defaultKnowledge: StatusKnowledge = {
  eol: (v) => eolStatus(v),
  badPatches: (v) => knownBadPatches(v),
  advisories: (v) => advisoriesAffecting(v),
  currency: (v) => {
    const st = standingOf(v);
    if (st.accepted) return staleFindings(v).map((f) => ({ ...f, severity: f.severity === 'info' ? 'info' : 'warning' }));
    return [{ severity: 'warning', code: 'version-unknown', message: `${st.reason}: upshift cannot tell its end-of-life status, bad patches or advisories` }];
  },
};

/** etcd's default backend quota when --quota-backend-bytes is unset (etcd@v3.6.14:server/storage/quota.go:30). */
export const DEFAULT_QUOTA_BYTES = 2 * 1024 * 1024 * 1024;
/** etcd refuses new requests when committed - applied exceeds this (etcd@v3.6.14:server/etcdserver/v3_server.go:49,839). */
export const MAX_APPLY_GAP = 5000;

const SRC = {
  mixed: 'etcd.io/docs/v3.5/upgrades/upgrade_3_5/ ("operates with the protocol of the lowest common version"); etcd@v3.6.14:server/etcdserver/version/monitor.go',
  quorum: 'etcd.io/docs/v3.5/faq/ (a cluster of N members tolerates (N-1)/2 failures)',
  nospace: 'etcd@v3.6.14:server/etcdserver/api/v3alarm; etcd.io/docs/v3.5/op-guide/maintenance/#space-quota',
  corrupt: 'etcd.io/docs/v3.6/op-guide/data_corruption/',
  quota: 'etcd@v3.6.14:contrib/mixin/alerts/alerts.libsonnet (etcdDatabaseQuotaLowSpace: >95% critical)',
  frag: 'etcd@v3.6.14:contrib/mixin/alerts/alerts.libsonnet:222 (etcdDatabaseHighFragmentationRatio)',
  applyGap: 'etcd@v3.6.14:server/etcdserver/v3_server.go:49 maxGapBetweenApplyAndCommitIndex = 5000',
  learner: 'etcd.io/docs/v3.5/learning/design-learner/',
  noLeader: 'etcd@v3.6.14:contrib/mixin/alerts/alerts.libsonnet (etcdNoLeader)',
};

const label = (o: MemberObservation): string => o.member.name || o.status?.memberId || o.endpoint || o.member.id;

function memberRow(o: MemberObservation, leader: string | null): MemberStatus {
  const s = o.status;
  const errors: string[] = [];
  if (o.statusError) errors.push(o.statusError);
  if (s) for (const e of s.errors) errors.push(e);
  if (o.health && !o.health.healthy && o.health.error && !errors.includes(o.health.error)) errors.push(o.health.error);
  const id = s?.memberId ?? o.member.id;
  const quota = s?.dbSizeQuota ?? o.metrics?.quotaBytes;
  const healthy = s !== undefined && (o.health?.healthy ?? false) && s.leader !== '0';
  if (s && s.leader === '0' && !errors.some((e) => e.includes('no leader'))) errors.push('member sees no leader');
  return {
    id,
    name: o.member.name,
    endpoint: o.endpoint ?? null,
    clientURLs: o.member.clientURLs,
    peerURLs: o.member.peerURLs,
    isLearner: s?.isLearner ?? o.member.isLearner,
    version: s?.version ?? o.version?.etcdserver ?? null,
    storageVersion: s?.storageVersion ?? o.version?.storage ?? null,
    isLeader: leader !== null && id === leader,
    raftTerm: s?.raftTerm ?? null,
    raftIndex: s?.raftIndex ?? null,
    raftAppliedIndex: s?.raftAppliedIndex ?? null,
    dbSize: s?.dbSize ?? null,
    dbSizeInUse: s?.dbSizeInUse ?? null,
    dbSizeQuota: quota ?? null,
    downgradeInfo: s?.downgradeInfo ?? null,
    featureGates: o.metrics?.featureGates && o.metrics.featureGates.length > 0 ? o.metrics.featureGates : null,
    healthy,
    errors,
  };
}

/** The leader as the members with the highest raft term see it (a stale member may still name an old one). */
function electLeader(obs: StatusObservation): string | null {
  let best: { term: number; leader: string } | undefined;
  for (const m of obs.members) {
    const s = m.status;
    if (!s || s.leader === '0') continue;
    if (!best || s.raftTerm > best.term) best = { term: s.raftTerm, leader: s.leader };
  }
  return best?.leader ?? null;
}

function clusterVersionOf(obs: StatusObservation, leader: string | null): string | null {
  const fromVersion = (m: MemberObservation): string | undefined => {
    const v = m.version?.etcdcluster;
    return v && /^\d+\.\d+/.test(v) ? v : undefined;
  };
  const leaderObs = obs.members.find((m) => m.status?.memberId === leader);
  const direct = (leaderObs && fromVersion(leaderObs)) ?? obs.members.map(fromVersion).find((v) => v !== undefined);
  if (direct) return direct;
  // Fallback: the etcd_cluster_version metric (3.3.18+/3.4+; major.minor only since 3.5), shown as X.Y.0 like /version.
  const metric = obs.members.map((m) => m.metrics?.clusterVersion).find((v) => v && /^\d+\.\d+/.test(v));
  if (!metric) return null;
  return /^\d+\.\d+$/.test(metric) ? `${metric}.0` : metric.replace(/^(\d+\.\d+)\..*$/, '$1.0');
}

export function assessStatus(obs: StatusObservation, kb: StatusKnowledge = defaultKnowledge): StatusResult {
  const leader = electLeader(obs);
  const members = obs.members.map((m) => memberRow(m, leader));
  const names = new Map(members.map((m) => [m.id, m.name || m.endpoint || m.id]));
  const clusterIds = [...new Set(obs.members.map((m) => m.status?.clusterId).filter((x): x is string => x !== undefined))];
  const alarms: StatusAlarm[] = (obs.alarms ?? []).map((a) => ({ memberId: a.memberId, memberName: names.get(a.memberId) ?? null, alarm: a.alarm }));
  const findings: Finding[] = [];
  const add = (f: Finding): void => {
    findings.push(f);
  };

  // ---- members and quorum
  const unhealthy = members.filter((m) => !m.healthy);
  for (const m of unhealthy) {
    add({
      severity: 'blocker',
      code: 'member-unhealthy',
      message: `member ${m.name || m.id} (${m.endpoint ?? 'no client URL'}) is not healthy: ${m.errors.join('; ') || 'health check failed'}`,
      members: [m.name || m.id],
    });
  }
  if (clusterIds.length > 1) {
    add({ severity: 'blocker', code: 'cluster-id-mismatch', message: `the endpoints belong to different clusters (${clusterIds.join(', ')}); pass the endpoints of one cluster` });
  }
  const reachable = members.filter((m) => m.version !== null && m.raftTerm !== null);
  if (leader === null && reachable.length > 0) {
    add({ severity: 'blocker', code: 'no-leader', message: 'no member knows a leader: the cluster cannot serve writes or linearizable reads', source: SRC.noLeader });
  }
  const voters = members.filter((m) => !m.isLearner);
  const healthyVoters = voters.filter((m) => m.healthy).length;
  const n = voters.length;
  const quorum = quorumSize(n);
  if (obs.memberListFrom !== undefined && n > 0) {
    if (healthyVoters < quorum) {
      add({ severity: 'blocker', code: 'quorum-lost', message: `only ${healthyVoters} of ${n} voting members are healthy; ${quorum} are needed for quorum`, source: SRC.quorum });
    } else if (healthyVoters === quorum) {
      if (n === 1) add({ severity: 'info', code: 'quorum-at-risk', message: 'single-member cluster: it tolerates no failure, and restarting the member makes it unavailable', source: SRC.quorum });
      else
        add({
          severity: n === 2 ? 'warning' : 'blocker',
          code: 'quorum-at-risk',
          message: `${healthyVoters} of ${n} voting members are healthy, exactly the quorum: one more failure (or restarting a member for an upgrade) loses quorum`,
          source: SRC.quorum,
        });
    }
  }

  // ---- versions
  const versions = [...new Set(members.map((m) => m.version).filter((v): v is string => v !== null))];
  const minors = [...new Set(versions.map(minorOf))].sort((a, b) => (versionAtLeast(a, b) ? 1 : -1));
  if (minors.length > 1) {
    const byMinor = minors.map((mi) => `${mi}: ${members.filter((m) => m.version && minorOf(m.version) === mi).map((m) => m.name || m.id).join(', ')}`).join('; ');
    add({
      severity: 'warning',
      code: 'mixed-version',
      message: `members run different minor versions (${byMinor}). The cluster runs at the protocol of the lowest (${minors[0]}) until every member runs ${minors[minors.length - 1]}; finish the upgrade (or roll the newer members back) soon, and make no other changes meanwhile`,
      source: SRC.mixed,
    });
  } else if (versions.length > 1) {
    add({ severity: 'info', code: 'mixed-patch', message: `members run different patch releases of ${minors[0]}: ${versions.sort().join(', ')}` });
  }
  for (const v of versions.sort()) {
    const who = members.filter((m) => m.version === v).map((m) => m.name || m.id);
    for (const f of kb.currency?.(v) ?? []) add({ ...f, members: who });
    const eol = kb.eol(v);
    if (eol && eol.status === 'eol') {
      add({
        severity: 'warning',
        code: 'version-eol',
        message: `etcd ${v} is on the ${minorOf(v)} line, which upstream no longer supports${eol.finalRelease ? ` (final release ${eol.finalRelease})` : ''}: plan an upgrade`,
        source: eol.source,
        members: who,
      });
    }
    for (const b of kb.badPatches(v)) {
      add({ severity: 'warning', code: 'known-bad-patch', message: `etcd ${v}: ${b.reason}; upgrade to at least ${b.recommendedMinimum}`, source: b.source, members: who });
    }
    const adv = kb.advisories(v);
    if (adv.length > 0) {
      const serious = adv.filter((a) => a.severity === 'critical' || a.severity === 'high' || a.kind === 'data-integrity');
      add({
        severity: serious.length > 0 ? 'warning' : 'info',
        code: 'advisories',
        message: `${adv.length} known advisories affect etcd ${v}${serious.length > 0 ? ` (high, critical or data-integrity: ${serious.map((a) => a.id).join(', ')})` : ''}; \`upshift plan --to <version>\` shows which an upgrade fixes`,
        members: who,
      });
    }
  }

  // ---- alarms
  for (const a of alarms) {
    if (a.alarm === 'NOSPACE') {
      add({ severity: 'blocker', code: 'alarm-nospace', message: `NOSPACE alarm raised by ${a.memberName ?? a.memberId}: the cluster accepts only reads and deletes. Compact, defragment every member, then disarm the alarm`, source: SRC.nospace });
    } else if (a.alarm === 'CORRUPT') {
      add({ severity: 'blocker', code: 'alarm-corrupt', message: `CORRUPT alarm raised by ${a.memberName ?? a.memberId}: members disagree on their data. Do not upgrade; find the divergent member (upshift check consistency) and replace it from a good snapshot`, source: SRC.corrupt });
    } else if (a.alarm !== 'NONE') {
      add({ severity: 'blocker', code: `alarm-${a.alarm.toLowerCase()}`, message: `alarm ${a.alarm} raised by ${a.memberName ?? a.memberId}` });
    }
  }
  if (obs.alarmsError) add({ severity: 'warning', code: 'alarms-unknown', message: `could not read the alarm list: ${obs.alarmsError}` });

  // ---- storage
  for (const m of members) {
    if (m.dbSize === null) continue;
    const quota = m.dbSizeQuota ?? DEFAULT_QUOTA_BYTES;
    const ratio = m.dbSize / quota;
    const quotaText = m.dbSizeQuota === null ? `${formatMiB(quota)} (etcd's default; the quota was not readable)` : formatMiB(quota);
    if (ratio >= 0.8) {
      add({
        severity: ratio >= 0.95 ? 'blocker' : 'warning',
        code: 'db-near-quota',
        message: `member ${m.name || m.id}: database ${formatMiB(m.dbSize)} is ${(ratio * 100).toFixed(0)}% of the quota ${quotaText}; compact and defragment before upgrading (a NOSPACE alarm stops writes)`,
        source: SRC.quota,
        members: [m.name || m.id],
      });
    }
    if (m.dbSizeInUse !== null && m.dbSize > 100 * 1024 * 1024 && m.dbSizeInUse / m.dbSize < 0.5) {
      add({ severity: 'info', code: 'db-fragmented', message: `member ${m.name || m.id}: only ${formatMiB(m.dbSizeInUse)} of ${formatMiB(m.dbSize)} is in use; defragmenting would shrink it`, source: SRC.frag, members: [m.name || m.id] });
    }
  }

  // ---- raft progress
  const leaderRow = members.find((m) => m.isLeader);
  for (const m of members) {
    if (m.raftIndex !== null && m.raftAppliedIndex !== null && m.raftIndex - m.raftAppliedIndex > MAX_APPLY_GAP) {
      add({
        severity: 'warning',
        code: 'raft-index-lag',
        message: `member ${m.name || m.id} has applied ${m.raftAppliedIndex} of ${m.raftIndex} committed entries; beyond ${MAX_APPLY_GAP} it rejects requests ("too many requests")`,
        source: SRC.applyGap,
        members: [m.name || m.id],
      });
    } else if (leaderRow && m !== leaderRow && m.raftIndex !== null && leaderRow.raftIndex !== null && leaderRow.raftIndex - m.raftIndex > MAX_APPLY_GAP) {
      add({ severity: 'warning', code: 'raft-index-lag', message: `member ${m.name || m.id} is ${leaderRow.raftIndex - m.raftIndex} entries behind the leader`, source: SRC.applyGap, members: [m.name || m.id] });
    }
  }

  // ---- membership
  const learners = members.filter((m) => m.isLearner);
  if (learners.length > 0) {
    add({ severity: 'info', code: 'learner-present', message: `learner member(s) ${learners.map((m) => m.name || m.id).join(', ')}: they do not vote; promote them (or remove them) before an upgrade`, source: SRC.learner });
  }
  if (obs.memberListError) add({ severity: 'warning', code: 'member-list-unavailable', message: `could not read the member list: ${obs.memberListError}; only the given endpoints are shown` });

  // ---- 3.6+: storage version, downgrade, feature gates, deprecated flags
  const clusterVersion = clusterVersionOf(obs, leader);
  for (const f of v36Findings(members, clusterVersion, obs.settings)) add(f);

  const healthy = members.length > 0 && unhealthy.length === 0 && leader !== null && clusterIds.length <= 1 && alarms.every((a) => a.alarm === 'NONE') && !findings.some((f) => f.code === 'quorum-lost');
  return {
    healthy,
    clusterId: clusterIds[0] ?? null,
    clusterVersion,
    leader,
    members,
    alarms,
    findings: sortBySeverity(findings),
  };
}


function formatMiB(n: number): string {
  return n >= 1024 * 1024 * 1024 ? `${(n / 1024 / 1024 / 1024).toFixed(1)} GiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
