import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { GraphBuilder } from './graph.js';
import { analyzeGraph } from './analyze.js';
import { impactOf } from './impact.js';
import { run, render, type TopologyResult } from '../commands/topology.js';
import { defaultContext } from '../core/context.js';
import { readLatest } from './store.js';
import { runCliInProcess } from '../../test/support/cli.js';

function graphOf(calls: [caller: string, op: string][]): GraphBuilder {
  const g = new GraphBuilder();
  for (const [caller, op] of calls) g.link({ parent: caller, child: 'etcd', error: false, durationUs: 1000, startUs: 1, op, virtual: true });
  return g;
}

test('impact 3.4.23 -> 3.6.17: v2 callers block, /v3beta and the Hash route warn, MemberList turns linearizable', () => {
  const r = analyzeGraph(
    graphOf([
      ['legacy', 'PUT /v2/keys'],
      ['reports', 'POST /v3beta/kv/range'],
      ['auditor', 'POST /v3/maintenance/hash'],
      ['ops', '/etcdserverpb.Cluster/MemberList'],
      ['api', '/etcdserverpb.KV/Range'],
    ]),
    { etcdService: 'etcd' },
  );
  const i = impactOf(r, '3.6.17', '3.4.23');
  const by = Object.fromEntries(i.findings.map((f) => [f.code, f]));
  assert.equal(by['v2-api-removed']?.severity, 'blocker');
  assert.deepEqual(by['v2-api-removed']?.services, ['legacy']);
  assert.equal(by['gateway-prefix-deprecated']?.severity, 'warning');
  assert.deepEqual(by['gateway-prefix-deprecated']?.services, ['reports']);
  assert.match(by['gateway-route-changed']!.message, /Hash and .*HashKV in 3\.4\.23 and serves .*Maintenance\/Hash in 3\.6\.17/);
  assert.deepEqual(by['memberlist-linearizable']?.services, ['ops']);
  assert.match(by['rpc-fields-added']!.message, /linearizable \(3\.5\)/);
  assert.equal(i.servicesToCheck[0], 'legacy');
  assert.ok(!i.servicesToCheck.includes('api'), 'KV.Range is unchanged');
});

test('impact 3.6.17 -> 3.7.4: an RPC newer than the cluster fails on old members during the rolling upgrade; unknown gateway paths block', () => {
  const r = analyzeGraph(graphOf([['streamer', '/etcdserverpb.KV/RangeStream'], ['typo', 'POST /v3/kv/rnage']]), { etcdService: 'etcd' });
  const i = impactOf(r, '3.7.4', '3.6.17');
  const codes = i.findings.map((f) => [f.code, f.services.join()]);
  assert.deepEqual(codes, [
    ['gateway-route-missing', 'typo'],
    ['rpc-newer-than-cluster', 'streamer'],
  ]);
  // Without --from only the target is checked.
  assert.deepEqual(impactOf(r, '3.7.4').findings.map((f) => f.code), ['gateway-route-missing']);
});

test('topology command: Zipkin file and OTLP JSONL on stdin, snapshot saved and merged back, Mermaid, latest.json for the dashboard', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'upshift-topology-'));
  try {
    const zipkin = join(dir, 'zipkin.json');
    writeFileSync(
      zipkin,
      JSON.stringify([
        { traceId: 'a', id: 'a', kind: 'SERVER', localEndpoint: { serviceName: 'web' }, timestamp: 1_700_000_000_000_000, duration: 10 },
        { traceId: 'a', parentId: 'a', id: 'b', kind: 'CLIENT', localEndpoint: { serviceName: 'web' }, remoteEndpoint: { serviceName: 'api' }, timestamp: 1_700_000_000_000_001, duration: 8 },
      ]),
    );
    const line = (svc: string, id: string) =>
      JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: svc } }] }, scopeSpans: [{ spans: [{ traceId: 'AAAAAAAAAAAAAAAAAAAAAQ==', spanId: id, kind: 3, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000005000000', attributes: [{ key: 'rpc.service', value: { stringValue: 'etcdserverpb.Lease' } }, { key: 'rpc.method', value: { stringValue: 'LeaseKeepAlive' } }] }] }] }] });
    const stdin = new PassThrough();
    stdin.end(`${line('api', 'AAAAAAAAAAE=')}\n${line('api', 'AAAAAAAAAAI=')}\n`);
    const save = join(dir, 'snap.json');
    const ctx = defaultContext({ env: { UPSHIFT_HOME: dir }, home: dir, stderr: new PassThrough() });
    const r = (await run({ files: [zipkin, '-'], stdin, save }, ctx)) as TopologyResult;
    assert.deepEqual(r.edges.map((e) => [e.parent, e.child, e.calls]), [
      ['api', 'etcd', 2],
      ['web', 'api', 1],
    ]);
    assert.deepEqual(r.blastRadius, ['api', 'web']);
    // The snapshot adds up with itself: counts double, the graph is the same.
    const again = (await run({ files: [save, save] }, ctx)) as TopologyResult;
    assert.deepEqual(again.edges.map((e) => [e.parent, e.child, e.calls]), [
      ['api', 'etcd', 4],
      ['web', 'api', 2],
    ]);
    assert.match(render(r, 'mermaid'), /n\d+ -\.->\|"2 calls · p99 5\.0 ms"\| n\d+/);
    assert.match(render(r, 'table'), /blast radius: api, web/);
    const latest = await readLatest(dir);
    assert.equal(latest?.report.edges.length, 2);
    await assert.rejects(run({ files: [] }, ctx), /needs span files/);
    await assert.rejects(run({ files: [join(dir, 'missing.json')] }, ctx), /cannot read/);
    writeFileSync(join(dir, 'bad.json'), '{"hello": 1}\n');
    await assert.rejects(run({ files: [join(dir, 'bad.json')] }, ctx), /not an OTLP trace request/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('upshift plan --topology: the impact on traced services joins the plan and names them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'upshift-plan-topology-'));
  try {
    const spans = join(dir, 'spans.json');
    writeFileSync(spans, JSON.stringify([{ traceId: 'a', id: 'a', kind: 'CLIENT', localEndpoint: { serviceName: 'legacy-config' }, tags: { 'http.method': 'GET', 'http.url': 'http://etcd:2379/v2/keys/app' }, timestamp: 1_765_000_000_000_000, duration: 10 }]));
    const r = await runCliInProcess(['plan', '--from', '3.4.23', '--to', '3.6.17', '--topology', spans, '-o', 'json'], { ...process.env, UPSHIFT_HOME: dir });
    assert.equal(r.code, 1, r.stderr);
    const p = JSON.parse(r.stdout) as { blocked: boolean; findings: { code: string; severity: string; message: string }[]; topology: { servicesToCheck: string[] } };
    assert.equal(p.blocked, true);
    const f = p.findings.find((x) => x.code === 'topology-v2-api-removed');
    assert.equal(f?.severity, 'blocker');
    assert.match(f!.message, /services: legacy-config/);
    assert.deepEqual(p.topology.servicesToCheck, ['legacy-config']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
