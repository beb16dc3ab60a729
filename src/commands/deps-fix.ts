/**
 * `upshift deps fix [DIR]`: rewrite legacy etcd import paths and go.mod requirements to the target line.
 * discover -> analyse -> plan edits (pure, src/deps/codemod.ts) -> write crash-safely (or print a diff).
 * Never touches vendor/ (not scanned) and prints the commands to run next.
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ExitCode, UsageError, type CommandOutcome } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';
import { outcome } from './command.js';
import { changedFiles } from '../deps/verify.js';
import type { VerifyResult } from '../deps/verify-report.js';
import { renderVerify } from '../deps/render.js';
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { resolveTarget } from '../deps/analyze.js';
import { discoverModules } from '../deps/discover.js';
import type { FileEdit, GoModEdit, SkippedImport } from '../deps/codemod.js';
import { computeFix, writeEdits } from '../deps/fix.js';
import { DEFAULT_TARGET } from '../deps/knowledge/releases.js';
import { analyzeTree, asUsageError, verifyAnalyzed, verifyExitCode } from './deps.js';
import { resolve } from 'node:path';

export interface DepsFixOptions {
  dir?: string;
  target?: string;
  dryRun?: boolean;
  /** Run the whole plan in a scratch copy first; write the verified result only when it works. */
  verify?: boolean;
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
  /** --verify: each module's verification, and whether its result was written to the tree. */
  verify?: (VerifyResult & { dir: string })[];
  applied?: boolean;
  /** --verify: files of the tree the verified result changes (go.mod, go.sum, sources, vendor/). */
  changed?: string[];
}

export async function run(opts: DepsFixOptions, ctx: CommandContext): Promise<DepsFixResult | CommandOutcome<DepsFixResult>> {
  if (opts.verify) return runVerified(opts, ctx);
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
  const diff = await unifiedDiff([...modEdits, ...fileEdits]);
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

async function unifiedDiff(edits: readonly { file: string; before?: string; after?: string }[]): Promise<string> {
  const { createTwoFilesPatch } = await import('diff');
  return edits
    .map((e) => createTwoFilesPatch(e.before === undefined ? '/dev/null' : `a/${e.file}`, e.after === undefined ? '/dev/null' : `b/${e.file}`, e.before ?? '', e.after ?? '', '', '', { context: 3 }))
    .map((p) => p.replace(/^={67}\n/, ''))
    .join('');
}

/**
 * deps fix --verify: the plan (edits, go get, tidy, vendor) runs in a scratch copy and is built and vetted
 * there; only a plan that works on the target is written back — go.mod, go.sum, the rewritten sources and
 * vendor/ exactly as the verified copy has them (each file crash-safely). Otherwise the tree is untouched.
 */
async function runVerified(opts: DepsFixOptions, ctx: CommandContext): Promise<DepsFixResult | CommandOutcome<DepsFixResult>> {
  const tree = await analyzeTree({ ...(opts.dir ? { dir: opts.dir } : {}), ...(opts.target ? { target: opts.target } : {}) });
  const dir = tree.result.root!;
  const fix = computeFix(tree.modules, tree.target);
  const run = await verifyAnalyzed(tree, ctx, true);
  try {
    const verify = [...run.results].map(([d, v]) => ({ dir: d, ...v }));
    const code = verifyExitCode(tree.result);
    const changes = run.scratch ? await changedFiles(dir, run.scratch, tree.modules) : [];
    // go.sum and vendor/ follow from go.mod: counted, not printed line by line.
    const textual = changes.filter((c) => !/(^|\/)vendor\//.test(c.file) && !/(^|\/)go\.sum$/.test(c.file));
    const sums = changes.filter((c) => /(^|\/)go\.sum$/.test(c.file)).map((c) => {
      const lines = (t?: string): Set<string> => new Set((t ?? '').split('\n').filter(Boolean));
      const [b, a] = [lines(c.before), lines(c.after)];
      return `${c.file}: +${[...a].filter((l) => !b.has(l)).length} -${[...b].filter((l) => !a.has(l)).length} lines\n`;
    });
    const vendored = changes.filter((c) => /(^|\/)vendor\//.test(c.file)).length;
    const diff = (await unifiedDiff(textual)) + sums.join('') + (vendored ? `(and ${vendored} file(s) under vendor/)\n` : '');
    const works = code === ExitCode.ok || code === undefined;
    const apply = works && !opts.dryRun && changes.length > 0;
    if (apply) {
      for (const c of changes) {
        const path = join(dir, c.file);
        if (c.after === undefined) await rm(path, { force: true });
        else {
          await mkdir(dirname(path), { recursive: true });
          await writeFileAtomic(path, c.after, { mode: await stat(path).then((st) => st.mode & 0o7777, () => 0o644) });
        }
      }
      note(ctx, `upshift: the verified plan changed ${changes.length} file(s) in ${dir}`);
    } else if (!works) note(ctx, `upshift: the plan does not work on ${tree.target} (see verify); ${dir} was not changed`);
    const result: DepsFixResult = {
      dir,
      target: tree.target,
      dryRun: Boolean(opts.dryRun),
      files: fix.fileEdits.map((e) => ({ file: e.file, rewrites: e.rewrites })),
      goMod: fix.modEdits.map((e) => ({ file: e.file, added: e.added, removed: e.removed, replacesDropped: e.replacesDropped })),
      skipped: fix.skipped,
      diff,
      // Applied: everything ran. Otherwise the plan is still what there is to do.
      commands: apply
        ? []
        : works && opts.dryRun
          ? [`upshift deps fix ${opts.dir ?? '.'} --target ${tree.target} --verify`]
          : [tree.result, ...(tree.result.nested ?? [])].flatMap((r) => r.commands.map((c) => (r.dir ? `cd ${r.dir} && ${c}` : c))),
      verify,
      applied: apply,
      changed: changes.map((c) => c.file),
    };
    return code === undefined || code === ExitCode.ok ? result : outcome(result, code);
  } finally {
    if (run.scratch) await rm(dirname(run.scratch), { recursive: true, force: true });
  }
}

export function render(r: DepsFixResult, _format: string): string {
  const out: string[] = [];
  if (r.verify) {
    out.push(r.diff || '(no changes)\n');
    out.push(r.applied ? `verified and applied: ${r.changed?.length ?? 0} file(s) changed (target etcd ${r.target})` : r.dryRun ? `dry run: the verified plan would change ${r.changed?.length ?? 0} file(s) (target etcd ${r.target})` : `not applied: the plan was not verified on etcd ${r.target}; nothing changed`);
    for (const v of r.verify) out.push(`${v.dir ? `\n${v.dir}:` : ''}${renderVerify(v)}`);
  } else if (r.dryRun) {
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
