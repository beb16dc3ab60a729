/**
 * `upshift deps fix [DIR]`: rewrite legacy etcd import paths and go.mod requirements to the target line.
 * discover -> analyse -> plan edits (pure, src/deps/codemod.ts) -> write crash-safely (or print a diff).
 * Never touches vendor/ (not scanned) and prints the commands to run next.
 */
import { UsageError } from '../core/errors.js';
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { resolveTarget } from '../deps/analyze.js';
import { discoverModules } from '../deps/discover.js';
import type { FileEdit, GoModEdit, SkippedImport } from '../deps/codemod.js';
import { computeFix, writeEdits } from '../deps/fix.js';
import { DEFAULT_TARGET } from '../deps/knowledge/releases.js';
import { asUsageError } from './deps.js';
import { resolve } from 'node:path';

export interface DepsFixOptions {
  dir?: string;
  target?: string;
  dryRun?: boolean;
  output?: string;
}

export interface DepsFixResult {
  dir: string;
  target: string;
  dryRun: boolean;
  files: { file: string; rewrites: FileEdit['rewrites'] }[];
  goMod: { file: string; added: GoModEdit['added']; removed: string[]; replacesDropped: string[] }[];
  skipped: SkippedImport[];
  /** Unified diff of every change (always computed; printed for --dry-run). */
  diff: string;
  commands: string[];
}

export async function run(opts: DepsFixOptions, ctx: CommandContext): Promise<DepsFixResult> {
  const dir = resolve(opts.dir ?? '.');
  const target = resolveTarget(opts.target, DEFAULT_TARGET);
  if (!target) throw new UsageError(`--target ${opts.target}: not a known etcd release`, { hint: 'use a line (3.4, 3.5, 3.6, 3.7) or a release such as v3.5.33' });
  let modules;
  try {
    modules = await discoverModules(dir);
  } catch (e) {
    asUsageError(e, dir);
  }
  const { fileEdits, modEdits, skipped, commands } = computeFix(modules!, target);
  const { createTwoFilesPatch } = await import('diff');
  const diff = [...modEdits, ...fileEdits].map((e) => createTwoFilesPatch(`a/${e.file}`, `b/${e.file}`, e.before, e.after, '', '', { context: 3 })).map((p) => p.replace(/^={67}\n/, '')).join('');
  if (!opts.dryRun) {
    await writeEdits(dir, [...modEdits, ...fileEdits]);
    note(ctx, `upshift: rewrote ${fileEdits.length} Go file(s) and ${modEdits.length} go.mod file(s) in ${dir}`);
  }
  return {
    dir,
    target,
    dryRun: Boolean(opts.dryRun),
    files: fileEdits.map((e) => ({ file: e.file, rewrites: e.rewrites })),
    goMod: modEdits.map((e) => ({ file: e.file, added: e.added, removed: e.removed, replacesDropped: e.replacesDropped })),
    skipped,
    diff,
    commands,
  };
}

export function render(r: DepsFixResult, _format: string): string {
  const out: string[] = [];
  if (r.dryRun) {
    out.push(r.diff || '(no changes)\n');
    out.push(`dry run: ${r.files.length} Go file(s) and ${r.goMod.length} go.mod file(s) would change (target etcd ${r.target})`);
  } else {
    const n = r.files.reduce((a, f) => a + f.rewrites.length, 0);
    out.push(`rewrote ${n} import(s) in ${r.files.length} Go file(s); ${r.goMod.length} go.mod file(s) updated (target etcd ${r.target})`);
    for (const g of r.goMod) {
      for (const a of g.added) out.push(`  ${g.file}: require ${a.path} ${a.version}`);
      for (const p of g.removed) out.push(`  ${g.file}: dropped require ${p}`);
      for (const p of g.replacesDropped) out.push(`  ${g.file}: dropped replace ${p}`);
    }
  }
  if (r.skipped.length) {
    out.push('\nLeft for manual work:');
    for (const s of r.skipped) out.push(`  ${s.file}:${s.line}  ${s.path}  (${s.reason})`);
  }
  if (r.commands.length) {
    out.push('\nNext, run:');
    for (const c of r.commands) out.push(`  $ ${c}`);
  }
  return out.join('\n') + '\n';
}
