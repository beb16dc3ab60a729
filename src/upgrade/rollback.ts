/**
 * Putting one member back on its previous binary while the cluster is still mixed (its cluster version not
 * yet raised: etcd runs a mixed cluster at the lowest common version, web:content/en/docs/v3.6/upgrades/upgrade_3_6.md),
 * and, when the old binary cannot open the member's data, replacing it as a fresh member (replace.ts). Every
 * stage is journaled (RollbackRecord) so a resumed run finishes what an earlier process began. Returns how the
 * run ends; the executor writes the report.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { EndpointClient } from '../client/endpoint.js';
import { errorMessage, ProblemError } from '../core/errors.js';
import { driverDetail, firstLine, iso, type RunContext } from './context.js';
import type { DriverMember } from './drivers/types.js';
import { ExecDriver } from './drivers/exec.js';
import { isWrongCluster } from './identity.js';
import type { RunResult } from './journal.js';
import { waitMemberGone, waitReady } from './kinds/member.js';
import { memberEndpoint } from './observe.js';
import { sameVersion, type ClusterObservation } from './observation.js';
import { initialClusterFor, replaceProgress, replacementBegun, replacementGuard, type ReplaceStage } from './replace.js';

export interface RollbackOutcome {
  result: RunResult;
  message: string;
}

const outcome = (result: RunResult, message: string): RollbackOutcome => ({ result, message });

/**
 * Put `member` back on `version` (stop, install, start, wait ready), then end the run rolled back. When
 * the old binary cannot start on the member's data (it exits, or is not ready within the deadline), the
 * member is replaced as a fresh one (replaceMember), if the driver can and the cluster allows it.
 */
export async function rollBackMember(ctx: RunContext, member: string, version: string, why?: string): Promise<RollbackOutcome> {
  ctx.append({ type: 'rollback', at: iso(), member, phase: 'begin', toVersion: version });
  // A replacement begun by an earlier process is continued, never followed by a plain restart: the data
  // dir may already be aside, and a plain start on an empty dir would bootstrap, not join.
  if (replacementBegun(ctx.records, member)) return replaceMember(ctx, member, version, why);
  ctx.log(`upshift upgrade: rolling ${member} back to etcd ${version}`);
  let phase: 'prepare' | 'start' | 'ready' = 'prepare';
  try {
    const obs = await ctx.observe();
    const dm = ctx.driverMember(member, obs);
    const cur = obs.members.find((m) => m.name === member);
    if (!(cur?.reachable && sameVersion(cur.version, version))) {
      if (cur?.reachable) {
        await ctx.env.driver.stop(dm, { graceful: true, version: cur.version ?? version, deadlineMs: ctx.settings.stopTimeoutMs });
        await waitMemberGone(ctx, member);
      } else {
        // It may still be a process that never became ready: stop is idempotent.
        await ctx.env.driver.stop(dm, { graceful: true, version, deadlineMs: ctx.settings.stopTimeoutMs }).catch(() => undefined);
      }
      await ctx.env.driver.install(dm, version, { deadlineMs: ctx.settings.installTimeoutMs });
      phase = 'start';
      await ctx.env.driver.start(dm, { version, deadlineMs: ctx.settings.startTimeoutMs });
    }
    phase = 'ready';
    await waitReady(ctx, member, version);
    ctx.state.workload?.undrain(dm.clientURL);
    ctx.append({ type: 'rollback', at: iso(), member, phase: 'end', toVersion: version, ok: true });
    return outcome('rolled-back', `${why ? `${why}. ` : ''}${member} was put back on etcd ${version}; the cluster is healthy`);
  } catch (e) {
    if (isWrongCluster(e)) throw e;
    if (phase !== 'prepare' && canReplace(ctx, member)) {
      const reason = `etcd ${version} did not come up on ${member}'s data (${firstLine(errorMessage(e))}): replace ${member} as a fresh member (remove, re-add with the same peer URL, data dir moved aside, start empty, catch up)`;
      ctx.append({ type: 'decision', at: iso(), decision: 'rollback', member, reason });
      ctx.log(`upshift upgrade: ${reason}`);
      return replaceMember(ctx, member, version, why);
    }
    ctx.append({ type: 'rollback', at: iso(), member, phase: 'end', toVersion: version, ok: false, error: errorMessage(e) });
    const how = canReplace(ctx, member) ? '' : ' (the driver cannot replace members: for the exec driver add reset and join templates)';
    return outcome('failed', `rollback of ${member} to ${version} failed: ${errorMessage(e)}. The member needs attention${how}: if etcd ${version} cannot open its data, remove it (etcdctl member remove), re-add it (member add), move its data dir aside and start it empty with --initial-cluster-state existing so it catches up`);
  }
}

function canReplace(ctx: RunContext, member: string): boolean {
  const d = ctx.env.driver;
  if (!d.moveDataAside || !d.startFresh) return false;
  return d instanceof ExecDriver ? d.canReplace(member) : true;
}

/**
 * Replace `member` as a fresh member on `version` (replace.ts), every stage journaled begin/end so a
 * resume after kill -9 continues where the earlier process stopped; each stage also checks the cluster
 * as it is (removed already? added already? running already?).
 */
async function replaceMember(ctx: RunContext, member: string, version: string, why?: string): Promise<RollbackOutcome> {
  const prog = replaceProgress(ctx.records, member);
  const hop = ctx.settings.hops.find((h) => h.from === version) ?? { from: version, to: ctx.settings.to };
  let current: ReplaceStage | undefined;
  const stage = async (name: ReplaceStage, fn: () => Promise<Record<string, unknown> | undefined>): Promise<void> => {
    if (prog.ended.has(name)) return;
    await ctx.checkCluster();
    current = name;
    ctx.append({ type: 'rollback', at: iso(), member, phase: 'replace', toVersion: version, stage: name, status: 'begin' });
    ctx.progress.info(`    replace ${member}: ${name}`);
    const detail = await fn();
    ctx.append({ type: 'rollback', at: iso(), member, phase: 'replace', toVersion: version, stage: name, status: 'end', ok: true, ...(detail ? { detail } : {}) });
    prog.ended.add(name);
    current = undefined;
  };
  const admin = async <T>(obs: ClusterObservation, fn: (c: EndpointClient) => Promise<T>): Promise<T> => {
    // Membership changes go to the leader (or another healthy member), never to the member being replaced.
    const cands = obs.members.filter((m) => m.reachable && m.healthy && m.id !== prog.oldId && m.id !== prog.newId).sort((a, b) => Number(b.isLeader) - Number(a.isLeader));
    const ep = cands.map((m) => memberEndpoint(m, ctx.env.config.endpoints)).find((e): e is string => Boolean(e));
    if (!ep) throw new ProblemError('no-healthy-member', 'no healthy member answers to take the membership change');
    const c = new EndpointClient(ep, ctx.env.config);
    try {
      return await fn(c);
    } finally {
      c.close();
    }
  };
  try {
    let obs = await ctx.observe();
    await stage('begin', async () => {
      const m = obs.members.find((x) => x.name === member);
      if (!m) throw new ProblemError('member-unknown', `${member} is not in the member list`);
      const dm = ctx.driverMember(member, obs);
      prog.oldId = m.id;
      prog.peerURL = dm.peerURL;
      prog.clientURL = dm.clientURL;
      return { oldId: m.id, peerURL: dm.peerURL, clientURL: dm.clientURL };
    });
    if (!prog.oldId || !prog.peerURL || !prog.clientURL) throw new ProblemError('replace-journal', `the journal does not say which member ${member} was (stage begin)`);
    const dm = (): DriverMember => ({ name: member, id: prog.newId ?? prog.oldId, clientURL: prog.clientURL!, peerURL: prog.peerURL! });
    if (!prog.ended.has('add')) {
      const g = replacementGuard(obs, member, hop, prog.peerURL);
      if (!g.ok) throw new ProblemError('replace-unsafe', `${member} cannot be replaced safely: ${g.reason}`);
    }
    await stage('stop', async () => {
      const r = await ctx.env.driver.stop(dm(), { graceful: true, version, deadlineMs: ctx.settings.stopTimeoutMs });
      const until = Date.now() + 10_000;
      while ((await ctx.probe(prog.clientURL!)) !== 'refused') {
        if (Date.now() >= until) throw new ProblemError('member-still-running', `the stop command finished but something still listens on ${prog.clientURL}`);
        await sleep(200);
      }
      return driverDetail(r);
    });
    await stage('remove', async () => {
      obs = await ctx.observe();
      if (!obs.members.some((m) => m.id === prog.oldId)) return { skipped: `${prog.oldId} is no longer a member` };
      await admin(obs, (c) => c.memberRemove(prog.oldId!, { timeoutMs: 10_000 }));
      return { removed: prog.oldId };
    });
    await stage('add', async () => {
      obs = await ctx.observe();
      const present = obs.members.find((m) => m.peerURLs.includes(prog.peerURL!) && m.id !== prog.oldId);
      let newId: string;
      let members: { id: string; name: string; peerURLs: string[] }[];
      if (present) {
        newId = present.id;
        members = obs.members;
      } else {
        const r = await admin(obs, (c) => c.memberAdd([prog.peerURL!], { timeoutMs: 10_000 }));
        newId = r.member.id;
        members = r.members;
      }
      prog.newId = newId;
      prog.initialCluster = initialClusterFor(members, { name: member, id: newId });
      return { newId, initialCluster: prog.initialCluster, ...(present ? { skipped: 'already added' } : {}) };
    });
    await stage('move-aside', async () => driverDetail(await ctx.env.driver.moveDataAside!(dm(), { version, deadlineMs: ctx.settings.stopTimeoutMs })));
    await stage('start', async () => {
      if ((await ctx.probe(prog.clientURL!)) === 'open') return { skipped: `something already listens on ${prog.clientURL} (started by an earlier process)` };
      return driverDetail(await ctx.env.driver.startFresh!(dm(), { version, initialCluster: prog.initialCluster!, deadlineMs: ctx.settings.startTimeoutMs }));
    });
    await stage('ready', () => waitReady(ctx, member, version));
    ctx.state.workload?.undrain(prog.clientURL);
    ctx.append({ type: 'rollback', at: iso(), member, phase: 'end', toVersion: version, ok: true });
    const aside = replaceProgress(ctx.records, member).aside;
    return outcome('rolled-back', `${why ? `${why}. ` : ''}etcd ${version} could not start on ${member}'s data, so ${member} was replaced as a fresh member on etcd ${version} (removed, re-added with the same peer URL, started empty, caught up)${aside ? `; its old data was moved aside: ${JSON.stringify(aside)}` : ''}; the cluster is healthy`,
    );
  } catch (e) {
    if (isWrongCluster(e)) throw e;
    if (current) ctx.append({ type: 'rollback', at: iso(), member, phase: 'replace', toVersion: version, stage: current, status: 'end', ok: false, error: errorMessage(e) });
    ctx.append({ type: 'rollback', at: iso(), member, phase: 'end', toVersion: version, ok: false, error: errorMessage(e) });
    const where = current ? ` at stage ${current}` : '';
    return outcome('failed', `replacing ${member} as a fresh member failed${where}: ${errorMessage(e)}. Stages done: ${[...prog.ended].join(', ') || 'none'}. The member needs attention: finish by hand (etcdctl member list; member add ${prog.peerURL ?? '<peer URL>'} if it is missing; start it on etcd ${version} with an empty data dir and --initial-cluster-state existing)`);
  }
}
