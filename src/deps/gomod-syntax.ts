/**
 * go.mod syntax: lexer, parser into a lossless syntax tree, and printer.
 *
 * Grammar after golang.org/x/mod/modfile (read.go) and go.dev/ref/mod#go-mod-file-grammar:
 *   File      = { Directive | Comment | Blank } .
 *   Directive = Verb Args [Comment] NEWLINE | Verb "(" [Comment] NEWLINE { Args [Comment] NEWLINE | Comment | Blank } ")" [Comment] NEWLINE .
 * Tokens are identifiers (runs of printable non-space characters other than ( ) [ ] { } ,), the
 * punctuation ( ) [ ] { } , — and interpreted "..." or raw `...` strings. Only // comments are allowed
 * ("mod files must use // comments, not /* *\/ comments" in x/mod).
 *
 * Written by hand: no maintained npm package parses go.mod with positions and round-trip printing.
 * The tree keeps every original line's text; the printer reuses it while a line's tokens and comment
 * are unchanged, so edits touch only the lines they change (like `go mod edit`).
 */
import { GoInputError } from './input-error.js';

export interface Pos {
  line: number; // 1-based
  col: number; // 1-based, in UTF-16 code units of the line
}

/** A bad go.mod: exit 2 at the boundary, naming file:line:col. */
export class GoModSyntaxError extends GoInputError {
  constructor(
    file: string,
    readonly pos: Pos,
    reason: string,
  ) {
    super(file, pos.line, pos.col, reason);
  }
}

/** A directive line: `verb args...` at top level, or `args...` inside a block. */
export interface LineStmt {
  type: 'line';
  /** Raw token texts (strings keep their quotes). */
  tokens: string[];
  /** Trailing `// ...` comment, with the slashes. */
  comment?: string;
  pos?: Pos;
  /** Original text of the line and the fingerprint it was read with (printer reuses it while unchanged). */
  raw?: string;
  rawKey?: string;
}

export interface CommentStmt {
  type: 'comment';
  text: string;
  raw?: string;
}

export interface BlankStmt {
  type: 'blank';
}

export type BodyStmt = LineStmt | CommentStmt | BlankStmt;

export interface BlockStmt {
  type: 'block';
  verb: string;
  /** Comment after the opening `(`. */
  openComment?: string;
  body: BodyStmt[];
  /** Comment after the closing `)`. */
  closeComment?: string;
  pos?: Pos;
  rawOpen?: string;
  rawOpenKey?: string;
  rawClose?: string;
  rawCloseKey?: string;
}

export type Stmt = BodyStmt | BlockStmt;

export interface GoModSyntax {
  stmts: Stmt[];
  /** The file ended with a newline (printer keeps that). */
  finalNewline: boolean;
}

// ---------- lexer ----------

type TokKind = 'word' | 'string' | 'punct' | 'comment' | 'newline' | 'eof';
interface Tok {
  kind: TokKind;
  text: string;
  pos: Pos;
}

const PUNCT = new Set(['(', ')', '[', ']', '{', '}', ',']);

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\v' || c === '\f' || c === '\u00a0' || c === '\ufeff';
}

function isIdentChar(c: string): boolean {
  if (PUNCT.has(c) || c === '"' || c === '`') return false;
  if (c === '\n' || isSpace(c)) return false;
  const cp = c.codePointAt(0) ?? 0;
  // Control characters are not printable (x/mod: unicode.IsPrint).
  return cp >= 0x20 && cp !== 0x7f && !(cp >= 0x80 && cp < 0xa0) && !/\s/u.test(c);
}

function lex(file: string, src: string): Tok[] {
  const toks: Tok[] = [];
  let line = 1;
  let col = 1;
  let i = 0;
  const err = (reason: string, p: Pos = { line, col }): never => {
    throw new GoModSyntaxError(file, p, reason);
  };
  const adv = (n: number): void => {
    for (let k = 0; k < n; k++) {
      if (src[i] === '\n') {
        line++;
        col = 1;
      } else col++;
      i++;
    }
  };
  while (i < src.length) {
    const c = src[i];
    const pos = { line, col };
    if (c === '\n') {
      toks.push({ kind: 'newline', text: '\n', pos });
      adv(1);
      continue;
    }
    if (isSpace(c)) {
      adv(1);
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      let j = i;
      while (j < src.length && src[j] !== '\n') j++;
      let text = src.slice(i, j);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      toks.push({ kind: 'comment', text: text.trimEnd(), pos });
      adv(j - i);
      continue;
    }
    if (c === '/' && src[i + 1] === '*') err('mod files must use // comments, not /* */ comments');
    if (PUNCT.has(c)) {
      toks.push({ kind: 'punct', text: c, pos });
      adv(1);
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= src.length || src[j] === '\n') err('unexpected newline in string', pos);
        if (src[j] === '\\') {
          j += 2;
          continue;
        }
        if (src[j] === '"') break;
        j++;
      }
      const text = src.slice(i, j + 1);
      unquote(text, file, pos); // validates escapes
      toks.push({ kind: 'string', text, pos });
      adv(j + 1 - i);
      continue;
    }
    if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j < 0) err('unexpected EOF in raw string', pos);
      const text = src.slice(i, j + 1);
      if (text.includes('\n')) err('unexpected newline in string', pos);
      toks.push({ kind: 'string', text, pos });
      adv(j + 1 - i);
      continue;
    }
    if (!isIdentChar(c)) err(`unexpected input character ${JSON.stringify(c)}`);
    let j = i;
    while (j < src.length && isIdentChar(src[j])) {
      if (src[j] === '/' && src[j + 1] === '/') break;
      if (src[j] === '/' && src[j + 1] === '*') err('mod files must use // comments, not /* */ comments', { line, col: col + (j - i) });
      j++;
    }
    toks.push({ kind: 'word', text: src.slice(i, j), pos });
    adv(j - i);
  }
  toks.push({ kind: 'eof', text: '', pos: { line, col } });
  return toks;
}

/** Decode a Go string literal token ("..." with Go escapes, or `raw`); bare words are returned as is. */
export function unquote(text: string, file = 'go.mod', pos: Pos = { line: 1, col: 1 }): string {
  if (text.startsWith('`')) return text.slice(1, -1);
  if (!text.startsWith('"')) return text;
  const body = text.slice(1, -1);
  let out = '';
  for (let k = 0; k < body.length; k++) {
    const c = body[k];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++k];
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'" };
    if (e !== undefined && e in simple) out += simple[e];
    else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(body.slice(k + 1, k + 3))) {
      out += String.fromCharCode(parseInt(body.slice(k + 1, k + 3), 16));
      k += 2;
    } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(body.slice(k + 1, k + 5))) {
      out += String.fromCodePoint(parseInt(body.slice(k + 1, k + 5), 16));
      k += 4;
    } else if (e === 'U' && /^[0-9a-fA-F]{8}$/.test(body.slice(k + 1, k + 9))) {
      const cp = parseInt(body.slice(k + 1, k + 9), 16);
      if (cp > 0x10ffff) throw new GoModSyntaxError(file, pos, `invalid quoted string ${text}: escape out of range`);
      out += String.fromCodePoint(cp);
      k += 8;
    } else if (e !== undefined && /[0-7]/.test(e) && /^[0-7]{3}$/.test(body.slice(k, k + 3))) {
      out += String.fromCharCode(parseInt(body.slice(k, k + 3), 8) & 0xff);
      k += 2;
    } else {
      throw new GoModSyntaxError(file, pos, `invalid quoted string ${text}: unknown escape`);
    }
  }
  return out;
}

/** Quote a path for go.mod when it needs it (x/mod AutoQuote: quote if it isn't a plain word). */
export function autoQuote(s: string): string {
  if (s.length > 0 && [...s].every((c) => isIdentChar(c)) && !s.includes('//') && !s.includes('/*')) return s;
  return JSON.stringify(s);
}

// ---------- parser ----------

/** Parse go.mod text into a lossless syntax tree. Throws only GoModSyntaxError. */
export function parseGoModSyntax(src: string, file = 'go.mod'): GoModSyntax {
  const toks = lex(file, src);
  const lines = src.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const stmts: Stmt[] = [];
  let k = 0;
  const peek = (): Tok => toks[k];
  // Never step past EOF: callers look at the token after a line's end.
  const next = (): Tok => (toks[k].kind === 'eof' ? toks[k] : toks[k++]);
  const err = (t: Tok, reason: string): never => {
    throw new GoModSyntaxError(file, t.pos, reason);
  };

  /** Read the tokens up to the end of the line: args, optional trailing comment. */
  const readLine = (): { args: Tok[]; comment?: Tok; end: Tok } => {
    const args: Tok[] = [];
    let comment: Tok | undefined;
    for (;;) {
      const t = next();
      if (t.kind === 'newline' || t.kind === 'eof') return { args, comment, end: t };
      if (t.kind === 'comment') {
        comment = t;
        continue;
      }
      if (comment) err(t, 'unexpected token after comment'); // cannot happen: comments run to end of line
      args.push(t);
    }
  };

  const mkLine = (args: Tok[], comment: Tok | undefined, lineNo: number): LineStmt => {
    const st: LineStmt = { type: 'line', tokens: args.map((a) => a.text), pos: args[0].pos };
    if (comment) st.comment = comment.text;
    st.raw = lines[lineNo - 1];
    st.rawKey = lineKey(st);
    return st;
  };

  while (peek().kind !== 'eof') {
    const t = peek();
    if (t.kind === 'newline') {
      next();
      stmts.push({ type: 'blank' });
      continue;
    }
    if (t.kind === 'comment') {
      next();
      const end = next();
      if (end.kind !== 'newline' && end.kind !== 'eof') err(end, 'unexpected token after comment');
      stmts.push({ type: 'comment', text: t.text, raw: lines[t.pos.line - 1] });
      continue;
    }
    const { args, comment } = readLine();
    if (args[0].kind !== 'word') err(args[0], `unexpected ${describe(args[0])}, expected a directive name`);
    // Block: `verb (` [comment] NEWLINE
    if (args.length === 2 && args[1].text === '(' && args[1].kind === 'punct') {
      const block: BlockStmt = { type: 'block', verb: args[0].text, body: [], pos: args[0].pos };
      if (comment) block.openComment = comment.text;
      block.rawOpen = lines[args[0].pos.line - 1];
      block.rawOpenKey = openKey(block);
      let closed = false;
      while (!closed) {
        const bt = peek();
        if (bt.kind === 'eof') err(bt, `unexpected EOF: missing ")" to close the ${block.verb} block opened at line ${block.pos!.line}`);
        if (bt.kind === 'newline') {
          next();
          block.body.push({ type: 'blank' });
          continue;
        }
        if (bt.kind === 'comment') {
          next();
          const end = next();
          if (end.kind !== 'newline' && end.kind !== 'eof') err(end, 'unexpected token after comment');
          block.body.push({ type: 'comment', text: bt.text, raw: lines[bt.pos.line - 1] });
          continue;
        }
        const ln = readLine();
        if (ln.args[0].kind === 'punct' && ln.args[0].text === ')') {
          if (ln.args.length > 1) err(ln.args[1], `unexpected ${describe(ln.args[1])} after ")"`);
          if (ln.comment) block.closeComment = ln.comment.text;
          block.rawClose = lines[ln.args[0].pos.line - 1];
          block.rawCloseKey = closeKey(block);
          closed = true;
          continue;
        }
        const bad = ln.args.find((a) => a.kind === 'punct' && (a.text === '(' || a.text === ')'));
        if (bad) err(bad, `unexpected "${bad.text}" inside the ${block.verb} block`);
        block.body.push(mkLine(ln.args, ln.comment, ln.args[0].pos.line));
      }
      stmts.push(block);
      continue;
    }
    const bad = args.find((a) => a.kind === 'punct' && (a.text === '(' || a.text === ')'));
    if (bad) err(bad, bad.text === '(' ? `"(" must end the line to open a ${args[0].text} block` : 'unexpected ")"');
    stmts.push(mkLine(args, comment, args[0].pos.line));
  }
  // Trailing whitespace after the last newline is not a line of its own.
  return { stmts, finalNewline: stmts.length === 0 || /\n[^\S\n]*$/.test(src) };
}

function describe(t: Tok): string {
  if (t.kind === 'punct') return `"${t.text}"`;
  if (t.kind === 'string') return `string ${t.text}`;
  return `"${t.text}"`;
}

// ---------- printer ----------

/** Canonical token spacing as `go mod edit -fmt` prints: one space, none inside [a, b] ranges except after commas. */
export function joinTokens(tokens: readonly string[]): string {
  let out = '';
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    const prev = tokens[k - 1];
    if (k > 0 && !(prev === '[' || t === ']' || t === ',')) out += ' ';
    out += t;
  }
  return out;
}

function lineKey(l: LineStmt): string {
  return JSON.stringify([l.tokens, l.comment ?? null]);
}
function openKey(b: BlockStmt): string {
  return JSON.stringify([b.verb, b.openComment ?? null]);
}
function closeKey(b: BlockStmt): string {
  return JSON.stringify([b.closeComment ?? null]);
}

function printLine(l: LineStmt, indent: string): string {
  if (l.raw !== undefined && l.rawKey === lineKey(l)) return l.raw;
  const body = joinTokens(l.tokens);
  return indent + body + (l.comment ? (body ? ' ' : '') + l.comment : '');
}

function printComment(c: CommentStmt, indent: string): string {
  if (c.raw !== undefined && c.raw.trim() === c.text) return c.raw;
  return indent + c.text;
}

export function printGoModSyntax(f: GoModSyntax): string {
  const out: string[] = [];
  for (const s of f.stmts) {
    if (s.type === 'blank') out.push('');
    else if (s.type === 'comment') out.push(printComment(s, ''));
    else if (s.type === 'line') out.push(printLine(s, ''));
    else {
      out.push(
        s.rawOpen !== undefined && s.rawOpenKey === openKey(s) ? s.rawOpen : `${s.verb} (${s.openComment ? ' ' + s.openComment : ''}`,
      );
      for (const b of s.body) {
        if (b.type === 'blank') out.push('');
        else if (b.type === 'comment') out.push(printComment(b, '\t'));
        else out.push(printLine(b, '\t'));
      }
      out.push(s.rawClose !== undefined && s.rawCloseKey === closeKey(s) ? s.rawClose : `)${s.closeComment ? ' ' + s.closeComment : ''}`);
    }
  }
  return out.join('\n') + (f.finalNewline && out.length > 0 ? '\n' : '');
}

/** The tree without positions and raw text: what parse(print(x)) must reproduce. */
export function stripSyntax(f: GoModSyntax): GoModSyntax {
  const line = (l: LineStmt): LineStmt => ({ type: 'line', tokens: [...l.tokens], ...(l.comment ? { comment: l.comment } : {}) });
  const body = (b: BodyStmt): BodyStmt => (b.type === 'line' ? line(b) : b.type === 'comment' ? { type: 'comment', text: b.text } : { type: 'blank' });
  return {
    finalNewline: f.finalNewline,
    stmts: f.stmts.map((s) =>
      s.type === 'block'
        ? {
            type: 'block',
            verb: s.verb,
            ...(s.openComment ? { openComment: s.openComment } : {}),
            body: s.body.map(body),
            ...(s.closeComment ? { closeComment: s.closeComment } : {}),
          }
        : body(s),
    ),
  };
}
