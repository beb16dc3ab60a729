/**
 * `upshift backup prune --keep-last N | --keep-within DURATION [--dry-run]`.
 * discover (catalogue + verify newest-first until one passes) -> plan (pure, src/backup/prune.ts) -> delete.
 */
import { resolve } from 'node:path';
import { rm } from 'node:fs/promises';
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import { homePaths } from '../core/home.js';
import { parseDuration } from '../core/duration.js';
import { renderTable } from '../core/output.js';
import { readCatalogue } from '../backup/manifest.js';
import { planPrune, type PruneDecision, type PruneCandidate } from '../backup/prune.js';
import { verifyBackup } from '../backup/verify.js';

export interface BackupPruneOptions {
  dir?: string;
  clusterId?: string;
  keepLast?: string;
  keepWithin?: string;
  dryRun?: boolean;
  output?: string;
}

export interface BackupPruneResult {
  dir: string;
  dryRun: boolean;
  newestVerified: string | null;
  decisions: PruneDecision[];
  deleted: string[];
}

export async function run(opts: BackupPruneOptions, ctx: CommandContext): Promise<BackupPruneResult> {
  if (opts.keepLast === undefined && opts.keepWithin === undefined) {
    throw new UsageError('backup prune needs --keep-last N or --keep-within DURATION', { hint: 'e.g. upshift backup prune --keep-last 5 --dir DIR' });
  }
  let keepLast: number | undefined;
  if (opts.keepLast !== undefined) {
    if (!/^\d+$/.test(opts.keepLast)) throw new UsageError(`--keep-last: "${opts.keepLast}" is not a whole number`, { hint: 'e.g. --keep-last 5' });
    keepLast = Number(opts.keepLast);
  }
  const keepWithinMs = opts.keepWithin !== undefined ? parseDuration(opts.keepWithin, '--keep-within') : undefined;
  if (!opts.dir && !opts.clusterId) {
    throw new UsageError('backup prune needs --dir DIR or --cluster-id ID', { hint: `backups live in ${homePaths.backupsDir(ctx.home, 'CLUSTER_ID')}; see upshift backup ls` });
  }
  const dir = opts.dir ? resolve(opts.dir) : homePaths.backupsDir(ctx.home, opts.clusterId!);
  const { entries } = await readCatalogue(dir);
  // Verify newest first until one passes: that one is protected. Older ones are not re-hashed (they may go).
  const candidates: PruneCandidate[] = [];
  let found = false;
  for (const e of entries) {
    let verified = false;
    if (!found && e.present) {
      const { report } = await verifyBackup(e.file, { requireManifest: true, signal: ctx.signal });
      verified = report.ok;
      if (!verified) note(ctx, `not counted as verified: ${e.file}: ${report.problems.map((p) => p.code).join(', ')}`);
      found = verified;
    }
    candidates.push({ file: e.file, createdAt: e.manifest.createdAt, revision: e.manifest.revision, verified });
  }
  const plan = planPrune(candidates, { keepLast, keepWithinMs, now: Date.now() });
  const deleted: string[] = [];
  if (!opts.dryRun) {
    for (const d of plan.decisions) {
      if (d.action !== 'delete') continue;
      const entry = entries.find((e) => e.file === d.file)!;
      // The snapshot first: a manifest without its file shows as MISSING in `ls`, never the reverse.
      await rm(entry.file, { force: true });
      await rm(entry.manifestPath, { force: true });
      deleted.push(d.file);
    }
  }
  return { dir, dryRun: opts.dryRun === true, newestVerified: plan.newestVerified, decisions: plan.decisions, deleted };
}

export function render(r: BackupPruneResult): string {
  const head = r.dryRun ? 'dry run: nothing deleted\n' : `deleted ${r.deleted.length} backup(s)\n`;
  if (r.decisions.length === 0) return `no backups in ${r.dir}\n`;
  return head + renderTable({ head: ['ACTION', 'CREATED', 'FILE', 'REASON'], rows: r.decisions.map((d) => [r.dryRun && d.action === 'delete' ? 'would delete' : d.action, d.createdAt, d.file, d.reason]) });
}
