/**
 * The defects of issue 13 §1 through `upshift deps --verify` on the real Go toolchain with modules from the
 * proxy: each fixed plan builds on the target, and where a module cannot reach it (etcd 3.3 only through
 * go-micro) the report says which dependency holds it back. The static findings are test/deps-defects.test.ts;
 * the fork replace (1) and etcd via a dependency (10) run in test/deps-verify.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliInProcess } from './support/cli.js';
import { goSkip, goTestEnv, requireGo } from './support/deps-go.js';
import type { DepsReport } from '../src/deps/types.js';

requireGo();
const skip = goSkip;
const DEFECTS = join(import.meta.dirname, 'fixtures', 'deps', 'defects');

function copy(t: { after: (fn: () => void) => void }, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `upshift-verify-${name}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(DEFECTS, name), dir, { recursive: true });
  return dir;
}

async function verify(dir: string, ...args: string[]): Promise<{ code: number; r: DepsReport }> {
  const res = await runCliInProcess(['deps', dir, '--verify', '-o', 'json', ...args], goTestEnv());
  try {
    return { code: res.code, r: JSON.parse(res.stdout) as DepsReport };
  } catch {
    throw new Error(`exit ${res.code}, no JSON:\n${res.stdout}\n${res.stderr}`);
  }
}

const sel = (r: DepsReport): Record<string, string> => Object.fromEntries(r.verify!.selected.map((s) => [s.path, s.replacedBy ? `${s.version} => ${s.replacedBy}` : s.version]));
const why = (r: DepsReport): string => JSON.stringify({ problems: r.verify?.problems, steps: r.verify?.steps.map((s) => `${s.ok ? 'ok' : 'FAILED'} ${s.command}${s.output ? `\n${s.output}` : ''}`) }, null, 1);

test('2 and 3: the grpc replace below the target floor is dropped; a go 1.16 client/v3-only module moves whole', { skip }, async (t) => {
  const d2 = await verify(copy(t, 'd2-grpc-replace'));
  assert.equal(d2.code, 0, why(d2.r));
  assert.equal(sel(d2.r)['google.golang.org/grpc'], 'v1.83.2', 'no replace left forcing v1.51.0');
  const d3 = await verify(copy(t, 'd3-go116-implied'));
  assert.equal(d3.code, 0, why(d3.r));
  assert.equal(sel(d3.r)['go.etcd.io/etcd/client/pkg/v3'], 'v3.6.17', 'the module client/v3 brings is on the target too');
});

test('5 and 7: pseudo-version pins of api/server and a bbolt pin below the target are dropped; the server builds on 3.6.17', { skip }, async (t) => {
  const d5 = await verify(copy(t, 'd5-pseudo-pins'));
  assert.equal(d5.code, 0, why(d5.r));
  assert.deepEqual([sel(d5.r)['go.etcd.io/etcd/api/v3'], sel(d5.r)['go.etcd.io/etcd/server/v3']], ['v3.6.17', 'v3.6.17']);
  // The fixture pins an untagged bbolt commit (as seen in the wild); the proxy serves tags, so pin v1.4.0 here.
  const d7 = copy(t, 'd7-bbolt-pin');
  writeFileSync(join(d7, 'go.mod'), readFileSync(join(d7, 'go.mod'), 'utf8').replace(/v1\.4\.0-beta\.0\.0\.\d+-[0-9a-f]+/, 'v1.4.0'));
  const r7 = await verify(d7);
  assert.equal(r7.code, 0, why(r7.r));
  assert.ok(r7.r.verify!.steps.some((s) => s.command === 'go mod edit -dropreplace=go.etcd.io/bbolt' && s.ok));
  assert.equal(sel(r7.r)['go.etcd.io/bbolt'], 'v1.4.3');
});

test('9: a github.com/coreos/etcd 3.3 client moves to client/v3 3.6.17 and builds', { skip }, async (t) => {
  const { code, r } = await verify(copy(t, 'd9-coreos-noise'));
  assert.equal(code, 0, why(r));
  assert.equal(sel(r)['github.com/coreos/etcd'], undefined);
  assert.equal(sel(r)['go.etcd.io/etcd/client/v3'], 'v3.6.17');
});

test('10: with --target 3.5, client/v2 moves to its v2.305.N pair and builds', { skip }, async (t) => {
  const { code, r } = await verify(copy(t, 'd10-client-v2'), '--target', '3.5');
  assert.equal(code, 0, why(r));
  assert.equal(sel(r)['go.etcd.io/etcd/client/v2'], 'v2.305.36');
  assert.equal(sel(r)['go.etcd.io/etcd/client/v3'], 'v3.5.36');
});

test('4: etcd 3.3 only through go-micro (a fork replace): nothing of the module is migrated, and verify names what holds it back', { skip }, async (t) => {
  const dir = copy(t, 'd4-coreos-fork-via-dep');
  const { code, r } = await verify(dir);
  assert.equal(code, 1, 'the target is not reached: exit 1');
  const v = r.verify!;
  assert.equal(v.built, true, why(r));
  assert.equal(sel(r)['github.com/coreos/etcd'], 'v3.3.18+incompatible => github.com/ozonru/etcd v3.3.20-grpc1.27-origmodule+incompatible', 'the fork is what builds');
  assert.ok(v.problems.some((p) => /not on the target: github\.com\/coreos\/etcd .*required by github\.com\/micro\/go-micro\/v2@v2\.9\.1/.test(p)), v.problems.join('\n'));
  assert.ok(!v.steps.some((s) => s.command.includes('dropreplace')), 'the stop-gaps stay');
});
