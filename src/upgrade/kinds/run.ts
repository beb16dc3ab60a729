/**
 * Run-level steps: preflight, the cluster lock, the backup, and readiness before a hop's first member.
 */
import { ProblemError } from '../../core/errors.js';
import { homePaths } from '../../core/home.js';
import { discoverTarget, saveSnapshot } from '../../backup/save.js';
import { UPSHIFT_VERSION } from '../../backup/version.js';
import { iso, type RunContext, type StepHandler } from '../context.js';
import { LOCK_KEY, UpgradeLock } from '../lock.js';
import { preflight } from '../preflight.js';
import { blockersOf, describeFinding, runReadinessChecks } from '../readiness/index.js';

/** Take (or, on resume, take over) the cluster lock, journaled. */
export async function acquireLock(ctx: RunContext, takeOver: boolean): Promise<void> {
  ctx.state.lock = await UpgradeLock.acquire(ctx.env.config, { runId: ctx.paths.runId, to: ctx.settings.to }, { takeOver: takeOver ? ctx.paths.runId : undefined, onLost: (why) => (ctx.state.lockLost = why) });
  ctx.append({ type: 'lock', at: iso(), action: 'acquired', key: LOCK_KEY, lease: ctx.state.lock.leaseId });
}

export const runHandlers: Record<'preflight' | 'acquire-lock' | 'release-lock' | 'backup' | 'readiness', StepHandler> = {
  async preflight(ctx) {
    const pf = preflight(await ctx.observe());
    if (!pf.ok) throw new ProblemError('preflight-failed', pf.findings.filter((f) => f.severity === 'blocker').map((f) => f.message).join('; '), { details: { down: pf.down } });
    return { findings: pf.findings.length };
  },

  async 'acquire-lock'(ctx) {
    // Taken before the run began (fresh runs) or re-taken on resume; only a missing lock is taken here.
    if (!ctx.state.lock) await acquireLock(ctx, true);
    return { key: LOCK_KEY, lease: ctx.state.lock?.leaseId };
  },

  async 'release-lock'(ctx) {
    await ctx.state.lock?.release();
    ctx.state.lock = undefined;
    ctx.append({ type: 'lock', at: iso(), action: 'released', key: LOCK_KEY });
    return undefined;
  },

  async backup(ctx) {
    const target = await discoverTarget(ctx.env.config, undefined, ctx.env.signal);
    const dir = homePaths.backupsDir(ctx.env.home, target.clusterId);
    const r = await saveSnapshot(ctx.env.config, target, { dir, inactivityTimeoutMs: 30_000, signal: ctx.env.signal, upshiftVersion: UPSHIFT_VERSION });
    ctx.state.backupFile = r.file;
    ctx.log(`    backup ${r.file} (revision ${r.manifest.revision}, ${r.manifest.size} bytes, sha256 verified)`);
    return { file: r.file, revision: r.manifest.revision, size: r.manifest.size, sha256: r.manifest.sha256 };
  },

  /** The readiness checks of this hop on the cluster as it is now (after any patch-floor hop before it). */
  async readiness(ctx, s) {
    const obs = await ctx.observe();
    const findings = await runReadinessChecks(
      { config: ctx.env.config, driver: ctx.env.driver, home: ctx.env.home, obs, assumeV2Clean: ctx.settings.assumeV2Clean, signal: ctx.signal, log: (l) => ctx.log(l) },
      { path: ctx.settings.path, hops: ctx.settings.hops },
      { hop: s.hop },
    );
    const blockers = blockersOf(findings);
    for (const f of findings.filter((x) => x.severity !== 'info')) ctx.log(`    readiness ${f.severity}: ${describeFinding(f)}`);
    if (blockers.length > 0) {
      throw new ProblemError('readiness-failed', `not ready for ${s.to}: ${blockers.map(describeFinding).join('; ')}`, { details: { findings: findings.map((f) => ({ severity: f.severity, code: f.code, members: f.members })) } });
    }
    return { findings: findings.map((f) => `${f.severity} ${f.code}${f.members ? ` (${f.members.join(', ')})` : ''}`) };
  },
};
