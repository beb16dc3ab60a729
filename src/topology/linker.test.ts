import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkTrace, buildTree, mergeTrace } from './linker.js';
import { GraphBuilder } from './graph.js';
import { readZipkinSpans } from './zipkin.js';
import { readOtlpRequest } from './otlp.js';
import { DEFAULT_PEER_OPTIONS, endpointKeys } from './peer.js';
import { TraceAssembler } from './assembler.js';
import { analyzeGraph } from './analyze.js';
import { normalizeId, type Span } from './span.js';
import { LINKER_CASES, TRACE, span as zspan } from './testdata/zipkin-linker-cases.js';

function zipkin(spans: unknown[]): Span[] {
  const out: Span[] = [];
  readZipkinSpans(spans, DEFAULT_PEER_OPTIONS, (s) => out.push(s), { spans: 0, invalid: 0 });
  return out;
}

function links(g: GraphBuilder) {
  return [...g.edges.values()].map((e) => ({ parent: e.parent, child: e.child, calls: e.calls, errors: e.errors })).sort((a, b) => `${a.parent}>${a.child}`.localeCompare(`${b.parent}>${b.child}`));
}

const sorted = <T extends { parent: string; child: string }>(l: T[]) => [...l].sort((a, b) => `${a.parent}>${a.child}`.localeCompare(`${b.parent}>${b.child}`));

for (const c of LINKER_CASES) {
  test(`Zipkin DependencyLinkerTest.${c.zipkinTest}`, () => {
    const g = new GraphBuilder();
    for (const t of c.traces) linkTrace(zipkin(t), g);
    assert.deepEqual(links(g), sorted(c.links));
  });
}

test('the linker does not depend on the order spans were reported in', () => {
  for (const c of LINKER_CASES) {
    const g = new GraphBuilder();
    for (const t of c.traces) linkTrace(zipkin([...t].reverse()), g);
    assert.deepEqual(links(g), sorted(c.links), c.zipkinTest);
  }
});

test('merge: fragments of one span reported twice become one span; a server reusing the client id is marked shared', () => {
  const frag1 = zspan('a', null, 'b', 'CLIENT', 'web', null, false, { timestamp: 10 });
  const frag2 = zspan('a', null, 'b', 'CLIENT', 'web', 'app', false, { duration: 5 });
  const server = zspan('a', null, 'b', 'SERVER', 'app', null, false);
  const merged = mergeTrace(zipkin([frag1, frag2, server]));
  assert.equal(merged.length, 2);
  assert.equal(merged[0]!.remoteService, 'app');
  assert.equal(merged[0]!.durationUs, 5);
  assert.equal(merged[1]!.shared, true);
});

test('headless traces hang under a synthetic root; self-parented and cyclic spans are counted, not lost silently', () => {
  const t = buildTree(zipkin(TRACE.slice(0, 2)));
  assert.equal(t.root.span, undefined);
  const g = new GraphBuilder();
  linkTrace(zipkin([zspan('a', 'b', 'b', 'SERVER', 'x', null, false), zspan('a', null, 'r', 'SERVER', 'root', null, false)]), g);
  assert.equal(g.skipped['self-parent'], 1);
  const g2 = new GraphBuilder();
  linkTrace(zipkin([zspan('a', null, 'r', 'SERVER', 'root', null, false), zspan('a', 'd', 'c', 'SERVER', 'x', null, false), zspan('a', 'c', 'd', 'SERVER', 'y', null, false)]), g2);
  assert.equal(g2.skipped.cycle, 2);
});

test('ids: base64 (proto3 JSON bytes) and hex name the same span; empty and all-zero parents are absent', () => {
  assert.equal(normalizeId('AAAAAAAAAAE=', 8), '0000000000000001');
  assert.equal(normalizeId('0000000000000001', 8), '0000000000000001');
  assert.equal(normalizeId('AAAAAAAAAAAAAAAAAAAAAQ==', 16), '00000000000000000000000000000001');
  assert.equal(normalizeId('5B8EFFF798038103D269B633813FC60C', 16), '5b8efff798038103d269b633813fc60c');
  for (const none of ['', '0000000000000000', 'AAAAAAAAAAA=', undefined]) assert.equal(normalizeId(none, 8), undefined);
  assert.equal(normalizeId(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 2]), 8), '0000000000000002');
});

const kv = (key: string, v: string | number) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } });
function otlpSpan(id: string, parent: string | undefined, kind: number, attrs: Record<string, string | number> = {}, status = 0, startMs = 1000, durMs = 2) {
  return {
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: id,
    ...(parent ? { parentSpanId: parent } : { parentSpanId: '' }),
    name: id,
    kind,
    startTimeUnixNano: String(BigInt(startMs) * 1_000_000n),
    endTimeUnixNano: String(BigInt(startMs + durMs) * 1_000_000n),
    attributes: Object.entries(attrs).map(([k, v]) => kv(k, v)),
    status: { code: status },
  };
}
const resource = (service: string, spans: unknown[]) => ({ resource: { attributes: [kv('service.name', service)] }, scopeSpans: [{ scope: { name: 't' }, spans }] });

function otlp(req: unknown, opts = DEFAULT_PEER_OPTIONS): Span[] {
  const out: Span[] = [];
  readOtlpRequest(req, opts, (s) => out.push(s), { spans: 0, invalid: 0 });
  return out;
}

test('OTLP: a client call through an internal span to an uninstrumented etcd is an edge to etcd with its RPC', () => {
  const req = {
    resourceSpans: [
      resource('api', [
        otlpSpan('0000000000000001', undefined, 2, { 'http.request.method': 'GET', 'url.path': '/orders' }),
        otlpSpan('0000000000000002', '0000000000000001', 1),
        otlpSpan('0000000000000003', '0000000000000002', 3, { 'rpc.system': 'grpc', 'rpc.service': 'etcdserverpb.KV', 'rpc.method': 'Range', 'server.address': '10.0.0.1', 'server.port': 2379 }, 0, 1001, 4),
        otlpSpan('0000000000000004', '0000000000000002', 3, { 'rpc.system': 'grpc', 'rpc.service': 'etcdserverpb.Watch', 'rpc.method': 'Watch' }, 2),
      ]),
    ],
  };
  const g = new GraphBuilder();
  linkTrace(otlp(req), g);
  const e = g.edges.get('api\u0000etcd')!;
  assert.equal(e.calls, 2);
  assert.equal(e.errors, 1);
  assert.deepEqual([...e.ops.keys()].sort(), ['/etcdserverpb.KV/Range', '/etcdserverpb.Watch/Watch']);
  const r = analyzeGraph(g, { etcdService: 'etcd' });
  assert.deepEqual(r.etcd.nodes, ['etcd']);
  assert.equal(r.edges[0]!.virtual, true);
  assert.equal(r.services.find((s) => s.name === 'api')!.entry.calls, 1);
});

test('OTLP: client and etcd server spans pair; the client error and latency count, the RPC comes from the server span', () => {
  const req = {
    resourceSpans: [
      resource('api', [otlpSpan('0000000000000001', undefined, 2), otlpSpan('0000000000000002', '0000000000000001', 3, { 'server.address': '127.0.0.1', 'server.port': 2379 }, 2, 1000, 8)]),
      resource('etcd', [otlpSpan('0000000000000003', '0000000000000002', 2, { 'rpc.system': 'grpc', 'rpc.service': 'etcdserverpb.KV', 'rpc.method': 'Txn' }, 0, 1001, 3)]),
    ],
  };
  const g = new GraphBuilder();
  linkTrace(otlp(req, { etcdService: 'etcd', etcdEndpoints: endpointKeys(['http://localhost:2379']) }), g);
  assert.deepEqual(links(g), [{ parent: 'api', child: 'etcd', calls: 1, errors: 1 }]);
  const e = g.edges.get('api\u0000etcd')!;
  assert.deepEqual([...e.ops.keys()], ['/etcdserverpb.KV/Txn']);
  assert.ok(Math.abs(e.latency.percentile(99) - 8000) / 8000 < 0.02);
  const r = analyzeGraph(g, { etcdService: 'etcd' });
  assert.equal(r.edges[0]!.virtual, false);
});

test('etcd recognised by endpoint, and by its own spans under another service name; root etcd spans are untraced callers', () => {
  const byEndpoint = otlp({ resourceSpans: [resource('cron', [otlpSpan('0000000000000001', undefined, 3, { 'server.address': 'localhost', 'server.port': 2379 })])] }, { etcdService: 'etcd', etcdEndpoints: endpointKeys(['127.0.0.1:2379']) });
  assert.equal(byEndpoint[0]!.remoteService, 'etcd');
  assert.equal(byEndpoint[0]!.remoteBy, 'endpoint');
  const g = new GraphBuilder();
  linkTrace(otlp({ resourceSpans: [resource('etcd-main', [otlpSpan('0000000000000009', undefined, 2, { 'rpc.service': 'etcdserverpb.Lease', 'rpc.method': 'LeaseKeepAlive' })])] }), g);
  const r = analyzeGraph(g, { etcdService: 'etcd' });
  assert.deepEqual(r.etcd.nodes, ['etcd-main']);
  assert.equal(r.etcd.untracedCalls.calls, 1);
  assert.deepEqual(r.etcd.rpcs, [{ op: '/etcdserverpb.Lease/LeaseKeepAlive', calls: 1, errors: 0 }]);
});

test('v2 HTTP and gateway paths to etcd are operations with bounded names', () => {
  const spans = otlp({ resourceSpans: [resource('legacy', [otlpSpan('0000000000000001', undefined, 3, { 'http.method': 'PUT', 'http.url': 'http://etcd:2379/v2/keys/app/config?prevExist=true' }), otlpSpan('0000000000000002', undefined, 3, { 'http.request.method': 'POST', 'url.full': 'http://etcd:2379/v3beta/kv/range' })])] });
  assert.deepEqual(spans.map((s) => [s.remoteService, s.op]), [['etcd', 'PUT /v2/keys'], ['etcd', 'POST /v3beta/kv/range']]);
});

test('blast radius: transitive callers with their path to etcd', () => {
  const g = new GraphBuilder();
  const call = (parent: string, child: string, n = 1) => {
    for (let i = 0; i < n; i++) g.link({ parent, child, error: false, durationUs: 1000, startUs: 1, op: child === 'etcd' ? '/etcdserverpb.KV/Range' : undefined, virtual: false });
  };
  call('web', 'api', 3);
  call('api', 'etcd', 5);
  call('batch', 'scheduler');
  call('scheduler', 'etcd');
  call('web', 'cdn');
  call('etcd', 'etcd');
  const r = analyzeGraph(g, { etcdService: 'etcd' });
  assert.deepEqual(r.blastRadius, ['api', 'scheduler', 'batch', 'web']);
  assert.deepEqual(r.etcdCallers.find((c) => c.service === 'web')!.path, ['web', 'api', 'etcd']);
  assert.equal(r.etcdCallers.find((c) => c.service === 'api')!.calls, 5);
  assert.ok(r.edges.find((e) => e.parent === 'etcd')!.selfLoop);
});

test('assembler: bounded open traces (evicted ones are linked as they are), late spans counted, idle traces closed', () => {
  let now = 0;
  const g = new GraphBuilder();
  const a = new TraceAssembler(g, { maxOpenTraces: 2, idleMs: 100, now: () => now });
  const mk = (trace: string, id: string, parent: string | null, kind: 'CLIENT' | 'SERVER', local: string) => zipkin([zspan(trace, parent, id, kind, local, null, false)])[0]!;
  a.add(mk('1', 'a', null, 'CLIENT', 'web'));
  a.add(mk('2', 'a', null, 'CLIENT', 'web'));
  a.add(mk('3', 'a', null, 'CLIENT', 'web'));
  assert.equal(a.evictedTraces, 1);
  a.add(mk('1', 'b', 'a', 'SERVER', 'app'));
  assert.equal(a.lateSpans, 1);
  now = 1000;
  assert.equal(a.closeIdle(), 2);
  a.closeAll();
  assert.equal(g.traces, 4);
});
