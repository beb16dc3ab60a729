import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiData, resolveApi } from './data.js';
import { diffEtcdApi } from './etcd-diff.js';
import { diffRoutes } from './diff.js';
import { findBuf } from './buf.js';
import { checkProtos, checkSarif } from './check.js';
import { gatewayRoutes, pathRewrites } from './gateway.js';

const hasBuf = findBuf() !== undefined;

test('the shipped API data covers every release 3.4.0..3.7.4, each with its module or tag', () => {
  const d = apiData();
  for (const v of ['3.4.0', '3.4.23', '3.4.45', '3.5.0', '3.5.36', '3.6.0', '3.6.17', '3.7.4']) assert.ok(d.versions[v], v);
  assert.deepEqual(d.missing, []);
  const src = d.versions['3.7.4']!.source;
  assert.equal(src.kind, 'go-module');
  assert.ok(src.kind === 'go-module' && src.modules.some((m) => m.path === 'go.etcd.io/etcd/api/v3' && m.sum.startsWith('h1:')));
  // A patch newer than the data reads as the newest known patch of its line, with a note; unknown lines are refused.
  assert.match(resolveApi('3.7.9').note ?? '', /newer than the API data/);
  assert.throws(() => resolveApi('3.9.0'), /no API data/);
  assert.throws(() => resolveApi('banana'), /not an etcd release/);
});

test('contract diff 3.4.23 -> 3.7.4 reports the known changes', { skip: hasBuf ? false : 'buf not available' }, async () => {
  const r = await diffEtcdApi('3.4.23', '3.7.4');
  // buf finds nothing breaking at WIRE_JSON or WIRE (governance.md §2.3, verified with buf there too).
  assert.equal(r.buf.available, true);
  assert.deepEqual(r.buf.categories, { WIRE_JSON: [], WIRE: [] });
  // HashKV's gateway route moved (3.5.10, PR #16490) and /v3/maintenance/hash serves Hash only.
  const hashkv = r.gateway.routes.find((g) => g.rpc === '/etcdserverpb.Maintenance/HashKV');
  assert.equal(hashkv?.change, 'moved');
  assert.equal(hashkv?.path, '/v3/maintenance/hashkv');
  assert.ok(r.gateway.routes.some((g) => g.change === 'now-unique' && g.path === '/v3/maintenance/hash'));
  // /v3beta: deprecated, yet still rewritten by 3.7.4's server.
  assert.deepEqual(r.gateway.rewrites.to, [{ from: '/v3beta/', to: '/v3/' }]);
  assert.ok(r.findings.some((f) => f.code === 'gateway-prefix-deprecated' && f.severity === 'info'));
  // Fields added, with the version their etcd_version annotation names.
  const added = Object.fromEntries(r.added.filter((e) => e.kind === 'field').map((e) => [e.name, e.since]));
  assert.equal(added['etcdserverpb.MemberListRequest.linearizable'], '3.5');
  assert.equal(added['etcdserverpb.AuthUserAddRequest.hashedPassword'], '3.5');
  assert.equal(added['etcdserverpb.StatusResponse.dbSizeQuota'], '3.6');
  assert.equal(added['etcdserverpb.HashKVResponse.hash_revision'], '3.6');
  const rpcs = Object.fromEntries(r.added.filter((e) => e.kind === 'rpc').map((e) => [e.name, e.since]));
  assert.deepEqual(rpcs, { '/etcdserverpb.Auth/AuthStatus': '3.5', '/etcdserverpb.KV/RangeStream': '3.7', '/etcdserverpb.Maintenance/Downgrade': '3.5' });
  assert.deepEqual(r.removed, []);
  // The v2 API is gone, and the mixed-version window lists what 3.4 members cannot serve.
  assert.ok(r.findings.some((f) => f.code === 'v2-api-removed' && f.severity === 'blocker'));
  assert.equal(r.mixedVersion.lowest, '3.4');
  assert.ok(r.mixedVersion.elements.some((e) => e.name === '/etcdserverpb.KV/RangeStream' && e.since === '3.7'));
  // Server flags from the knowledge base.
  assert.ok(r.flags.some((f) => f.flag === 'enable-v2' && f.change === 'removed'));
  assert.ok(r.flags.some((f) => f.flag === 'experimental-enable-distributed-tracing' && f.change === 'renamed' && f.replacement === 'enable-distributed-tracing'));
  assert.equal(r.summary.blockers, r.findings.filter((f) => f.severity === 'blocker').length);
});

test('contract diff within a line with the same API: no changes, buf not even needed', async () => {
  const r = await diffEtcdApi('3.5.10', '3.5.36', { buf: false });
  assert.deepEqual([r.added, r.removed, r.changed, r.gateway.routes], [[], [], [], []]);
  assert.equal(r.buf.reason, 'skipped (--no-buf)');
  await assert.rejects(diffEtcdApi('3.7.4', '3.6.17'), /newer than --to/);
});

test('gateway extraction: grpc-gateway v1 and v2 registrations, rewrites; route diffs by RPC', () => {
  const v1 = `
	mux.Handle("POST", pattern_KV_Range_0, func(w http.ResponseWriter, req *http.Request, pathParams map[string]string) {
	mux.Handle("POST", pattern_Maintenance_HashKV_0, func(
	pattern_KV_Range_0 = runtime.MustPattern(runtime.NewPattern(1, []int{2, 0, 2, 1, 2, 2}, []string{"v3", "kv", "range"}, ""))
	pattern_Maintenance_HashKV_0 = runtime.MustPattern(runtime.NewPattern(1, []int{2, 0, 2, 1, 2, 2}, []string{"v3", "maintenance", "hash"}, ""))`;
  const v2 = `	mux.Handle(http.MethodPost, pattern_Maintenance_HashKV_0, func(
	pattern_Maintenance_HashKV_0     = runtime.MustPattern(runtime.NewPattern(1, []int{2, 0, 2, 1, 2, 2}, []string{"v3", "maintenance", "hashkv"}, ""))`;
  assert.deepEqual(gatewayRoutes(v1), [
    { method: 'POST', path: '/v3/kv/range', rpc: '/etcdserverpb.KV/Range' },
    { method: 'POST', path: '/v3/maintenance/hash', rpc: '/etcdserverpb.Maintenance/HashKV' },
  ]);
  assert.deepEqual(gatewayRoutes(v2), [{ method: 'POST', path: '/v3/maintenance/hashkv', rpc: '/etcdserverpb.Maintenance/HashKV' }]);
  assert.deepEqual(pathRewrites('if strings.HasPrefix(req.URL.Path, "/v3beta/") {\n req.URL.Path = strings.Replace(req.URL.Path, "/v3beta/", "/v3/", 1)'), [{ from: '/v3beta/', to: '/v3/' }]);
  const changes = diffRoutes(gatewayRoutes(v1), gatewayRoutes(v2));
  assert.deepEqual(
    changes.map((c) => [c.change, c.rpc]),
    [
      ['removed', '/etcdserverpb.KV/Range'],
      ['moved', '/etcdserverpb.Maintenance/HashKV'],
    ],
  );
});

test('contract check runs buf: a removed field and a renamed JSON name break WIRE_JSON; WIRE sees only the removal', { skip: hasBuf ? false : 'buf not available' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'upshift-check-test-'));
  try {
    const before = `syntax = "proto3";\npackage shop.v1;\nmessage Order {\n  string id = 1;\n  int64 qty = 2;\n  string note = 3;\n}\n`;
    const after = `syntax = "proto3";\npackage shop.v1;\nmessage Order {\n  string id = 1 [json_name = "orderId"];\n  int64 qty = 2;\n}\n`;
    mkdirSync(join(dir, 'old'));
    mkdirSync(join(dir, 'new'));
    writeFileSync(join(dir, 'old', 'order.proto'), before);
    writeFileSync(join(dir, 'new', 'order.proto'), after);
    const r = await checkProtos(join(dir, 'old', 'order.proto'), join(dir, 'new', 'order.proto'));
    assert.equal(r.category, 'WIRE_JSON');
    assert.equal(r.breaking, true);
    assert.ok(r.rules.FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED, JSON.stringify(r.rules));
    assert.ok(r.rules.FIELD_SAME_JSON_NAME, JSON.stringify(r.rules));
    const wire = await checkProtos(join(dir, 'old'), join(dir, 'new'), { category: 'WIRE' });
    assert.deepEqual(Object.keys(wire.rules), ['FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED']);
    const same = await checkProtos(join(dir, 'old'), join(dir, 'old'));
    assert.equal(same.breaking, false);
    const sarif = JSON.parse(checkSarif(r, '0.1.0', join(dir, 'new'))) as { version: string; runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] };
    assert.equal(sarif.version, '2.1.0');
    const res = sarif.runs[0]!.results;
    assert.equal(res.length, r.findings.length);
    assert.equal(res.find((x) => x.ruleId === 'FIELD_SAME_JSON_NAME')!.locations[0]!.physicalLocation.artifactLocation.uri, 'order.proto');
    assert.equal(res.find((x) => x.ruleId === 'FIELD_SAME_JSON_NAME')!.locations[0]!.physicalLocation.region.startLine, 4);
    await assert.rejects(checkProtos(join(dir, 'nope.proto'), join(dir, 'new')), /no such file/);
    await assert.rejects(checkProtos(join(dir, 'old'), join(dir, 'new'), { category: 'STRICT' }), /unknown/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
