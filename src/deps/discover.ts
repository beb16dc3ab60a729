/**
 * Discover (I/O only): read a Go module directory — go.mod, go.sum, vendor/modules.txt, the header of
 * every .go file — and nested modules, into plain data for the pure analysis.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { parseGoMod, type GoMod } from './gomod.js';
import { GoScanError, scanGoImports, type GoFileHeader } from './goimports.js';
import { parseGoSum, parseModulesTxt, type SumLine, type VendoredModule } from './inputs.js';

export interface GoSourceFile {
  /** Path relative to the module root, with forward slashes. */
  rel: string;
  header?: GoFileHeader;
  /** Set when the header could not be read (reported, not fatal). */
  error?: string;
  /** Full text, kept for the codemod. */
  text: string;
}

export interface ModuleInputs {
  dir: string;
  /** Path of this module's root relative to the top directory ('' for the top). */
  rel: string;
  goModText: string;
  mod: GoMod;
  goSum?: SumLine[];
  vendor?: VendoredModule[];
  files: GoSourceFile[];
}

export interface DiscoverOptions {
  /** Also read vendor/ and testdata/ sources (default false, like the go command's ./... pattern). */
  includeVendor?: boolean;
  includeTestdata?: boolean;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

const toSlash = (p: string): string => p.split(sep).join('/');

/**
 * Read the module at `dir` and every nested module below it. Directories named vendor or testdata, and
 * those starting with "." or "_", are skipped like the go command does (go.dev/ref/mod#glos-package);
 * a subdirectory with its own go.mod is a separate module, reported separately.
 */
export async function discoverModules(dir: string, opts: DiscoverOptions = {}): Promise<ModuleInputs[]> {
  const modules: ModuleInputs[] = [];
  const pending: string[] = [dir];
  if ((await readOptional(join(dir, 'go.mod'))) === undefined) {
    // A repository root holding several modules but none itself: an empty top entry, the modules nested.
    const found = await findModuleRoots(dir);
    if (!found.length) await readFile(join(dir, 'go.mod'), 'utf8'); // ENOENT: "no go.mod in DIR"
    modules.push({ dir, rel: '', goModText: '', mod: parseGoMod('', 'go.mod'), files: [] });
    pending.splice(0, 1, ...found);
  }
  while (pending.length) {
    const root = pending.shift()!;
    const goModPath = join(root, 'go.mod');
    const goModText = await readFile(goModPath, 'utf8');
    const rel = toSlash(relative(dir, root));
    // Errors name the file as the user can open it (relative to the working directory).
    const shown = relative(process.cwd(), goModPath);
    const mod = parseGoMod(goModText, shown && !shown.startsWith('..') ? shown : goModPath);
    const sumText = await readOptional(join(root, 'go.sum'));
    const vendorText = await readOptional(join(root, 'vendor', 'modules.txt'));
    const m: ModuleInputs = {
      dir: root,
      rel,
      goModText,
      mod,
      ...(sumText !== undefined ? { goSum: parseGoSum(sumText, rel ? `${rel}/go.sum` : 'go.sum') } : {}),
      ...(vendorText !== undefined ? { vendor: parseModulesTxt(vendorText, rel ? `${rel}/vendor/modules.txt` : 'vendor/modules.txt') } : {}),
      files: [],
    };
    modules.push(m);
    // Walk this module's tree, stopping at nested modules.
    const stack: string[] = [root];
    while (stack.length) {
      const d = stack.pop()!;
      const entries = await readdir(d, { withFileTypes: true });
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const p = join(d, e.name);
        if (e.isDirectory()) {
          if (e.name.startsWith('.') || e.name.startsWith('_')) continue;
          if (e.name === 'vendor' && !opts.includeVendor) continue;
          if (e.name === 'testdata' && !opts.includeTestdata) continue;
          if (await readOptional(join(p, 'go.mod')) !== undefined) {
            pending.push(p);
            continue;
          }
          stack.push(p);
        } else if (e.isFile() && e.name.endsWith('.go')) {
          const text = await readFile(p, 'utf8');
          const frel = toSlash(relative(root, p));
          try {
            m.files.push({ rel: frel, header: scanGoImports(text, frel), text });
          } catch (err) {
            if (!(err instanceof GoScanError)) throw err;
            m.files.push({ rel: frel, error: err.message, text });
          }
        }
      }
    }
    m.files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  }
  return modules;
}

/** Directories below `dir` with a go.mod, outermost only (their own nested modules are found later). */
async function findModuleRoots(dir: string): Promise<string[]> {
  const out: string[] = [];
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (e) {
      if (d === dir) throw e;
      continue;
    }
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith('.') || e.name.startsWith('_') || e.name === 'vendor' || e.name === 'testdata') continue;
      const p = join(d, e.name);
      if ((await readOptional(join(p, 'go.mod'))) !== undefined) out.push(p);
      else stack.push(p);
    }
  }
  return out.sort();
}
