import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { encodePut, encodeRange, encodeCasPut, encodeWatchCreate, encodeLeaseGrant, encodeLeaseId, decodeRange, decodeTxnSucceeded, decodeWatchResponse, decodeLease, prefixEnd, frame } from './wire.js';

// Cross-check the hand-laid-out messages against the project's .proto files (proto/rpc.proto).
const root = protobuf.loadSync(fileURLToPath(new URL('../../proto/rpc.proto', import.meta.url)));
const T = (name: string) => root.lookupType(`etcdserverpb.${name}`);
const b = (s: string) => Buffer.from(s);

test('requests decode with the reference protos', () => {
  const put = T('PutRequest').toObject(T('PutRequest').decode(encodePut(b('k1'), b('v1'), '7587893338237421234')), { longs: String });
  assert.deepEqual({ key: Buffer.from(put.key).toString(), value: Buffer.from(put.value).toString(), lease: put.lease }, { key: 'k1', value: 'v1', lease: '7587893338237421234' });

  const range = T('RangeRequest').toObject(T('RangeRequest').decode(encodeRange(b('a/'), { rangeEnd: prefixEnd(b('a/')), limit: 5, serializable: true })), { longs: Number });
  assert.equal(Buffer.from(range.rangeEnd).toString(), 'a0');
  assert.equal(range.limit, 5);
  assert.equal(range.serializable, true);

  const txn = T('TxnRequest').toObject(T('TxnRequest').decode(encodeCasPut(b('k'), 42, b('v'))), { longs: Number, enums: String });
  assert.equal(txn.compare.length, 1);
  assert.equal(txn.compare[0].target, 'MOD');
  assert.equal(txn.compare[0].result ?? 'EQUAL', 'EQUAL');
  assert.equal(txn.compare[0].modRevision, 42);
  assert.equal(Buffer.from(txn.success[0].requestPut.key).toString(), 'k');

  const w = T('WatchRequest').toObject(T('WatchRequest').decode(encodeWatchCreate(b('w'))));
  assert.equal(Buffer.from(w.createRequest.key).toString(), 'w');
  assert.equal(T('LeaseGrantRequest').toObject(T('LeaseGrantRequest').decode(encodeLeaseGrant(30)), { longs: Number }).TTL, 30);
  assert.equal(T('LeaseKeepAliveRequest').toObject(T('LeaseKeepAliveRequest').decode(encodeLeaseId('9223372036854775807')), { longs: String }).ID, '9223372036854775807');
});

test('responses decode the fields the benchmark reads', () => {
  const kv = { key: b('k'), modRevision: 17, value: b('x') };
  const rr = T('RangeResponse').encode(T('RangeResponse').fromObject({ header: { revision: 20 }, kvs: [kv], count: 3 })).finish();
  assert.deepEqual(decodeRange(rr), { count: 3, firstModRevision: 17, kvs: 1 });
  assert.equal(decodeTxnSucceeded(T('TxnResponse').encode(T('TxnResponse').fromObject({ succeeded: true })).finish()), true);
  assert.equal(decodeTxnSucceeded(T('TxnResponse').encode(T('TxnResponse').fromObject({ succeeded: false })).finish()), false);
  const wr = decodeWatchResponse(T('WatchResponse').encode(T('WatchResponse').fromObject({ header: { revision: 9 }, watchId: 3, created: true, events: [{ type: 0, kv }] })).finish());
  assert.equal(wr.watchId, 3);
  assert.equal(wr.created, true);
  assert.equal(wr.revision, 9);
  assert.equal(wr.events[0]!.modRevision, 17);
  assert.equal(Buffer.from(wr.events[0]!.value!).toString(), 'x');
  const lr = decodeLease(T('LeaseKeepAliveResponse').encode(T('LeaseKeepAliveResponse').fromObject({ ID: '7587893338237421234', TTL: 30 })).finish());
  assert.deepEqual(lr, { id: '7587893338237421234', ttl: 30, error: '' });
});

test('prefixEnd and framing', () => {
  assert.deepEqual([...prefixEnd(Uint8Array.of(0x61, 0xff))], [0x62]);
  assert.deepEqual([...prefixEnd(Uint8Array.of(0xff))], [0]);
  assert.deepEqual([...frame(Uint8Array.of(1, 2))], [0, 0, 0, 0, 2, 1, 2]);
});
