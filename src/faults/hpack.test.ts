/**
 * HPACK against a real encoder: node:http2 (nghttp2) sends requests whose header blocks are captured on
 * the wire and decoded here, dynamic table, Huffman strings, evictions and "never indexed" fields included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { createServer, connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { HpackDecoder, HpackError, encodeHeaders } from './hpack.js';
import { FrameReader, FRAME, FLAG, headersFragment } from './h2-frames.js';

test('decodes what nghttp2 encodes: 60 requests through one connection, dynamic table and evictions included', async () => {
  const server = http2.createServer();
  const seen: Record<string, string>[] = [];
  server.on('stream', (s, h) => {
    seen.push(Object.fromEntries(Object.entries(h).filter(([k]) => typeof h[k] === 'string').map(([k, v]) => [k, v as string])));
    s.respond({ ':status': 200 });
    s.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  // A tee between client and server: the client's bytes are kept for decoding.
  const wire: Buffer[] = [];
  const tee = createServer((c: Socket) => {
    const u = connect((server.address() as { port: number }).port, '127.0.0.1');
    c.on('data', (d: Buffer) => {
      wire.push(Buffer.from(d));
      u.write(d);
    });
    u.pipe(c);
    c.on('close', () => u.destroy());
    u.on('error', () => c.destroy());
  });
  tee.listen(0, '127.0.0.1');
  await once(tee, 'listening');
  const client = http2.connect(`http://127.0.0.1:${(tee.address() as { port: number }).port}`);
  const sent: Record<string, string>[] = [];
  try {
    for (let i = 0; i < 60; i++) {
      const h: Record<string, string> = {
        ':method': 'POST',
        ':path': `/etcdserverpb.KV/${i % 3 ? 'Range' : 'Put'}`,
        'content-type': 'application/grpc',
        te: 'trailers',
        'x-big': `v${i}-${'éa\u00ffx'.repeat(80)}`.slice(0, 150 + (i % 7) * 20),
        token: `secret-${i % 4}`,
      };
      sent.push(h);
      const r = client.request(i % 4 === 0 ? { ...h, [http2.sensitiveHeaders]: ['token'] } : h, { endStream: true });
      r.resume();
      await once(r, 'end');
    }
  } finally {
    client.close();
    tee.close();
    server.close();
  }
  const dec = new HpackDecoder();
  const decoded: Record<string, string>[] = [];
  let block: Buffer[] = [];
  const reader = new FrameReader(
    (f) => {
      if (f.type === FRAME.HEADERS) block = [headersFragment(f)];
      else if (f.type === FRAME.CONTINUATION) block.push(f.payload);
      else return;
      if (f.flags & FLAG.END_HEADERS) decoded.push(Object.fromEntries(dec.decode(Buffer.concat(block)).map((x) => [x.name, x.value])));
    },
    () => undefined,
  );
  reader.push(Buffer.concat(wire));
  assert.equal(decoded.length, 60);
  for (let i = 0; i < 60; i++) {
    // What nghttp2 on the server decoded, field by field (node:http2 sends header strings as latin1).
    for (const k of Object.keys(sent[i]!)) assert.equal(decoded[i]![k], seen[i]![k], `request ${i}: ${k}`);
    assert.equal(decoded[i]![':path'], sent[i]![':path']);
    assert.equal(decoded[i]![':authority'], seen[i]![':authority']);
  }
});

test('encodeHeaders never touches the dynamic table and round-trips octets, sensitive fields stay never-indexed', () => {
  const fields = [
    { name: ':status', value: '200' },
    { name: 'content-type', value: 'application/grpc' },
    { name: 'grpc-status', value: '14' },
    { name: 'grpc-message', value: 'upshift fault f1: injected UNAVAILABLE' },
    { name: 'authorization', value: 'Bearer x', sensitive: true },
    { name: 'x-long', value: 'y'.repeat(300) },
  ];
  const block = encodeHeaders(fields);
  const dec = new HpackDecoder();
  assert.deepEqual(dec.decode(block), fields);
  // Decoding it twice gives the same: nothing was added to the table.
  assert.deepEqual(dec.decode(block), fields);
  assert.equal(block[0], 0x88, ':status 200 is static index 8');
});

test('malformed blocks are errors, not garbage', () => {
  const dec = new HpackDecoder();
  assert.throws(() => dec.decode(Buffer.from([0x80])), HpackError); // index 0
  assert.throws(() => dec.decode(Buffer.from([0xbf, 0x7f])), HpackError); // dynamic index past the table
  assert.throws(() => dec.decode(Buffer.from([0x00, 0x85, 0xff])), HpackError); // string longer than the block
  assert.throws(() => dec.decode(Buffer.from([0x00, 0x81, 0xff, 0x81, 0x00])), HpackError); // Huffman: 8 bits of padding
});

test('the dynamic table: newest first, grows past its first capacity, evicts the oldest by size', () => {
  const dec = new HpackDecoder();
  // 150 "literal with incremental indexing, new name" fields k0..k149 with empty values: 32 + name length each.
  const parts: number[] = [];
  for (let i = 0; i < 150; i++) {
    const name = `k${i}`;
    parts.push(0x40, name.length, ...Buffer.from(name), 0x00);
  }
  assert.equal(dec.decode(Buffer.from(parts)).length, 150);
  const at = (i: number): string => dec.decode(Buffer.from(i < 127 ? [0x80 | i] : [0xff, i - 127]))[0]!.name;
  assert.equal(at(62), 'k149', 'index 62: the newest');
  assert.equal(at(63), 'k148');
  // 4096 bytes hold the newest entries whose sizes (34 or 35 octets) sum to <= 4096: k149 back to k33.
  let size = 0;
  let oldest = 149;
  while (oldest >= 0 && size + 32 + `k${oldest}`.length <= 4096) size += 32 + `k${oldest--}`.length;
  assert.equal(at(61 + (149 - oldest)), `k${oldest + 1}`, 'the oldest kept');
  assert.throws(() => at(62 + (149 - oldest)), HpackError, 'evicted');
  // A size update to 0 empties it.
  dec.decode(Buffer.from([0x20]));
  assert.throws(() => at(62), HpackError);
});
