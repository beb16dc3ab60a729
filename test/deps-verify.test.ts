/**
 * `upshift deps --verify` on the real Go toolchain with modules from the proxy: the real-world shapes of
 * issue 13 (3.4 clientv3 pseudo-version -> 3.6 and 3.7, 3.5 -> 3.7, a k3s-style fork replace, etcd only
 * through a dependency), a plan that cannot build (the report says exactly why), proto copies vet flags on
 * 3.7, no Go at all, and `deps fix --verify`. One module cache for the whole run (test/support/deps-go.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliInProcess } from './support/cli.js';
import { goSkip, goTestEnv, requireGo } from './support/deps-go.js';
import { renderDepsSarif } from '../src/deps/render.js';
import type { DepsReport } from '../src/deps/types.js';

requireGo();
const skip = goSkip;
const FIX = join(import.meta.dirname, 'fixtures', 'deps');

function tmpCopy(t: { after: (fn: () => void) => void }, from: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'upshift-verify-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(FIX, from), dir, { recursive: true });
  return dir;
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
      else out[rel + e.name] = readFileSync(join(d, e.name), 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

async function verify(dir: string, target: string, extra: string[] = []): Promise<{ code: number; r: DepsReport; stderr: string }> {
  const res = await runCliInProcess(['deps', dir, '--target', target, '--verify', '-o', 'json', ...extra], goTestEnv());
  let r: DepsReport;
  try {
    r = JSON.parse(res.stdout) as DepsReport;
  } catch {
    throw new Error(`no JSON (exit ${res.code}):\n${res.stdout}\n${res.stderr}`);
  }
  return { code: res.code, r, stderr: res.stderr };
}

const sel = (r: DepsReport): Record<string, string> => Object.fromEntries(r.verify!.selected.map((s) => [s.path, s.version]));
const why = (r: DepsReport): string => JSON.stringify({ problems: r.verify?.problems, errors: r.verify?.errors, steps: r.verify?.steps }, null, 1);

test('3.4 clientv3 (go.etcd.io/etcd pseudo-version, grpc stop-gap) -> 3.6: the plan builds, every etcd module on 3.6.17, the tree untouched', { skip }, async (t) => {
  const dir = tmpCopy(t, 'shapes/clientv3-34');
  const before = snapshot(dir);
  const { code, r, stderr } = await verify(dir, '3.6');
  assert.equal(code, 0, why(r));
  const v = r.verify!;
  // SPEC: verify: {built, selected: [{path, version}], errors: [{file, line, message, cause?}]}
  assert.deepEqual([v.ran, v.built, v.vetted, v.onTarget, v.errors, v.problems], [true, true, true, true, [], []]);
  const s = sel(r);
  for (const m of ['go.etcd.io/etcd/api/v3', 'go.etcd.io/etcd/client/pkg/v3', 'go.etcd.io/etcd/client/v3']) assert.equal(s[m], 'v3.6.17', m);
  assert.equal(s['go.etcd.io/etcd'], undefined, 'the 3.4 module is gone');
  assert.equal(s['google.golang.org/grpc'], 'v1.83.2', 'the v1.26.0 stop-gap is gone');
  const expected = ['go mod edit -go=1.26.0', 'go mod edit -dropreplace=google.golang.org/grpc', 'upshift deps fix --target', 'go get go.etcd.io/etcd/api/v3@v3.6.17', 'go mod tidy', 'go build ./...', 'go vet ./...'];
  assert.equal(v.steps.length, expected.length, v.steps.map((x) => x.command).join('\n'));
  v.steps.forEach((x, i) => assert.ok(x.command.startsWith(expected[i]) && x.ok, `${x.command} (expected ${expected[i]})`));
  assert.match(stderr, /verify: copying .* \(the original is not modified\)/);
  assert.deepEqual(snapshot(dir), before, 'the user tree is never touched by deps --verify');
});

test('3.4 clientv3 -> 3.7 and a 3.5 client (resolver, endpoints, election) -> 3.7: both build on 3.7.4', { skip }, async (t) => {
  for (const shape of ['shapes/clientv3-34', 'shapes/client-35']) {
    const { code, r } = await verify(tmpCopy(t, shape), '3.7');
    assert.equal(code, 0, `${shape}: ${why(r)}`);
    assert.equal(sel(r)['go.etcd.io/etcd/client/v3'], 'v3.7.4', shape);
    assert.ok(r.verify!.selected.every((x) => x.onTarget), shape);
  }
});

test('a k3s-style fork replace: the plan drops it, and the build really uses go.etcd.io/etcd/client/v3 v3.6.17', { skip }, async (t) => {
  const { code, r } = await verify(tmpCopy(t, 'defects/d1-fork-replace'), '3.6');
  assert.equal(code, 0, why(r));
  const client = r.verify!.selected.find((s) => s.path === 'go.etcd.io/etcd/client/v3')!;
  assert.deepEqual([client.version, client.replacedBy], ['v3.6.17', undefined]);
});

test('etcd only through a dependency (go-kit v0.10.0 -> go.etcd.io/etcd 3.4): upgrade the dependency, then raise its etcd (round 2)', { skip }, async (t) => {
  const { code, r } = await verify(tmpCopy(t, 'defects/d10-indirect-only'), '3.6');
  assert.equal(code, 0, why(r));
  assert.ok(r.commands.includes('go get github.com/go-kit/kit@latest'), 'the graph-informed plan names the dependency: ' + r.commands.join(' | '));
  const round2 = r.verify!.steps.filter((s) => s.round === 2).map((s) => s.command);
  assert.ok(round2.some((c) => c.startsWith('go get') && c.includes('go.etcd.io/etcd/client/v3@v3.6.17')), round2.join('\n'));
  const s = sel(r);
  assert.equal(s['go.etcd.io/etcd/client/v3'], 'v3.6.17');
  assert.equal(s['go.etcd.io/etcd'], undefined);
});

test('a plan that cannot build says exactly why: legacy imports deps fix cannot move, grpc API gone; SARIF carries it', { skip }, async (t) => {
  const dir = tmpCopy(t, 'shapes/api-changes-34');
  const { code, r } = await verify(dir, '3.6');
  assert.equal(code, 1, 'exit 1: the plan does not build');
  const v = r.verify!;
  assert.equal(v.built, false);
  const tidy = v.steps.find((s) => s.command === 'go mod tidy')!;
  assert.equal(tidy.ok, false);
  const naming = v.errors.find((e) => e.step === 'tidy')!;
  assert.match(naming.message, /google\.golang\.org\/grpc\/naming/);
  assert.match(naming.cause!, /GRPCResolver/);
  const dial = v.errors.find((e) => e.file === 'dial/dial.go')!;
  assert.ok(dial, why(r));
  assert.deepEqual([dial.line, dial.message], [14, 'undefined: grpc.WithBalancerName']);
  assert.match(dial.cause!, /grpc-go v1\.46\.0/);
  assert.ok(v.problems.some((p) => /not on the target: go\.etcd\.io\/etcd v3\.3\.27\+incompatible.*imported by naming\/naming\.go:5/.test(p)), v.problems.join('\n'));
  const sarif = JSON.parse(renderDepsSarif({ ...r, root: dir }, '0.0.0'));
  const results = sarif.runs[0].results as { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[];
  const hit = results.find((x) => x.ruleId === 'verify-build-error' && x.locations[0].physicalLocation.artifactLocation.uri === 'dial/dial.go')!;
  assert.ok(hit, 'build errors are SARIF results at their file and line');
  assert.equal(hit.locations[0].physicalLocation.region.startLine, 14);
  assert.ok(results.some((x) => x.ruleId === 'verify-not-on-target'));
  // The table says it too.
  const table = await runCliInProcess(['deps', dir, '--target', '3.6', '--verify'], goTestEnv());
  assert.equal(table.code, 1);
  assert.match(table.stdout, /Verify \(go1\.\d+.*\): the plan does NOT build/);
  assert.match(table.stdout, /dial\/dial\.go:14:57: undefined: grpc\.WithBalancerName\n\s+cause: grpc\.WithBalancerName was deleted/);
});

test('3.7 API messages copied by value: it builds, go vet says why not, with the cause', { skip }, async (t) => {
  const dir = tmpCopy(t, 'shapes/client-35');
  writeFileSync(
    join(dir, 'copy.go'),
    'package main\n\nimport (\n\t"context"\n\n\t"go.etcd.io/etcd/api/v3/mvccpb"\n\tclientv3 "go.etcd.io/etcd/client/v3"\n)\n\nfunc first(ctx context.Context, cli *clientv3.Client) mvccpb.KeyValue {\n\tresp, _ := cli.Get(ctx, "k")\n\tkv := *resp.Kvs[0]\n\treturn kv\n}\n',
  );
  const { code, r } = await verify(dir, '3.7');
  assert.equal(code, 1, why(r));
  const v = r.verify!;
  assert.deepEqual([v.built, v.vetted], [true, false]);
  const e = v.errors.find((x) => x.step === 'vet')!;
  assert.equal(e.file, 'copy.go');
  assert.match(e.cause!, /protoimpl\.MessageState/);
});

test('without a Go toolchain --verify says it cannot verify (exit 3), and still prints the analysis', async () => {
  const env = { ...goTestEnv(), PATH: '/usr/bin:/bin' };
  const res = await runCliInProcess(['deps', join(FIX, 'defects', 'd1-fork-replace'), '--verify', '-o', 'json'], env);
  assert.equal(res.code, 3, res.stderr);
  const r = JSON.parse(res.stdout) as DepsReport;
  assert.equal(r.verify!.ran, false);
  assert.match(r.verify!.reason!, /needs a Go toolchain, and none was found on PATH/);
  assert.doesNotMatch(r.verify!.reason!, /--source/, 'deps has no --source: the hint is about the user\'s build');
  assert.ok(r.findings.some((f) => f.code === 'replace-overrides-upgrade'), 'the static analysis is all there');
  const table = await runCliInProcess(['deps', join(FIX, 'defects', 'd1-fork-replace'), '--verify'], env);
  assert.equal(table.code, 3);
  assert.match(table.stdout, /Verify: NOT RUN — upshift deps --verify needs a Go toolchain/);
});

test('deps fix --verify writes the verified result (go.mod, go.sum, sources) only when the plan works', { skip }, async (t) => {
  const ok = tmpCopy(t, 'shapes/clientv3-34');
  const res = await runCliInProcess(['deps', 'fix', ok, '--target', '3.6', '--verify', '-o', 'json'], goTestEnv());
  const j = JSON.parse(res.stdout) as { applied: boolean; changed: string[]; commands: string[] };
  assert.equal(res.code, 0, res.stdout);
  assert.equal(j.applied, true);
  assert.deepEqual([...j.changed].sort(), ['go.mod', 'go.sum', 'main.go']);
  const goMod = readFileSync(join(ok, 'go.mod'), 'utf8');
  assert.match(goMod, /go\.etcd\.io\/etcd\/client\/v3 v3\.6\.17/);
  assert.doesNotMatch(goMod, /replace|go\.etcd\.io\/etcd v0/);
  assert.ok(existsSync(join(ok, 'go.sum')));
  assert.match(readFileSync(join(ok, 'main.go'), 'utf8'), /clientv3 "go\.etcd\.io\/etcd\/client\/v3"/);
  assert.deepEqual(j.commands, [], 'nothing left to run');
  // A plan that does not build changes nothing.
  const bad = tmpCopy(t, 'shapes/api-changes-34');
  const before = snapshot(bad);
  const res2 = await runCliInProcess(['deps', 'fix', bad, '--target', '3.6', '--verify'], goTestEnv());
  assert.equal(res2.code, 1);
  assert.match(res2.stdout, /not applied: the plan was not verified on etcd v3\.6\.17; nothing changed/);
  assert.deepEqual(snapshot(bad), before);
});
