/** `upshift backup verify FILE|s3://BUCKET/KEY`: name every kind of damage; exit 1 on any. */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, ExitCode } from '../core/errors.js';
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { outcome } from './command.js';
import type { CommandOutcome } from '../core/errors.js';
import { verifyBackup, type BackupReport } from '../backup/verify.js';
import { formatBytes } from '../core/output.js';
import { fetchRemoteBackup } from '../backup/remote.js';
import { MANIFEST_SUFFIX } from '../backup/manifest.js';
import { resolveS3Settings, type S3Flags } from '../s3/options.js';
import { ObjectStore } from '../s3/store.js';
import { isS3Url, parseS3Object } from '../s3/url.js';

export interface BackupVerifyOptions extends S3Flags {
  file: string;
  manifest?: string;
  requireManifest?: boolean;
  output?: string;
}

/** Download an object (and its manifest) to a temp dir, verify it there, report it under its URL. */
async function verifyRemote(opts: BackupVerifyOptions, ctx: CommandContext): Promise<BackupReport> {
  const obj = parseS3Object(opts.file, 'FILE');
  if (opts.manifest !== undefined) throw new UsageError('--manifest is for local files; an object\'s manifest is the object beside it (KEY.manifest.json)');
  const store = new ObjectStore(resolveS3Settings(opts, ctx.env));
  try {
    note(ctx, `downloading ${opts.file} to verify it`);
    const got = await fetchRemoteBackup(store, obj.bucket, obj.key, { signal: ctx.signal });
    try {
      const { report } = await verifyBackup(got.file, { requireManifest: opts.requireManifest === true, signal: ctx.signal });
      return { ...report, file: opts.file, manifest: report.manifest ? opts.file + MANIFEST_SUFFIX : null };
    } finally {
      await got.cleanup();
    }
  } finally {
    store.close();
  }
}

export async function run(opts: BackupVerifyOptions, ctx: CommandContext): Promise<BackupReport | CommandOutcome<BackupReport>> {
  let report: BackupReport;
  if (isS3Url(opts.file)) {
    report = await verifyRemote(opts, ctx);
  } else {
    const file = resolve(opts.file);
    if (!existsSync(file)) throw new UsageError(`FILE: ${opts.file} does not exist`, { hint: 'pass the path of a snapshot written by `upshift backup save` or `etcdctl snapshot save`' });
    if (!statSync(file).isFile()) throw new UsageError(`FILE: ${opts.file} is not a regular file`, { hint: 'pass the snapshot file itself' });
    report = (await verifyBackup(file, { manifest: opts.manifest ? resolve(opts.manifest) : undefined, requireManifest: opts.requireManifest === true || opts.manifest !== undefined, signal: ctx.signal })).report;
  }
  return report.ok ? report : outcome(report, ExitCode.problem);
}

export function render(r: BackupReport): string {
  const lines = [
    `${r.ok ? 'OK' : 'DAMAGED'}  ${r.file}`,
    `  size      ${formatBytes(r.size)} (${r.size} bytes)`,
    `  sha256    ${r.sha256}`,
    `  revision  ${r.revision ?? '-'}    total keys ${r.totalKeys ?? '-'}    revisions ${r.revisions ?? '-'}`,
  ];
  if (r.etcdVersion) lines.push(`  from      etcd ${r.etcdVersion}, cluster ${r.clusterId}, member ${r.memberId}, at ${r.createdAt}`);
  for (const p of r.problems) lines.push(`  problem   [${p.code}] ${p.message}`);
  for (const n of r.notes) lines.push(`  note      ${n}`);
  return lines.join('\n') + '\n';
}
