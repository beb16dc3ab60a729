/**
 * `upshift restore FILE (--name N [--members 3] [--version V] | --data-dir DIR --member-name M --initial-cluster ...)`.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { ExitCode, UsageError } from '../core/errors.js';
import type { CommandOutcome } from '../core/errors.js';
import { renderTable } from '../core/output.js';
import { outcome } from './command.js';
import { checkSnapshotForRestore, restoreMemberDataDir, restoreToLocalCluster, type LocalRestoreResult, type MemberRestoreResult } from '../restore/restore.js';
import { fetchRemoteBackup } from '../backup/remote.js';
import { resolveS3Settings, type S3Flags } from '../s3/options.js';
import { ObjectStore } from '../s3/store.js';
import { isS3Url, parseS3Object } from '../s3/url.js';

export interface RestoreOptions extends S3Flags {
  file: string;
  name?: string;
  members?: string;
  version?: string;
  dataDir?: string;
  memberName?: string;
  initialCluster?: string;
  initialAdvertisePeerUrls?: string;
  initialClusterToken?: string;
  skipHashCheck?: boolean;
  force?: boolean;
  user?: string;
  password?: string;
  /** commander: the value of --bump-revision N, false for --no-bump-revision. */
  bumpRevision?: string | boolean;
  markCompacted?: boolean;
  output?: string;
}

/** --bump-revision N / --no-bump-revision as restore.ts takes them (exit 2 on a bad N). */
export function bumpFlags(opts: Pick<RestoreOptions, 'bumpRevision' | 'markCompacted'>): { bumpRevision: number | false | undefined; markCompacted: boolean | undefined } {
  const b = opts.bumpRevision;
  let bumpRevision: number | false | undefined;
  if (b === false) bumpRevision = false;
  else if (typeof b === 'string') {
    if (!/^\d+$/.test(b.trim())) throw new UsageError(`--bump-revision: "${b}" is not a whole number`, { hint: 'e.g. --bump-revision 1000000000 --mark-compacted' });
    bumpRevision = Number(b);
  }
  return { bumpRevision, markCompacted: opts.markCompacted };
}

export type RestoreResult = LocalRestoreResult | MemberRestoreResult;

/**
 * `restore s3://BUCKET/KEY`: stream the object (and its manifest) down into a private temp dir, then restore
 * that file exactly as a local one (which verifies it first); the download is removed afterwards.
 */
export async function run(opts: RestoreOptions, ctx: CommandContext): Promise<RestoreResult | CommandOutcome<RestoreResult>> {
  if (!isS3Url(opts.file)) return runLocal(opts, ctx);
  const obj = parseS3Object(opts.file, 'FILE');
  const store = new ObjectStore(resolveS3Settings(opts, ctx.env));
  try {
    note(ctx, `downloading ${opts.file}`);
    const got = await fetchRemoteBackup(store, obj.bucket, obj.key, { signal: ctx.signal });
    try {
      if (!got.manifestFound) note(ctx, `note: no manifest object beside ${opts.file}`);
      const res = await runLocal({ ...opts, file: got.file }, ctx);
      const r = 'exitCode' in res && 'result' in res ? res.result : res;
      r.file = opts.file;
      return res;
    } finally {
      await got.cleanup();
    }
  } finally {
    store.close();
  }
}

async function runLocal(opts: RestoreOptions, ctx: CommandContext): Promise<RestoreResult | CommandOutcome<RestoreResult>> {
  const file = resolve(opts.file);
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`FILE: ${opts.file} is not a file`, { hint: 'pass a snapshot file (see upshift backup ls)' });
  const dataDirMode = opts.dataDir !== undefined;
  if (dataDirMode && opts.name !== undefined) throw new UsageError('--name and --data-dir both given', { hint: '--name makes a new local cluster; --data-dir restores one member of a real deployment' });
  if (!dataDirMode && opts.name === undefined) throw new UsageError('restore needs --name N (a new local cluster) or --data-dir DIR --member-name M --initial-cluster ...', { hint: 'e.g. upshift restore FILE --name restored' });
  if (dataDirMode && (!opts.memberName || !opts.initialCluster)) {
    throw new UsageError('--data-dir needs --member-name and --initial-cluster', { hint: 'e.g. --data-dir /var/lib/etcd --member-name infra1 --initial-cluster infra1=https://10.0.0.1:2380,infra2=https://10.0.0.2:2380' });
  }
  let user = opts.user;
  let password = opts.password;
  if (user?.includes(':') && password === undefined) {
    password = user.slice(user.indexOf(':') + 1);
    user = user.slice(0, user.indexOf(':'));
  }
  const bump = bumpFlags(opts);
  const snap = await checkSnapshotForRestore(file, opts.skipHashCheck === true, ctx.signal);
  const progress = (line: string): void => note(ctx, line);
  if (dataDirMode) {
    return restoreMemberDataDir(ctx.home, snap, {
      dataDir: opts.dataDir!,
      memberName: opts.memberName!,
      initialCluster: opts.initialCluster!,
      initialAdvertisePeerUrls: opts.initialAdvertisePeerUrls,
      initialClusterToken: opts.initialClusterToken ?? 'etcd-cluster',
      version: opts.version,
      force: opts.force === true,
      ...bump,
      signal: ctx.signal,
      progress,
    });
  }
  const members = Number(opts.members ?? '3');
  if (!Number.isInteger(members) || members < 1) throw new UsageError(`--members: "${opts.members}" is not a member count`, { hint: 'e.g. --members 3' });
  if (opts.force) note(ctx, 'note: --force does not replace a local cluster; remove it first with upshift cluster down NAME --purge');
  const r = await restoreToLocalCluster(ctx.home, snap, { name: opts.name!, members, version: opts.version, user, password, ...bump, signal: ctx.signal, progress });
  if (!r.ok) note(ctx, `the restored cluster ${r.cluster} does NOT hold what the snapshot says; it is left running for inspection (upshift cluster down ${r.cluster})`);
  return r.ok ? r : outcome(r, ExitCode.problem);
}

export function render(r: RestoreResult): string {
  if (r.mode === 'data-dir') {
    const lines = [`restored ${r.file} into ${r.dataDir} as member ${r.memberName} (${r.tool} ${r.version}, revision ${r.revision ?? '?'}${r.revisionBump ? `, bumped by ${r.revisionBump.amount} to ${r.restoredRevision ?? '?'} and marked compacted` : ''})`];
    if (r.movedAside) lines.push(`the previous data dir is at ${r.movedAside}`);
    lines.push('', 'start this member:', `  ${r.start}`);
    for (const o of r.otherMembers) {
      lines.push('', `member ${o.name}:`);
      for (const c of o.commands) lines.push(`  ${c}`);
    }
    for (const n of r.notes) lines.push(`note: ${n}`);
    return lines.join('\n') + '\n';
  }
  let out = `${r.ok ? 'restored' : 'RESTORED BUT NOT MATCHING'}: ${r.file} -> local cluster ${r.cluster} (etcd ${r.version}, ${r.members.length} member(s), revision ${r.revision}${r.revisionBump ? `, bumped by ${r.revisionBump.amount} to ${r.restoredRevision} and marked compacted` : ''})\n`;
  out += renderTable({ head: ['CHECK', 'OK', 'EXPECTED', 'ACTUAL', 'DETAIL'], rows: r.checks.map((c) => [c.name, c.ok ? 'yes' : 'NO', c.expected, c.actual, c.message]) });
  out += `endpoints: ${r.endpoints.join(',')}\n`;
  for (const n of r.notes) out += `note: ${n}\n`;
  return out;
}
