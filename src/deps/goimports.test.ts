import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GoScanError, scanGoImports } from './goimports.js';

test('reads build tags, grouped, aliased, dot, blank and raw-string imports with positions', () => {
  const src = [
    '// Copyright 2020',
    '//go:build linux && !race',
    '// +build linux,!race',
    '',
    '/* doc */ package main // x',
    '',
    'import "fmt"',
    'import (',
    '\t"context"',
    '\t// comment with "quotes" and import "nope"',
    '\tetcd "github.com/coreos/etcd/clientv3" // trailing',
    '\t_ "github.com/coreos/etcd/clientv3/naming"',
    '\t. `go.etcd.io/etcd/mvcc/mvccpb`; "os"',
    '\t/* block',
    '\t   "not/an/import" */',
    ')',
    'import ()',
    '',
    'var s = "import \\"late\\""',
    'import "after/decls"',
  ].join('\n');
  const h = scanGoImports(src, 'x.go');
  assert.equal(h.packageName, 'main');
  assert.equal(h.buildConstraint, 'linux && !race');
  assert.deepEqual(
    h.imports.map((i) => [i.name ?? null, i.path, i.line, i.col, i.decl]),
    [
      [null, 'fmt', 7, 8, 0],
      [null, 'context', 9, 2, 1],
      ['etcd', 'github.com/coreos/etcd/clientv3', 11, 7, 1],
      ['_', 'github.com/coreos/etcd/clientv3/naming', 12, 4, 1],
      ['.', 'go.etcd.io/etcd/mvcc/mvccpb', 13, 4, 1],
      [null, 'os', 13, 35, 1],
    ],
  );
  assert.equal(h.decls.length, 3);
  assert.equal(src.slice(h.imports[2].litStart, h.imports[2].litEnd), '"github.com/coreos/etcd/clientv3"');
});

test('legacy +build lines alone become the constraint; files without imports are fine', () => {
  const h = scanGoImports('// +build ignore\n// +build go1.12\n\npackage tools\n');
  assert.equal(h.buildConstraint, '(ignore) && (go1.12)');
  assert.deepEqual(h.imports, []);
  const crlf = scanGoImports('package a\r\n\r\nimport (\r\n\t"x/y"\r\n)\r\n');
  assert.deepEqual(crlf.imports.map((i) => [i.path, i.line, i.col]), [['x/y', 4, 2]]);
});

test('errors carry file:line:col', () => {
  assert.throws(() => scanGoImports('package a\nimport (\n\t"x\n)', 'bad.go'), (e: unknown) => e instanceof GoScanError && e.line === 3 && e.col === 2 && e.message.startsWith('bad.go:3:2'));
  assert.throws(() => scanGoImports('func main() {}', 'nopkg.go'), GoScanError);
  assert.throws(() => scanGoImports('package a /* open', 'c.go'), GoScanError);
});

test('property: random input never crashes the scanner (only GoScanError)', () => {
  const piece = fc.constantFrom('package', 'import', 'main', ' ', '\n', '(', ')', '"', '`', '//', '/*', '*/', '_', '.', ';', 'x/y', '\\', 'é');
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 120 }), fc.array(piece, { maxLength: 40 }).map((a) => a.join(''))), (src) => {
      try {
        const h = scanGoImports(src);
        for (const i of h.imports) assert.ok(i.litEnd > i.litStart && i.line >= 1);
      } catch (e) {
        if (!(e instanceof GoScanError)) throw e;
      }
    }),
    { numRuns: 2000 },
  );
});
