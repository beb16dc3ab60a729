/**
 * The L7 proxy's HTTP/2 frame relay between a node:http2 client and a node:http2 server (the etcd-facing
 * behaviour is in test/faults-proxy.test.ts): flow-control credit for dropped and injected bytes, GOAWAY
 * translated without ever hiding a processed request, stream resets passed on with their code, header
 * blocks larger than a frame, held requests released or cancelled.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http2, { constants as h2c, type ServerHttp2Session, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { once } from 'node:events';
import { L7FaultProxy } from './l7-proxy.js';

let server: http2.Http2Server;
let proxy: L7FaultProxy;
let url = '';
const sessions: ServerHttp2Session[] = [];
const received: { path: string; bytes: number; id: number }[] = [];

before(async () => {
  server = http2.createServer({ maxSessionMemory: 64 });
  server.on('session', (s) => sessions.push(s));
  server.on('stream', (stream, headers) => {
    const path = String(headers[':path']);
    let bytes = 0;
    stream.on('data', (d: Buffer) => (bytes += d.length));
    stream.on('error', () => undefined);
    stream.on('end', () => {
      received.push({ path, bytes, id: stream.id ?? 0 });
      if (path === '/refuse') return stream.close(h2c.NGHTTP2_REFUSED_STREAM);
      if (path === '/slow') return setTimeout(() => !stream.destroyed && stream.respond({ ':status': 200 }, { endStream: true }), 300);
      if (path.startsWith('/download/')) {
        stream.respond({ ':status': 200 });
        stream.end(Buffer.alloc(Number(path.split('/')[2]), 7));
        return;
      }
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'x-echo-len': String(String(headers['x-big'] ?? '').length), 'x-big-reply': 'r'.repeat(Number(headers['x-reply-len'] ?? 0)) }, { waitForTrailers: true });
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'x-bytes': String(bytes) }));
      stream.end(Buffer.from([0, 0, 0, 0, 0]));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  proxy = new L7FaultProxy({ listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: (server.address() as { port: number }).port }, seed: 1 });
  url = `http://127.0.0.1:${await proxy.start()}`;
});

after(async () => {
  await proxy.close();
  for (const s of sessions) s.destroy();
  server.close();
});

interface Reply {
  status?: number;
  headers: Record<string, unknown>;
  trailers: Record<string, unknown>;
  body: number;
  rst?: number;
}

function call(c: ClientHttp2Session, path: string, body: Buffer | undefined, extra: Record<string, string> = {}, grpc = true): { stream: ClientHttp2Stream; done: Promise<Reply> } {
  const stream = c.request({ ':method': 'POST', ':path': path, ...(grpc ? { 'content-type': 'application/grpc' } : {}), ...extra }, { endStream: !body });
  const r: Reply = { headers: {}, trailers: {}, body: 0 };
  const done = new Promise<Reply>((resolve) => {
    stream.on('response', (h) => {
      r.headers = h;
      r.status = Number(h[':status']);
    });
    stream.on('trailers', (t) => (r.trailers = t));
    stream.on('data', (d: Buffer) => (r.body += d.length));
    stream.on('error', () => undefined);
    stream.on('close', () => {
      if (stream.rstCode) r.rst = stream.rstCode;
      resolve(r);
    });
  });
  if (body) stream.end(body);
  return { stream, done };
}

function connect(): ClientHttp2Session {
  const c = http2.connect(url);
  c.on('error', () => undefined);
  return c;
}

test('dropped request bytes are credited back: 200 aborted RPCs with 64 KiB bodies, then a 1 MiB request goes through on the same connection', async () => {
  const c = connect();
  try {
    proxy.addRule({ id: 'drop', methods: ['/drop'], abort: { rate: 1, code: 14 } });
    for (let i = 0; i < 200; i++) {
      const r = await call(c, '/drop', Buffer.alloc(64 * 1024, 1)).done;
      assert.equal(r.trailers['grpc-status'] ?? r.headers['grpc-status'], '14');
    }
    const big = await call(c, '/big', Buffer.alloc(1024 * 1024, 2)).done;
    assert.equal(big.trailers['x-bytes'], String(1024 * 1024));
    assert.equal(received.filter((x) => x.path === '/drop').length, 0, 'no aborted request reached the server');
  } finally {
    proxy.clearRules();
    c.close();
  }
});

test('bytes injected for aborted plain HTTP requests are not credited upstream: 300 aborted, then 8 MiB downloaded without a flow-control error', async () => {
  const c = connect();
  try {
    proxy.addRule({ id: 'health-down', methods: ['/health'], abort: { rate: 1, code: 14 } });
    for (let i = 0; i < 300; i++) {
      const r = await call(c, '/health', undefined, {}, false).done;
      assert.equal(r.status, 503);
      assert.ok(r.body > 20);
    }
    const d = await call(c, `/download/${8 * 1024 * 1024}`, undefined, {}, false).done;
    assert.equal(d.rst, undefined);
    assert.equal(d.body, 8 * 1024 * 1024);
  } finally {
    proxy.clearRules();
    c.close();
  }
});

test('header blocks larger than a frame both ways (CONTINUATION), trailers passed', async () => {
  const c = connect();
  try {
    const r = await call(c, '/headers', Buffer.from('x'), { 'x-big': 'b'.repeat(40_000), 'x-reply-len': '30000' }).done;
    assert.equal(r.headers['x-echo-len'], '40000');
    assert.equal(String(r.headers['x-big-reply']).length, 30000);
    assert.equal(r.trailers['grpc-status'], '0');
  } finally {
    c.close();
  }
});

test('an upstream stream reset reaches the client with its code; GOAWAY refuses the held request, the processed one completes', async () => {
  const c = connect();
  try {
    const refused = await call(c, '/refuse', Buffer.from('x')).done;
    assert.equal(refused.rst, h2c.NGHTTP2_REFUSED_STREAM);

    proxy.addRule({ id: 'hold', methods: ['/held'], blackhole: true });
    const slow = call(c, '/slow', Buffer.from('s'));
    const held = call(c, '/held', Buffer.from('h'));
    const until = Date.now() + 5000;
    while (!received.some((x) => x.path === '/slow') && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    // The server goes away as a graceful stop does: "soon" (last id 2^31-1), then its real last stream,
    // /slow's upstream id, which the relay maps back to the client's.
    const s = sessions[sessions.length - 1]!;
    s.goaway(h2c.NGHTTP2_NO_ERROR, 2 ** 31 - 1);
    s.goaway(h2c.NGHTTP2_NO_ERROR, received.find((x) => x.path === '/slow')!.id);
    const [h, sl] = await Promise.all([held.done, slow.done]);
    assert.equal(h.rst, h2c.NGHTTP2_REFUSED_STREAM, 'the held request was never processed and the client is told so');
    assert.equal(sl.status, 200, 'the processed request completes');
    assert.equal(received.filter((x) => x.path === '/held').length, 0);
  } finally {
    proxy.clearRules();
    c.destroy();
  }
});

test('a held request is released intact when the rule goes, and never sent when the client cancels it', async () => {
  const c = connect();
  try {
    proxy.addRule({ id: 'hold', methods: ['/held2', '/cancelled'], blackhole: true });
    const kept = call(c, '/held2', Buffer.alloc(100_000, 3));
    const cancelled = call(c, '/cancelled', Buffer.alloc(10_000, 4));
    await new Promise((r) => setTimeout(r, 100));
    cancelled.stream.close(h2c.NGHTTP2_CANCEL);
    await cancelled.done;
    // A PING round trip through the relay: the RST_STREAM sent before it has been seen there.
    await new Promise((resolve) => c.ping(resolve));
    proxy.removeRule('hold');
    const r = await kept.done;
    assert.equal(r.trailers['x-bytes'], '100000');
    assert.equal(received.filter((x) => x.path === '/cancelled').length, 0);
    // The connection still works, its window intact.
    assert.equal((await call(c, '/after', Buffer.alloc(200_000, 5)).done).trailers['x-bytes'], '200000');
  } finally {
    proxy.clearRules();
    c.close();
  }
});
