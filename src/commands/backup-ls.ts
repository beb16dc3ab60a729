/** `upshift backup ls [--dir D | --dir s3://BUCKET/PREFIX/]`: the catalogue, newest first, from manifests. */
import { resolve, join } from 'node:path';
import { readdir } from 'node:fs/promises';
import type { CommandContext } from '../core/context.js';
import { formatBytes, renderTable } from '../core/output.js';
import { readCatalogue } from '../backup/manifest.js';
import { readRemoteCatalogue } from '../backup/remote.js';
import { resolveS3Settings, type S3Flags } from '../s3/options.js';
import { ObjectStore } from '../s3/store.js';
import { isS3Url, parseS3Location, s3Url } from '../s3/url.js';

export interface BackupLsOptions extends S3Flags {
  dir?: string;
  clusterId?: string;
  output?: string;
}

export interface BackupLsEntry {
  file: string;
  createdAt: string;
  size: number;
  revision: number;
  totalKeys: number;
  etcdVersion: string;
  clusterId: string;
  memberId: string;
  memberName: string;
  /** The snapshot file exists with the recorded size (a full check is `backup verify`). */
  present: boolean;
  hashKV: number | null;
}

export interface BackupLsResult {
  dirs: string[];
  backups: BackupLsEntry[];
  unreadable: { path: string; error: string }[];
  /** Leftovers of interrupted saves (`.NAME.PID.RAND.part`, or multipart uploads never completed): garbage. */
  partials: string[];
}

/** Without --dir: every cluster's directory under $UPSHIFT_HOME/backups (or one with --cluster-id). */
async function backupDirs(opts: BackupLsOptions, ctx: CommandContext): Promise<string[]> {
  if (opts.dir) return [resolve(opts.dir)];
  const root = join(ctx.home, 'backups');
  if (opts.clusterId) return [join(root, opts.clusterId)];
  try {
    const names = await readdir(root, { withFileTypes: true });
    return names.filter((d) => d.isDirectory()).map((d) => join(root, d.name)).sort();
  } catch {
    return [];
  }
}

function entryOf(file: string, m: { createdAt: string; size: number; revision: number; totalKeys: number; etcdVersion: string; clusterId: string; memberId: string; memberName: string; hashKV: { hash: number } | null }, present: boolean): BackupLsEntry {
  return { file, createdAt: m.createdAt, size: m.size, revision: m.revision, totalKeys: m.totalKeys, etcdVersion: m.etcdVersion, clusterId: m.clusterId, memberId: m.memberId, memberName: m.memberName, present, hashKV: m.hashKV?.hash ?? null };
}

async function runRemote(opts: BackupLsOptions, ctx: CommandContext): Promise<BackupLsResult> {
  const loc = parseS3Location(opts.dir!, '--dir');
  const store = new ObjectStore(resolveS3Settings(opts, ctx.env));
  try {
    const cat = await readRemoteCatalogue(store, loc, ctx.signal);
    return {
      dirs: [s3Url(loc.bucket, loc.prefix)],
      backups: cat.entries.map((e) => entryOf(e.url, e.manifest, e.present)),
      unreadable: cat.unreadable,
      partials: cat.pending.map((u) => `${s3Url(loc.bucket, u.key)} (multipart upload ${u.uploadId.slice(0, 12)}… started ${u.initiated?.toISOString() ?? '?'}; prune aborts it after a day)`),
    };
  } finally {
    store.close();
  }
}

export async function run(opts: BackupLsOptions, ctx: CommandContext): Promise<BackupLsResult> {
  if (isS3Url(opts.dir)) return runRemote(opts, ctx);
  const dirs = await backupDirs(opts, ctx);
  const backups: BackupLsEntry[] = [];
  const unreadable: { path: string; error: string }[] = [];
  const partials: string[] = [];
  for (const d of dirs) {
    try {
      partials.push(...(await readdir(d)).filter((n) => n.startsWith('.') && n.endsWith('.part')).map((n) => join(d, n)));
    } catch {
      // no such directory: nothing saved there yet
    }
    const cat = await readCatalogue(d);
    unreadable.push(...cat.unreadable);
    for (const e of cat.entries) backups.push(entryOf(e.file, e.manifest, e.present));
  }
  backups.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.revision - a.revision);
  return { dirs, backups, unreadable, partials };
}

export function render(r: BackupLsResult): string {
  if (r.backups.length === 0 && r.unreadable.length === 0 && r.partials.length === 0) return `no backups in ${r.dirs.length ? r.dirs.join(', ') : '(no backup directory)'}\n`;
  let out = renderTable({
    head: ['CREATED', 'CLUSTER', 'REVISION', 'KEYS', 'SIZE', 'ETCD', 'MEMBER', 'STATE', 'FILE'],
    rows: r.backups.map((b) => [b.createdAt, b.clusterId, String(b.revision), String(b.totalKeys), formatBytes(b.size), b.etcdVersion, b.memberName, b.present ? 'present' : 'MISSING', b.file]),
  });
  for (const u of r.unreadable) out += `unreadable manifest ${u.path}: ${u.error}\n`;
  for (const p of r.partials) out += `leftover of an interrupted save (safe to delete): ${p}\n`;
  return out;
}
