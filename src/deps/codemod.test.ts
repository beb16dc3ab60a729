import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rewriteGoFile, rewriteGoMod } from './codemod.js';
import { scanGoImports } from './goimports.js';
import { analyzeModule } from './analyze.js';
import { parseGoMod } from './gomod.js';
import type { GoSourceFile, ModuleInputs } from './discover.js';

const file = (rel: string, text: string): GoSourceFile => ({ rel, text, header: scanGoImports(text, rel) });

test('rewrites paths, adds the package-name alias, keeps existing aliases, comments and quoting', () => {
  const src = [
    'package p',
    '',
    'import (',
    '\t"context"',
    '',
    '\t// the client',
    '\t"github.com/coreos/etcd/clientv3"',
    '\tpb "github.com/coreos/etcd/etcdserver/etcdserverpb" // protos',
    '\t_ `github.com/coreos/etcd/mvcc/mvccpb`',
    '\t"github.com/coreos/etcd/clientv3/concurrency"',
    '\t"github.com/coreos/etcd/clientv3/naming"',
    '',
    '\t"google.golang.org/grpc"',
    ')',
    '',
    'func f() {}',
    '',
  ].join('\n');
  const { edit, skipped } = rewriteGoFile(file('p.go', src), 'v3.5.33');
  assert.equal(
    edit!.after,
    [
      'package p',
      '',
      'import (',
      '\t"context"',
      '',
      '\t// the client',
      '\t"github.com/coreos/etcd/clientv3/naming"',
      '\tpb "go.etcd.io/etcd/api/v3/etcdserverpb" // protos',
      '\t_ `go.etcd.io/etcd/api/v3/mvccpb`',
      '\tclientv3 "go.etcd.io/etcd/client/v3"',
      '\t"go.etcd.io/etcd/client/v3/concurrency"',
      '',
      '\t"google.golang.org/grpc"',
      ')',
      '',
      'func f() {}',
      '',
    ].join('\n'),
  );
  assert.deepEqual(skipped.map((s) => [s.line, s.path, s.reason.split(':')[0]]), [[11, 'github.com/coreos/etcd/clientv3/naming', 'api-change']]);
  assert.deepEqual(edit!.rewrites.map((r) => [r.line, r.to, r.alias ?? null]), [
    [7, 'go.etcd.io/etcd/client/v3', 'clientv3'],
    [8, 'go.etcd.io/etcd/api/v3/etcdserverpb', null],
    [9, 'go.etcd.io/etcd/api/v3/mvccpb', null],
    [10, 'go.etcd.io/etcd/client/v3/concurrency', null],
  ]);
});

test('single-line imports and already-sorted runs stay put; duplicates collapse like gofmt', () => {
  const one = rewriteGoFile(file('a.go', 'package a\n\nimport "go.etcd.io/etcd/raft"\n'), 'v3.6.14').edit!;
  assert.equal(one.after, 'package a\n\nimport raft "go.etcd.io/raft/v3"\n');
  const dup = rewriteGoFile(file('b.go', 'package b\n\nimport (\n\t"github.com/coreos/etcd/clientv3"\n\t"go.etcd.io/etcd/clientv3"\n)\n'), 'v3.5.33').edit!;
  assert.equal(dup.after, 'package b\n\nimport (\n\tclientv3 "go.etcd.io/etcd/client/v3"\n)\n');
  assert.equal(rewriteGoFile(file('c.go', 'package c\n\nimport clientv3 "go.etcd.io/etcd/client/v3"\n'), 'v3.6.14').edit, undefined);
  // A run without changes is left alone even if unsorted.
  const keep = rewriteGoFile(file('d.go', 'package d\n\nimport (\n\t"z"\n\t"a"\n\n\t"go.etcd.io/etcd/pkg/transport"\n)\n'), 'v3.5.33').edit!;
  assert.equal(keep.after, 'package d\n\nimport (\n\t"z"\n\t"a"\n\n\t"go.etcd.io/etcd/client/pkg/v3/transport"\n)\n');
});

test('go.mod: adds the target modules, drops legacy requires and stop-gap replaces', () => {
  const goMod = 'module m\n\ngo 1.16\n\nrequire (\n\tgithub.com/coreos/etcd v3.3.25+incompatible\n\tgoogle.golang.org/grpc v1.26.0\n)\n\nreplace google.golang.org/grpc => google.golang.org/grpc v1.26.0\n';
  const inp: ModuleInputs = { dir: '/x', rel: '', goModText: goMod, mod: parseGoMod(goMod), files: [file('m.go', 'package m\nimport "github.com/coreos/etcd/clientv3"\n')] };
  const report = analyzeModule(inp, { target: 'v3.5.33' });
  const e = rewriteGoMod(goMod, 'go.mod', report)!;
  assert.equal(
    e.after,
    'module m\n\ngo 1.16\n\nrequire (\n\tgo.etcd.io/etcd/api/v3 v3.5.33\n\tgo.etcd.io/etcd/client/pkg/v3 v3.5.33\n\tgo.etcd.io/etcd/client/v3 v3.5.33\n\tgoogle.golang.org/grpc v1.26.0\n)\n',
  );
  assert.deepEqual(e.removed, ['github.com/coreos/etcd']);
  assert.deepEqual(e.replacesDropped, ['google.golang.org/grpc']);
  // Target 3.4: the canonical pseudo-version of the tag's commit.
  const r34 = analyzeModule(inp, { target: 'v3.4.45' });
  assert.deepEqual(r34.targetRequires, [{ path: 'go.etcd.io/etcd', version: 'v0.5.0-alpha.5.0.20260601203031-6e72c68a3199' }]);
});

test('trailing comments of a rewritten run are re-aligned like gofmt', () => {
  const src = 'package a\n\nimport (\n\t"go.etcd.io/etcd/clientv3"   // client\n\t"go.etcd.io/etcd/pkg/types" // types\n\t"zzz"\n\t"zzzz" // lone\n)\n';
  const e = rewriteGoFile(file('a.go', src), 'v3.5.33').edit!;
  assert.equal(
    e.after,
    'package a\n\nimport (\n\t"go.etcd.io/etcd/client/pkg/v3/types" // types\n\tclientv3 "go.etcd.io/etcd/client/v3"  // client\n\t"zzz"\n\t"zzzz" // lone\n)\n',
  );
});

test('property: the rewrite is idempotent, keeps every import, and leaves changed runs sorted', async () => {
  const fc = (await import('fast-check')).default;
  const pool = [
    'github.com/coreos/etcd/clientv3',
    'github.com/coreos/etcd/clientv3/concurrency',
    'go.etcd.io/etcd/mvcc/mvccpb',
    'go.etcd.io/etcd/pkg/transport',
    'go.etcd.io/etcd/clientv3/naming',
    'go.etcd.io/etcd/raft/raftpb',
    'context',
    'fmt',
    'github.com/google/uuid',
    'google.golang.org/grpc',
  ];
  const spec = fc.record({
    path: fc.constantFrom(...pool),
    name: fc.option(fc.constantFrom('x', '_', '.', 'etcd'), { nil: undefined }),
    comment: fc.option(fc.constantFrom('// why', '// indirect use'), { nil: undefined }),
    before: fc.constantFrom('', '', '', 'blank', 'comment'),
  });
  fc.assert(
    fc.property(fc.uniqueArray(spec, { selector: (s) => s.path, minLength: 1, maxLength: 8 }), fc.constantFrom('v3.5.33', 'v3.6.14'), (specs, target) => {
      const body = specs
        .map((s) => (s.before === 'blank' ? '\n' : s.before === 'comment' ? '\t// group\n' : '') + `\t${s.name ? s.name + ' ' : ''}"${s.path}"${s.comment ? ' ' + s.comment : ''}\n`)
        .join('');
      const src = `package p\n\nimport (\n${body})\n\nfunc f() {}\n`;
      const first = rewriteGoFile(file('p.go', src), target);
      const after = first.edit?.after ?? src;
      const h = scanGoImports(after, 'p.go');
      assert.equal(h.imports.length, specs.length, after);
      for (const i of h.imports) assert.ok(!i.path.startsWith('github.com/coreos/etcd/clientv3') || i.path.endsWith('/naming') || false, i.path);
      assert.equal(rewriteGoFile(file('p.go', after), target).edit, undefined, 'a second run changes nothing');
      // Runs (consecutive spec lines) that contain a rewritten path are sorted by path.
      if (first.edit) {
        const changed = new Set(first.edit.rewrites.map((r) => r.to));
        const lines = after.split('\n');
        let run: string[] = [];
        const flush = (): void => {
          if (run.some((p) => changed.has(p))) assert.deepEqual(run, [...run].sort(), after);
          run = [];
        };
        for (const l of lines) {
          const m = /^\t(?:\S+ )?["`]([^"`]+)["`]/.exec(l);
          if (m) run.push(m[1]);
          else flush();
        }
        flush();
      }
    }),
    { numRuns: 300 },
  );
});
