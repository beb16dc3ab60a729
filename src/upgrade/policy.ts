/**
 * What to do when a step fails. While the cluster is mixed (its cluster version still the old minor),
 * the failed member can go back to its old binary: etcd runs a mixed cluster at the lowest common
 * version (web:content/en/docs/v3.6/upgrades/upgrade_3_6.md). Once the leader has raised the cluster
 * version, an older binary refuses to join (`mustDetectDowngrade`, etcd@v3.6.14:server/etcdserver/
 * version/downgrade.go; 3.4: etcdserver/api/membership/cluster.go:801): from 3.6 on the way back is
 * etcd's downgrade API (web:content/en/docs/v3.6/downgrades/downgrade_3_6.md, v3.7/downgrades/downgrade_3_7.md),
 * which `--on-failure rollback` takes; below 3.6 never pretend to roll back: stop and describe the supported
 * way down (shared/reference/etcd-versions.md §1.5-1.6). A downgrade run abandoned half-way is cancelled as
 * upstream documents (cancel, newer binaries back on the members already downgraded).
 */
import { compareVersions, minorOf } from './observation.js';

export type FailurePolicy = 'pause' | 'rollback';

export interface FailureContext {
  policy: FailurePolicy;
  /** What the run does (absent: upgrade). */
  operation?: 'upgrade' | 'downgrade' | undefined;
  /** The failed step belongs to a rollback plan already: no further rollback. */
  inRollbackPlan?: boolean | undefined;
  /** A downgrade run: has the downgrade been enabled yet (the cluster version already dropped)? */
  downgradeEnabled?: boolean | undefined;
  /** The hop's versions. */
  from: string;
  to: string;
  /** Cluster version as last observed ("3.4.0"), if known. */
  clusterVersion?: string | undefined;
  /** The member the failed step was about, if any. */
  member?: string | undefined;
  /** The member's step kind that failed. */
  stepKind: string;
}

export type FailureDecision =
  | { action: 'rollback-member'; member: string; toVersion: string; reason: string }
  | { action: 'downgrade-rollback'; toVersion: string; reason: string }
  | { action: 'cancel-downgrade'; reason: string }
  | { action: 'pause'; reason: string }
  | { action: 'stop-no-rollback'; reason: string; downgradePath: string };

/** Can etcd's downgrade API take the cluster from `to` back to `from` (3.6+, exactly one minor down)? */
export function downgradeApiCovers(from: string, to: string): boolean {
  const [a, b] = minorOf(to).split('.').map(Number);
  return compareVersions(minorOf(to), '3.6') >= 0 && minorOf(from) === `${a}.${b! - 1}`;
}

/** True when an old binary can still join: a patch hop, or the cluster version not yet raised to the target minor. */
export function rollbackPossible(from: string, to: string, clusterVersion: string | undefined): boolean {
  if (minorOf(from) === minorOf(to)) return true;
  if (clusterVersion === undefined) return false; // unknown: assume the worst
  return compareVersions(minorOf(clusterVersion), minorOf(to)) < 0;
}

export function decideOnFailure(ctx: FailureContext): FailureDecision {
  if (ctx.inRollbackPlan) return { action: 'stop-no-rollback', reason: 'the way back failed too: stopped where it is', downgradePath: downgradePath(ctx.from, ctx.to) };
  if (ctx.operation === 'downgrade') return decideForDowngrade(ctx);
  const canRollBack = rollbackPossible(ctx.from, ctx.to, ctx.clusterVersion);
  if (!canRollBack) {
    if (ctx.policy === 'rollback' && ctx.clusterVersion !== undefined && downgradeApiCovers(ctx.from, ctx.to)) {
      return { action: 'downgrade-rollback', toVersion: ctx.from, reason: `the cluster version is already ${ctx.clusterVersion}: roll back through etcd's downgrade API to ${minorOf(ctx.from)}, every member onto etcd ${ctx.from}, leader last` };
    }
    return {
      action: 'stop-no-rollback',
      reason: `the cluster version is already ${ctx.clusterVersion ?? 'unknown'}: etcd ${ctx.from} binaries can no longer join, so upshift will not swap binaries back${ctx.policy === 'pause' && downgradeApiCovers(ctx.from, ctx.to) ? ' (stopped as asked; `upshift downgrade` goes back)' : ''}`,
      downgradePath: downgradePath(ctx.from, ctx.to),
    };
  }
  if (ctx.policy === 'pause') return { action: 'pause', reason: 'stopped safely as asked (--on-failure pause); `upshift upgrade resume` continues from the failed step' };
  if (!ctx.member) return { action: 'pause', reason: `the failed step (${ctx.stepKind}) concerns no single member: nothing to put back; stopped safely` };
  if (ctx.stepKind === 'quorum-check' || ctx.stepKind === 'leadership') {
    return { action: 'pause', reason: `${ctx.member} was not touched yet: nothing to roll back; stopped safely` };
  }
  return { action: 'rollback-member', member: ctx.member, toVersion: ctx.from, reason: `the cluster is still mixed (cluster version ${ctx.clusterVersion ?? ctx.from}): ${ctx.member} goes back to etcd ${ctx.from}` };
}

/** A downgrade run (from = the newer version, to = the older): before ENABLE nothing changed; after it, cancel. */
function decideForDowngrade(ctx: FailureContext): FailureDecision {
  if (!ctx.downgradeEnabled) return { action: 'pause', reason: 'the downgrade was not enabled yet: nothing changed; stopped safely' };
  if (ctx.policy === 'pause') return { action: 'pause', reason: 'stopped safely as asked (--on-failure pause) with the downgrade enabled; `upshift upgrade resume` continues it, `upshift downgrade cancel` abandons it' };
  return { action: 'cancel-downgrade', reason: `abandon the downgrade as upstream documents: cancel it, and start the members already on etcd ${ctx.to} on their newer binary again` };
}

/** The supported ways back once the cluster version is raised (etcd-versions.md §1.5). */
export function downgradePath(from: string, to: string): string {
  const toMinor = minorOf(to);
  if (compareVersions(toMinor, '3.6') >= 0) {
    return `etcd ${toMinor} supports online downgrade: \`upshift downgrade --to ${from}\` (etcdctl downgrade validate ${minorOf(from)}; etcdctl downgrade enable ${minorOf(from)}; then replace members one by one with ${minorOf(from)} binaries, the leader last: web:content/en/docs/v3.6/downgrades/downgrade_3_6.md). Or restore the backup taken before the upgrade (writes since are lost).`;
  }
  if (toMinor === '3.5') {
    return `3.5 -> 3.4 has no downgrade API: the rolling downgrade needs etcd 3.4.32+ started with --next-cluster-version-compatible and no auth (web:content/en/docs/v3.6/downgrades/downgrade_3_5.md); otherwise restore the backup taken before the upgrade (writes since are lost).`;
  }
  return `a downgrade from ${toMinor} is not supported once the cluster version is raised: restore the backup taken before the upgrade (upshift restore FILE; writes since are lost).`;
}
