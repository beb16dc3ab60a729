/**
 * observeCluster: one ClusterObservation from the live cluster (I/O), on top of `upshift status`'s
 * discovery (member list, per-member Status, health, /version, alarms), with short deadlines so a
 * stopped member costs a fast "unreachable", not a stall.
 */
import { connect } from 'node:net';
import type { ConnectionConfig } from '../client/connection.js';
import { discoverStatus } from '../status/discover.js';
import type { ClusterObservation, MemberObservation } from './observation.js';

export interface ObserveOptions {
  signal?: AbortSignal | undefined;
  /** Per-call deadline (default 2 s). */
  timeoutMs?: number;
}

export async function observeCluster(config: ConnectionConfig, opts: ObserveOptions = {}): Promise<ClusterObservation> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const quick: ConnectionConfig = { ...config, commandTimeoutMs: Math.min(config.commandTimeoutMs, timeoutMs), dialTimeoutMs: Math.min(config.dialTimeoutMs, timeoutMs) };
  const d = await discoverStatus(quick, { metrics: false, ...(opts.signal ? { signal: opts.signal } : {}) });
  let clusterVersion: string | undefined;
  let clusterId: string | undefined;
  const members: MemberObservation[] = d.members.map((m) => {
    const s = m.status;
    if (s && !clusterId) clusterId = s.clusterId;
    const cv = m.version?.etcdcluster;
    if (cv && /^\d+\.\d+/.test(cv) && (!clusterVersion || cv > clusterVersion)) clusterVersion = cv;
    const errors = [...(s?.errors ?? [])];
    if (m.statusError) errors.push(m.statusError);
    if (m.health && !m.health.healthy && m.health.error) errors.push(m.health.error);
    return {
      id: m.member.id,
      name: m.member.name,
      clientURLs: m.member.clientURLs,
      peerURLs: m.member.peerURLs,
      isLearner: m.member.isLearner,
      reachable: s !== undefined,
      healthy: s !== undefined && m.health?.healthy === true,
      version: s?.version,
      isLeader: s !== undefined && s.leader !== '0' && s.leader === s.memberId,
      raftIndex: s?.raftIndex,
      raftAppliedIndex: s?.raftAppliedIndex,
      raftTerm: s?.raftTerm,
      dbSize: s?.dbSize,
      errors,
      storageVersion: s?.storageVersion ?? m.version?.storage,
      downgrade: s?.downgradeInfo,
    };
  });
  // The leader as the members see it (the highest term wins when they disagree mid-election).
  const seen = d.members.filter((m) => m.status && m.status.leader !== '0').sort((a, b) => b.status!.raftTerm - a.status!.raftTerm);
  const leaderId = seen[0]?.status?.leader;
  return {
    at: Date.now(),
    clusterId,
    clusterVersion,
    leaderId,
    members,
    alarms: (d.alarms ?? []).map((a) => ({ memberId: a.memberId, alarm: a.alarm })),
  };
}

/** The client URL of a member, preferring one of the configured endpoints. */
export function memberEndpoint(m: MemberObservation, endpoints: readonly string[]): string | undefined {
  const norm = (u: string): string => u.replace(/\/+$/, '');
  return m.clientURLs.map(norm).find((u) => endpoints.includes(u)) ?? m.clientURLs[0];
}

/**
 * A cheap liveness probe: TCP connect to a client URL's port. "refused" proves nothing listens there
 * (the member is down) without paying a gRPC dial deadline; "open" means something accepts connections.
 */
export function tcpProbe(url: string, timeoutMs = 500): Promise<'refused' | 'open' | 'timeout'> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      resolve('timeout');
      return;
    }
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    const sock = connect({ host: u.hostname, port });
    const done = (r: 'refused' | 'open' | 'timeout'): void => {
      clearTimeout(t);
      sock.destroy();
      resolve(r);
    };
    const t = setTimeout(() => done('timeout'), timeoutMs);
    sock.once('connect', () => done('open'));
    sock.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'refused' : 'timeout'));
  });
}
