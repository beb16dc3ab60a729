/**
 * Parsers for the Go toolchain's other outputs the analyzer reads without a Go toolchain:
 * go.sum, vendor/modules.txt, `go mod graph`, `go list -m -json all`. Each throws InputError with
 * file:line:col so the CLI exits 2 naming the input.
 */

import { GoInputError } from './input-error.js';

/** A malformed go.sum, modules.txt, `go mod graph` or `go list -m -json` output. */
export class InputError extends GoInputError {}

function lines(text: string): string[] {
  return text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

// ---------- go.sum (go.dev/ref/mod#go-sum-files) ----------

export interface SumLine {
  path: string;
  version: string;
  /** `/go.mod` lines hash only the go.mod file. */
  goModOnly: boolean;
  hash: string;
  line: number;
}

/** "Each line in go.sum has three fields separated by spaces: a module path, a version (possibly ending with /go.mod), and a hash." */
export function parseGoSum(text: string, file = 'go.sum'): SumLine[] {
  const out: SumLine[] = [];
  lines(text).forEach((l, i) => {
    if (l.trim() === '') return;
    const f = l.trim().split(/\s+/);
    if (f.length !== 3) throw new InputError(file, i + 1, 1, `malformed go.sum line: expected "path version hash", got ${f.length} fields`);
    const [path, v, hash] = f;
    if (!/^h\d+:/.test(hash)) throw new InputError(file, i + 1, l.indexOf(hash) + 1, `malformed go.sum hash ${JSON.stringify(hash)}: expected h1:<base64>`);
    const goModOnly = v.endsWith('/go.mod');
    out.push({ path, version: goModOnly ? v.slice(0, -'/go.mod'.length) : v, goModOnly, hash, line: i + 1 });
  });
  return out;
}

// ---------- vendor/modules.txt ----------

export interface VendoredModule {
  path: string;
  version: string;
  /** `## explicit` — required directly in go.mod (Go 1.14+). */
  explicit: boolean;
  goVersion?: string;
  replacement?: { path: string; version?: string };
  packages: string[];
  line: number;
}

/**
 * vendor/modules.txt as written by `go mod vendor` (cmd/go/internal/modcmd/vendor.go):
 *   # path version            (or  # path version => newpath newversion  /  # path => ./dir)
 *   ## explicit; go 1.17
 *   pkg/path
 */
export function parseModulesTxt(text: string, file = 'vendor/modules.txt'): VendoredModule[] {
  const out: VendoredModule[] = [];
  let cur: VendoredModule | undefined;
  lines(text).forEach((l, i) => {
    if (l.trim() === '') return;
    if (l.startsWith('## ')) {
      if (!cur) throw new InputError(file, i + 1, 1, '"##" annotation before any "# module" line');
      for (const part of l.slice(3).split(';').map((s) => s.trim())) {
        if (part === 'explicit') cur.explicit = true;
        else if (part.startsWith('go ')) cur.goVersion = part.slice(3).trim();
      }
      return;
    }
    if (l.startsWith('# ')) {
      const f = l.slice(2).trim().split(/\s+/);
      const arrow = f.indexOf('=>');
      const left = arrow >= 0 ? f.slice(0, arrow) : f;
      const right = arrow >= 0 ? f.slice(arrow + 1) : [];
      if (left.length < 1 || left.length > 2 || (arrow >= 0 && (right.length < 1 || right.length > 2))) {
        throw new InputError(file, i + 1, 1, `malformed module line ${JSON.stringify(l)}`);
      }
      cur = {
        path: left[0],
        version: left[1] ?? '',
        explicit: false,
        packages: [],
        line: i + 1,
        ...(right.length ? { replacement: { path: right[0], ...(right[1] ? { version: right[1] } : {}) } } : {}),
      };
      out.push(cur);
      return;
    }
    if (l.startsWith('#')) return;
    if (!cur) throw new InputError(file, i + 1, 1, 'package line before any "# module" line');
    cur.packages.push(l.trim());
  });
  return out;
}

// ---------- go mod graph (go.dev/ref/mod#go-mod-graph) ----------

export interface ModuleVersion {
  path: string;
  /** '' for a main module (printed without @version). */
  version: string;
}

export interface GraphEdge {
  from: ModuleVersion;
  to: ModuleVersion;
  line: number;
}

export function parseModuleVersion(s: string): ModuleVersion {
  const at = s.lastIndexOf('@');
  return at > 0 ? { path: s.slice(0, at), version: s.slice(at + 1) } : { path: s, version: '' };
}

/**
 * "Each line has two space-separated fields: a module version and one of its dependencies."
 * Go ≥1.21 adds `go@V` / `toolchain@V` pseudo-nodes, skipped here (reference §3.1).
 */
export function parseModGraph(text: string, file = 'graph'): GraphEdge[] {
  const out: GraphEdge[] = [];
  lines(text).forEach((l, i) => {
    if (l.trim() === '') return;
    const f = l.trim().split(/\s+/);
    if (f.length !== 2) throw new InputError(file, i + 1, 1, `malformed go mod graph line: expected 2 fields "from to", got ${f.length}`);
    const from = parseModuleVersion(f[0]);
    const to = parseModuleVersion(f[1]);
    if (to.version === '' && to.path !== 'go' && to.path !== 'toolchain') {
      throw new InputError(file, i + 1, l.indexOf(f[1]) + 1, `malformed go mod graph line: dependency ${JSON.stringify(f[1])} has no @version`);
    }
    if (['go', 'toolchain'].includes(from.path) || ['go', 'toolchain'].includes(to.path)) return;
    out.push({ from, to, line: i + 1 });
  });
  return out;
}

// ---------- go list -m -json all ----------

export interface ListedModule {
  Path: string;
  Version?: string;
  Main?: boolean;
  Indirect?: boolean;
  Dir?: string;
  GoMod?: string;
  GoVersion?: string;
  Replace?: ListedModule;
  Time?: string;
  Error?: { Err: string };
}

/** `go list -m -json` prints one JSON object per module, concatenated (not an array). */
export function parseGoListJson(text: string, file = 'go-list.json'): ListedModule[] {
  const out: ListedModule[] = [];
  let i = 0;
  let line = 1;
  let col = 1;
  const step = (c: string): void => {
    if (c === '\n') {
      line++;
      col = 1;
    } else col++;
  };
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      step(c);
      i++;
      continue;
    }
    if (c !== '{') throw new InputError(file, line, col, `expected "{" to start a module object, got ${JSON.stringify(c)}`);
    // Find the matching brace, honouring strings.
    const startLine = line;
    const startCol = col;
    let depth = 0;
    let inStr = false;
    let j = i;
    for (; j < text.length; j++) {
      const d = text[j];
      step(d);
      if (inStr) {
        if (d === '\\') {
          j++;
          step(text[j] ?? '');
        } else if (d === '"') inStr = false;
        continue;
      }
      if (d === '"') inStr = true;
      else if (d === '{') depth++;
      else if (d === '}' && --depth === 0) break;
    }
    if (depth !== 0) throw new InputError(file, startLine, startCol, 'unterminated JSON object');
    let obj: unknown;
    try {
      obj = JSON.parse(text.slice(i, j + 1));
    } catch (e) {
      throw new InputError(file, startLine, startCol, `invalid JSON object: ${(e as Error).message}`);
    }
    if (!obj || typeof obj !== 'object' || typeof (obj as ListedModule).Path !== 'string') {
      throw new InputError(file, startLine, startCol, 'module object without a "Path" string');
    }
    out.push(obj as ListedModule);
    i = j + 1;
  }
  return out;
}
