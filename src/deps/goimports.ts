/**
 * Reads the header of a Go source file — build constraints, package clause and import declarations —
 * with exact positions, without parsing the rest (the Go spec's lexical rules for comments, strings and
 * identifiers; go.dev/ref/spec#Import_declarations). Written by hand: no npm package reads Go imports
 * with offsets that a codemod can rewrite in place.
 */
import { GoInputError } from './input-error.js';

export interface ImportSpec {
  path: string;
  /** Alias as written: an identifier, "." or "_". */
  name?: string;
  /** 1-based position of the path literal. */
  line: number;
  col: number;
  /** Offsets of the path literal (quotes included). */
  litStart: number;
  litEnd: number;
  /** Offsets of the alias when present. */
  nameStart?: number;
  /** Index of the import declaration in the file. */
  decl: number;
}

export interface ImportDecl {
  /** Offsets of the whole declaration, `import` keyword to `)` or the spec's end. */
  start: number;
  end: number;
  parenthesized: boolean;
  lparen?: number;
  rparen?: number;
}

export interface GoFileHeader {
  packageName: string;
  /** `//go:build` expression (or the legacy `// +build` lines joined), when present. */
  buildConstraint?: string;
  imports: ImportSpec[];
  decls: ImportDecl[];
}

/** A .go file whose header (package clause, imports) does not scan. */
export class GoScanError extends GoInputError {}

const isLetter = (c: string): boolean => /[\p{L}_]/u.test(c);
const isIdent = (c: string): boolean => /[\p{L}\p{Nd}_]/u.test(c);

export function scanGoImports(src: string, file = 'file.go'): GoFileHeader {
  let i = 0;
  // Line starts for offset -> line/col.
  const lineStarts = [0];
  for (let k = 0; k < src.length; k++) if (src[k] === '\n') lineStarts.push(k + 1);
  const posOf = (off: number): { line: number; col: number } => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= off) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: off - lineStarts[lo] + 1 };
  };
  const fail = (reason: string, off = i): never => {
    const p = posOf(off);
    throw new GoScanError(file, p.line, p.col, reason);
  };

  const constraintLines: string[] = [];
  let goBuild: string | undefined;
  let sawPackage = false;

  /** Skip spaces and comments; returns true when a newline was crossed (for automatic semicolons). */
  const skip = (): boolean => {
    let nl = false;
    while (i < src.length) {
      const c = src[i];
      if (c === '\n') {
        nl = true;
        i++;
      } else if (c === ' ' || c === '\t' || c === '\r' || c === '\ufeff') i++;
      else if (c === '/' && src[i + 1] === '/') {
        const e = src.indexOf('\n', i);
        const text = src.slice(i, e < 0 ? src.length : e).replace(/\r$/, '');
        if (!sawPackage) {
          if (text.startsWith('//go:build ')) goBuild ??= text.slice('//go:build '.length).trim();
          else if (/^\/\/ \+build /.test(text)) constraintLines.push(text.slice('// +build '.length).trim());
        }
        i = e < 0 ? src.length : e;
      } else if (c === '/' && src[i + 1] === '*') {
        const e = src.indexOf('*/', i + 2);
        if (e < 0) fail('comment not terminated');
        if (src.slice(i, e).includes('\n')) nl = true;
        i = e + 2;
      } else break;
    }
    return nl;
  };

  const ident = (): string | undefined => {
    if (i < src.length && isLetter(src[i])) {
      const s = i;
      while (i < src.length && isIdent(src[i])) i++;
      return src.slice(s, i);
    }
    return undefined;
  };

  const stringLit = (): { value: string; start: number; end: number } => {
    const s = i;
    if (src[i] === '`') {
      const e = src.indexOf('`', i + 1);
      if (e < 0) fail('raw string literal not terminated');
      i = e + 1;
      return { value: src.slice(s + 1, e).replace(/\r/g, ''), start: s, end: i };
    }
    if (src[i] !== '"') fail('expected an import path string');
    i++;
    let v = '';
    while (i < src.length && src[i] !== '"') {
      if (src[i] === '\n') fail('string literal not terminated', s);
      if (src[i] === '\\') {
        const e = src[i + 1];
        const simple: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', '"': '"', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v' };
        if (e in simple) {
          v += simple[e];
          i += 2;
        } else if (e === 'x') {
          v += String.fromCharCode(parseInt(src.slice(i + 2, i + 4), 16));
          i += 4;
        } else if (e === 'u') {
          v += String.fromCodePoint(parseInt(src.slice(i + 2, i + 6), 16));
          i += 6;
        } else if (e === 'U') {
          v += String.fromCodePoint(Math.min(parseInt(src.slice(i + 2, i + 10), 16), 0x10ffff));
          i += 10;
        } else if (/[0-7]/.test(e ?? '')) {
          v += String.fromCharCode(parseInt(src.slice(i + 1, i + 4), 8) & 0xff);
          i += 4;
        } else fail('unknown escape sequence');
        continue;
      }
      v += src[i++];
    }
    if (i >= src.length) fail('string literal not terminated', s);
    i++;
    return { value: v, start: s, end: i };
  };

  skip();
  if (ident() !== 'package') fail('expected "package" clause');
  sawPackage = true;
  skip();
  const packageName = ident() ?? fail('expected package name');
  skip();
  if (src[i] === ';') i++;

  const imports: ImportSpec[] = [];
  const decls: ImportDecl[] = [];

  const spec = (decl: number): void => {
    let name: string | undefined;
    let nameStart: number | undefined;
    if (src[i] === '.' || src[i] === '_' || isLetter(src[i] ?? '')) {
      nameStart = i;
      if (src[i] === '.') {
        i++;
        name = '.';
      } else name = ident();
      skip();
    }
    const lit = stringLit();
    const p = posOf(lit.start);
    imports.push({ path: lit.value, ...(name !== undefined ? { name, nameStart } : {}), line: p.line, col: p.col, litStart: lit.start, litEnd: lit.end, decl });
  };

  for (;;) {
    skip();
    if (src[i] === ';') {
      i++;
      continue;
    }
    const s = i;
    const word = ident();
    if (word !== 'import') break;
    const d = decls.length;
    skip();
    if (src[i] === '(') {
      const lparen = i;
      i++;
      for (;;) {
        skip();
        if (src[i] === ';') {
          i++;
          continue;
        }
        if (src[i] === ')') break;
        if (i >= src.length) fail('unexpected EOF in import block');
        spec(d);
      }
      decls.push({ start: s, end: i + 1, parenthesized: true, lparen, rparen: i });
      i++;
    } else {
      spec(d);
      decls.push({ start: s, end: i, parenthesized: false });
    }
  }
  const buildConstraint = goBuild ?? (constraintLines.length ? constraintLines.map((l) => `(${l})`).join(' && ') : undefined);
  return { packageName, ...(buildConstraint ? { buildConstraint } : {}), imports, decls };
}
