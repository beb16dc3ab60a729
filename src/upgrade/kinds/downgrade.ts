/**
 * etcd's downgrade API (Maintenance.Downgrade, 3.6+ servers; etcd@v3.6.17 server/etcdserver/v3_server.go):
 * VALIDATE (side-effect free: one minor below the cluster version, no downgrade in progress), ENABLE (the
 * cluster version drops to the target and every member migrates its storage version), CANCEL. Each call goes
 * to the leader; each handler first looks at the cluster, so a resumed run does not repeat what is done.
 */
import { EndpointClient } from '../../client/endpoint.js';
import { errorMessage, ProblemError } from '../../core/errors.js';
import type { RunContext, StepHandler } from '../context.js';
import { memberEndpoint } from '../observe.js';
import { leaderOf, minorOf, type ClusterObservation } from '../observation.js';

async function onLeader<T>(ctx: RunContext, obs: ClusterObservation, fn: (c: EndpointClient) => Promise<T>): Promise<T> {
  const leader = leaderOf(obs) ?? obs.members.find((m) => m.reachable);
  const ep = leader ? memberEndpoint(leader, ctx.env.config.endpoints) : undefined;
  if (!ep) throw new ProblemError('no-leader', 'no member answers as the leader');
  const c = new EndpointClient(ep, ctx.env.config);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

const enabledFor = (obs: ClusterObservation, target: string): boolean => obs.members.some((m) => m.downgrade?.enabled && minorOf(m.downgrade.targetVersion) === minorOf(target));

export const downgradeHandlers: Record<'downgrade-validate' | 'downgrade-enable' | 'downgrade-cancel', StepHandler> = {
  async 'downgrade-validate'(ctx, s) {
    const obs = await ctx.observe();
    if (enabledFor(obs, s.to!)) return { skipped: `a downgrade to ${minorOf(s.to!)} is already enabled` };
    try {
      const r = await onLeader(ctx, obs, (c) => c.downgrade('VALIDATE', minorOf(s.to!), { timeoutMs: 10_000, signal: ctx.signal }));
      return { clusterVersion: r.version, target: minorOf(s.to!) };
    } catch (e) {
      throw new ProblemError('downgrade-invalid', `etcd refuses a downgrade to ${minorOf(s.to!)}: ${errorMessage(e)}`, { hint: 'a downgrade goes one minor below the cluster version, and only one at a time (`etcdctl downgrade cancel` ends one in progress)' });
    }
  },

  async 'downgrade-enable'(ctx, s) {
    const obs = await ctx.observe();
    if (enabledFor(obs, s.to!)) return { skipped: `a downgrade to ${minorOf(s.to!)} is already enabled` };
    const r = await onLeader(ctx, obs, (c) => c.downgrade('ENABLE', minorOf(s.to!), { timeoutMs: 10_000, signal: ctx.signal }));
    ctx.log(`    downgrade to ${minorOf(s.to!)} enabled (cluster version was ${r.version})`);
    return { clusterVersionBefore: r.version, target: minorOf(s.to!) };
  },

  /** Idempotent: a downgrade already ended (or cancelled) is fine. 3.6 answers a cancel without one in progress with the cluster version. */
  async 'downgrade-cancel'(ctx) {
    const obs = await ctx.observe();
    try {
      const r = await onLeader(ctx, obs, (c) => c.downgrade('CANCEL', '', { timeoutMs: 10_000, signal: ctx.signal }));
      ctx.log(`    downgrade cancelled (cluster version ${r.version})`);
      return { clusterVersion: r.version };
    } catch (e) {
      if (/no inflight downgrade/i.test(errorMessage(e))) return { skipped: 'no downgrade in progress' };
      throw e;
    }
  },
};
