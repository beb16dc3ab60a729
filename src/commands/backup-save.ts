/**
 * `upshift backup save [--dir D] [--to s3://BUCKET/PREFIX/] [--from MEMBER]`: a verified snapshot plus its
 * manifest, in a directory, in an object store, or both.
 *
 * With `--to`: the snapshot streams to the store while it arrives (multipart upload), and also to a local
 * file (`--dir`, or a private temp spool removed afterwards) that the bbolt checks read. The upload is only
 * completed once etcd's sha256 trailer and the bbolt checks pass; otherwise, or on any failure or signal, it
 * is aborted and no object appears. The stored object is then verified (size and ETag, or a read-back) and
 * only then is the manifest object written beside it.
 */
import { resolve, join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { homePaths } from '../core/home.js';
import { parseDuration } from '../core/duration.js';
import { errorMessage } from '../core/errors.js';
import { formatBytes, formatDuration } from '../core/output.js';
import type { ConnectionFlags } from '../cli/common.js';
import { resolveConnection } from '../client/connection.js';
import { defaultFileName, discoverTarget, saveSnapshot, type SaveProgress, type SaveResult } from '../backup/save.js';
import type { BackupReport } from '../backup/verify.js';
import { UPSHIFT_VERSION } from '../backup/version.js';
import { uploadManifest } from '../backup/remote.js';
import { resolveS3Settings, type S3Flags } from '../s3/options.js';
import { ObjectStore } from '../s3/store.js';
import { StreamingUpload, type UploadOutcome } from '../s3/upload.js';
import { parseS3Location, s3Url, type S3Location } from '../s3/url.js';

export interface BackupSaveOptions extends ConnectionFlags, S3Flags {
  dir?: string;
  to?: string;
  from?: string;
  inactivityTimeout?: string;
  checkStructure?: boolean;
  output?: string;
}

export type BackupSaveResult = BackupReport & {
  manifestPath: string;
  memberName: string;
  endpoint: string;
  durationMs: number;
  liveKeys: number | null;
  /** The object in the store, when saved with --to. */
  object: (UploadOutcome & { url: string; manifestUrl: string }) | null;
  /** The local file kept (--dir, or the default directory without --to); null when only the object remains. */
  localFile: string | null;
};

export async function run(opts: BackupSaveOptions, ctx: CommandContext): Promise<BackupSaveResult> {
  const config = resolveConnection(opts, ctx.env, ctx.home);
  const inactivityTimeoutMs = parseDuration(opts.inactivityTimeout ?? '30s', '--inactivity-timeout');
  const loc = opts.to !== undefined ? parseS3Location(opts.to, '--to') : undefined;
  const store = loc ? new ObjectStore(resolveS3Settings(opts, ctx.env)) : undefined;
  try {
    // Fail on credentials, bucket and endpoint before asking etcd for anything.
    if (store && loc) await store.checkAccess(loc, ctx.signal);
    const target = await discoverTarget(config, opts.from, ctx.signal);
    const started = new Date();
    const fileName = defaultFileName(started, target.memberName);
    const spool = loc && !opts.dir ? await mkdtemp(join(tmpdir(), 'upshift-spool-')) : undefined;
    const dir = spool ?? (opts.dir ? resolve(opts.dir) : homePaths.backupsDir(ctx.home, target.clusterId));
    const dest = loc ? `${s3Url(loc.bucket, loc.prefix + fileName)}${opts.dir ? ` and ${dir}` : ''}` : dir;
    note(ctx, `saving a snapshot of cluster ${target.clusterId} from ${target.memberName || target.memberId} (${target.endpoint}${target.isLeader ? ', leader' : ''}, etcd ${target.version}) to ${dest}`);
    const progress = ctx.interactive ? ttyProgress(ctx) : undefined;
    const upload = store && loc ? new StreamingUpload(store, loc.bucket, loc.prefix + fileName, started) : undefined;
    try {
      let res: SaveResult;
      try {
        res = await saveSnapshot(config, target, {
          dir,
          fileName,
          now: () => started,
          inactivityTimeoutMs,
          signal: ctx.signal,
          onProgress: progress,
          checkStructure: opts.checkStructure === true,
          upshiftVersion: UPSHIFT_VERSION,
          tee: upload,
        });
      } catch (e) {
        if (upload) {
          await upload.abort(e instanceof Error ? e : new Error(String(e))).catch((abortError: unknown) => note(ctx, `warning: ${errorMessage(abortError)}`));
          note(ctx, `the upload to ${s3Url(upload.bucket, upload.key)} was aborted: no object was created`);
        }
        throw e;
      }
      if (ctx.interactive) ctx.stderr.write('\n');
      const m = res.manifest;
      note(ctx, `saved ${formatBytes(m.size)} in ${formatDuration(m.durationMs)}: revision ${m.revision}, sha256 trailer verified`);
      for (const n of m.notes) note(ctx, `note: ${n}`);
      let object: BackupSaveResult['object'] = null;
      if (upload && store && loc) object = await completeUpload(ctx, store, loc, upload, res);
      return result(res, object, spool ? null : res.file);
    } finally {
      if (spool) await rm(spool, { recursive: true, force: true });
    }
  } finally {
    store?.close();
  }
}

async function completeUpload(ctx: CommandContext, store: ObjectStore, loc: S3Location, upload: StreamingUpload, res: SaveResult): Promise<NonNullable<BackupSaveResult['object']>> {
  const t0 = performance.now();
  const out = await upload.finish(res.manifest.sha256, ctx.signal);
  // Once the object is complete and verified the manifest follows even after a signal (one small PUT), so
  // a stop leaves a whole backup; if it cannot be written, the object goes too (never one without the other).
  let manifestKey: string;
  try {
    manifestKey = await uploadManifest(store, loc.bucket, upload.key, res.manifest, new Date(res.manifest.createdAt));
  } catch (e) {
    await store.delete(loc.bucket, upload.key).catch(() => undefined);
    throw e;
  }
  note(ctx, `uploaded ${s3Url(loc.bucket, upload.key)} (${out.verifiedBy === 'etag' ? 'ETag matches the MD5s sent' : 'read back, sha256 matches'}, completed ${formatDuration(performance.now() - t0)} after the stream) and its manifest`);
  return { ...out, url: s3Url(loc.bucket, upload.key), manifestUrl: s3Url(loc.bucket, manifestKey) };
}

function result(res: SaveResult, object: BackupSaveResult['object'], localFile: string | null): BackupSaveResult {
  const m = res.manifest;
  return {
    file: localFile ?? object!.url,
    size: m.size,
    sha256: m.sha256,
    revision: m.revision,
    totalKeys: m.totalKeys,
    etcdVersion: m.etcdVersion,
    clusterId: m.clusterId,
    memberId: m.memberId,
    createdAt: m.createdAt,
    ok: true,
    problems: [],
    notes: m.notes,
    manifest: localFile ? res.manifestPath : object!.manifestUrl,
    revisions: m.revisions,
    storageVersion: m.storageVersion,
    hashKV: m.hashKV,
    manifestPath: localFile ? res.manifestPath : object!.manifestUrl,
    memberName: m.memberName,
    endpoint: m.endpoint,
    durationMs: m.durationMs,
    liveKeys: m.liveKeys,
    object,
    localFile,
  };
}

function ttyProgress(ctx: CommandContext): (p: SaveProgress) => void {
  return (p) => {
    const rate = p.elapsedMs > 0 ? (p.bytes / p.elapsedMs) * 1000 : 0;
    const pct = p.expectedBytes ? ` (${Math.min(100, Math.floor((p.bytes / p.expectedBytes) * 100))}%)` : '';
    ctx.stderr.write(`\r\x1b[K  ${formatBytes(p.bytes)}${pct}  ${formatBytes(rate)}/s`);
  };
}

export function render(r: BackupSaveResult): string {
  const lines = [
    `saved ${r.file}`,
    `  size       ${formatBytes(r.size)} (${r.size} bytes), sha256 ${r.sha256}`,
    `  revision   ${r.revision}    total keys ${r.totalKeys}    live keys ${r.liveKeys ?? '-'}`,
    `  from       ${r.memberName} ${r.memberId} (${r.endpoint}), etcd ${r.etcdVersion}, cluster ${r.clusterId}`,
    `  hashKV     ${r.hashKV ? `${r.hashKV.hash} at revision ${r.hashKV.revision} (compacted ${r.hashKV.compactRevision})` : 'not recorded'}`,
    `  manifest   ${r.manifestPath}`,
  ];
  if (r.object) {
    lines.push(`  object     ${r.object.url} (verified by ${r.object.verifiedBy}${r.object.storageClass ? `, ${r.object.storageClass}` : ''}${r.object.lockUntil ? `, locked until ${r.object.lockUntil}` : ''})`);
    if (r.localFile) lines.push(`  local copy ${r.localFile}`);
  }
  for (const n of r.notes) lines.push(`  note       ${n}`);
  return lines.join('\n') + '\n';
}
