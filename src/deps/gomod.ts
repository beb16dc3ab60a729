/**
 * go.mod semantics on top of the lossless syntax tree: directives with positions, validation with
 * x/mod-style messages, and the edits the codemod needs (set/drop require, drop replace).
 * Directive meanings: go.dev/ref/mod#go-mod-file (golang/website _content/ref/mod.md).
 */
import {
  GoModSyntaxError,
  autoQuote,
  parseGoModSyntax,
  printGoModSyntax,
  unquote,
  type BlockStmt,
  type GoModSyntax,
  type LineStmt,
  type Pos,
  type Stmt,
} from './gomod-syntax.js';
import { isValidGoVersion, isValidSemver, parseSemver } from './version.js';

export { GoModSyntaxError } from './gomod-syntax.js';

export interface Located {
  pos: Pos;
  stmt: LineStmt;
  /** The block this line sits in, if any. */
  block?: BlockStmt;
}

export interface Require extends Located {
  path: string;
  version: string;
  indirect: boolean;
}
export interface Replace extends Located {
  oldPath: string;
  oldVersion?: string;
  newPath: string;
  /** Absent for a local directory replacement. */
  newVersion?: string;
}
export interface Exclude extends Located {
  path: string;
  version: string;
}
export interface Retract extends Located {
  low: string;
  high: string;
  rationale?: string;
}
export interface Godebug extends Located {
  key: string;
  value: string;
}

export interface GoMod {
  file: string;
  syntax: GoModSyntax;
  module?: { path: string; deprecated?: string } & Located;
  go?: { version: string } & Located;
  toolchain?: { name: string } & Located;
  godebug: Godebug[];
  require: Require[];
  exclude: Exclude[];
  replace: Replace[];
  retract: Retract[];
  tool: ({ path: string } & Located)[];
  ignore: ({ path: string } & Located)[];
}

const BLOCK_VERBS = new Set(['require', 'replace', 'exclude', 'retract', 'godebug', 'tool', 'ignore']);

/** Parse and validate a go.mod. Throws only GoModSyntaxError (file:line:col: reason). */
export function parseGoMod(src: string, file = 'go.mod'): GoMod {
  const syntax = parseGoModSyntax(src, file);
  const mod: GoMod = { file, syntax, godebug: [], require: [], exclude: [], replace: [], retract: [], tool: [], ignore: [] };
  let prevComments: string[] = [];
  for (const s of syntax.stmts) {
    if (s.type === 'comment') {
      prevComments.push(s.text);
      continue;
    }
    if (s.type === 'blank') {
      prevComments = [];
      continue;
    }
    if (s.type === 'block') {
      if (!BLOCK_VERBS.has(s.verb)) {
        if (['module', 'go', 'toolchain'].includes(s.verb)) throw new GoModSyntaxError(file, s.pos!, `${s.verb} directive cannot be a block`);
        throw new GoModSyntaxError(file, s.pos!, `unknown block type: ${s.verb}`);
      }
      let before: string[] = [];
      for (const b of s.body) {
        if (b.type === 'comment') before.push(b.text);
        else if (b.type === 'blank') before = [];
        else {
          directive(mod, s.verb, b.tokens, b, s, before);
          before = [];
        }
      }
      prevComments = [];
      continue;
    }
    directive(mod, s.tokens[0], s.tokens.slice(1), s, undefined, prevComments);
    prevComments = [];
  }
  return mod;
}

function directive(mod: GoMod, verb: string, args: string[], stmt: LineStmt, block: BlockStmt | undefined, before: string[]): void {
  const pos = block ? stmt.pos! : stmt.pos!;
  const at = { pos, stmt, ...(block ? { block } : {}) };
  const fail = (reason: string, p: Pos = pos): never => {
    throw new GoModSyntaxError(mod.file, p, reason);
  };
  const argPos = (i: number): Pos => {
    // Column of argument i: recompute from the raw line when we have it.
    const raw = stmt.raw ?? '';
    const toks = block ? stmt.tokens : stmt.tokens;
    let col = raw.length - raw.trimStart().length;
    const offset = block ? 0 : 1;
    for (let k = 0; k < i + offset && k < toks.length; k++) {
      const idx = raw.indexOf(toks[k], col);
      col = idx >= 0 ? idx + toks[k].length : col;
    }
    const idx = raw.indexOf(toks[i + offset] ?? '', col);
    return { line: pos.line, col: (idx >= 0 ? idx : col) + 1 };
  };
  const str = (i: number): string => {
    const t = args[i];
    if (t === undefined) return fail('missing argument');
    if (['(', ')', '[', ']', '{', '}', ','].includes(t)) fail(`unexpected "${t}"`, argPos(i));
    return unquote(t, mod.file, argPos(i));
  };
  const version = (i: number, what: string, modulePath?: string): string => {
    const v = str(i);
    // x/mod modfile parseVersion + module.CheckPathMajor, with the go command's wording.
    if (!isValidSemver(v)) fail(`${what}: version ${JSON.stringify(v)} invalid: must be of the form v1.2.3`, argPos(i));
    if (modulePath !== undefined) {
      const bad = pathMajorMismatch(modulePath, v);
      if (bad) fail(`${what}: version ${JSON.stringify(v)} invalid: ${bad}`, argPos(i));
    }
    return v;
  };
  const suffix = stmt.comment ?? '';
  switch (verb) {
    case 'module': {
      if (mod.module) fail('repeated module statement');
      if (args.length !== 1) fail('usage: module module/path');
      const dep = [...before, suffix].map((c) => c.replace(/^\/\/\s?/, '')).find((c) => c.startsWith('Deprecated:'));
      mod.module = { path: str(0), ...at, ...(dep ? { deprecated: dep.slice('Deprecated:'.length).trim() } : {}) };
      return;
    }
    case 'go': {
      if (mod.go) fail('repeated go statement');
      if (args.length !== 1) fail('go directive expects exactly one argument');
      const v = str(0);
      // x/mod GoVersionRE; go.dev/ref/mod#go-mod-file-go
      if (!isValidGoVersion(v)) fail(`invalid go version '${v}': must match format 1.23.0`, argPos(0));
      mod.go = { version: v, ...at };
      return;
    }
    case 'toolchain': {
      if (mod.toolchain) fail('repeated toolchain statement');
      if (args.length !== 1) fail('toolchain directive expects exactly one argument');
      const t = str(0);
      if (t !== 'default' && !/^go\d/.test(t)) fail(`invalid toolchain name '${t}': must be of the form go1.21.0 or default`, argPos(0));
      mod.toolchain = { name: t, ...at };
      return;
    }
    case 'godebug': {
      if (args.length !== 1 || !args[0].includes('=')) fail('usage: godebug key=value');
      const kv = str(0);
      const eq = kv.indexOf('=');
      const key = kv.slice(0, eq);
      const value = kv.slice(eq + 1);
      if (!key || /[\s,"`]/.test(key) || /[\s,"`]/.test(value)) fail(`invalid key=value: ${kv}`, argPos(0));
      mod.godebug.push({ key, value, ...at });
      return;
    }
    case 'require':
    case 'exclude': {
      if (args.length !== 2) fail(`usage: ${verb} module/path v1.2.3`);
      const path = str(0);
      checkPath(path, () => argPos(0), mod.file);
      const v = version(1, `${verb} ${path}`, path);
      if (verb === 'require') mod.require.push({ path, version: v, indirect: isIndirect(stmt.comment), ...at });
      else mod.exclude.push({ path, version: v, ...at });
      return;
    }
    case 'replace': {
      const arrow = args.indexOf('=>');
      const usage = 'usage: replace module/path [v1.2.3] => other/module v1.4\n\t or replace module/path [v1.2.3] => ../local/directory';
      if (arrow !== 1 && arrow !== 2) fail(usage);
      if (args.length - arrow - 1 !== 1 && args.length - arrow - 1 !== 2) fail(usage);
      const oldPath = str(0);
      checkPath(oldPath, () => argPos(0), mod.file);
      const oldVersion = arrow === 2 ? version(1, `replace ${oldPath}`, oldPath) : undefined;
      const newPath = str(arrow + 1);
      const local = isLocalPath(newPath);
      let newVersion: string | undefined;
      if (args.length - arrow - 1 === 2) {
        if (local) fail('replacement module directory path must not have a version', argPos(arrow + 2));
        newVersion = version(arrow + 2, `replace ${newPath}`);
      } else if (!local) {
        fail(`replacement module without version must be directory path (rooted or starting with ./ or ../)`, argPos(arrow + 1));
      }
      mod.replace.push({ oldPath, ...(oldVersion ? { oldVersion } : {}), newPath, ...(newVersion ? { newVersion } : {}), ...at });
      return;
    }
    case 'retract': {
      const rationale = [...before, suffix]
        .filter(Boolean)
        .map((c) => c.replace(/^\/\/\s?/, ''))
        .join('\n');
      // x/mod parses retract versions through a no-op fixer and does not validate them (go 1.19
      // `go mod edit` accepts `retract notaversion`), so neither do we.
      if (args.length === 1) {
        const v = str(0);
        mod.retract.push({ low: v, high: v, ...(rationale ? { rationale } : {}), ...at });
        return;
      }
      if (args.length === 5 && args[0] === '[' && args[2] === ',' && args[4] === ']') {
        const low = str(1);
        const high = str(3);
        mod.retract.push({ low, high, ...(rationale ? { rationale } : {}), ...at });
        return;
      }
      return fail('usage: retract version | retract [low, high]');
    }
    case 'tool':
    case 'ignore': {
      if (args.length !== 1) fail(`usage: ${verb} path`);
      mod[verb].push({ path: str(0), ...at });
      return;
    }
    default:
      fail(`unknown directive: ${verb}`);
  }
}

/** `// indirect` or `// indirect; other comment` (x/mod isIndirect). */
export function isIndirect(comment: string | undefined): boolean {
  if (!comment) return false;
  const c = comment.replace(/^\/\/\s*/, '');
  return c === 'indirect' || c.startsWith('indirect;');
}

export function isLocalPath(p: string): boolean {
  return p.startsWith('./') || p.startsWith('../') || p === '.' || p === '..' || p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('.\\') || p.startsWith('..\\');
}

function checkPath(path: string, pos: () => Pos, file: string): void {
  if (path === '' || /\s/.test(path) || path.startsWith('/') || path.endsWith('/') || path.includes('//') || pathMajorOf(path) === undefined) {
    throw new GoModSyntaxError(file, pos(), `invalid module path ${JSON.stringify(path)}`);
  }
}

/**
 * The major-version suffix of a module path (x/mod module.SplitPathVersion): "/vN" (N >= 2), ".vN" for
 * gopkg.in, "" for none; undefined when the suffix is malformed (/v0, /v1, /v02).
 */
export function pathMajorOf(path: string): string | undefined {
  if (path.startsWith('gopkg.in/')) {
    const m = /\.(v(?:0|[1-9]\d*)(?:-unstable)?)$/.exec(path);
    return m ? `.${m[1]}` : undefined;
  }
  const m = /\/v(\d+)$/.exec(path);
  if (!m) return '';
  return m[1].startsWith('0') || Number(m[1]) < 2 ? undefined : `/v${m[1]}`;
}

/** x/mod module.CheckPathMajor: why `v` cannot be a version of `path`, or undefined when it can. */
export function pathMajorMismatch(path: string, v: string): string | undefined {
  const pm = pathMajorOf(path);
  if (pm === undefined) return undefined;
  if (pm.startsWith('.v') && pm.endsWith('-unstable')) return undefined;
  if (v.startsWith('v0.0.0-') && pm === '.v1') return undefined;
  const sv = parseSemver(v);
  if (!sv) return undefined;
  const m = `v${sv.major}`;
  if (pm === '') return m === 'v0' || m === 'v1' || sv.build === 'incompatible' ? undefined : `should be v0 or v1, not ${m}`;
  return m === pm.slice(1) ? undefined : `should be ${pm.slice(1)}, not ${m}`;
}

// ---------- edits ----------

function containerOf(mod: GoMod, stmt: Stmt): { list: Stmt[]; block?: BlockStmt } | undefined {
  const top = mod.syntax.stmts.indexOf(stmt);
  if (top >= 0) return { list: mod.syntax.stmts };
  for (const s of mod.syntax.stmts) if (s.type === 'block' && s.body.includes(stmt as LineStmt)) return { list: s.body as Stmt[], block: s };
  return undefined;
}

/** Remove a directive line; drops its block when no directive is left in it. */
export function removeLine(mod: GoMod, stmt: LineStmt): void {
  const c = containerOf(mod, stmt);
  if (!c) return;
  let i = c.list.indexOf(stmt);
  c.list.splice(i, 1);
  // Comments directly above the removed line belonged to it (x/mod keeps "Before" comments with the line).
  while (i > 0 && c.list[i - 1]?.type === 'comment') c.list.splice(--i, 1);
  if (c.block && !c.block.body.some((b) => b.type === 'line')) {
    const bi = mod.syntax.stmts.indexOf(c.block);
    mod.syntax.stmts.splice(bi, 1);
    // Collapse a double blank line (or a trailing one) left behind.
    const st = mod.syntax.stmts;
    if (st[bi - 1]?.type === 'blank' && (st[bi]?.type === 'blank' || bi === st.length)) st.splice(bi - 1, 1);
  } else if (!c.block) {
    if (c.list[i - 1]?.type === 'blank' && (c.list[i]?.type === 'blank' || i === c.list.length)) c.list.splice(i - 1, 1);
  }
}

/** Set the required version of a module, adding a requirement when absent. */
export function setRequire(mod: GoMod, path: string, version: string, indirect = false): void {
  const existing = mod.require.find((r) => r.path === path);
  if (existing) {
    const isTop = mod.syntax.stmts.includes(existing.stmt);
    existing.stmt.tokens = isTop ? ['require', autoQuote(path), version] : [autoQuote(path), version];
    if (!indirect && isIndirect(existing.stmt.comment)) delete existing.stmt.comment;
    if (indirect && !isIndirect(existing.stmt.comment)) existing.stmt.comment = '// indirect';
    existing.version = version;
    existing.indirect = indirect;
    return;
  }
  const line: LineStmt = { type: 'line', tokens: [autoQuote(path), version], ...(indirect ? { comment: '// indirect' } : {}) };
  // Direct requirements go to the first block holding direct ones (go >= 1.17 keeps indirect ones apart).
  const blocks = mod.syntax.stmts.filter((s): s is BlockStmt => s.type === 'block' && s.verb === 'require');
  const target =
    blocks.find((b) => b.body.some((l) => l.type === 'line' && isIndirect(l.comment) === indirect)) ??
    blocks.find((b) => b.body.every((l) => l.type !== 'line' || isIndirect(l.comment) === indirect));
  if (target) {
    const lines = target.body;
    let at = lines.length;
    for (let k = 0; k < lines.length; k++) {
      const l = lines[k];
      if (l.type === 'line' && unquote(l.tokens[0]) > path) {
        at = k;
        while (at > 0 && lines[at - 1].type === 'comment') at--;
        break;
      }
    }
    if (at === lines.length) while (at > 0 && lines[at - 1].type === 'blank') at--;
    lines.splice(at, 0, line);
  } else {
    const block: BlockStmt = { type: 'block', verb: 'require', body: [line] };
    const stmts = mod.syntax.stmts;
    const anchor = [...mod.require].pop()?.block ?? [...mod.require].pop()?.stmt ?? mod.toolchain?.stmt ?? mod.go?.stmt ?? mod.module?.stmt;
    const i = anchor ? stmts.indexOf(anchor) + 1 : stmts.length;
    stmts.splice(i, 0, { type: 'blank' }, block);
  }
  mod.require.push({ path, version, indirect, pos: { line: 0, col: 0 }, stmt: line, ...(target ? { block: target } : {}) });
}

/** Print the (possibly edited) go.mod and re-read it so positions are fresh. */
export function formatGoMod(mod: GoMod): string {
  return printGoModSyntax(mod.syntax);
}

export function reparse(mod: GoMod): GoMod {
  return parseGoMod(formatGoMod(mod), mod.file);
}
