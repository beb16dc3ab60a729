import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SnapshotBodyDecoder } from './snapshot-stream.js';

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}
const field = (no: number, payload: Buffer): Buffer => Buffer.concat([Buffer.from(varint(no * 8 + 2)), Buffer.from(varint(payload.length)), payload]);

/** A SnapshotResponse as etcd sends it: header, remaining_bytes, blob, and (3.6) version. */
function message(blob: Buffer, remaining: number, version?: string): Buffer {
  const body = Buffer.concat([
    field(1, Buffer.from([0x08, 0x96, 0x01, 0x10, 0x05])),
    Buffer.from([0x10, ...varint(remaining)]),
    field(3, blob),
    ...(version ? [field(4, Buffer.from(version))] : []),
  ]);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(body.length, 1);
  return Buffer.concat([prefix, body]);
}

test('decodes blobs and the version across any chunking', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ minLength: 0, maxLength: 300 }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
      fc.boolean(),
      (blobs, cuts, withVersion) => {
        const body = Buffer.concat(blobs.map((b, i) => message(Buffer.from(b), 1000 - i, withVersion && i === blobs.length - 1 ? '3.6.0' : undefined)));
        const got: Buffer[] = [];
        const d = new SnapshotBodyDecoder((b) => got.push(Buffer.from(b)));
        let pos = 0;
        let i = 0;
        while (pos < body.length) {
          const n = cuts[i++ % cuts.length]!;
          d.push(body.subarray(pos, pos + n));
          pos += n;
        }
        assert.deepEqual(Buffer.concat(got), Buffer.concat(blobs.map((b) => Buffer.from(b))));
        assert.equal(d.atBoundary, true);
        assert.equal(d.version, withVersion ? '3.6.0' : undefined);
        assert.equal(d.bytes, Buffer.concat(got).length);
        assert.deepEqual(d.header, { cluster_id: '150', member_id: '5', revision: '0', raft_term: '0' });
      },
    ),
  );
});

test('the first header is decoded with 64-bit ids and the revision', () => {
  const hdr = Buffer.from([0x08, ...varint(0), 0x18, ...varint(245761), 0x20, ...varint(7)]);
  // cluster_id 0xcdef0123456789ab does not fit a double: 10-byte varint.
  const big = [0xab, 0x93, 0x9e, 0xab, 0xb4, 0xa4, 0xc0, 0xf7, 0xcd, 0x01];
  const body = Buffer.concat([field(1, Buffer.concat([Buffer.from([0x08, ...big]), hdr.subarray(2)])), field(3, Buffer.from('x'))]);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(body.length, 1);
  const d = new SnapshotBodyDecoder(() => undefined);
  d.push(Buffer.concat([prefix, body]));
  assert.deepEqual(d.header, { cluster_id: BigInt('0xcdef0123456789ab').toString(), member_id: '0', revision: '245761', raft_term: '7' });
});

test('a body cut inside a message is not at a boundary', () => {
  const m = message(Buffer.alloc(100, 1), 0);
  const d = new SnapshotBodyDecoder(() => undefined);
  d.push(m.subarray(0, m.length - 3));
  assert.equal(d.atBoundary, false);
});

test('compressed messages are refused', () => {
  const d = new SnapshotBodyDecoder(() => undefined);
  assert.throws(() => d.push(Buffer.from([1, 0, 0, 0, 1, 0])), /compressed/);
});
