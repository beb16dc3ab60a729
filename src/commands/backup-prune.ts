/**
 * `upshift backup prune (--dir D | --dir s3://BUCKET/PREFIX/ | --cluster-id ID) [--keep-last N] [--keep-within D]
 *  [--keep-hourly N] [--keep-daily N] [--keep-weekly N] [--keep-monthly N] [--dry-run]`.
 * discover (catalogue + full verify newest-first until one passes) -> plan (pure, src/backup/prune.ts) -> delete.
 * In a store, multipart uploads abandoned for more than a day (a save killed mid-stream) are aborted too.
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
import { planPrune, hasRule, type PruneDecision, type PruneCandidate, type PrunePolicy } from '../backup/prune.js';
import { verifyBackup } from '../backup/verify.js';
import { fetchRemoteBackup, readRemoteCatalogue } from '../backup/remote.js';
import { resolveS3Settings, type S3Flags } from '../s3/options.js';
import { ObjectStore } from '../s3/store.js';
import { isS3Url, parseS3Location, s3Url } from '../s3/url.js';

export interface BackupPruneOptions extends S3Flags {
  dir?: string;
  clusterId?: string;
  keepLast?: string;
  keepWithin?: string;
  keepHourly?: string;
  keepDaily?: string;
  keepWeekly?: string;
  keepMonthly?: string;
  dryRun?: boolean;
  output?: string;
}

export interface BackupPruneResult {
  dir: string;
  dryRun: boolean;
  newestVerified: string | null;
  decisions: PruneDecision[];
  deleted: string[];
  /** Abandoned multipart uploads aborted (or, with --dry-run, that would be). */
  abortedUploads: string[];
}

/** A multipart upload older than this is a save that died, not one in progress. */
const STALE_UPLOAD_MS = 86_400_000;

/** The retention rules from the flags (exit 2 naming a bad one). */
export function policyFromFlags(opts: Pick<BackupPruneOptions, 'keepLast' | 'keepWithin' | 'keepHourly' | 'keepDaily' | 'keepWeekly' | 'keepMonthly'>): Omit<PrunePolicy, 'now'> {
  const count = (v: string | undefined, flag: string): number | undefined => {
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new UsageError(`${flag}: "${v}" is not a whole number`, { hint: `e.g. ${flag} 5` });
    return Number(v);
  };
  const p = {
    keepLast: count(opts.keepLast, '--keep-last'),
    keepWithinMs: opts.keepWithin !== undefined ? parseDuration(opts.keepWithin, '--keep-within') : undefined,
    hourly: count(opts.keepHourly, '--keep-hourly'),
    daily: count(opts.keepDaily, '--keep-daily'),
    weekly: count(opts.keepWeekly, '--keep-weekly'),
    monthly: count(opts.keepMonthly, '--keep-monthly'),
  };
  if (!hasRule(p)) {
    throw new UsageError('backup prune needs a rule: --keep-last N, --keep-within DURATION or --keep-hourly/--keep-daily/--keep-weekly/--keep-monthly N', { hint: 'e.g. upshift backup prune --keep-daily 7 --keep-weekly 4 --keep-monthly 6 --dir DIR' });
  }
  return p;
}

/** One backup as prune sees it, wherever it lives. */
interface Item {
  id: string;
  createdAt: string;
  revision: number;
  present: boolean;
  lockedUntil?: string | null;
  /** Full verification (trailer, structure, manifest); problem codes when it fails. */
  verify(): Promise<string[]>;
  remove(): Promise<void>;
}

async function decide(items: Item[], policy: Omit<PrunePolicy, 'now'>, ctx: CommandContext): Promise<ReturnType<typeof planPrune>> {
  // Verify newest first until one passes: that one is protected. Older ones are not re-read (they may go).
  const candidates: PruneCandidate[] = [];
  let found = false;
  for (const it of items) {
    let verified = false;
    if (!found && it.present) {
      const problems = await it.verify();
      verified = problems.length === 0;
      if (!verified) note(ctx, `not counted as verified: ${it.id}: ${problems.join(', ')}`);
      found = verified;
    }
    candidates.push({ file: it.id, createdAt: it.createdAt, revision: it.revision, verified, lockedUntil: it.lockedUntil ?? null });
  }
  return planPrune(candidates, { ...policy, now: Date.now() });
}

async function execute(plan: ReturnType<typeof planPrune>, items: Item[], dryRun: boolean): Promise<string[]> {
  const deleted: string[] = [];
  if (dryRun) return deleted;
  for (const d of plan.decisions) {
    if (d.action !== 'delete') continue;
    await items.find((i) => i.id === d.file)!.remove();
    deleted.push(d.file);
  }
  return deleted;
}

async function runRemote(opts: BackupPruneOptions, policy: Omit<PrunePolicy, 'now'>, ctx: CommandContext): Promise<BackupPruneResult> {
  const loc = parseS3Location(opts.dir!, '--dir');
  const store = new ObjectStore(resolveS3Settings(opts, ctx.env));
  try {
    const cat = await readRemoteCatalogue(store, loc, ctx.signal);
    const items: Item[] = [];
    for (const e of cat.entries) {
      const lockedUntil = e.present ? ((await store.head(loc.bucket, e.key, ctx.signal)).lockUntil?.toISOString() ?? null) : null;
      items.push({
        id: e.url,
        createdAt: e.manifest.createdAt,
        revision: e.manifest.revision,
        present: e.present,
        lockedUntil,
        verify: async () => {
          const got = await fetchRemoteBackup(store, loc.bucket, e.key, { signal: ctx.signal });
          try {
            const { report } = await verifyBackup(got.file, { requireManifest: true, signal: ctx.signal });
            return report.problems.map((p) => p.code);
          } finally {
            await got.cleanup();
          }
        },
        // The snapshot first: a manifest without its object shows as MISSING in `ls`, never the reverse.
        remove: async () => {
          await store.delete(loc.bucket, e.key, ctx.signal);
          await store.delete(loc.bucket, e.manifestKey, ctx.signal);
        },
      });
    }
    const plan = await decide(items, policy, ctx);
    const deleted = await execute(plan, items, opts.dryRun === true);
    const abortedUploads: string[] = [];
    for (const u of cat.pending) {
      if (!u.initiated || Date.now() - u.initiated.getTime() < STALE_UPLOAD_MS) continue;
      if (!opts.dryRun) await store.abortUpload(loc.bucket, u.key, u.uploadId);
      abortedUploads.push(`${s3Url(loc.bucket, u.key)} (started ${u.initiated.toISOString()})`);
    }
    return { dir: s3Url(loc.bucket, loc.prefix), dryRun: opts.dryRun === true, newestVerified: plan.newestVerified, decisions: plan.decisions, deleted, abortedUploads };
  } finally {
    store.close();
  }
}

export async function run(opts: BackupPruneOptions, ctx: CommandContext): Promise<BackupPruneResult> {
  const policy = policyFromFlags(opts);
  if (isS3Url(opts.dir)) return runRemote(opts, policy, ctx);
  if (!opts.dir && !opts.clusterId) {
    throw new UsageError('backup prune needs --dir DIR (or s3://BUCKET/PREFIX/) or --cluster-id ID', { hint: `backups live in ${homePaths.backupsDir(ctx.home, 'CLUSTER_ID')}; see upshift backup ls` });
  }
  const dir = opts.dir ? resolve(opts.dir) : homePaths.backupsDir(ctx.home, opts.clusterId!);
  const { entries } = await readCatalogue(dir);
  const items: Item[] = entries.map((e) => ({
    id: e.file,
    createdAt: e.manifest.createdAt,
    revision: e.manifest.revision,
    present: e.present,
    verify: async () => (await verifyBackup(e.file, { requireManifest: true, signal: ctx.signal })).report.problems.map((p) => p.code),
    remove: async () => {
      await rm(e.file, { force: true });
      await rm(e.manifestPath, { force: true });
    },
  }));
  const plan = await decide(items, policy, ctx);
  const deleted = await execute(plan, items, opts.dryRun === true);
  return { dir, dryRun: opts.dryRun === true, newestVerified: plan.newestVerified, decisions: plan.decisions, deleted, abortedUploads: [] };
}

export function render(r: BackupPruneResult): string {
  if (r.decisions.length === 0 && r.abortedUploads.length === 0) return `no backups in ${r.dir}\n`;
  let out = r.dryRun ? 'dry run: nothing deleted\n' : `deleted ${r.deleted.length} backup(s)\n`;
  if (r.decisions.length > 0) out += renderTable({ head: ['ACTION', 'CREATED', 'FILE', 'REASON'], rows: r.decisions.map((d) => [r.dryRun && d.action === 'delete' ? 'would delete' : d.action, d.createdAt, d.file, d.reason]) });
  for (const u of r.abortedUploads) out += `${r.dryRun ? 'would abort' : 'aborted'} an abandoned multipart upload: ${u}\n`;
  return out;
}
