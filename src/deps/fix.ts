/**
 * `deps fix` as data: the edits (import rewrites, go.mod requirements and replace drops) and the follow-up
 * commands for every module of a tree (pure), and the crash-safe writer that applies them. Shared by
 * `deps fix` and by `--verify`, which applies the same edits to its scratch copy.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/files.js';
import { analyzeModule, type DepsReport } from './analyze.js';
import type { ModuleInputs } from './discover.js';
import { rewriteGoFile, rewriteGoMod, type FileEdit, type GoModEdit, type SkippedImport } from './codemod.js';

export interface FixPlan {
  fileEdits: FileEdit[];
  modEdits: GoModEdit[];
  skipped: SkippedImport[];
  /** Commands left to run after the edits (prefixed with `cd DIR && ` for nested modules). */
  commands: string[];
}

/** Edits for every module; `reports` (by module dir) reuses analyses already made (e.g. with a graph). */
export function computeFix(modules: readonly ModuleInputs[], target: string, reports?: ReadonlyMap<string, DepsReport>): FixPlan {
  const plan: FixPlan = { fileEdits: [], modEdits: [], skipped: [], commands: [] };
  for (const m of modules) {
    const report = reports?.get(m.rel) ?? analyzeModule(m, { target });
    const prefix = m.rel ? `${m.rel}/` : '';
    const before = plan.fileEdits.length;
    for (const f of m.files) {
      const r = rewriteGoFile(f, target, prefix);
      plan.skipped.push(...r.skipped);
      if (r.edit) plan.fileEdits.push(r.edit);
    }
    const me = rewriteGoMod(m.goModText, `${prefix}go.mod`, report);
    if (me) plan.modEdits.push(me);
    // deps fix itself does the import rewrites, the go.mod requirements and the replace drops.
    const cmds = report.commands.filter((c) => !c.startsWith('upshift deps fix') && !(me && (c.startsWith('go mod edit -dropreplace') || (c.startsWith('go get') && !c.includes('@latest')))));
    const cd = m.rel ? `cd ${m.rel} && ` : '';
    for (const c of cmds) plan.commands.push(cd + c);
    if (m.vendor !== undefined && (me || plan.fileEdits.length > before) && !cmds.includes('go mod vendor')) plan.commands.push(`${cd}go mod vendor`);
  }
  plan.commands = [...new Set(plan.commands)];
  return plan;
}

/** Write the edits under `dir` (write-to-.part, fsync, rename; file modes kept). */
export async function writeEdits(dir: string, edits: readonly { file: string; after: string }[]): Promise<void> {
  for (const e of edits) {
    const path = join(dir, e.file);
    const st = await stat(path);
    await writeFileAtomic(path, e.after, { mode: st.mode & 0o7777 });
  }
}
