import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeModule, resolveTarget } from './analyze.js';
import { parseGoMod } from './gomod.js';
import { scanGoImports } from './goimports.js';
import { parseModGraph } from './inputs.js';
import type { ModuleInputs } from './discover.js';

function inputs(goMod: string, files: Record<string, string> = {}): ModuleInputs {
  return {
    dir: '/m',
    rel: '',
    goModText: goMod,
    mod: parseGoMod(goMod),
    files: Object.entries(files).map(([rel, text]) => ({ rel, text, header: scanGoImports(text, rel) })),
  };
}
const codes = (r: { findings: { code: string }[] }): string[] => [...new Set(r.findings.map((f) => f.code))].sort();

test('resolveTarget: lines, releases, and refusals', () => {
  assert.equal(resolveTarget(undefined, 'v3.6.14'), 'v3.6.14');
  assert.equal(resolveTarget('3.5', 'x'), 'v3.5.36');
  assert.equal(resolveTarget('v3.7', 'x'), 'v3.7.4');
  assert.equal(resolveTarget('3.6', 'x'), 'v3.6.17');
  assert.equal(resolveTarget('3.5.16', 'x'), 'v3.5.16');
  assert.equal(resolveTarget('3.4.13', 'x'), 'v3.4.13');
  for (const bad of ['3.3', '3.8', 'v3.5.99', 'v3.6.18', 'latest', '3']) assert.equal(resolveTarget(bad, 'x'), '', bad);
});

test('a replace pinning go.etcd.io/etcd to a 3.4 pseudo-version is what the build uses', () => {
  // Shape seen in public go.mod files: require the @latest 3.3 +incompatible, replace it with kubernetes' pin.
  const r = analyzeModule(
    inputs('module x\n\ngo 1.15\n\nrequire go.etcd.io/etcd v3.3.25+incompatible\n\nreplace go.etcd.io/etcd => go.etcd.io/etcd v0.5.0-alpha.5.0.20200910180754-dd1b699fc489 // ae9734ed278b is the SHA for git tag v3.4.13\n'),
    { target: 'v3.5.33' },
  );
  const e = r.etcd[0];
  assert.deepEqual([e.effective, e.release?.release, e.release?.ahead, e.replacedBy], ['v0.5.0-alpha.5.0.20200910180754-dd1b699fc489', 'v3.4.13', 2, 'go.etcd.io/etcd v0.5.0-alpha.5.0.20200910180754-dd1b699fc489']);
  assert.ok(!codes(r).includes('incompatible-latest'), 'the 3.3 code is replaced away');
  const tagged = r.findings.find((f) => f.code === 'pseudo-version-not-a-tag')!;
  assert.match(tagged.message, /v3\.4\.13-2-gdd1b699fc, not v3\.4\.13 \(a comment in go\.mod says otherwise\)/);
  assert.ok(r.replacesToDrop.some((d) => d.line === 7));
});

test('invalid versions: the parser refuses what the go command refuses; 3.3.14/3.3.23 +incompatible are blockers', () => {
  assert.throws(() => parseGoMod('module x\nrequire go.etcd.io/etcd v3.4.13\n'), /go\.mod:2:25: require go\.etcd\.io\/etcd: version "v3\.4\.13" invalid: should be v0 or v1, not v3/);
  assert.throws(() => parseGoMod('module x\nrequire go.etcd.io/etcd/client/v2 v3.5.0\n'), /should be v2, not v3/);
  const r = analyzeModule(inputs('module x\nrequire (\n\tgithub.com/coreos/etcd v3.3.14+incompatible\n\tgo.etcd.io/etcd v3.3.23+incompatible\n)\n'), { target: 'v3.5.33' });
  const inv = r.findings.filter((f) => f.code === 'invalid-version');
  assert.deepEqual(inv.map((f) => [f.severity, f.line]), [['blocker', 3], ['blocker', 4]]);
});

test('grpc windows: 3.4.8–3.4.27 breaks on grpc >= 1.30, a grpc replace below the 3.5 floor breaks too', () => {
  const tooNew = analyzeModule(inputs('module x\nrequire (\n\tgo.etcd.io/etcd v0.5.0-alpha.5.0.20200824191128-ae9734ed278b\n\tgoogle.golang.org/grpc v1.30.0\n)\n'), { target: 'v3.5.33' });
  assert.match(tooNew.findings.find((f) => f.code === 'grpc-incompatible')!.message, /needs grpc ≤ v1\.29\.1/);
  const ok = analyzeModule(inputs('module x\nrequire (\n\tgo.etcd.io/etcd v0.5.0-alpha.5.0.20200824191128-ae9734ed278b\n\tgoogle.golang.org/grpc v1.29.1\n)\n'), { target: 'v3.5.33' });
  assert.ok(!codes(ok).includes('grpc-incompatible'));
  const tooOld = analyzeModule(inputs('module x\nrequire (\n\tgo.etcd.io/etcd/client/v3 v3.5.10\n\tgoogle.golang.org/grpc v1.58.3\n)\nreplace google.golang.org/grpc => google.golang.org/grpc v1.26.0\n'), { target: 'v3.5.33' });
  const f = tooOld.findings.find((x) => x.code === 'grpc-incompatible')!;
  assert.match(f.message, /v1\.26\.0 \(forced by replace\).*needs grpc ≥ v1\.58\.3/);
  assert.ok(codes(tooOld).includes('grpc-replace-stopgap'));
  // A known fork on the right side: compatibility is the fork's business.
  const fork = analyzeModule(inputs('module x\nrequire (\n\tgithub.com/coreos/etcd v3.3.20+incompatible\n\tgoogle.golang.org/grpc v1.29.0\n)\nreplace github.com/coreos/etcd => github.com/ozonru/etcd v3.3.20-grpc1.27-origmodule+incompatible\n'), { target: 'v3.5.33' });
  assert.deepEqual([codes(fork).includes('fork-replacement'), codes(fork).includes('grpc-incompatible')], [true, false]);
});

test('generations, raft duplicates, bbolt, skew and client/v2 on 3.6', () => {
  const gen = analyzeModule(inputs('module x\nrequire (\n\tgo.etcd.io/etcd v0.5.0-alpha.5.0.20200824191128-ae9734ed278b\n\tgo.etcd.io/etcd/api/v3 v3.5.33\n\tgo.etcd.io/etcd/client/v3 v3.5.33\n\tgo.etcd.io/etcd/raft/v3 v3.5.33\n\tgo.etcd.io/raft/v3 v3.6.0\n\tgithub.com/coreos/bbolt v1.3.3\n)\n'), { target: 'v3.6.14' });
  assert.ok(codes(gen).includes('multiple-etcd-generations'));
  assert.ok(codes(gen).includes('multiple-raft-modules'));
  const bb = gen.findings.find((f) => f.code === 'coreos-bbolt')!;
  assert.equal(bb.severity, 'warning', 'v1.3.3 has no go.mod yet, so it still resolves');
  assert.ok(gen.legacyRequires.includes('go.etcd.io/etcd/raft/v3') && gen.legacyRequires.includes('github.com/coreos/bbolt'));
  const v2 = analyzeModule(inputs('module x\nrequire go.etcd.io/etcd v0.5.0-alpha.5.0.20200824191128-ae9734ed278b\n', { 'a.go': 'package a\nimport "go.etcd.io/etcd/client"\n' }), { target: 'v3.6.14' });
  assert.ok(codes(v2).includes('client-v2-unavailable'));
  const v235 = analyzeModule(inputs('module x\nrequire go.etcd.io/etcd v0.5.0-alpha.5.0.20200824191128-ae9734ed278b\n', { 'a.go': 'package a\nimport "go.etcd.io/etcd/client"\n' }), { target: 'v3.5.33' });
  assert.ok(!codes(v235).includes('client-v2-unavailable'));
  assert.ok(v235.targetRequires.some((t) => t.path === 'go.etcd.io/etcd/client/v2' && t.version === 'v2.305.33'));
});

test('with a graph: MVS selection drives versions, advisories and chains; go.sum-only entries stay out', () => {
  const goMod = 'module ex\n\ngo 1.16\n\nrequire example.com/lib v1.0.0\n';
  const graph = parseModGraph('ex example.com/lib@v1.0.0\nexample.com/lib@v1.0.0 go.etcd.io/etcd/server/v3@v3.5.29\nexample.com/lib@v1.0.0 go.etcd.io/etcd/client/v3@v3.5.29\n');
  const inp = { ...inputs(goMod), goSum: [{ path: 'github.com/coreos/etcd', version: 'v3.3.10+incompatible', goModOnly: false, hash: 'h1:x', line: 1 }] };
  const r = analyzeModule(inp, { target: 'v3.5.33', graph });
  assert.deepEqual(r.etcd.map((e) => [e.path, e.version, e.direct, e.requiredBy?.length]), [
    ['go.etcd.io/etcd/client/v3', 'v3.5.29', false, 3],
    ['go.etcd.io/etcd/server/v3', 'v3.5.29', false, 3],
  ]);
  assert.deepEqual(r.advisories.map((a) => a.id).sort(), ['GO-2026-5736', 'GO-2026-6114']);
  assert.ok(!r.etcd.some((e) => e.path === 'github.com/coreos/etcd'), 'go.sum lists history, not the build list');
});
