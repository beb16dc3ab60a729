/**
 * Cluster-wide waits and checks: the cluster version the leader decides (every ~4 s, from every member's
 * reported version, etcd@v3.6.17 server/etcdserver/version/monitor.go decideClusterVersion), the storage
 * version each member follows it with (UpdateStorageVersionIfNeeded), the end of a downgrade
 * (CancelDowngradeIfNeeded, once every member runs the target), and HashKV consistency.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ProblemError } from '../../core/errors.js';
import { checkConsistency } from '../../check/consistency.js';
import type { RunContext, StepHandler } from '../context.js';
import { minorOf, sameVersion, type ClusterObservation } from '../observation.js';

/** Poll until `done` says so (returning the step's facts), or fail with `why` after the cluster-version deadline. */
export async function waitUntil(ctx: RunContext, done: (obs: ClusterObservation) => Record<string, unknown> | undefined, why: (obs: ClusterObservation, ms: number) => string, code: string): Promise<Record<string, unknown>> {
  const ms = ctx.settings.clusterVersionTimeoutMs;
  const until = Date.now() + ms;
  const t0 = Date.now();
  while (true) {
    ctx.signal?.throwIfAborted();
    const obs = await ctx.observe();
    const facts = done(obs);
    if (facts) return { ...facts, afterMs: Date.now() - t0 };
    if (Date.now() >= until) throw new ProblemError(code, why(obs, ms));
    await sleep(500);
  }
}

const silentText = (obs: ClusterObservation): string => {
  const silent = obs.members.filter((m) => !m.reachable).map((m) => m.name);
  return silent.length ? ` (not answering: ${silent.join(', ')}; the leader raises it only when every member reports a version)` : '';
};

/** Storage versions of the members that report one (3.6+ binaries), by member. */
const storage = (obs: ClusterObservation): Record<string, string | undefined> => Object.fromEntries(obs.members.filter((m) => m.reachable && m.storageVersion !== undefined).map((m) => [m.name, m.storageVersion]));

export const clusterHandlers: Record<'wait-cluster-version' | 'wait-storage-version' | 'wait-downgrade-complete' | 'check-consistency', StepHandler> = {
  'wait-cluster-version': (ctx, s) =>
    waitUntil(
      ctx,
      (obs) => (obs.clusterVersion && minorOf(obs.clusterVersion) === minorOf(s.to!) ? { clusterVersion: obs.clusterVersion } : undefined),
      (obs, ms) => `the cluster version is still ${obs.clusterVersion ?? 'unknown'} after ${ms} ms${silentText(obs)}`,
      'cluster-version-not-raised',
    ),

  /** After a downgrade is enabled: the cluster version is the target's, and every 3.6+ member migrated its storage version. */
  'wait-storage-version': (ctx, s) =>
    waitUntil(
      ctx,
      (obs) => {
        const t = minorOf(s.to!);
        if (!obs.clusterVersion || minorOf(obs.clusterVersion) !== t) return undefined;
        const sv = storage(obs);
        return Object.values(sv).every((v) => v !== undefined && /^\d+\.\d+/.test(v) && minorOf(v) === t) && obs.members.every((m) => m.reachable) ? { clusterVersion: obs.clusterVersion, storageVersions: sv } : undefined;
      },
      (obs, ms) => `after ${ms} ms the cluster version is ${obs.clusterVersion ?? 'unknown'} and the storage versions are ${JSON.stringify(storage(obs))}; expected ${minorOf(s.to!)} everywhere (a member that cannot migrate its schema logs "failed to update storage version")`,
      'storage-version-not-migrated',
    ),

  /** Every member on the target; the leader ends the downgrade (every --downgrade-check-time, 5 s by default). */
  'wait-downgrade-complete': (ctx, s) =>
    waitUntil(
      ctx,
      (obs) => {
        const all = obs.members.every((m) => m.reachable && sameVersion(m.version, s.to!));
        const cv = obs.clusterVersion && minorOf(obs.clusterVersion) === minorOf(s.to!);
        // 3.6+ members report the downgrade; 3.5 members cannot (their Status has no DowngradeInfo).
        const ended = obs.members.every((m) => !m.downgrade?.enabled);
        return all && cv && ended ? { clusterVersion: obs.clusterVersion } : undefined;
      },
      (obs, ms) => `after ${ms} ms: members ${obs.members.map((m) => `${m.name}=${m.version ?? '?'}`).join(', ')}, cluster version ${obs.clusterVersion ?? 'unknown'}, downgrade ${obs.members.some((m) => m.downgrade?.enabled) ? 'still enabled' : 'ended'}`,
      'downgrade-not-complete',
    ),

  async 'check-consistency'(ctx) {
    const r = await checkConsistency(ctx.env.config, { retries: 3, signal: ctx.signal });
    ctx.state.consistent = r.consistent;
    if (!r.consistent) throw new ProblemError('inconsistent', `HashKV differs between members at revision ${r.revision}: ${r.differing.join(', ')}`, { details: { revision: r.revision, problems: r.problems } });
    return { revision: r.revision, members: r.members.length };
  },
};
