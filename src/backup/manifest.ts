/**
 * The manifest written beside each snapshot (`FILE.manifest.json`): what the snapshot is, where it
 * came from, and what a restore must reproduce. Written crash-safely after the snapshot is in place,
 * so a snapshot without a manifest is an interrupted save (or a foreign file), never a trusted backup.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../core/files.js';

export const MANIFEST_SUFFIX = '.manifest.json';

export function manifestPathFor(snapshotFile: string): string {
  return snapshotFile + MANIFEST_SUFFIX;
}

const hashKvSchema = z.object({
  hash: z.number(),
  /** The revision the hash covers (the snapshot revision). */
  revision: z.number(),
  /** The server's compact revision when it hashed: the hash is comparable only at the same one. */
  compactRevision: z.number(),
});

export const manifestSchema = z.object({
  schema: z.literal(1),
  /** The snapshot's file name (relative to the manifest's directory). */
  file: z.string(),
  size: z.number(),
  /** sha256 of the whole file as stored (`sha256sum FILE`). */
  sha256: z.string(),
  /** sha256 of the db bytes = etcd's trailer. */
  dbSha256: z.string(),
  revision: z.number(),
  /** etcdutl ≤3.5 `snapshot status` totalKey semantics (every entry of every bucket). */
  totalKeys: z.number(),
  /** Entries of the `key` bucket (stored revisions). */
  revisions: z.number(),
  /** Live keys at `revision`, counted by the server (Range count_only) when it could be. */
  liveKeys: z.number().nullable(),
  compactRevision: z.number().nullable(),
  /** Server version of the member the snapshot came from. */
  etcdVersion: z.string(),
  /** 3.6+ storage version, from the snapshot stream or the db. */
  storageVersion: z.string().nullable(),
  clusterId: z.string(),
  memberId: z.string(),
  memberName: z.string(),
  endpoint: z.string(),
  wasLeader: z.boolean(),
  createdAt: z.string(),
  durationMs: z.number(),
  hashKV: hashKvSchema.nullable(),
  /** Why hashKV is null or may not be comparable (e.g. a compaction raced the save). */
  notes: z.array(z.string()),
  upshiftVersion: z.string(),
});

export type BackupManifest = z.infer<typeof manifestSchema>;
export type HashKvRecord = z.infer<typeof hashKvSchema>;

export async function writeManifest(snapshotFile: string, m: BackupManifest): Promise<string> {
  const path = manifestPathFor(snapshotFile);
  await writeFileAtomic(path, JSON.stringify(m, null, 2) + '\n', { mode: 0o600 });
  return path;
}

export class ManifestError extends Error {
  constructor(
    readonly kind: 'missing' | 'unreadable',
    message: string,
  ) {
    super(message);
  }
}

export async function readManifest(path: string): Promise<BackupManifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ManifestError('missing', `no manifest at ${path}`);
    throw new ManifestError('unreadable', `cannot read ${path}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ManifestError('unreadable', `${path} is not JSON: ${(e as Error).message}`);
  }
  const r = manifestSchema.safeParse(json);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new ManifestError('unreadable', `${path} is not an upshift manifest: ${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'}`);
  }
  return r.data;
}

/** One catalogue row: a manifest and the state of the file it describes. */
export interface CatalogueEntry {
  file: string;
  manifestPath: string;
  manifest: BackupManifest;
  /** The snapshot file exists with the size the manifest records. */
  present: boolean;
  actualSize: number | null;
}

/** All backups in `dir` that have a readable manifest, newest first. Unreadable manifests are returned apart. */
export async function readCatalogue(dir: string): Promise<{ entries: CatalogueEntry[]; unreadable: { path: string; error: string }[] }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], unreadable: [] };
    throw e;
  }
  const entries: CatalogueEntry[] = [];
  const unreadable: { path: string; error: string }[] = [];
  for (const n of names.filter((x) => x.endsWith(MANIFEST_SUFFIX)).sort()) {
    const manifestPath = join(dir, n);
    try {
      const manifest = await readManifest(manifestPath);
      const file = join(dirname(manifestPath), basename(manifest.file));
      let actualSize: number | null = null;
      try {
        actualSize = (await stat(file)).size;
      } catch {
        actualSize = null;
      }
      entries.push({ file, manifestPath, manifest, present: actualSize === manifest.size, actualSize });
    } catch (e) {
      unreadable.push({ path: manifestPath, error: (e as Error).message });
    }
  }
  entries.sort(newestFirst);
  return { entries, unreadable };
}

export function newestFirst(a: { manifest: { createdAt: string; revision: number } }, b: { manifest: { createdAt: string; revision: number } }): number {
  const t = Date.parse(b.manifest.createdAt) - Date.parse(a.manifest.createdAt);
  return t !== 0 ? t : b.manifest.revision - a.manifest.revision;
}
