import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { OtlpReceiver, EXPORT_PATH, encodeExportRequest, decodeExportRequest, grpcMessages, type OtlpProtocol } from './receiver.js';
import { readOtlpRequest } from './otlp.js';
import { DEFAULT_PEER_OPTIONS } from './peer.js';
import type { Span } from './span.js';

const request = (service: string) => ({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [
        {
          scope: { name: 't' },
          spans: [
            {
              traceId: Buffer.from('5b8efff798038103d269b633813fc60c', 'hex'),
              spanId: Buffer.from('eee19b7ec3c1b174', 'hex'),
              name: 'etcdserverpb.KV/Range',
              kind: 3,
              startTimeUnixNano: '1544712660000000000',
              endTimeUnixNano: '1544712661000000000',
              attributes: [
                { key: 'rpc.service', value: { stringValue: 'etcdserverpb.KV' } },
                { key: 'rpc.method', value: { stringValue: 'Range' } },
                { key: 'server.port', value: { intValue: '2379' } },
              ],
              status: { code: 2 },
            },
          ],
        },
      ],
    },
  ],
});

function spansOf(doc: unknown): Span[] {
  const out: Span[] = [];
  readOtlpRequest(doc, DEFAULT_PEER_OPTIONS, (s) => out.push(s), { spans: 0, invalid: 0 });
  return out;
}

test('protobuf round trip: decoded requests read like OTLP JSON (ids from bytes, int64 nanos, status)', () => {
  const [s] = spansOf(decodeExportRequest(encodeExportRequest(request('api'))));
  assert.equal(s!.traceId, '5b8efff798038103d269b633813fc60c');
  assert.equal(s!.id, 'eee19b7ec3c1b174');
  assert.equal(s!.parentId, undefined);
  assert.equal(s!.kind, 'CLIENT');
  assert.equal(s!.startUs, 1544712660000000);
  assert.equal(s!.durationUs, 1_000_000);
  assert.equal(s!.error, true);
  assert.equal(s!.op, '/etcdserverpb.KV/Range');
  assert.equal(s!.remoteService, 'etcd');
  const framed = Buffer.concat([Buffer.from([1, 0, 0, 0, 0]), Buffer.from([0, 0, 0, 0, 0])]);
  assert.throws(() => grpcMessages(Buffer.from([0, 0, 0, 0, 9, 1]), 'identity'), /truncated/);
  assert.throws(() => grpcMessages(framed, 'identity'), /unsupported grpc-encoding/);
});

test('one address takes OTLP/gRPC (grpc-js), OTLP/HTTP protobuf and JSON (HTTP/1.1, gzip) and OTLP/HTTP over h2c', async () => {
  const got: { protocol: OtlpProtocol; service: string }[] = [];
  const rx = new OtlpReceiver({ host: '127.0.0.1', port: 0, onRequest: (doc, protocol) => got.push({ protocol, service: spansOf(doc)[0]!.localService! }) });
  const port = await rx.start();
  try {
    // gRPC, as the OTel exporters and etcd send it (a generic grpc-js client with raw bytes).
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    await new Promise<void>((resolve, reject) =>
      client.makeUnaryRequest(EXPORT_PATH, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(encodeExportRequest(request('grpc-svc'))), (err) => (err ? reject(err) : resolve())),
    );
    const unknown = await new Promise<grpc.ServiceError | null>((resolve) => client.makeUnaryRequest('/x.Y/Z', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), (err) => resolve(err)));
    assert.equal(unknown?.code, grpc.status.UNIMPLEMENTED);
    client.close();
    // OTLP/HTTP protobuf, gzip.
    const pb = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, body: gzipSync(encodeExportRequest(request('pb-svc'))) });
    assert.equal(pb.status, 200);
    // OTLP/HTTP JSON with hex ids.
    const json = request('json-svc');
    const sp = json.resourceSpans[0]!.scopeSpans[0]!.spans[0]! as Record<string, unknown>;
    sp.traceId = '5b8efff798038103d269b633813fc60c';
    sp.spanId = 'eee19b7ec3c1b174';
    const js = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) });
    assert.equal(js.status, 200);
    assert.equal(await js.text(), '{}');
    // Bad bodies are answered 400, other paths 404.
    assert.equal((await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' })).status, 400);
    assert.equal((await fetch(`http://127.0.0.1:${port}/v1/metrics`, { method: 'POST', body: '' })).status, 404);
    // OTLP/HTTP over h2c.
    const h2 = http2.connect(`http://127.0.0.1:${port}`);
    const status = await new Promise<number>((resolve, reject) => {
      const s = h2.request({ ':method': 'POST', ':path': '/v1/traces', 'content-type': 'application/x-protobuf' });
      s.on('response', (h) => resolve(Number(h[':status'])));
      s.on('error', reject);
      s.end(Buffer.from(encodeExportRequest(request('h2-svc'))));
    });
    h2.close();
    assert.equal(status, 200);
    assert.deepEqual(got, [
      { protocol: 'grpc', service: 'grpc-svc' },
      { protocol: 'http/protobuf', service: 'pb-svc' },
      { protocol: 'http/json', service: 'json-svc' },
      { protocol: 'http/protobuf', service: 'h2-svc' },
    ]);
    assert.equal(rx.stats.rejected, 1);
  } finally {
    await rx.close();
  }
});
