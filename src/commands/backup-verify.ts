/** `upshift backup verify FILE`: name every kind of damage; exit 1 on any. */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, ExitCode } from '../core/errors.js';
import type { CommandContext } from '../core/context.js';
import { outcome } from './command.js';
import type { CommandOutcome } from '../core/errors.js';
import { verifyBackup, type BackupReport } from '../backup/verify.js';
import { formatBytes } from '../core/output.js';

export interface BackupVerifyOptions {
  file: string;
  manifest?: string;
  requireManifest?: boolean;
  output?: string;
}

export async function run(opts: BackupVerifyOptions, ctx: CommandContext): Promise<BackupReport | CommandOutcome<BackupReport>> {
  const file = resolve(opts.file);
  if (!existsSync(file)) throw new UsageError(`FILE: ${opts.file} does not exist`, { hint: 'pass the path of a snapshot written by `upshift backup save` or `etcdctl snapshot save`' });
  if (!statSync(file).isFile()) throw new UsageError(`FILE: ${opts.file} is not a regular file`, { hint: 'pass the snapshot file itself' });
  const { report } = await verifyBackup(file, { manifest: opts.manifest ? resolve(opts.manifest) : undefined, requireManifest: opts.requireManifest === true || opts.manifest !== undefined, signal: ctx.signal });
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
