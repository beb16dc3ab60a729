/**
 * Cross-checks against the real Go toolchain (every project machine and CI has it: these tests do not skip,
 * see test/support/deps-go.ts; upshift itself never needs Go): the codemod's output is gofmt-clean, the
 * go.mod parser agrees with `go mod edit -json` (golang.org/x/mod/modfile) on fixtures, generated files and
 * real go.mod files from the module proxy, and MVS over `go mod graph` equals `go list -m all` on generated
 * graphs and on real module graphs from the proxy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { runCli } from '../src/cli.js';
import { rewriteGoFile } from '../src/deps/codemod.js';
import { scanGoImports } from '../src/deps/goimports.js';
import { GoModSyntaxError, parseGoMod } from '../src/deps/gomod.js';
import { parseSemver } from '../src/deps/version.js';
import { parseModGraph } from '../src/deps/inputs.js';
import { buildGraph, selectVersions } from '../src/deps/mvs.js';
import { goOfflineEnv, goSkip, goTestEnv, requireGo } from './support/deps-go.js';
import { LATEST_PATCH, SPLIT_RELEASES, impliedEtcdRequires } from '../src/deps/knowledge/releases.js';

const FIX = join(import.meta.dirname, 'fixtures', 'deps');
const GO_ENV = goOfflineEnv();
const skip = goSkip;
requireGo();

function gofmtList(dir: string): string[] {
  const r = spawnSync('gofmt', ['-l', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l && !l.includes('/vendor/'));
}

function tmp(t: { after: (fn: () => void) => void }, name: string): string {
  const d = mkdtempSync(join(tmpdir(), `upshift-go-${name}-`));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('deps fix output of every fixture is gofmt-clean (targets 3.5 and 3.6)', { skip }, async (t) => {
  assert.deepEqual(gofmtList(FIX), [], 'fixtures start gofmt-clean');
  for (const target of ['3.5', '3.6']) {
    for (const f of readdirSync(FIX)) {
      // go-output holds captured `go` command output, not a module.
      if (f === 'malformed' || f === 'go-output' || f.endsWith('.md')) continue;
      const dir = tmp(t, f);
      cpSync(join(FIX, f), dir, { recursive: true });
      const code = await runCli(['deps', 'fix', dir, '--target', target, '-o', 'json'], { stdout: { write: () => true } as never, stderr: { write: () => true } as never });
      assert.equal(code, 0);
      assert.deepEqual(gofmtList(dir), [], `${f} on ${target}`);
    }
  }
});

test('property: rewriting gofmt-clean import blocks keeps them gofmt-clean', { skip }, (t) => {
  const pool = [
    'github.com/coreos/etcd/clientv3',
    'github.com/coreos/etcd/clientv3/concurrency',
    'github.com/coreos/etcd/pkg/transport',
    'github.com/coreos/etcd/store',
    'go.etcd.io/etcd/mvcc/mvccpb',
    'go.etcd.io/etcd/etcdserver/api/v3rpc/rpctypes',
    'go.etcd.io/etcd/raft',
    'go.etcd.io/etcd/raft/raftpb',
    'go.etcd.io/etcd/clientv3/naming',
    'context',
    'fmt',
    'github.com/google/uuid',
    'google.golang.org/grpc',
    'zz.example/last',
  ];
  const spec = fc.record({
    path: fc.constantFrom(...pool),
    name: fc.option(fc.constantFrom('x', '_', '.', 'etcd', 'longeralias'), { nil: undefined }),
    comment: fc.option(fc.constantFrom('// why', '// a longer trailing comment'), { nil: undefined }),
    before: fc.constantFrom('', '', '', 'blank', 'comment'),
  });
  const gen = fc.record({ specs: fc.uniqueArray(spec, { selector: (s) => s.path, minLength: 1, maxLength: 9 }), single: fc.boolean() });
  const samples = fc.sample(gen, { numRuns: 150, seed: 42 });
  const inDir = tmp(t, 'in');
  const outDir = tmp(t, 'out');
  samples.forEach(({ specs, single }, i) => {
    const line = (s: (typeof specs)[number]): string => `${s.name ? s.name + ' ' : ''}"${s.path}"${s.comment ? ' ' + s.comment : ''}`;
    const src =
      single && specs.length === 1
        ? `package p\n\nimport ${line(specs[0])}\n\nfunc f() {}\n`
        : `package p\n\nimport (\n${specs.map((s) => (s.before === 'blank' ? '\n' : s.before === 'comment' ? '\t// group\n' : '') + '\t' + line(s) + '\n').join('')})\n\nfunc f() {}\n`;
    writeFileSync(join(inDir, `f${i}.go`), src);
  });
  // Start from what gofmt itself makes of each input.
  assert.equal(spawnSync('gofmt', ['-w', inDir]).status, 0);
  let rewritten = 0;
  for (let i = 0; i < samples.length; i++) {
    const text = readFileSync(join(inDir, `f${i}.go`), 'utf8');
    for (const target of ['v3.5.33', 'v3.6.14']) {
      const r = rewriteGoFile({ rel: `f${i}.go`, text, header: scanGoImports(text) }, target);
      if (r.edit) rewritten++;
      mkdirSync(join(outDir, target), { recursive: true });
      writeFileSync(join(outDir, target, `f${i}.go`), r.edit?.after ?? text);
    }
  }
  assert.ok(rewritten > 100, `most samples exercise a rewrite (${rewritten})`);
  const dirty = gofmtList(outDir);
  if (dirty.length) {
    const d = spawnSync('gofmt', ['-d', dirty[0]], { encoding: 'utf8' }).stdout;
    assert.fail(`${dirty.length} rewritten files are not gofmt-clean, e.g.:\n${d}`);
  }
});

interface GoModJson {
  Module?: { Path: string };
  Go?: string;
  Require?: { Path: string; Version: string; Indirect?: boolean }[] | null;
  Exclude?: { Path: string; Version: string }[] | null;
  Replace?: { Old: { Path: string; Version?: string }; New: { Path: string; Version?: string } }[] | null;
  Retract?: { Low: string; High: string; Rationale?: string }[] | null;
  Tool?: { Path: string }[] | null;
  Ignore?: { Path: string }[] | null;
  Toolchain?: string;
}

/** `go mod edit -json` canonicalises shorthand versions (v1 -> v1.0.0). */
function canon(v: string): string {
  const s = parseSemver(v);
  if (!s) return v;
  // Canonical: full triple, build metadata dropped except +incompatible (go.dev/ref/mod#glos-canonical-version).
  return `v${s.major}.${s.minor}.${s.patch}${s.prerelease.length ? '-' + s.prerelease.join('.') : ''}${s.build === 'incompatible' ? '+incompatible' : ''}`;
}

function ours(text: string): GoModJson | 'error' {
  try {
    const m = parseGoMod(text);
    return {
      ...(m.module ? { Module: { Path: m.module.path } } : {}),
      ...(m.go ? { Go: m.go.version } : {}),
      Require: m.require.length ? m.require.map((r) => ({ Path: r.path, Version: canon(r.version), ...(r.indirect ? { Indirect: true } : {}) })) : null,
      // go mod edit prints the file after x/mod's removeDups: exact duplicate excludes go, and of several
      // replaces with the same left side only the last stays.
      Exclude: m.exclude.length ? m.exclude.map((e) => ({ Path: e.path, Version: canon(e.version) })).filter((e, i, all) => all.findIndex((x) => x.Path === e.Path && x.Version === e.Version) === i) : null,
      Replace: m.replace.length
        ? m.replace.filter((r, i, all) => !all.slice(i + 1).some((x) => x.oldPath === r.oldPath && canon(x.oldVersion ?? '') === canon(r.oldVersion ?? ''))).map((r) => ({ Old: { Path: r.oldPath, ...(r.oldVersion ? { Version: canon(r.oldVersion) } : {}) }, New: { Path: r.newPath, ...(r.newVersion ? { Version: canon(r.newVersion) } : {}) } }))
        : null,
      Retract: m.retract.length ? m.retract.map((r) => ({ Low: r.low, High: r.high, ...(r.rationale ? { Rationale: r.rationale } : {}) })) : null,
      Tool: m.tool.length ? m.tool.map((t) => ({ Path: t.path })) : null,
      Ignore: m.ignore.length ? m.ignore.map((t) => ({ Path: t.path })) : null,
      ...(m.toolchain ? { Toolchain: m.toolchain.name } : {}),
    };
  } catch (e) {
    if (e instanceof GoModSyntaxError) return 'error';
    throw e;
  }
}

function theirs(dir: string, text: string): GoModJson | 'error' | 'too-new' {
  writeFileSync(join(dir, 'go.mod'), text);
  const r = spawnSync('go', ['mod', 'edit', '-json'], { cwd: dir, env: GO_ENV, encoding: 'utf8' });
  // An older local Go rejects syntax newer releases accept (`go 1.25.0`, toolchain, godebug): not comparable.
  if (r.status !== 0 && /invalid go version '\d+\.\d+\.\d+'|unknown directive: (toolchain|godebug|tool|ignore)/.test(r.stderr)) return 'too-new';
  if (r.status !== 0) return 'error';
  const j = JSON.parse(r.stdout) as GoModJson;
  for (const k of ['Require', 'Exclude', 'Replace', 'Retract', 'Tool', 'Ignore'] as const) if (j[k] === undefined) j[k] = null;
  // Fields this comparison does not model (godebug).
  delete (j as Record<string, unknown>).Godebug;
  return j;
}

test('differential: the go.mod parser agrees with `go mod edit -json` (x/mod/modfile)', { skip }, (t) => {
  const dir = tmp(t, 'modedit');
  const cases: string[] = [];
  for (const base of [FIX, join(FIX, 'defects')]) {
    for (const f of readdirSync(base)) {
      try {
        cases.push(readFileSync(join(base, f, 'go.mod'), 'utf8'));
      } catch {
        /* not a module dir */
      }
    }
  }
  const path = fc.constantFrom('example.com/a', 'go.etcd.io/etcd', 'github.com/coreos/etcd', '"example.com/quoted"', 'go.etcd.io/etcd/client/v3', 'go.etcd.io/etcd/client/v2', 'gopkg.in/yaml.v2', 'a/b/v1');
  const version = fc.constantFrom('v1.2.3', 'v0.5.0-alpha.5.0.20200910180754-dd1b699fc489', 'v3.3.25+incompatible', 'v3.5.33', 'v1', 'v1.2.3-pre+meta', 'v3.4.13', 'notaversion');
  const line = fc.oneof(
    fc.tuple(path, version, fc.boolean()).map(([p, v, ind]) => `require ${p} ${v}${ind ? ' // indirect' : ''}`),
    fc.tuple(path, version).map(([p, v]) => `exclude ${p} ${v}`),
    fc.tuple(path, fc.option(version, { nil: undefined }), fc.constantFrom('example.com/fork v1.0.0', '../local', './x')).map(([p, v, r]) => `replace ${p}${v ? ' ' + v : ''} => ${r}`),
    fc.tuple(version, version, fc.boolean()).map(([a, b, range]) => (range ? `retract [${a}, ${b}] // why` : `retract ${a}`)),
    fc.constantFrom('go 1.16', 'go 1.x', '// comment', '', 'require (\n\tgo.etcd.io/etcd/api/v3 v3.5.33\n\t// c\n\tgo.etcd.io/bbolt v1.3.6 // indirect\n)', 'require a', 'bogus line', 'replace a => b', 'module other'),
  );
  for (const lines of fc.sample(fc.array(line, { maxLength: 6 }), { numRuns: 120, seed: 7 })) cases.push(['module example.com/m', ...lines].join('\n') + '\n');
  let agreeOk = 0;
  for (const text of cases) {
    const a = ours(text);
    const b = theirs(dir, text);
    if (b === 'too-new') continue;
    if (a === 'error' || b === 'error') {
      assert.equal(a === 'error', b === 'error', `accept/reject differs (ours=${a === 'error' ? 'error' : 'ok'}, go=${b === 'error' ? 'error' : 'ok'}) for:\n${text}`);
      continue;
    }
    assert.deepEqual(a, b, text);
    agreeOk++;
  }
  assert.ok(agreeOk > 30, `enough accepted cases compared (${agreeOk})`);
});

/** `go mod graph` and the build list `go list -m all` prints (path -> version, main module left out). */
function graphAndList(cwd: string, env: NodeJS.ProcessEnv): { graph: string; expected: Map<string, string> } {
  const opts = { cwd, env, encoding: 'utf8' as const, timeout: 600_000, maxBuffer: 64 << 20 };
  const graph = spawnSync('go', ['mod', 'graph'], opts);
  assert.equal(graph.status, 0, graph.stderr);
  const list = spawnSync('go', ['list', '-m', 'all'], opts);
  assert.equal(list.status, 0, list.stderr);
  const expected = new Map(
    list.stdout
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((l) => l.split(' ').slice(0, 2) as [string, string]),
  );
  return { graph: graph.stdout, expected };
}

test('differential: MVS over `go mod graph` output equals `go list -m all` (random local module graphs)', { skip }, (t) => {
  const mods = ['a', 'b', 'c', 'd'];
  const vers = ['v1.0.0', 'v1.1.0', 'v1.2.0'];
  const req = fc.uniqueArray(fc.tuple(fc.constantFrom(...mods), fc.constantFrom(...vers)), { selector: (r) => r[0], maxLength: 3 });
  const world = fc.record({
    goVersion: fc.constantFrom('1.16', '1.17'),
    main: req,
    deps: fc.array(req, { minLength: mods.length * vers.length, maxLength: mods.length * vers.length }),
  });
  const root = tmp(t, 'mvs');
  const env = { ...GO_ENV, GOFLAGS: '-mod=mod' };
  let compared = 0;
  fc.sample(world, { numRuns: 20, seed: 11 }).forEach((w, trial) => {
    const dir = join(root, `t${trial}`);
    mods.forEach((m, mi) =>
      vers.forEach((v, vi) => {
        const d = join(dir, 'mods', m, v);
        mkdirSync(d, { recursive: true });
        const reqs = w.deps[mi * vers.length + vi].filter(([p]) => p !== m);
        writeFileSync(join(d, 'go.mod'), `module example.com/${m}\n\ngo ${w.goVersion}\n${reqs.map(([p, pv]) => `require example.com/${p} ${pv}\n`).join('')}`);
      }),
    );
    const main = join(dir, 'main');
    mkdirSync(main);
    const replaces = mods.flatMap((m) => vers.map((v) => `replace example.com/${m} ${v} => ../mods/${m}/${v}\n`)).join('');
    writeFileSync(join(main, 'go.mod'), `module example.com/main\n\ngo ${w.goVersion}\n\n${w.main.map(([p, v]) => `require example.com/${p} ${v}\n`).join('')}\n${replaces}`);
    writeFileSync(join(main, 'main.go'), 'package main\n\nfunc main() {}\n');
    const { graph, expected } = graphAndList(main, env);
    const got = selectVersions(buildGraph(parseModGraph(graph)));
    assert.deepEqual(Object.fromEntries([...got].sort()), Object.fromEntries([...expected].sort()), `trial ${trial}\n${graph}`);
    compared++;
  });
  assert.equal(compared, 20);
});

/** Real modules the proxy serves, in the shapes the deps tests meet (etcd's own go.mod files with their guards, 3.4, grpc, libraries). */
const PROXY_MODULES = [
  'go.etcd.io/etcd/client/v3@v3.5.36',
  'go.etcd.io/etcd/client/v2@v2.305.36',
  'go.etcd.io/etcd/server/v3@v3.6.17',
  'go.etcd.io/etcd/server/v3@v3.7.4',
  'go.etcd.io/etcd/api/v3@v3.7.4',
  'go.etcd.io/etcd@v0.5.0-alpha.5.0.20200824191128-ae9734ed278b',
  'google.golang.org/grpc@v1.83.2',
  'github.com/go-kit/kit@v0.10.0',
  'github.com/go-kit/kit@v0.13.0',
  'github.com/micro/go-micro/v2@v2.9.1',
];

test('differential: the go.mod parser agrees with `go mod edit -json` on real go.mod files from the module proxy', { skip }, (t) => {
  const dir = tmp(t, 'proxymods');
  const env = goTestEnv();
  let compared = 0;
  for (const mv of PROXY_MODULES) {
    // `go list -m -json M@V` fetches only the .info and .mod files into the shared module cache.
    const r = spawnSync('go', ['list', '-m', '-json', mv], { cwd: dir, env, encoding: 'utf8', timeout: 180_000 });
    assert.equal(r.status, 0, `${mv}: ${r.stderr}`);
    const goModPath = (JSON.parse(r.stdout) as { GoMod: string }).GoMod;
    const text = readFileSync(goModPath, 'utf8');
    const a = ours(text);
    const b = theirs(dir, text);
    assert.notEqual(a, 'error', `${mv}: our parser refuses it`);
    assert.notEqual(b, 'error', `${mv}: go mod edit refuses it`);
    assert.deepEqual(a, b, mv);
    compared++;
  }
  assert.equal(compared, PROXY_MODULES.length);
});

test('differential: MVS over `go mod graph` equals `go list -m all` on real module graphs from the proxy', { skip }, (t) => {
  const worlds: { name: string; goMod: string }[] = [
    // go >= 1.17: a pruned graph (go.dev/ref/mod#graph-pruning), etcd 3.6 server next to a library pinning 3.4.
    { name: 'pruned', goMod: 'module example.com/pruned\n\ngo 1.21\n\nrequire (\n\tgithub.com/go-kit/kit v0.10.0\n\tgo.etcd.io/etcd/server/v3 v3.6.17\n)\n' },
    // go 1.16: the whole graph, a 3.4 pseudo-version with the grpc it can live with, and an exclude.
    {
      name: 'unpruned',
      goMod: 'module example.com/unpruned\n\ngo 1.16\n\nrequire (\n\tgo.etcd.io/etcd v0.5.0-alpha.5.0.20200824191128-ae9734ed278b\n\tgoogle.golang.org/grpc v1.29.1\n)\n\nexclude github.com/gogo/protobuf v1.2.1\n',
    },
    // A go 1.16-era client in a go 1.21 module: the dependency's own graph is not pruned.
    { name: 'mixed', goMod: 'module example.com/mixed\n\ngo 1.21\n\nrequire go.etcd.io/etcd/client/v3 v3.5.4\n' },
  ];
  const env = goTestEnv({ GOFLAGS: '-mod=mod -modcacherw' });
  for (const w of worlds) {
    const dir = tmp(t, `mvs-${w.name}`);
    writeFileSync(join(dir, 'go.mod'), w.goMod);
    // The first `go list` completes go.mod if it must; the graph and the list after it describe the same file.
    const warm = spawnSync('go', ['list', '-m', 'all'], { cwd: dir, env, encoding: 'utf8', timeout: 600_000 });
    assert.equal(warm.status, 0, `${w.name}: ${warm.stderr}`);
    const { graph, expected } = graphAndList(dir, env);
    const excluded = new Set([...w.goMod.matchAll(/^exclude (\S+) (\S+)$/gm)].map((m) => `${m[1]}@${m[2]}`));
    const got = selectVersions(buildGraph(parseModGraph(graph), excluded));
    assert.ok(expected.size > 20, `${w.name}: a real graph (${expected.size} modules)`);
    assert.deepEqual(Object.fromEntries([...got].sort()), Object.fromEntries([...expected].sort()), w.name);
  }
});

test('knowledge: release facts and implied etcd requirements agree with the go.mod files the proxy serves', { skip }, async () => {
  // Straight from the proxy protocol (go.dev/ref/mod#goproxy-protocol: $GOPROXY/<module>/@v/<version>.mod), the
  // source SPLIT_RELEASES cites; the first proxy of GOPROXY (etcd's module paths need no case escaping).
  const goproxy = spawnSync('go', ['env', 'GOPROXY'], { env: goTestEnv(), encoding: 'utf8' }).stdout.trim().split(/[,|]/)[0];
  assert.match(goproxy, /^https?:\/\//, `GOPROXY ${goproxy} is not a proxy URL`);
  const goModOf = async (mv: string): Promise<string> => {
    const [mod, v] = mv.split('@');
    const res = await fetch(`${goproxy.replace(/\/$/, '')}/${mod}/@v/${v}.mod`, { signal: AbortSignal.timeout(60_000) });
    assert.equal(res.status, 200, `${mv}: HTTP ${res.status}`);
    return res.text();
  };
  // Every fourth release, and the newest of each line.
  const rows = SPLIT_RELEASES.filter((row, i) => i % 4 === 0 || Object.values(LATEST_PATCH).includes(row[0]));
  for (const [v, , goLine, grpc, bbolt, raft] of rows) {
    const client = parseGoMod(await goModOf(`go.etcd.io/etcd/client/v3@${v}`));
    const server = parseGoMod(await goModOf(`go.etcd.io/etcd/server/v3@${v}`));
    const req = (m: typeof client, p: string): string | undefined => m.require.find((r) => r.path === p)?.version;
    assert.deepEqual([client.go?.version, req(client, 'google.golang.org/grpc'), req(server, 'go.etcd.io/bbolt'), req(server, 'go.etcd.io/raft/v3')], [goLine, grpc, bbolt, raft], v);
    for (const [mod, m] of [['go.etcd.io/etcd/client/v3', client], ['go.etcd.io/etcd/server/v3', server]] as const) {
      const etcdReqs = m.require.filter((r) => /^go\.etcd\.io\//.test(r.path) && !r.indirect).map((r) => `${r.path}@${r.version}`).sort();
      const implied = impliedEtcdRequires(mod, v).map((r) => `${r.path}@${r.version}`).sort();
      assert.deepEqual(implied, etcdReqs, `${mod}@${v}`);
    }
  }
});
