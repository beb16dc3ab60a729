/**
 * `upshift deps` and `deps fix` end to end, in-process through runCli, over hand-written fixtures
 * (test/fixtures/deps/README.md). No etcd and no Go toolchain needed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { cpSync, mkdtempSync, readFileSync, rmSync, readdirSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli } from '../src/cli.js';

const FIX = join(import.meta.dirname, 'fixtures', 'deps');
const ROOT = join(import.meta.dirname, '..');

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runCli(args, { stdout, stderr, env: { ...process.env, NO_COLOR: '1' } });
  return { code, out: stdout.text, err: stderr.text };
}

function tempCopy(name: string, t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), `upshift-deps-${name}-`));
  cpSync(join(FIX, name), dir, { recursive: true });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p.slice(dir.length + 1)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

test('json: k8s-style project with a graph: SPEC fields, release mapping, MVS, chains', async () => {
  const { code, out } = await cli(['deps', join(FIX, 'k8s-style'), '--graph', join(FIX, 'k8s-style', 'graph.txt'), '-o', 'json']);
  assert.equal(code, 0, 'only warnings: default --fail-on blocker passes');
  const r = JSON.parse(out);
  // SPEC shape: {module, etcd: [{path, version, direct, replacedBy?}], grpc: {version, replacedBy?}, imports: [{file, line, path, newPath?}], findings, advisories: [{id, module, version, fixedIn}], commands}
  assert.equal(r.module, 'example.com/k8s-style-apiserver');
  const etcd = r.etcd.find((e: { path: string }) => e.path === 'go.etcd.io/etcd');
  assert.deepEqual([etcd.version, etcd.direct, etcd.release.release, etcd.release.ahead], ['v0.5.0-alpha.5.0.20200910180754-dd1b699fc489', true, 'v3.4.13', 2]);
  assert.deepEqual(etcd.pseudo, { base: 'v0.5.0-alpha.5', time: '2020-09-10T18:07:54Z', commit: 'dd1b699fc489' });
  assert.equal(etcd.selected, 'v0.5.0-alpha.5.0.20200910180754-dd1b699fc489', 'MVS picks the higher of the two required pseudo-versions');
  const bbolt = r.etcd.find((e: { path: string }) => e.path === 'go.etcd.io/bbolt');
  assert.deepEqual(bbolt.requiredBy, ['example.com/k8s-style-apiserver', 'go.etcd.io/etcd@v0.5.0-alpha.5.0.20200910180754-dd1b699fc489', 'go.etcd.io/bbolt@v1.3.5']);
  assert.equal(bbolt.direct, false);
  assert.deepEqual(r.grpc, { version: 'v1.27.1', replacedBy: 'google.golang.org/grpc v1.27.1', selected: 'v1.27.1', effective: 'v1.27.1' });
  const imp = r.imports.find((i: { path: string }) => i.path === 'go.etcd.io/etcd/pkg/transport');
  assert.deepEqual([imp.file, imp.line, imp.newPath], ['pkg/storage/etcd3.go', 15, 'go.etcd.io/etcd/client/pkg/v3/transport']);
  const codes = new Set(r.findings.map((f: { code: string }) => f.code));
  for (const c of ['legacy-import-path', 'legacy-module-requirement', 'grpc-replace-stopgap', 'pseudo-version-not-a-tag', 'vulnerable-version']) assert.ok(codes.has(c), c);
  assert.ok(!codes.has('grpc-incompatible'), 'grpc 1.27.1 is inside the 3.4.8–3.4.27 window');
  for (const a of r.advisories) for (const k of ['id', 'module', 'version', 'fixedIn']) assert.ok(k in a, k);
  assert.ok(r.commands.includes('go get go.etcd.io/etcd/api/v3@v3.6.17 go.etcd.io/etcd/client/pkg/v3@v3.6.17 go.etcd.io/etcd/client/v3@v3.6.17'));
  assert.ok(r.commands.includes('go mod edit -dropreplace=google.golang.org/grpc'));
  assert.equal(r.commands.at(-2), 'go mod tidy');
});

test('table: grouped sections and next steps; --fail-on warning exits 1', async () => {
  const { code, out } = await cli(['deps', join(FIX, 'k8s-style'), '--fail-on', 'warning']);
  assert.equal(code, 1);
  for (const s of ['Module example.com/k8s-style-apiserver', 'etcd module', 'Imports to migrate: 5 in 2 files', 'Findings:', 'Advisories', 'Next steps', '$ go mod tidy']) assert.ok(out.includes(s), s);
  assert.ok(out.includes('v3.4.13 +2'));
});

test('coreos 3.3 project: blockers (grpc, bbolt, two generations) exit 1 by default', async () => {
  const { code, out } = await cli(['deps', join(FIX, 'coreos-33'), '-o', 'json']);
  assert.equal(code, 1);
  const r = JSON.parse(out);
  const blockers = r.findings.filter((f: { severity: string }) => f.severity === 'blocker').map((f: { code: string }) => f.code).sort();
  assert.deepEqual(blockers, ['coreos-bbolt', 'grpc-incompatible', 'multiple-etcd-generations']);
  const grpc = r.findings.find((f: { code: string }) => f.code === 'grpc-incompatible');
  assert.match(grpc.message, /v1\.38\.0 does not work with .*needs grpc ≤ v1\.26\.0/);
  assert.deepEqual([grpc.file, grpc.line], ['go.mod', 10]);
  assert.ok(r.findings.some((f: { code: string; file: string; line: number }) => f.code === 'manual-migration-api-change' && f.file === 'internal/discovery/resolver.go' && f.line === 8));
  assert.ok(r.findings.some((f: { code: string }) => f.code === 'incompatible-latest'));
  assert.ok(r.findings.some((f: { code: string }) => f.code === 'no-vuln-coverage'));
  const imp = r.imports.find((i: { file: string }) => i.file === 'internal/discovery/resolver.go');
  assert.equal(imp.buildConstraint, '!windows');
  const none = await cli(['deps', join(FIX, 'coreos-33'), '-o', 'json', '--fail-on', 'none']);
  assert.equal(none.code, 0);
});

test('3.4 project: vuln DB false negative surfaced; --target 3.5 and 3.4', async () => {
  const { out } = await cli(['deps', join(FIX, 'etcd34'), '-o', 'json', '--target', '3.5']);
  const r = JSON.parse(out);
  assert.equal(r.target, 'v3.5.36');
  const wal = r.advisories.find((a: { id: string }) => a.id === 'GO-2020-0005');
  assert.deepEqual([wal.affected, wal.reportedByVulnDb], [true, false]);
  assert.ok(r.findings.some((f: { code: string }) => f.code === 'manual-migration-split'));
  assert.ok(r.imports.some((i: { path: string; newPath: string }) => i.path === 'go.etcd.io/etcd/raft/raftpb' && i.newPath === 'go.etcd.io/etcd/raft/v3/raftpb'));
  const r34 = JSON.parse((await cli(['deps', join(FIX, 'etcd34'), '-o', 'json', '--target', 'v3.4.45'])).out);
  assert.ok(r34.commands.includes('go get go.etcd.io/etcd@v0.5.0-alpha.5.0.20260601203031-6e72c68a3199'));
  const bad = await cli(['deps', join(FIX, 'etcd34'), '--target', '3.9']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--target 3\.9: not a known etcd release/);
});

test('clean 3.5 project on its own line: nothing to do, exit 0 even with --fail-on warning', async () => {
  const { code, out } = await cli(['deps', join(FIX, 'clean35'), '-o', 'json', '--target', '3.5', '--fail-on', 'warning']);
  assert.equal(code, 0);
  const r = JSON.parse(out);
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.commands, []);
  assert.deepEqual(r.imports.map((i: { path: string; kind: string }) => [i.path, i.kind]), [['go.etcd.io/etcd/client/v3', 'unchanged']]);
});

test('monorepo: nested modules are reported separately', async () => {
  const { out } = await cli(['deps', join(FIX, 'monorepo'), '-o', 'json']);
  const r = JSON.parse(out);
  assert.equal(r.module, 'example.com/mono');
  assert.deepEqual(r.nested.map((n: { module: string; dir: string }) => [n.module, n.dir]).sort(), [
    ['example.com/mono/services/registry', 'services/registry'],
    ['example.com/mono/tools/etcdcheck', 'tools/etcdcheck'],
  ]);
  const tool = r.nested.find((n: { dir: string }) => n.dir === 'tools/etcdcheck');
  assert.ok(tool.findings.some((f: { code: string }) => f.code === 'etcd-version-skew'));
  assert.ok(!tool.findings.some((f: { code: string }) => f.code === 'client-v2-unavailable'));
  const reg = r.nested.find((n: { dir: string }) => n.dir === 'services/registry');
  assert.ok(reg.findings.some((f: { code: string; file: string }) => f.code === 'grpc-replace-stopgap' && f.file === 'services/registry/go.mod'));
  assert.ok(reg.imports.every((i: { file: string }) => i.file.startsWith('services/registry/')));
  assert.ok(reg.commands.some((c: string) => c.startsWith('upshift deps fix services/registry')), reg.commands.join('\n'));
  assert.equal(reg.commands[0], 'go mod edit -go=1.26.0', 'the go line first: later steps load a pruned graph');
});

test('vendored project: vendor/ is read for versions, never scanned for imports', async () => {
  const { out } = await cli(['deps', join(FIX, 'vendored'), '-o', 'json']);
  const r = JSON.parse(out);
  assert.ok(r.imports.every((i: { file: string }) => !i.file.startsWith('vendor/')));
  assert.deepEqual(r.etcd.find((e: { path: string }) => e.path === 'go.etcd.io/etcd').seenIn, ['go.mod', 'vendor']);
  assert.equal(r.etcd.find((e: { path: string }) => e.path === 'go.etcd.io/etcd').release.release, 'v3.4.23');
});

test('sarif: valid 2.1.0 shape with rules and import locations', async () => {
  const { code, out } = await cli(['deps', join(FIX, 'coreos-33'), '-o', 'sarif', '--fail-on', 'none']);
  assert.equal(code, 0);
  const s = JSON.parse(out);
  assert.equal(s.version, '2.1.0');
  assert.equal(s.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
  assert.equal(s.runs.length, 1);
  const run = s.runs[0];
  assert.equal(run.tool.driver.name, 'upshift');
  const ruleIds = run.tool.driver.rules.map((r: { id: string }) => r.id);
  assert.equal(new Set(ruleIds).size, ruleIds.length);
  for (const r of run.tool.driver.rules) {
    assert.ok(r.shortDescription.text);
    assert.ok(['error', 'warning', 'note'].includes(r.defaultConfiguration.level));
  }
  assert.ok(run.results.length > 0);
  for (const res of run.results) {
    assert.ok(ruleIds.includes(res.ruleId));
    assert.equal(ruleIds[res.ruleIndex], res.ruleId);
    assert.ok(['error', 'warning', 'note'].includes(res.level));
    assert.ok(res.message.text.length > 0);
    const loc = res.locations[0].physicalLocation;
    assert.equal(typeof loc.artifactLocation.uri, 'string');
    assert.ok(!loc.artifactLocation.uri.startsWith('/'), 'relative to %SRCROOT%');
    assert.ok(Number.isInteger(loc.region.startLine) && loc.region.startLine >= 1);
    assert.ok(Number.isInteger(loc.region.startColumn) && loc.region.startColumn >= 1);
  }
  const imp = run.results.find((x: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => x.ruleId === 'legacy-import-path' && x.locations[0].physicalLocation.artifactLocation.uri === 'cmd/locker/main.go');
  assert.deepEqual(imp.locations[0].physicalLocation.region, { startLine: 7, startColumn: 2 });
  assert.ok(run.results.some((x: { level: string; ruleId: string }) => x.level === 'error' && x.ruleId === 'grpc-incompatible'));
  assert.match(run.originalUriBaseIds['%SRCROOT%'].uri, /^file:\/\/.*coreos-33\/$/);
});

test('malformed go.mod exits 2 naming file:line:col (table and json)', async () => {
  const t = await cli(['deps', join(FIX, 'malformed')]);
  assert.equal(t.code, 2);
  assert.match(t.err, /malformed go\.mod: .*malformed\/go\.mod:7:2: usage: require module\/path v1\.2\.3/);
  const j = await cli(['deps', join(FIX, 'malformed'), '-o', 'json']);
  assert.equal(j.code, 2);
  const e = JSON.parse(j.out).error;
  assert.deepEqual([e.code, e.details.line, e.details.column], ['gomod-syntax', 7, 2]);
  const missing = await cli(['deps', join(FIX, 'does-not-exist')]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /no go\.mod in/);
  const badGraph = await cli(['deps', join(FIX, 'clean35'), '--graph', join(FIX, 'clean35', 'go.mod')]);
  assert.equal(badGraph.code, 2);
  assert.match(badGraph.err, /clean35\/go\.mod:1:8: malformed go mod graph line: dependency "example.net\/clean" has no @version/);
});

test('fix --dry-run prints a unified diff and changes nothing', async (t) => {
  const dir = tempCopy('k8s-style', t);
  const before = snapshotTree(dir);
  const { code, out } = await cli(['deps', 'fix', dir, '--dry-run']);
  assert.equal(code, 0);
  assert.deepEqual(snapshotTree(dir), before);
  assert.ok(out.includes('--- a/go.mod\n+++ b/go.mod\n'));
  assert.ok(out.includes('-import "go.etcd.io/etcd/clientv3"\n+import clientv3 "go.etcd.io/etcd/client/v3"\n'));
  assert.ok(out.includes('-\tgoogle.golang.org/grpc => google.golang.org/grpc v1.27.1\n'));
  assert.ok(out.includes('$ go mod tidy'));
  const j = JSON.parse((await cli(['deps', 'fix', dir, '--dry-run', '-o', 'json'])).out);
  assert.equal(j.dryRun, true);
  assert.equal(j.files.length, 2);
});

test('fix rewrites files crash-safely (modes kept), leaves vendor/ alone, and re-analysis is clean', async (t) => {
  const dir = tempCopy('vendored', t);
  chmodSync(join(dir, 'store', 'store.go'), 0o644);
  const vendorBefore = readFileSync(join(dir, 'vendor', 'go.etcd.io', 'etcd', 'clientv3', 'client.go'), 'utf8');
  const { code, out } = await cli(['deps', 'fix', dir, '--target', '3.5', '-o', 'json']);
  assert.equal(code, 0);
  const r = JSON.parse(out);
  assert.deepEqual(r.files.map((f: { file: string }) => f.file), ['store/store.go']);
  assert.ok(r.commands.includes('go mod vendor'));
  assert.equal(readFileSync(join(dir, 'vendor', 'go.etcd.io', 'etcd', 'clientv3', 'client.go'), 'utf8'), vendorBefore);
  assert.equal(statSync(join(dir, 'store', 'store.go')).mode & 0o777, 0o644);
  const store = readFileSync(join(dir, 'store', 'store.go'), 'utf8');
  assert.ok(store.includes('\tbolt "go.etcd.io/bbolt"\n\tclientv3 "go.etcd.io/etcd/client/v3"\n'), store);
  const goMod = readFileSync(join(dir, 'go.mod'), 'utf8');
  assert.ok(goMod.includes('go.etcd.io/etcd/client/v3 v3.5.36') && !goMod.includes('go.etcd.io/etcd v0.5.0'));
  assert.ok(!readdirSync(dir).some((n) => n.endsWith('.part')));
  const again = JSON.parse((await cli(['deps', dir, '-o', 'json', '--target', '3.5'])).out);
  assert.equal(again.findings.filter((f: { code: string }) => f.code === 'legacy-import-path' || f.code === 'legacy-module-requirement').length, 0);
  const second = JSON.parse((await cli(['deps', 'fix', dir, '--target', '3.5', '-o', 'json'])).out);
  assert.deepEqual([second.files.length, second.goMod.length], [0, 0], 'fix is idempotent');
});

test('fix on a monorepo rewrites each nested module against its own go.mod', async (t) => {
  const dir = tempCopy('monorepo', t);
  const { code, out } = await cli(['deps', 'fix', dir, '-o', 'json']);
  assert.equal(code, 0);
  const r = JSON.parse(out);
  assert.deepEqual(r.goMod.map((g: { file: string }) => g.file).sort(), ['services/registry/go.mod', 'tools/etcdcheck/go.mod']);
  const reg = readFileSync(join(dir, 'services', 'registry', 'go.mod'), 'utf8');
  assert.ok(!reg.includes('replace') && !reg.includes('github.com/coreos/etcd') && reg.includes('go.etcd.io/etcd/client/v3 v3.6.17'), reg);
  const tool = readFileSync(join(dir, 'tools', 'etcdcheck', 'go.mod'), 'utf8');
  assert.ok(tool.includes('go.etcd.io/etcd/api/v3 v3.6.17') && tool.includes('go.etcd.io/etcd/client/pkg/v3 v3.6.17'), tool);
  assert.ok(r.commands.some((c: string) => c.startsWith('cd services/registry && go mod tidy')));
});

test('--graph - reads go mod graph from stdin (whole process)', () => {
  const res = spawnSync(process.execPath, [join(ROOT, 'bin', 'upshift.js'), 'deps', join(FIX, 'k8s-style'), '--graph', '-', '-o', 'json'], {
    input: readFileSync(join(FIX, 'k8s-style', 'graph.txt')),
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(res.status, 0, res.stderr);
  const r = JSON.parse(res.stdout);
  assert.ok(r.etcd.find((e: { path: string }) => e.path === 'go.etcd.io/bbolt').requiredBy);
});

test('--go-list: selected versions from `go list -m -json all`', async () => {
  const { code, out } = await cli(['deps', join(FIX, 'k8s-style'), '--go-list', join(FIX, 'k8s-style', 'go-list.json'), '-o', 'json']);
  assert.equal(code, 0);
  const r = JSON.parse(out);
  const bbolt = r.etcd.find((e: { path: string }) => e.path === 'go.etcd.io/bbolt');
  assert.deepEqual([bbolt.version, bbolt.seenIn], ['v1.3.5', ['go-list', 'go.sum']]);
  assert.equal(r.grpc.selected, 'v1.27.1');
});

test('a repository root without go.mod: every module below is reported (and fixed) separately', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'upshift-deps-multi-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(FIX, 'etcd34'), join(dir, 'svc', 'snapper'), { recursive: true });
  cpSync(join(FIX, 'clean35'), join(dir, 'clean'), { recursive: true });
  const { code, out } = await cli(['deps', dir, '-o', 'json']);
  assert.equal(code, 0);
  const r = JSON.parse(out);
  assert.equal(r.module, '');
  assert.deepEqual(r.nested.map((n: { dir: string }) => n.dir), ['clean', 'svc/snapper']);
  const table = await cli(['deps', dir]);
  assert.match(table.out, /No go\.mod at the top of .*; 2 module\(s\) below/);
  const fix = JSON.parse((await cli(['deps', 'fix', dir, '--target', '3.5', '-o', 'json'])).out);
  assert.deepEqual(fix.files.map((f: { file: string }) => f.file), ['svc/snapper/snap/snap.go']);
});

test('--include-vendor scans vendor/ sources too (reporting only; fix never writes there)', async () => {
  const r = JSON.parse((await cli(['deps', join(FIX, 'vendored'), '-o', 'json', '--include-vendor'])).out);
  assert.ok(r.imports.some((i: { file: string }) => i.file === 'vendor/go.etcd.io/etcd/clientv3/client.go'));
});
