/**
 * Member steps: one member at a time from one binary to another — quorum guard, leadership, drain,
 * stop, install, start, wait until ready, undrain. The same steps carry an upgrade, a downgrade, a rollback
 * through the downgrade API and a cancelled downgrade; only the versions differ.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { EndpointClient } from '../../client/endpoint.js';
import { ProblemError } from '../../core/errors.js';
import { driverDetail, iso, type RunContext, type StepHandler } from '../context.js';
import { evaluateGates, READY_GATES, type GateReport } from '../gates.js';
import { memberEndpoint } from '../observe.js';
import { appliedIndex, sameVersion, voters } from '../observation.js';
import { leadershipAction } from '../order.js';
import { quorumGuard } from '../quorum.js';
import type { Step } from '../steps.js';

const QUORUM_LOOKS = 3;
const QUORUM_LOOK_GAP_MS = 500;

/** After the driver's stop returned, the member must stop answering (a stop that did nothing is a failure). */
export async function waitMemberGone(ctx: RunContext, name: string): Promise<void> {
  const until = Date.now() + 10_000;
  const url = ctx.driverMember(name).clientURL;
  while (true) {
    if ((await ctx.probe(url)) === 'refused') return;
    const obs = await ctx.observe();
    const m = obs.members.find((x) => x.name === name);
    if (!m || !m.reachable) return;
    if (Date.now() >= until) throw new ProblemError('member-still-running', `the stop command finished but ${name} still answers (etcd ${m.version ?? '?'})`, { hint: "check the driver's stop command" });
    await sleep(200);
  }
}

/** Until `member` is healthy on `version` and caught up (READY_GATES), within the ready deadline. */
export async function waitReady(ctx: RunContext, member: string, version: string): Promise<Record<string, unknown>> {
  const until = Date.now() + ctx.settings.readyTimeoutMs;
  const t0 = Date.now();
  let last: GateReport | undefined;
  while (true) {
    ctx.signal?.throwIfAborted();
    const obs = await ctx.observe();
    last = evaluateGates({ member, target: version, observations: [obs] }, ctx.settings.gates, READY_GATES);
    if (last.ok) return { readyAfterMs: Date.now() - t0, checks: last.checks.map((c) => `${c.name}: ${c.message}`) };
    if (Date.now() >= until) break;
    await sleep(250);
  }
  throw new ProblemError('member-not-ready', `${member} did not become ready on etcd ${version} within ${ctx.settings.readyTimeoutMs} ms: ${last!.checks.filter((c) => !c.ok).map((c) => c.message).join('; ')}`, { details: { gates: last!.checks } });
}

async function handleLeadership(ctx: RunContext, s: Step): Promise<Record<string, unknown>> {
  const obs = await ctx.observe();
  const a = leadershipAction(obs, s.member!, s.to!, ctx.settings.leaderTransfer);
  if (a.action === 'none' || a.action === 'graceful-stop') return { action: a.action, reason: a.reason };
  let toName: string;
  let toId: string;
  if (a.action === 'move-leader') {
    toName = a.to;
    toId = a.toId;
  } else {
    // Leadership moved onto a member still on the old version with no moved member to take it:
    // hand it to the most caught-up healthy voter, which moves later in its turn.
    const cand = voters(obs)
      .filter((m) => m.name !== s.member && m.reachable && m.healthy)
      .sort((x, y) => (appliedIndex(y) ?? -1) - (appliedIndex(x) ?? -1))[0];
    if (!cand) throw new ProblemError('no-transferee', `${s.member} leads and no other healthy voting member can take over`);
    toName = cand.name;
    toId = cand.id;
  }
  ctx.append({ type: 'decision', at: iso(), step: s.id, decision: 'reorder', member: s.member, reason: `${a.reason}: MoveLeader to ${toName}` });
  const leader = obs.members.find((m) => m.name === s.member)!;
  const client = new EndpointClient(memberEndpoint(leader, ctx.env.config.endpoints)!, ctx.env.config);
  try {
    await client.moveLeader(toId, { timeoutMs: 10_000, signal: ctx.signal });
  } finally {
    client.close();
  }
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const o = await ctx.observe();
    if (o.leaderId === toId) return { action: 'move-leader', to: toName };
    await sleep(100);
  }
  throw new ProblemError('leader-transfer-timeout', `leadership did not move from ${s.member} to ${toName} within 10 s`);
}

export const memberHandlers: Record<'quorum-check' | 'leadership' | 'drain' | 'stop' | 'install' | 'start' | 'wait-ready' | 'undrain', StepHandler> = {
  async 'quorum-check'(ctx, s) {
    // One failed health read is not proof that a member is down (a dropped RPC, a read racing an
    // election): the guard refuses only when QUORUM_LOOKS observations ~QUORUM_LOOK_GAP_MS apart agree.
    // These are reads, and the count of looks is journaled with the verdict.
    let v = quorumGuard(await ctx.observe(), s.member!);
    let looks = 1;
    while (!v.ok && looks < QUORUM_LOOKS) {
      await sleep(QUORUM_LOOK_GAP_MS, undefined, { signal: ctx.signal });
      v = quorumGuard(await ctx.observe(), s.member!);
      looks++;
    }
    if (!v.ok) throw new ProblemError('quorum-guard', v.message, { details: { down: v.down, quorum: v.quorum, voters: v.voters, looks } });
    return { healthyAfter: v.healthyAfter, quorum: v.quorum, ...(looks > 1 ? { looks } : {}) };
  },

  leadership: handleLeadership,

  async drain(ctx, s) {
    const ep = ctx.driverMember(s.member!).clientURL;
    const drained = ctx.state.workload ? await ctx.state.workload.drain(ep, 2000) : true;
    return { endpoint: ep, drained };
  },

  async stop(ctx, s) {
    const member = ctx.driverMember(s.member!);
    const r = await ctx.env.driver.stop(member, { graceful: true, version: s.from!, deadlineMs: ctx.settings.stopTimeoutMs, signal: ctx.signal });
    await waitMemberGone(ctx, s.member!);
    return driverDetail(r);
  },

  async install(ctx, s) {
    return driverDetail(await ctx.env.driver.install(ctx.driverMember(s.member!), s.to!, { deadlineMs: ctx.settings.installTimeoutMs, signal: ctx.signal }));
  },

  async start(ctx, s) {
    const member = ctx.driverMember(s.member!);
    // Idempotent on resume: a member already up on the target is left alone. Nothing listening
    // (connection refused) settles it without a full observation.
    if ((await ctx.probe(member.clientURL)) !== 'refused') {
      const m = (await ctx.observe()).members.find((x) => x.name === s.member);
      if (m?.reachable && sameVersion(m.version, s.to!)) {
        await ctx.env.driver.adopt?.(s.member!);
        return { skipped: `${s.member} already runs ${s.to}` };
      }
    }
    return driverDetail(await ctx.env.driver.start(member, { version: s.to!, deadlineMs: ctx.settings.startTimeoutMs, signal: ctx.signal }));
  },

  'wait-ready': (ctx, s) => waitReady(ctx, s.member!, s.to!),

  async undrain(ctx, s) {
    const ep = ctx.driverMember(s.member!).clientURL;
    ctx.state.workload?.undrain(ep);
    return { endpoint: ep };
  },
};
