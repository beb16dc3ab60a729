/**
 * Preflight: is the cluster fit to start a rolling upgrade? Pure, from one observation. Any blocker
 * refuses the run before anything is touched (no lock, no backup, no journal).
 */
import type { Finding } from '../core/finding.js';
import { appliedIndex, leaderOf, quorumSize, voters, type ClusterObservation } from './observation.js';

/** Preflight findings are plain SPEC findings (no source: they are observations of this cluster). */
export type PreflightFinding = Finding;

export interface PreflightResult {
  ok: boolean;
  findings: PreflightFinding[];
  /** Members that are down or unhealthy (names). */
  down: string[];
}

export interface PreflightOptions {
  /** Applied-index distance to the leader above which a member counts as behind. */
  maxAppliedLag: number;
}

export function preflight(obs: ClusterObservation, opts: PreflightOptions = { maxAppliedLag: 1000 }): PreflightResult {
  const f: PreflightFinding[] = [];
  const down = obs.members.filter((m) => !(m.reachable && m.healthy)).map((m) => m.name || m.id);
  for (const m of obs.members) {
    if (!m.reachable) f.push({ severity: 'blocker', code: 'member-down', message: `member ${m.name || m.id} does not answer${m.errors.length ? `: ${m.errors.join('; ')}` : ''}` });
    else if (!m.healthy) f.push({ severity: 'blocker', code: 'member-unhealthy', message: `member ${m.name || m.id} is unhealthy${m.errors.length ? `: ${m.errors.join('; ')}` : ''}` });
  }
  const leader = leaderOf(obs);
  if (!leader) f.push({ severity: 'blocker', code: 'no-leader', message: 'no member reports a leader' });
  if (obs.alarms.length > 0) f.push({ severity: 'blocker', code: 'alarms-active', message: `active alarms: ${obs.alarms.map((a) => `${a.alarm} on ${a.memberId}`).join(', ')}; disarm them first (etcdctl alarm disarm)` });
  const li = leader ? appliedIndex(leader) : undefined;
  if (li !== undefined) {
    for (const m of obs.members) {
      const mi = appliedIndex(m);
      if (m.reachable && mi !== undefined && li - mi > opts.maxAppliedLag) {
        f.push({ severity: 'blocker', code: 'member-behind', message: `member ${m.name} has applied ${mi}, ${li - mi} entries behind the leader (${li})` });
      }
    }
  }
  const vs = voters(obs);
  if (vs.length < 3) {
    f.push({ severity: 'blocker', code: 'quorum-at-risk', message: `${vs.length} voting member(s): stopping any one of them loses quorum, so a rolling upgrade would take the cluster down` });
  } else if (vs.filter((m) => m.reachable && m.healthy).length - 1 < quorumSize(vs.length)) {
    f.push({ severity: 'blocker', code: 'quorum-at-risk', message: `with one member stopped, fewer than ${quorumSize(vs.length)} of ${vs.length} voters would be healthy${down.length ? ` (down: ${down.join(', ')})` : ''}` });
  }
  const versions = [...new Set(obs.members.map((m) => m.version).filter((v): v is string => v !== undefined))];
  if (versions.length > 1) f.push({ severity: 'info', code: 'mixed-version', message: `members run ${versions.join(', ')}: members already on the target are skipped` });
  return { ok: !f.some((x) => x.severity === 'blocker'), findings: f, down };
}
