/** `upshift backup save [--dir D] [--from MEMBER]`: a verified snapshot plus its manifest. */
import { resolve } from 'node:path';
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { homePaths } from '../core/home.js';
import { parseDuration } from '../core/duration.js';
import { formatBytes, formatDuration } from '../core/output.js';
import type { ConnectionFlags } from '../cli/common.js';
import { resolveConnection } from '../client/connection.js';
import { discoverTarget, saveSnapshot, type SaveProgress } from '../backup/save.js';
import type { BackupReport } from '../backup/verify.js';
import { UPSHIFT_VERSION } from '../backup/version.js';

export interface BackupSaveOptions extends ConnectionFlags {
  dir?: string;
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
};

export async function run(opts: BackupSaveOptions, ctx: CommandContext): Promise<BackupSaveResult> {
  const config = resolveConnection(opts, ctx.env, ctx.home);
  const inactivityTimeoutMs = parseDuration(opts.inactivityTimeout ?? '30s', '--inactivity-timeout');
  const target = await discoverTarget(config, opts.from, ctx.signal);
  const dir = opts.dir ? resolve(opts.dir) : homePaths.backupsDir(ctx.home, target.clusterId);
  note(ctx, `saving a snapshot of cluster ${target.clusterId} from ${target.memberName || target.memberId} (${target.endpoint}${target.isLeader ? ', leader' : ''}, etcd ${target.version}) into ${dir}`);
  const progress = ctx.interactive ? ttyProgress(ctx) : undefined;
  const res = await saveSnapshot(config, target, {
    dir,
    inactivityTimeoutMs,
    signal: ctx.signal,
    onProgress: progress,
    checkStructure: opts.checkStructure === true,
    upshiftVersion: UPSHIFT_VERSION,
  });
  if (ctx.interactive) ctx.stderr.write('\n');
  const m = res.manifest;
  note(ctx, `saved ${formatBytes(m.size)} in ${formatDuration(m.durationMs)}: revision ${m.revision}, sha256 trailer verified`);
  for (const n of m.notes) note(ctx, `note: ${n}`);
  return {
    file: res.file,
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
    manifest: res.manifestPath,
    revisions: m.revisions,
    storageVersion: m.storageVersion,
    hashKV: m.hashKV,
    manifestPath: res.manifestPath,
    memberName: m.memberName,
    endpoint: m.endpoint,
    durationMs: m.durationMs,
    liveKeys: m.liveKeys,
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
  for (const n of r.notes) lines.push(`  note       ${n}`);
  return lines.join('\n') + '\n';
}
