// Every runtime dependency in package.json is imported by upshift's code: a declared but unused package
// is installed by every user for nothing (and widens the supply chain) — drop it, or use it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|tsx|js|mjs|cjs|sh)$/.test(n) && !/\.test\.ts$/.test(n)) out.push(p);
  }
  return out;
}

test('every dependency in package.json is imported somewhere in src/, bin/, bench/ or scripts/', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const text = ['src', 'bin', 'bench', 'scripts'].flatMap((d) => sources(join(root, d))).map((f) => readFileSync(f, 'utf8')).join('\n');
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  // A module specifier: 'name' or 'name/sub/path', in an import, a dynamic import, require or node --import.
  const unused = Object.keys(pkg.dependencies).filter((d) => !new RegExp(`['"]${escape(d)}(/[^'"]*)?['"]`).test(text));
  assert.deepEqual(unused, [], `declared in package.json but never imported: ${unused.join(', ')}`);
});
