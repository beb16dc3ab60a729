/**
 * The codemod (pure): new text for Go files and go.mod, given the analysis.
 *
 * Go files: only import path literals change (plus an alias where the last path element changes, so
 * identifiers in the code keep resolving: `clientv3 "go.etcd.io/etcd/client/v3"`, as etcd's README
 * writes it). Runs of imports that contain a rewritten path are re-sorted by path the way gofmt does
 * (go/ast.SortImports: each run of import specs on consecutive lines in a parenthesized declaration is
 * sorted by path, then name; blank and comment lines end a run; exact duplicates are removed). Other
 * runs are not touched.
 */
import type { DepsReport } from './analyze.js';
import type { GoSourceFile } from './discover.js';
import type { GoFileHeader, ImportSpec } from './goimports.js';
import { mapImportPath } from './knowledge/families.js';
import { formatGoMod, parseGoMod, removeLine, setRequire } from './gomod.js';

export interface FileEdit {
  file: string;
  before: string;
  after: string;
  rewrites: { line: number; from: string; to: string; alias?: string }[];
}

export interface SkippedImport {
  file: string;
  line: number;
  path: string;
  reason: string;
}

const lastElem = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
const isGoIdent = (s: string): boolean => /^[\p{L}_][\p{L}\p{Nd}_]*$/u.test(s);

/** Rewrite one Go file's etcd imports for the target line. */
export function rewriteGoFile(f: GoSourceFile, target: string, filePrefix = ''): { edit?: FileEdit; skipped: SkippedImport[] } {
  const skipped: SkippedImport[] = [];
  if (!f.header) return { skipped };
  const h: GoFileHeader = f.header;
  const src = f.text;
  type Change = { spec: ImportSpec; to: string; alias?: string };
  const changes: Change[] = [];
  for (const spec of h.imports) {
    const m = mapImportPath(spec.path, target);
    if (m.kind === 'unknown' || m.kind === 'unchanged') continue;
    if (m.kind !== 'rename' || !m.to) {
      skipped.push({ file: filePrefix + f.rel, line: spec.line, path: spec.path, reason: `${m.kind}${m.note ? `: ${m.note}` : ''}` });
      continue;
    }
    let alias: string | undefined;
    const oldName = lastElem(spec.path);
    if (spec.name === undefined && lastElem(m.to) !== oldName && isGoIdent(oldName) && !/^v\d+$/.test(oldName)) alias = oldName;
    changes.push({ spec, to: m.to, ...(alias ? { alias } : {}) });
  }
  if (!changes.length) return { skipped };

  // Apply literal edits back to front so offsets stay valid.
  let out = src;
  for (const c of [...changes].sort((a, b) => b.spec.litStart - a.spec.litStart)) {
    const quote = src[c.spec.litStart] === '`' ? '`' : '"';
    const lit = `${quote}${c.to}${quote}`;
    out = out.slice(0, c.spec.litStart) + (c.alias ? `${c.alias} ` : '') + lit + out.slice(c.spec.litEnd);
  }
  const touchedDecls = new Set(changes.map((c) => c.spec.decl));
  const touchedLines = new Set(changes.map((c) => c.spec.line));
  out = sortImportRuns(out, h, touchedDecls, touchedLines);
  const edit: FileEdit = {
    file: filePrefix + f.rel,
    before: src,
    after: out,
    rewrites: changes.map((c) => ({ line: c.spec.line, from: c.spec.path, to: c.to, ...(c.alias ? { alias: c.alias } : {}) })),
  };
  return { edit, skipped };
}

/**
 * Re-sort the runs that contain a changed line, in the edited text. Line numbers of import specs are
 * unchanged by the literal edits (no newlines are added), so the original header still locates them.
 */
function sortImportRuns(text: string, h: GoFileHeader, decls: Set<number>, changedLines: Set<number>): string {
  const lines = text.split('\n');
  for (const d of decls) {
    const decl = h.decls[d];
    if (!decl.parenthesized) continue;
    const specs = h.imports.filter((i) => i.decl === d);
    if (!specs.length) continue;
    // Lines strictly inside the parentheses.
    const firstLine = specs[0].line;
    const lastLine = specs[specs.length - 1].line;
    const specLines = new Map<number, number>(); // line -> specs on it
    for (const s of specs) specLines.set(s.line, (specLines.get(s.line) ?? 0) + 1);
    // Walk runs. go/ast.SortImports starts a new run when a spec begins more than one line after the
    // previous spec ends, so blank lines and comment-only lines both separate runs (and never move).
    const separator = (t: string): boolean => t.trim() === '' || /^\s*(\/\/|\/\*)/.test(t);
    let ln = firstLine;
    while (ln <= lastLine) {
      if (separator(lines[ln - 1])) {
        ln++;
        continue;
      }
      const start = ln;
      while (ln <= lastLine && !separator(lines[ln - 1])) ln++;
      const end = ln - 1; // inclusive
      let hasChange = false;
      for (let k = start; k <= end; k++) if (changedLines.has(k)) hasChange = true;
      if (!hasChange) continue;
      const items: { lines: string[]; path: string; name: string }[] = [];
      let ok = true;
      for (let k = start; k <= end; k++) {
        const t = lines[k - 1];
        // One spec per line, or we leave the run as it is.
        if ((specLines.get(k) ?? 0) !== 1) {
          ok = false;
          break;
        }
        const m = /^\s*(?:([\p{L}_][\p{L}\p{Nd}_]*|\.|_)\s+)?(["`])([^"`]*)\2/u.exec(t);
        if (!m) {
          ok = false;
          break;
        }
        items.push({ lines: [t], path: m[3], name: m[1] ?? '' });
      }
      if (!ok) continue;
      const sorted = [...items].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      // Exact duplicates (same name and path) collapse; a trailing comment keeps its line.
      const dedup = sorted.filter((it, i) => i === 0 || !(it.path === sorted[i - 1].path && it.name === sorted[i - 1].name && !it.lines[0].includes('//')));
      const replacement = alignTrailingComments(dedup.flatMap((it) => it.lines));
      lines.splice(start - 1, end - start + 1, ...replacement);
      const removed = end - start + 1 - replacement.length;
      if (removed) {
        // Later line numbers shift; keep the walk consistent.
        ln -= removed;
        for (const s of specs) if (s.line > end) s.line -= removed;
      }
    }
  }
  return lines.join('\n');
}

/**
 * gofmt aligns the trailing comments of consecutive lines (go/printer feeds a text/tabwriter whose
 * column blocks are runs of adjacent lines having that cell; padding is spaces, minimum one). Paths
 * change length when rewritten, so the comments of a rewritten run are re-aligned the same way.
 */
function alignTrailingComments(block: string[]): string[] {
  const parsed = block.map((t) => {
    const m = /^(\s*)((?:(?:[\p{L}_][\p{L}\p{Nd}_]*|\.|_)\s+)?(?:"(?:[^"\\]|\\.)*"|`[^`]*`))\s*(\/\/.*)?$/u.exec(t);
    return m && m[3] ? { indent: m[1], code: m[2].replace(/\s+(?=["`])/, ' '), comment: m[3] } : undefined;
  });
  const out = [...block];
  let i = 0;
  while (i < parsed.length) {
    if (!parsed[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < parsed.length && parsed[j]) j++;
    const width = Math.max(...parsed.slice(i, j).map((p) => [...p!.code].length));
    for (let k = i; k < j; k++) {
      const p = parsed[k]!;
      out[k] = `${p.indent}${p.code}${' '.repeat(width - [...p.code].length + 1)}${p.comment}`;
    }
    i = j;
  }
  return out;
}

export interface GoModEdit {
  file: string;
  before: string;
  after: string;
  added: { path: string; version: string }[];
  removed: string[];
  replacesDropped: string[];
}

/** Rewrite go.mod requirements to the target line, per the analysis. */
export function rewriteGoMod(goModText: string, file: string, report: DepsReport): GoModEdit | undefined {
  const mod = parseGoMod(goModText, file);
  const added: { path: string; version: string }[] = [];
  const removed: string[] = [];
  const replacesDropped: string[] = [];
  for (const t of report.targetRequires) {
    const cur = mod.require.find((r) => r.path === t.path);
    if (cur && cur.version === t.version && !cur.indirect) continue;
    setRequire(mod, t.path, t.version, false);
    added.push(t);
  }
  for (const p of report.legacyRequires) {
    const r = mod.require.find((x) => x.path === p);
    if (!r) continue;
    removeLine(mod, r.stmt);
    mod.require.splice(mod.require.indexOf(r), 1);
    removed.push(p);
  }
  for (const d of report.replacesToDrop) {
    const r = mod.replace.find((x) => x.pos.line === d.line);
    if (!r) continue;
    removeLine(mod, r.stmt);
    replacesDropped.push(r.oldVersion ? `${r.oldPath}@${r.oldVersion}` : r.oldPath);
  }
  const after = formatGoMod(mod);
  if (after === goModText) return undefined;
  return { file, before: goModText, after, added, removed, replacesDropped };
}
