import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { SnapshotHasher, hasTrailerSize } from './integrity.js';
import { fnv1a64 } from './bbolt.js';

test('SnapshotHasher: whole-file and without-trailer hashes for any chunking', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 400 }), fc.array(fc.integer({ min: 0, max: 70 }), { minLength: 1, maxLength: 10 }), (data, cuts) => {
      const buf = Buffer.from(data);
      const h = new SnapshotHasher();
      let pos = 0;
      let i = 0;
      while (pos < buf.length) {
        const n = Math.max(1, cuts[i++ % cuts.length]!);
        h.update(buf.subarray(pos, pos + n));
        pos += n;
      }
      const d = h.digest();
      const cut = Math.max(0, buf.length - 32);
      assert.equal(d.file, createHash('sha256').update(buf).digest('hex'));
      assert.equal(d.withoutTrailer, createHash('sha256').update(buf.subarray(0, cut)).digest('hex'));
      assert.equal(d.trailer, buf.subarray(cut).toString('hex'));
      assert.equal(h.digest(), d, 'digest is memoised');
    }),
  );
});

test('etcd trailer size rule (size % 512 == 32)', () => {
  assert.equal(hasTrailerSize(4096 * 3 + 32), true);
  assert.equal(hasTrailerSize(4096 * 3), false);
});

test('FNV-1a 64 known vectors', () => {
  assert.equal(fnv1a64(Buffer.from('')), 0xcbf29ce484222325n);
  assert.equal(fnv1a64(Buffer.from('a')), 0xaf63dc4c8601ec8cn);
  assert.equal(fnv1a64(Buffer.from('foobar')), 0x85944171f73967e8n);
});
