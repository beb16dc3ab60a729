import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { GoModSyntaxError, parseGoModSyntax, printGoModSyntax, stripSyntax, type BodyStmt, type GoModSyntax, type Stmt } from './gomod-syntax.js';
import { formatGoMod, parseGoMod, removeLine, setRequire } from './gomod.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'deps');

// ---------- unit cases ----------

test('parses every directive in single-line and block forms', () => {
  const src = [
    '// Deprecated: use example.com/new',
    'module "example.com/app"',
    '',
    'go 1.21.3',
    'toolchain go1.22.1',
    'godebug default=go1.21',
    'godebug (',
    '\tpanicnil=1',
    ')',
    'require go.etcd.io/etcd/client/v3 v3.5.33',
    'require (',
    '\tgithub.com/coreos/etcd v3.3.25+incompatible',
    '\tgo.etcd.io/bbolt v1.3.6 // indirect',
    '\tgo.uber.org/zap v1.27.0 // indirect; keep',
    ')',
    'exclude google.golang.org/grpc v1.30.0',
    'replace google.golang.org/grpc => google.golang.org/grpc v1.26.0',
    'replace (',
    '\tgithub.com/coreos/bbolt v1.3.4 => go.etcd.io/bbolt v1.3.4',
    '\texample.com/local => ../local',
    ')',
    '// bad release',
    'retract v1.0.1',
    'retract [v1.1.0, v1.1.9] // all of 1.1',
    'tool golang.org/x/tools/cmd/stringer',
    '',
  ].join('\n');
  const m = parseGoMod(src);
  assert.equal(m.module?.path, 'example.com/app');
  assert.equal(m.module?.deprecated, 'use example.com/new');
  assert.equal(m.go?.version, '1.21.3');
  assert.equal(m.toolchain?.name, 'go1.22.1');
  assert.deepEqual(m.godebug.map((g) => [g.key, g.value]), [['default', 'go1.21'], ['panicnil', '1']]);
  assert.deepEqual(m.require.map((r) => [r.path, r.version, r.indirect]), [
    ['go.etcd.io/etcd/client/v3', 'v3.5.33', false],
    ['github.com/coreos/etcd', 'v3.3.25+incompatible', false],
    ['go.etcd.io/bbolt', 'v1.3.6', true],
    ['go.uber.org/zap', 'v1.27.0', true],
  ]);
  assert.deepEqual(m.require[2].pos, { line: 13, col: 2 });
  assert.deepEqual(m.exclude.map((e) => [e.path, e.version]), [['google.golang.org/grpc', 'v1.30.0']]);
  assert.deepEqual(
    m.replace.map((r) => [r.oldPath, r.oldVersion ?? null, r.newPath, r.newVersion ?? null]),
    [
      ['google.golang.org/grpc', null, 'google.golang.org/grpc', 'v1.26.0'],
      ['github.com/coreos/bbolt', 'v1.3.4', 'go.etcd.io/bbolt', 'v1.3.4'],
      ['example.com/local', null, '../local', null],
    ],
  );
  assert.deepEqual(m.retract.map((r) => [r.low, r.high, r.rationale]), [['v1.0.1', 'v1.0.1', 'bad release'], ['v1.1.0', 'v1.1.9', 'all of 1.1']]);
  assert.equal(m.tool[0].path, 'golang.org/x/tools/cmd/stringer');
  assert.equal(formatGoMod(m), src, 'printing an unchanged file gives it back byte for byte');
});

test('syntax errors name line and column', () => {
  const cases: [string, number, number, RegExp][] = [
    ['module\n', 1, 1, /usage: module/],
    ['module a\nrequire x\n', 2, 1, /usage: require module\/path v1\.2\.3/],
    ['module a\n\nfoo bar\n', 3, 1, /unknown directive: foo/],
    ['require (\n\tx v1.0.0\n', 3, 1, /missing "\)"/],
    ['go 1.x\n', 1, 4, /invalid go version/],
    ['module a /* no */\n', 1, 10, /\/\/ comments/],
    ['module "a\\q"\n', 1, 8, /unknown escape/],
    ['module a\nmodule b\n', 2, 1, /repeated module/],
    ['replace a => b\n', 1, 14, /must be directory path/],
    ['replace a => ./b v1.0.0\n', 1, 18, /must not have a version/],
    ['require a v1.0.0 (\n', 1, 18, /must end the line/],
    ['retract [v1.0.0 v1.2.0]\n', 1, 1, /usage: retract/],
    ['require x notaversion\n', 1, 11, /require x: version "notaversion" invalid: must be of the form v1\.2\.3/],
    ['require go.etcd.io/etcd v3.4.13\n', 1, 25, /version "v3\.4\.13" invalid: should be v0 or v1, not v3/],
    ['exclude go.etcd.io/etcd/client/v3 v0.5.0\n', 1, 35, /should be v3, not v0/],
    ['require a/b/v1 v1.0.0\n', 1, 9, /invalid module path/],
    ['module "unterminated\n', 1, 8, /newline in string/],
  ];
  for (const [src, line, col, re] of cases) {
    assert.throws(
      () => parseGoMod(src, 'dir/go.mod'),
      (e: unknown) => {
        assert.ok(e instanceof GoModSyntaxError, `${JSON.stringify(src)}: ${String(e)}`);
        assert.deepEqual([e.pos.line, e.pos.col], [line, col], `${JSON.stringify(src)} -> ${e.message}`);
        assert.match(e.message, re);
        assert.ok(e.message.startsWith(`dir/go.mod:${line}:${col}: `));
        return true;
      },
    );
  }
});

test('fixtures round-trip byte for byte', () => {
  for (const d of readdirSync(FIXTURES)) {
    const p = join(FIXTURES, d, 'go.mod');
    if (!existsSync(p) || d === 'malformed') continue;
    const src = readFileSync(p, 'utf8');
    assert.equal(formatGoMod(parseGoMod(src)), src, d);
  }
});

test('edits touch only the lines they change', () => {
  const src = 'module m\n\ngo 1.16\n\nrequire (\n\tgithub.com/coreos/etcd v3.3.25+incompatible // old\n\tgoogle.golang.org/grpc   v1.26.0 // keep spacing\n)\n\nreplace google.golang.org/grpc => google.golang.org/grpc v1.26.0\n';
  const m = parseGoMod(src);
  setRequire(m, 'go.etcd.io/etcd/client/v3', 'v3.5.33');
  removeLine(m, m.require.find((r) => r.path === 'github.com/coreos/etcd')!.stmt);
  removeLine(m, m.replace[0].stmt);
  assert.equal(
    formatGoMod(m),
    'module m\n\ngo 1.16\n\nrequire (\n\tgo.etcd.io/etcd/client/v3 v3.5.33\n\tgoogle.golang.org/grpc   v1.26.0 // keep spacing\n)\n',
  );
});

test('setRequire adds a block after go when there is none and keeps indirect ones apart', () => {
  const m = parseGoMod('module m\n\ngo 1.21\n\nrequire (\n\ta.b/c v1.0.0 // indirect\n)\n');
  setRequire(m, 'go.etcd.io/etcd/client/v3', 'v3.6.14');
  assert.equal(formatGoMod(m), 'module m\n\ngo 1.21\n\nrequire (\n\ta.b/c v1.0.0 // indirect\n)\n\nrequire (\n\tgo.etcd.io/etcd/client/v3 v3.6.14\n)\n');
  const m2 = parseGoMod('module m\n\ngo 1.21\n');
  setRequire(m2, 'x.y/z', 'v1.2.3');
  assert.equal(formatGoMod(m2), 'module m\n\ngo 1.21\n\nrequire (\n\tx.y/z v1.2.3\n)\n');
  // An existing indirect requirement becomes direct.
  const m3 = parseGoMod('module m\nrequire a.b/c v1.0.0 // indirect\n');
  setRequire(m3, 'a.b/c', 'v1.1.0');
  assert.equal(formatGoMod(m3), 'module m\nrequire a.b/c v1.1.0\n');
});

test('CRLF files and files without a final newline round-trip', () => {
  for (const src of ['module m\r\n\r\nrequire a.b/c v1.0.0\r\n', 'module m\nrequire a.b/c v1.0.0', '', '\n', '// only a comment']) {
    const m = parseGoMod(src);
    assert.deepEqual(parseGoModSyntax(printGoModSyntax(m.syntax)).stmts.length, m.syntax.stmts.length);
    if (!src.includes('\r')) assert.equal(formatGoMod(m), src);
  }
});

// ---------- properties ----------

const identChar = fc.constantFrom(...'abcxyz019._-/+=@:!#$%&*<>?|~^'.split(''));
const word = fc
  .array(identChar, { minLength: 1, maxLength: 8 })
  .map((cs) => cs.join(''))
  .filter((w) => !w.includes('//') && !w.includes('/*'));
const quoted = fc.string({ maxLength: 6 }).map((s) => JSON.stringify(s));
const raw = fc.stringMatching(/^[a-z /.]{0,6}$/).map((s) => '`' + s + '`');
const punct = fc.constantFrom('[', ']', ',', '{', '}');
const token = fc.oneof({ weight: 6, arbitrary: word }, { weight: 1, arbitrary: quoted }, { weight: 1, arbitrary: raw }, { weight: 1, arbitrary: punct });
const comment = fc.stringMatching(/^[ -~]{0,12}$/).map((s) => ('//' + s).trimEnd());
const lineStmt = (verbFirst: boolean): fc.Arbitrary<BodyStmt> =>
  fc
    .record({ head: verbFirst ? word : token, rest: fc.array(token, { maxLength: 5 }), comment: fc.option(comment, { nil: undefined }) })
    .map(({ head, rest, comment: c }) => ({ type: 'line' as const, tokens: [head, ...rest], ...(c ? { comment: c } : {}) }));
const bodyStmt: fc.Arbitrary<BodyStmt> = fc.oneof(
  { weight: 4, arbitrary: lineStmt(false) },
  { weight: 1, arbitrary: comment.map((text) => ({ type: 'comment' as const, text })) },
  { weight: 1, arbitrary: fc.constant({ type: 'blank' as const }) },
);
const blockStmt: fc.Arbitrary<Stmt> = fc
  .record({ verb: word, open: fc.option(comment, { nil: undefined }), body: fc.array(bodyStmt, { maxLength: 5 }), close: fc.option(comment, { nil: undefined }) })
  .map(({ verb, open, body, close }) => ({ type: 'block' as const, verb, ...(open ? { openComment: open } : {}), body, ...(close ? { closeComment: close } : {}) }));
const syntaxFile: fc.Arbitrary<GoModSyntax> = fc
  .record({
    stmts: fc.array(fc.oneof({ weight: 3, arbitrary: lineStmt(true) as fc.Arbitrary<Stmt> }, { weight: 2, arbitrary: blockStmt }, { weight: 1, arbitrary: bodyStmt.filter((b) => b.type !== 'line') as fc.Arbitrary<Stmt> }), { maxLength: 8 }),
    finalNewline: fc.boolean(),
  })
  .map((f) => {
    const last = f.stmts[f.stmts.length - 1];
    // Without a final newline a trailing blank line cannot be represented; an empty file always "ends" with one.
    return { ...f, finalNewline: f.finalNewline || !last || last.type === 'blank' };
  });

test('property: parse(print(ast)) == ast for generated go.mod syntax trees', () => {
  fc.assert(
    fc.property(syntaxFile, (ast) => {
      const text = printGoModSyntax(ast);
      const back = stripSyntax(parseGoModSyntax(text));
      assert.deepEqual(back, stripSyntax(ast), text);
      // And printing the parsed tree gives the same text.
      assert.equal(printGoModSyntax(parseGoModSyntax(text)), text);
    }),
    { numRuns: 400 },
  );
});

const modPath = fc.array(fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/).filter((s) => !/^v\d+$/.test(s)), { minLength: 2, maxLength: 4 }).map((p) => p.join('/'));
// Paths without a /vN suffix take v0/v1, or v2+ only as +incompatible (x/mod CheckPathMajor).
const semver = fc
  .tuple(fc.nat(9), fc.nat(40), fc.nat(40), fc.option(fc.constantFrom('-rc.1', '-alpha.5.0.20200910180754-dd1b699fc489'), { nil: undefined }))
  .map(([a, b, c, s]) => `v${a}.${b}.${c}${s ?? ''}${a >= 2 ? '+incompatible' : ''}`);

test('property: generated go.mod semantics survive print and parse', () => {
  fc.assert(
    fc.property(
      fc.record({
        module: modPath,
        go: fc.tuple(fc.integer({ min: 1, max: 1 }), fc.nat(30)).map(([a, b]) => `${a}.${b}`),
        requires: fc.uniqueArray(fc.record({ path: modPath, version: semver, indirect: fc.boolean() }), { selector: (r) => r.path, maxLength: 8 }),
        replaces: fc.array(fc.record({ old: modPath, new: modPath, version: semver }), { maxLength: 3 }),
        blocks: fc.boolean(),
      }),
      (spec) => {
        const req = spec.requires.map((r) => `${r.path} ${r.version}${r.indirect ? ' // indirect' : ''}`);
        const text = [
          `module ${spec.module}`,
          '',
          `go ${spec.go}`,
          '',
          ...(spec.blocks && req.length ? ['require (', ...req.map((l) => '\t' + l), ')'] : req.map((l) => `require ${l}`)),
          ...spec.replaces.map((r) => `replace ${r.old} => ${r.new} ${r.version}`),
          '',
        ].join('\n');
        const m = parseGoMod(text);
        assert.equal(m.module?.path, spec.module);
        assert.equal(m.go?.version, spec.go);
        assert.deepEqual(m.require.map((r) => ({ path: r.path, version: r.version, indirect: r.indirect })), spec.requires.map((r) => ({ ...r })));
        assert.deepEqual(m.replace.map((r) => ({ old: r.oldPath, new: r.newPath, version: r.newVersion })), spec.replaces.map((r) => ({ ...r })));
        assert.equal(formatGoMod(m), text);
      },
    ),
    { numRuns: 300 },
  );
});

test('property: arbitrary input never crashes the parser (only GoModSyntaxError)', () => {
  const alphabet = fc.constantFrom(...'module go require replace exclude retract ( ) [ ] , => // /* */ " ` \\ \n \t v1.2.3 a/b x'.split(' '), '\n', ' ', '\r', '\u0000', 'é');
  const input = fc.oneof(fc.string({ maxLength: 200 }), fc.array(alphabet, { maxLength: 60 }).map((a) => a.join(' ')), fc.array(alphabet, { maxLength: 60 }).map((a) => a.join('')));
  fc.assert(
    fc.property(input, (src) => {
      try {
        const m = parseGoMod(src);
        // Whatever parses prints to text that parses to the same tree and prints the same again
        // (whitespace-only lines and CRs are normalised, as gofmt does).
        const once = formatGoMod(m);
        const again = parseGoMod(once);
        assert.deepEqual(stripSyntax(again.syntax), stripSyntax(m.syntax));
        assert.equal(formatGoMod(again), once);
      } catch (e) {
        if (!(e instanceof GoModSyntaxError)) throw e;
        assert.ok(e.pos.line >= 1 && e.pos.col >= 1);
      }
    }),
    { numRuns: 2000 },
  );
});
