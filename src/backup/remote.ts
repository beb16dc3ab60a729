/**
 * Backups in an object store: the same snapshot + manifest pairs as in a directory, as objects under one
 * prefix. The manifest is written last and is what makes a snapshot object a backup: `ls`, `verify`, `prune`
 * and `restore` only trust snapshots with a manifest (an object without one is an interrupted save).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MANIFEST_SUFFIX, manifestSchema, newestFirst, type BackupManifest } from './manifest.js';
import type { ObjectStore, PendingUpload } from '../s3/store.js';
import { s3Url, type S3Location } from '../s3/url.js';
import { UsageError } from '../core/errors.js';

export interface RemoteEntry {
  /** s3://bucket/key of the snapshot. */
  url: string;
  key: string;
  manifestKey: string;
  manifest: BackupManifest;
  present: boolean;
  actualSize: number | null;
  storageClass: string | undefined;
}

export interface RemoteCatalogue {
  entries: RemoteEntry[];
  unreadable: { path: string; error: string }[];
  /** Multipart uploads never completed nor aborted (a save killed mid-stream): invisible, still stored. */
  pending: PendingUpload[];
}

export async function uploadManifest(store: ObjectStore, bucket: string, snapshotKey: string, m: BackupManifest, now: Date, signal?: AbortSignal): Promise<string> {
  const key = snapshotKey + MANIFEST_SUFFIX;
  // Manifests keep the default storage class, so listing and pruning never wait for an archive tier.
  await store.putText(bucket, key, JSON.stringify(m, null, 2) + '\n', store.writeParams(now), signal);
  return key;
}

export async function readRemoteCatalogue(store: ObjectStore, loc: S3Location, signal?: AbortSignal): Promise<RemoteCatalogue> {
  const objects = await store.list(loc, signal);
  const byKey = new Map(objects.map((o) => [o.key, o]));
  const entries: RemoteEntry[] = [];
  const unreadable: { path: string; error: string }[] = [];
  for (const o of objects.filter((x) => x.key.endsWith(MANIFEST_SUFFIX))) {
    const url = s3Url(loc.bucket, o.key);
    try {
      const parsed = manifestSchema.safeParse(JSON.parse(await store.getText(loc.bucket, o.key, signal)));
      if (!parsed.success) throw new Error(`not an upshift manifest: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      const manifest = parsed.data;
      const key = loc.prefix + manifest.file.split('/').pop()!;
      const snap = byKey.get(key);
      entries.push({ url: s3Url(loc.bucket, key), key, manifestKey: o.key, manifest, present: snap?.size === manifest.size, actualSize: snap?.size ?? null, storageClass: snap?.storageClass });
    } catch (e) {
      if (e instanceof UsageError) throw e;
      unreadable.push({ path: url, error: (e as Error).message });
    }
  }
  entries.sort(newestFirst);
  const pending = await store.listPendingUploads(loc, signal).catch(() => [] as PendingUpload[]);
  return { entries, unreadable, pending };
}

/**
 * Download a snapshot (and its manifest, when there is one) into a fresh private temp dir under their own
 * names, so the local checks (verify, restore) read them as they read a directory. `cleanup` removes it.
 */
export async function fetchRemoteBackup(
  store: ObjectStore,
  bucket: string,
  key: string,
  opts: { signal?: AbortSignal; onChunk?: (b: Buffer) => void } = {},
): Promise<{ file: string; manifestFound: boolean; dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'upshift-s3-'));
  const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const name = key.split('/').pop()!;
    const file = join(dir, name);
    await store.download(bucket, key, file, opts);
    let manifestFound = true;
    try {
      await store.download(bucket, key + MANIFEST_SUFFIX, file + MANIFEST_SUFFIX, { signal: opts.signal });
    } catch (e) {
      if ((e as { code?: string }).code !== 's3-no-such-object') throw e;
      manifestFound = false;
    }
    return { file, manifestFound, dir, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
