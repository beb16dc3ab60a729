/**
 * The defects of issue 13 §1, one fixture each (test/fixtures/deps/defects/), through `upshift deps -o json`
 * in-process: no Go toolchain, no network. test/deps-verify*.test.ts runs the same fixtures' plans on the
 * real toolchain.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCliInProcess } from './support/cli.js';
import { analyzeModule } from '../src/deps/analyze.js';
import { parseGoMod } from '../src/deps/gomod.js';
import { scanGoImports } from '../src/deps/goimports.js';
import type { DepsReport } from '../src/deps/types.js';

const DEFECTS = join(import.meta.dirname, 'fixtures', 'deps', 'defects');

async function deps(name: string, ...args: string[]): Promise<DepsReport & { code: number }> {
  const r = await runCliInProcess(['deps', join(DEFECTS, name), '-o', 'json', '--fail-on', 'none', ...args], { ...process.env, NO_COLOR: '1' });
  assert.equal(r.code, 0, r.stderr);
  return { ...(JSON.parse(r.stdout) as DepsReport), code: r.code };
}

const codes = (r: { findings: { code: string }[] }): string[] => [...new Set(r.findings.map((f) => f.code))].sort();
const finding = (r: DepsReport, code: string) => r.findings.find((f) => f.code === code);

function analyze(goMod: string, files: Record<string, string> = {}, target = 'v3.6.17'): DepsReport {
  return analyzeModule(
    { dir: '/m', rel: '', goModText: goMod, mod: parseGoMod(goMod), files: Object.entries(files).map(([rel, text]) => ({ rel, text, header: scanGoImports(text, rel) })) },
    { target },
  );
}

test('1. an unversioned fork replace overrides the upgrade: finding, release and advisories follow the fork, the plan drops it', async () => {
  const r = await deps('d1-fork-replace');
  const e = r.etcd.find((x) => x.path === 'go.etcd.io/etcd/client/v3')!;
  assert.deepEqual([e.replacement?.kind, e.replacement?.path, e.release?.release, e.release?.via], ['fork', 'github.com/k3s-io/etcd/client/v3', 'v3.5.7', 'fork']);
  const f = finding(r, 'replace-overrides-upgrade')!;
  assert.ok(f, codes(r).join(' '));
  assert.equal(f.line, 7);
  assert.match(f.message, /applies to every version/);
  assert.match(f.fix!, /dropreplace=go\.etcd\.io\/etcd\/client\/v3.*fork's 3\.6 release/);
  assert.ok(r.commands.includes('go mod edit -dropreplace=go.etcd.io/etcd/client/v3'), r.commands.join('\n'));
  const drop = r.commands.indexOf('go mod edit -dropreplace=go.etcd.io/etcd/client/v3');
  const get = r.commands.findIndex((c) => c.startsWith('go get go.etcd.io/etcd/'));
  assert.ok(drop >= 0 && get > drop, 'the replace goes before go get');
  // The same for a pseudo-version pin and a local directory.
  const pin = analyze('module x\nrequire go.etcd.io/etcd/server/v3 v3.5.13\nreplace go.etcd.io/etcd/server/v3 => go.etcd.io/etcd/server/v3 v3.0.0-20240510030858-58a71a22f3a5\n');
  assert.deepEqual([pin.etcd.find((x) => x.path === 'go.etcd.io/etcd/server/v3')!.release?.release, codes(pin).includes('replace-overrides-upgrade')], ['v3.6.0-alpha.0', true]);
  assert.ok(pin.commands.includes('go mod edit -dropreplace=go.etcd.io/etcd/server/v3'));
  const local = analyze('module x\nrequire go.etcd.io/etcd/client/v3 v3.5.7\nreplace go.etcd.io/etcd/client/v3 => ../etcd/client/v3\n');
  const le = local.etcd.find((x) => x.path === 'go.etcd.io/etcd/client/v3')!;
  assert.deepEqual([le.replacement?.kind, le.release], ['local', undefined]);
  assert.ok(!local.advisories.some((a) => a.module === 'go.etcd.io/etcd/client/v3'), 'no advisory judged on a version the build does not use');
  assert.match(finding(local, 'replace-overrides-upgrade')!.fix!, /update \.\.\/etcd\/client\/v3 to etcd v3\.6\.17/);
  // After the plan (replace gone, require at the target) nothing is left to do.
  const after = analyze('module x\n\ngo 1.26.0\n\nrequire (\n\tgo.etcd.io/etcd/api/v3 v3.6.17\n\tgo.etcd.io/etcd/client/pkg/v3 v3.6.17\n\tgo.etcd.io/etcd/client/v3 v3.6.17\n)\n');
  assert.deepEqual([after.commands, after.findings], [[], []]);
  // A versioned replace stops applying after the upgrade: dropped, with its own finding.
  const versioned = analyze('module x\nrequire go.etcd.io/etcd/client/v3 v3.5.7\nreplace go.etcd.io/etcd/client/v3 v3.5.7 => github.com/k3s-io/etcd/client/v3 v3.5.7-k3s1\n');
  assert.ok(codes(versioned).includes('replace-stale') && versioned.commands.includes('go mod edit -dropreplace=go.etcd.io/etcd/client/v3@v3.5.7'));
});

test('2. a grpc replace at v1.30+ is checked against the target grpc floor and dropped', async () => {
  const r = await deps('d2-grpc-replace');
  const f = finding(r, 'grpc-replace-below-target')!;
  assert.ok(f, codes(r).join(' '));
  assert.match(f.message, /v1\.51\.0 .*below the v1\.83\.2 that etcd v3\.6\.17 requires/);
  assert.equal(f.line, 10);
  assert.ok(r.commands.includes('go mod edit -dropreplace=google.golang.org/grpc'));
  // On its own 3.5 line (floor v1.41.0 at 3.5.7) the same replace is fine: no finding, nothing dropped.
  const same = analyze('module x\nrequire (\n\tgo.etcd.io/etcd/client/v3 v3.5.7\n\tgoogle.golang.org/grpc v1.53.0\n)\nreplace google.golang.org/grpc => google.golang.org/grpc v1.51.0\n', {}, 'v3.5.7');
  assert.ok(!codes(same).includes('grpc-replace-below-target') && !same.commands.some((c) => c.includes('dropreplace')));
});

test('3. modules a required etcd module brings are derived (go 1.16 go.mod lists client/v3 only)', async () => {
  const r = await deps('d3-go116-implied');
  const pkg = r.etcd.find((e) => e.path === 'go.etcd.io/etcd/client/pkg/v3')!;
  assert.ok(pkg, r.etcd.map((e) => e.path).join(' '));
  assert.deepEqual([pkg.version, pkg.seenIn, pkg.direct], ['v3.5.4', ['implied'], false]);
  assert.deepEqual(pkg.requiredBy, ['example.com/d3', 'go.etcd.io/etcd/client/v3@v3.5.4', 'go.etcd.io/etcd/client/pkg/v3@v3.5.4']);
  const adv = r.advisories.find((a) => a.id === 'GO-2026-6107')!;
  assert.deepEqual([adv.module, adv.version, adv.affected], ['go.etcd.io/etcd/client/pkg/v3', 'v3.5.4', true]);
  assert.equal(finding(r, 'vulnerable-version')!.line, 5, 'located at the requirement that brings it');
  // A listed but lower version is raised by MVS to what client/v3 brings.
  const lower = analyze('module x\ngo 1.16\nrequire (\n\tgo.etcd.io/etcd/client/pkg/v3 v3.5.0\n\tgo.etcd.io/etcd/client/v3 v3.5.4\n)\n');
  assert.equal(lower.etcd.find((e) => e.path === 'go.etcd.io/etcd/client/pkg/v3')!.selected, 'v3.5.4');
  // server/v3 brings raft and bbolt at the versions of its go.mod on the proxy.
  const srv = analyze('module x\nrequire go.etcd.io/etcd/server/v3 v3.6.4\n');
  assert.deepEqual(
    srv.etcd.filter((e) => e.seenIn.includes('implied')).map((e) => `${e.path}@${e.version}`),
    ['go.etcd.io/bbolt@v1.4.2', 'go.etcd.io/etcd/api/v3@v3.6.4', 'go.etcd.io/etcd/client/pkg/v3@v3.6.4', 'go.etcd.io/etcd/client/v3@v3.6.4', 'go.etcd.io/etcd/pkg/v3@v3.6.4', 'go.etcd.io/raft/v3@v3.6.0'],
  );
});

test('4. a coreos fork replace with no etcd require: the fork is reported, stop-gaps stay, nothing is migrated', async () => {
  const r = await deps('d4-coreos-fork-via-dep');
  const e = r.etcd.find((x) => x.path === 'github.com/coreos/etcd')!;
  assert.ok(e, 'the fork appears');
  assert.deepEqual([e.version, e.seenIn, e.replacement?.path, e.release?.release], ['', ['replace'], 'github.com/ozonru/etcd', 'v3.3.20']);
  assert.equal(r.viaDependency, true);
  assert.match(finding(r, 'etcd-via-dependency')!.message, /only through a dependency/);
  const stopgap = finding(r, 'grpc-replace-stopgap')!;
  assert.equal(stopgap.severity, 'info');
  assert.doesNotMatch(stopgap.message, /3\.6/, 'no talk of an etcd line nothing uses');
  assert.deepEqual([r.replacesToDrop, r.commands.filter((c) => c.includes('dropreplace'))], [[], []]);
  assert.ok(!r.commands.some((c) => c.startsWith('go get go.etcd.io')), 'no etcd modules pushed on a module that does not use them');
  assert.equal(r.findings.filter((f) => f.code === 'fork-replacement').length, 1);
  // The table shows the fork and where etcd comes from.
  const t = await runCliInProcess(['deps', join(DEFECTS, 'd4-coreos-fork-via-dep'), '--fail-on', 'none'], { ...process.env, NO_COLOR: '1' });
  assert.match(t.stdout, /github\.com\/coreos\/etcd .*\(via a dependency\).*github\.com\/ozonru\/etcd/);
});

test('5. api/v3 and server/v3 replaced to the same pseudo-version commit are one version: no skew', async () => {
  const r = await deps('d5-pseudo-pins');
  assert.ok(!codes(r).includes('etcd-version-skew'), codes(r).join(' '));
  // Different commits still are skew, located at the first requirement.
  const skew = analyze('module x\nrequire (\n\tgo.etcd.io/etcd/api/v3 v3.6.5\n\tgo.etcd.io/etcd/client/v3 v3.6.4\n)\n');
  assert.equal(finding(skew, 'etcd-version-skew')!.line, 3);
});

test("6. etcd's own client/v3/go.mod: guards and local replaces are its workspace", async () => {
  const r = await deps('d6-etcd-client-v3');
  assert.deepEqual(codes(r), ['etcd-own-module']);
  assert.deepEqual([r.commands, r.replacesToDrop, r.advisories], [[], [], []]);
  assert.ok(r.etcd.every((e) => e.replacement?.kind === 'local'), 'api/v3 and client/pkg/v3 come from sibling directories');
  assert.ok(!r.etcd.some((e) => e.path === 'go.etcd.io/etcd' || e.path === 'go.etcd.io/etcd/v3'), 'the 4 FORBIDDEN_DEPENDENCY guards are not dependencies');
  // The same guards in a user's module are inert too (never proposed for -dropreplace).
  const user = analyze('module x\nrequire go.etcd.io/etcd/client/v3 v3.5.7\nreplace (\n\tgo.etcd.io/etcd => ./FORBIDDEN_DEPENDENCY\n\tgo.etcd.io/etcd/pkg/v3 => ./FORBIDDED_DEPENDENCY\n\tgo.etcd.io/tests/v3 => ./FORBIDDEN_DEPENDENCY\n\tgo.etcd.io/etcd/v3 => ./FORBIDDEN_DEPENDENCY\n)\n');
  assert.ok(!user.commands.some((c) => c.includes('dropreplace')), user.commands.join('\n'));
});

test('7. a same-path bbolt pin below what the target server needs is dropped with a finding; a harmless one stays', async () => {
  const r = await deps('d7-bbolt-pin');
  const f = finding(r, 'bbolt-pin')!;
  assert.ok(f, codes(r).join(' '));
  assert.match(f.message, /below the v1\.4\.3 that etcd v3\.6\.17's server\/v3 requires/);
  assert.ok(r.commands.includes('go mod edit -dropreplace=go.etcd.io/bbolt'));
  const clientOnly = analyze('module x\nrequire (\n\tgo.etcd.io/bbolt v1.4.0\n\tgo.etcd.io/etcd/client/v3 v3.5.7\n)\nreplace go.etcd.io/bbolt => go.etcd.io/bbolt v1.4.0-beta.0.0.20250915091448-92b51411872b\n', { 'a.go': 'package a\nimport (\n\t"go.etcd.io/bbolt"\n\t"go.etcd.io/etcd/client/v3"\n)\n' });
  assert.ok(!codes(clientOnly).includes('bbolt-pin') && !clientOnly.commands.some((c) => c.includes('bbolt')), 'the module\'s own bbolt pin is its business');
});

test('8. no etcd at all: no etcd finding, no plan', async () => {
  const r = await deps('d8-no-etcd');
  assert.deepEqual([r.findings, r.commands, r.etcd], [[], [], []]);
});

test('9. a github.com/coreos/etcd dependency: the vuln DB blind spots are one finding, not one per advisory', async () => {
  const r = await deps('d9-coreos-noise');
  const fn = r.findings.filter((f) => f.code === 'vuln-db-false-negative');
  assert.equal(fn.length, 1);
  assert.match(fn[0].message, /these 7 advisories for github\.com\/coreos\/etcd: GO-2020-0005, .*GO-2026-4808/);
  assert.ok(r.findings.length <= 6, `${r.findings.length} findings: ${codes(r).join(' ')}`);
});

test('10. client/v2 in go.mod: no 3.6 release finding (with its line), moved to v2.305.N on --target 3.5', async () => {
  const r36 = await deps('d10-client-v2');
  const f = finding(r36, 'client-v2-unavailable')!;
  assert.ok(f, codes(r36).join(' '));
  assert.equal(f.line, 6);
  const r35 = await deps('d10-client-v2', '--target', '3.5');
  assert.ok(!codes(r35).includes('client-v2-unavailable'));
  assert.ok(r35.targetRequires.some((t) => t.path === 'go.etcd.io/etcd/client/v2' && t.version === 'v2.305.36'), JSON.stringify(r35.targetRequires));
  assert.ok(r35.commands.some((c) => c.startsWith('go get') && c.includes('go.etcd.io/etcd/client/v2@v2.305.36')));
});

test('10. skew and generation findings carry a line', () => {
  const gen = analyze('module x\nrequire (\n\tgithub.com/coreos/etcd v3.3.25+incompatible\n\tgo.etcd.io/etcd/client/v3 v3.5.7\n)\n', { 'a.go': 'package a\nimport (\n\t"github.com/coreos/etcd/clientv3"\n\t"go.etcd.io/etcd/client/v3"\n)\n' });
  assert.equal(finding(gen, 'multiple-etcd-generations')!.line, 3);
});

test('10. etcd only through a dependency (every etcd line // indirect): upgrade the dependency, never go get etcd into the module', async () => {
  const r = await deps('d10-indirect-only');
  assert.equal(r.viaDependency, true);
  assert.ok(!r.commands.some((c) => c.includes('go.etcd.io/etcd')), r.commands.join('\n'));
  assert.ok(!codes(r).includes('legacy-module-requirement'));
  assert.match(finding(r, 'etcd-via-dependency')!.fix!, /go mod graph|--verify/);
  // With the graph, the dependency is named and the plan upgrades it.
  const goMod = 'module example.com/d10i\n\ngo 1.17\n\nrequire github.com/go-kit/kit v0.10.0\n\nrequire go.etcd.io/etcd v0.0.0-20191023171146-3cf2f69b5738 // indirect\n';
  const { parseModGraph } = await import('../src/deps/inputs.js');
  const graph = parseModGraph('example.com/d10i github.com/go-kit/kit@v0.10.0\nexample.com/d10i go.etcd.io/etcd@v0.0.0-20191023171146-3cf2f69b5738\ngithub.com/go-kit/kit@v0.10.0 go.etcd.io/etcd@v0.0.0-20191023171146-3cf2f69b5738\n');
  const withGraph = analyzeModule({ dir: '/m', rel: '', goModText: goMod, mod: parseGoMod(goMod), files: [] }, { target: 'v3.6.17', graph });
  assert.ok(withGraph.commands.includes('go get github.com/go-kit/kit@latest'), withGraph.commands.join('\n'));
  assert.match(finding(withGraph, 'etcd-via-dependency')!.message, /github\.com\/go-kit\/kit v0\.10\.0/);
  // A 3.5+ client through a dependency: the plan raises it (the dependency compiles against it; --verify proves it).
  const split = analyze('module x\n\ngo 1.22\n\nrequire example.com/lib v1.0.0\n\nrequire (\n\tgo.etcd.io/etcd/api/v3 v3.5.10 // indirect\n\tgo.etcd.io/etcd/client/v3 v3.5.10 // indirect\n)\n');
  assert.ok(split.commands.some((c) => c.startsWith('go get') && c.includes('go.etcd.io/etcd/client/v3@v3.6.17')), split.commands.join('\n'));
});
