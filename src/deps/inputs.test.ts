import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError, parseGoListJson, parseGoSum, parseModGraph, parseModulesTxt } from './inputs.js';
import { buildGraph, requirementChain, requirersOf, selectVersions } from './mvs.js';

test('go.sum: three fields, /go.mod lines flagged', () => {
  const s = parseGoSum('go.etcd.io/etcd/client/v3 v3.5.33 h1:abc=\ngo.etcd.io/etcd/client/v3 v3.5.33/go.mod h1:def=\n\n');
  assert.deepEqual(s.map((l) => [l.path, l.version, l.goModOnly, l.line]), [['go.etcd.io/etcd/client/v3', 'v3.5.33', false, 1], ['go.etcd.io/etcd/client/v3', 'v3.5.33', true, 2]]);
  assert.throws(() => parseGoSum('a v1\n', 'x/go.sum'), (e: unknown) => e instanceof InputError && e.message.startsWith('x/go.sum:1:1'));
  assert.throws(() => parseGoSum('a v1 sha256:zz\n'), /malformed go.sum hash/);
});

test('vendor/modules.txt with explicit markers, go versions and replacements', () => {
  const v = parseModulesTxt('# go.etcd.io/bbolt v1.3.6\n## explicit; go 1.17\ngo.etcd.io/bbolt\n# github.com/coreos/etcd v3.3.25+incompatible => github.com/ozonru/etcd v3.3.20-grpc1.27-origmodule+incompatible\ngithub.com/coreos/etcd/clientv3\n# example.com/local => ./local\n## explicit\n');
  assert.deepEqual(v.map((m) => [m.path, m.version, m.explicit, m.goVersion ?? null, m.replacement ?? null, m.packages]), [
    ['go.etcd.io/bbolt', 'v1.3.6', true, '1.17', null, ['go.etcd.io/bbolt']],
    ['github.com/coreos/etcd', 'v3.3.25+incompatible', false, null, { path: 'github.com/ozonru/etcd', version: 'v3.3.20-grpc1.27-origmodule+incompatible' }, ['github.com/coreos/etcd/clientv3']],
    ['example.com/local', '', true, null, { path: './local' }, []],
  ]);
  assert.throws(() => parseModulesTxt('pkg/without/module\n'), InputError);
});

const GRAPH = `example.com/main example.com/a@v1.0.0
example.com/main example.com/b@v1.1.0
example.com/main go@1.21
example.com/main toolchain@go1.21.0
example.com/a@v1.0.0 example.com/b@v1.0.0
example.com/a@v1.0.0 go.etcd.io/etcd@v0.5.0-alpha.5.0.20200824191128-ae9734ed278b
example.com/b@v1.1.0 example.com/c@v1.2.0
example.com/b@v1.0.0 example.com/c@v1.3.0
example.com/c@v1.2.0 go.etcd.io/etcd@v0.5.0-alpha.5.0.20200910180754-dd1b699fc489
`;

test('go mod graph: edges, main module, go/toolchain pseudo-nodes skipped', () => {
  const edges = parseModGraph(GRAPH);
  assert.equal(edges.length, 7);
  assert.deepEqual(edges[0].from, { path: 'example.com/main', version: '' });
  assert.throws(() => parseModGraph('a b c\n', 'g.txt'), /g\.txt:1:1: malformed go mod graph line/);
  assert.throws(() => parseModGraph('a b\n'), /has no @version/);
});

test('MVS selects the highest required version reachable from the main module', () => {
  const g = buildGraph(parseModGraph(GRAPH));
  const sel = selectVersions(g);
  assert.equal(sel.get('example.com/b'), 'v1.1.0');
  // c@v1.3.0 is required by b@v1.0.0, which is in the graph (required by a), so MVS takes it.
  assert.equal(sel.get('example.com/c'), 'v1.3.0');
  assert.equal(sel.get('go.etcd.io/etcd'), 'v0.5.0-alpha.5.0.20200910180754-dd1b699fc489');
  assert.equal(sel.has('go'), false);
  assert.deepEqual(requirementChain(g, 'go.etcd.io/etcd'), ['example.com/main', 'example.com/a@v1.0.0', 'go.etcd.io/etcd@v0.5.0-alpha.5.0.20200824191128-ae9734ed278b']);
  assert.equal(requirementChain(g, 'example.com/none'), undefined);
  assert.deepEqual(requirersOf(g, 'go.etcd.io/etcd').map((r) => r.from), ['example.com/a@v1.0.0', 'example.com/c@v1.2.0']);
  // exclude: requirements on an excluded version are ignored (go.dev/ref/mod#mvs-exclude, Go >= 1.16).
  const gx = buildGraph(parseModGraph(GRAPH), new Set(['example.com/c@v1.3.0']));
  assert.equal(selectVersions(gx).get('example.com/c'), 'v1.2.0');
});

test('go list -m -json all: concatenated objects, strings with braces', () => {
  const text = `{
	"Path": "example.com/main",
	"Main": true,
	"GoVersion": "1.21"
}
{
	"Path": "google.golang.org/grpc",
	"Version": "v1.27.1",
	"Replace": {
		"Path": "google.golang.org/grpc",
		"Version": "v1.26.0"
	},
	"Error": {"Err": "weird } brace \\" quote"}
}
`;
  const l = parseGoListJson(text);
  assert.deepEqual(l.map((m) => [m.Path, m.Version ?? null, m.Replace?.Version ?? null]), [['example.com/main', null, null], ['google.golang.org/grpc', 'v1.27.1', 'v1.26.0']]);
  assert.throws(() => parseGoListJson('{"Path": "a"}\n{"Path": ', 'l.json'), (e: unknown) => e instanceof InputError && e.line === 2);
  assert.throws(() => parseGoListJson('[]'), /expected "\{"/);
  assert.throws(() => parseGoListJson('{"NoPath": 1}'), /without a "Path"/);
});

test('property: random input never crashes the input parsers (only InputError)', async () => {
  const fc = (await import('fast-check')).default;
  const piece = fc.constantFrom('a/b', '@v1.0.0', ' ', '\n', 'h1:x=', '/go.mod', '# ', '## explicit', '=>', '{', '}', '"', '\\', ':', 'Path', 'go@1.21');
  const text = fc.oneof(fc.string({ maxLength: 80 }), fc.array(piece, { maxLength: 30 }).map((a) => a.join('')));
  fc.assert(
    fc.property(text, (t) => {
      for (const parse of [parseGoSum, parseModulesTxt, parseModGraph, parseGoListJson]) {
        try {
          parse(t);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
        }
      }
    }),
    { numRuns: 1500 },
  );
});
