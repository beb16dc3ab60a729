import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideRpc, httpStatusOf, isGrpcContentType, rulesTargetHttp, methodMatches, parseAbortSpec, parseGrpcCode, parseRate, streamEffects, type RpcRule } from './rpc-rules.js';
import { seededRng } from './rng.js';

test('method scope: exact paths and prefix* patterns', () => {
  assert.ok(methodMatches(undefined, '/etcdserverpb.KV/Put'));
  assert.ok(methodMatches(['/etcdserverpb.KV/*'], '/etcdserverpb.KV/Range'));
  assert.ok(!methodMatches(['/etcdserverpb.KV/*'], '/etcdserverpb.Maintenance/Status'));
  assert.ok(methodMatches(['/etcdserverpb.KV/Put'], '/etcdserverpb.KV/Put'));
  assert.ok(!methodMatches(['/etcdserverpb.KV/Put'], '/etcdserverpb.KV/PutX'));
});

test('abort rate: about the asked share, the same sequence for the same seed', () => {
  const rules: RpcRule[] = [{ id: 'a', abort: { rate: 0.05, code: 14 } }];
  const run = (): boolean[] => {
    const root = seededRng(3);
    const rngs = new Map<string, ReturnType<typeof seededRng>>();
    const rngOf = (id: string) => rngs.get(id) ?? (rngs.set(id, root.fork(id)), rngs.get(id)!);
    return Array.from({ length: 20000 }, () => decideRpc(rules, '/etcdserverpb.KV/Put', rngOf).abort !== undefined);
  };
  const a = run();
  const share = a.filter(Boolean).length / a.length;
  assert.ok(share > 0.045 && share < 0.055, `share ${share}`);
  assert.deepEqual(run(), a);
});

test('decision: first abort wins, delays add, stream delay defaults to watches, blackhole holds', () => {
  const rng = () => seededRng(1);
  const d = decideRpc(
    [
      { id: 'd1', delay: { ms: 100 } },
      { id: 'd2', delay: { ms: 50 }, methods: ['/etcdserverpb.KV/*'] },
      { id: 'a', abort: { rate: 1, code: 4 } },
    ],
    '/etcdserverpb.KV/Range',
    rng,
  );
  assert.equal(d.delayMs, 150);
  assert.equal(d.abort?.code, 4);
  assert.match(d.abort!.message, /injected DEADLINE_EXCEEDED/);
  assert.equal(decideRpc([{ id: 'w', streamDelay: { ms: 10 } }], '/etcdserverpb.KV/Range', rng).streamDelay, undefined);
  assert.equal(decideRpc([{ id: 'w', streamDelay: { ms: 10 } }], '/etcdserverpb.Watch/Watch', rng).streamDelay?.ms, 10);
  assert.equal(decideRpc([{ id: 'b', blackhole: true, methods: ['/etcdserverpb.KV/Put'] }], '/etcdserverpb.KV/Put', rng).hold, true);
  assert.equal(decideRpc([{ id: 'b', blackhole: true, methods: ['/etcdserverpb.KV/Put'] }], '/etcdserverpb.KV/Range', rng).hold, false);
});

test('parsing of rates and codes', () => {
  assert.equal(parseRate('5%'), 0.05);
  assert.equal(parseRate('0.25'), 0.25);
  assert.throws(() => parseRate('101%'), /not a rate/);
  assert.equal(parseGrpcCode('unavailable'), 14);
  assert.equal(parseGrpcCode('RESOURCE-EXHAUSTED'), 8);
  assert.equal(parseGrpcCode('4'), 4);
  assert.throws(() => parseGrpcCode('OK'), /not a gRPC error status/);
  assert.deepEqual(parseAbortSpec('5%'), { rate: 0.05, code: 14 });
  assert.deepEqual(parseAbortSpec('10%:DEADLINE_EXCEEDED'), { rate: 0.1, code: 4 });
});

test('stream effects: hold and watch delay of an open stream, without rolling any dice', () => {
  const rules: RpcRule[] = [
    { id: 'a', abort: { rate: 1, code: 14 } },
    { id: 'w', streamDelay: { ms: 30, jitterMs: 5 } },
    { id: 'b', blackhole: true, methods: ['/etcdserverpb.Watch/*'] },
  ];
  assert.deepEqual(streamEffects(rules, '/etcdserverpb.Watch/Watch'), { hold: true, streamDelay: { ms: 30, jitterMs: 5 } });
  assert.deepEqual(streamEffects(rules, '/etcdserverpb.KV/Range'), { hold: false, streamDelay: undefined });
});

test('plain HTTP requests: only rules naming their path apply; gRPC is told by content-type', () => {
  const rng = () => seededRng(1);
  const rules: RpcRule[] = [
    { id: 'all', abort: { rate: 1, code: 14 } },
    { id: 'kv', methods: ['/etcdserverpb.KV/*'], abort: { rate: 1, code: 14 }, delay: { ms: 10 } },
    { id: 'w', streamDelay: { ms: 50 } },
  ];
  const h = decideRpc(rules, '/health', rng, false);
  assert.equal(h.abort, undefined);
  assert.equal(h.delayMs, 0);
  assert.deepEqual(h.rules, []);
  assert.equal(streamEffects(rules, '/health', false).streamDelay, undefined);
  assert.ok(decideRpc(rules, '/etcdserverpb.KV/Range', rng).abort);
  assert.ok(!rulesTargetHttp(rules));
  const named: RpcRule[] = [{ id: 'h', methods: ['/health'], abort: { rate: 1, code: 14 } }];
  assert.ok(rulesTargetHttp(named));
  assert.ok(rulesTargetHttp([{ id: 'gw', methods: ['/v3/*'] }]));
  assert.equal(decideRpc(named, '/health', rng, false).abort?.rule, 'h');
  assert.equal(decideRpc(named, '/version', rng, false).abort, undefined);
  assert.equal(httpStatusOf(14), 503);
  assert.ok(isGrpcContentType('application/grpc'));
  assert.ok(isGrpcContentType('application/grpc+proto'));
  assert.ok(!isGrpcContentType('application/json'));
  assert.ok(!isGrpcContentType('application/grpc-web'));
  assert.ok(!isGrpcContentType(undefined));
});
