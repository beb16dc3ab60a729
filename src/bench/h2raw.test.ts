/**
 * The raw HTTP/2 client against node's HTTP/2 server (nghttp2: a real peer with HPACK Huffman coding and a
 * dynamic table, real flow control, MAX_CONCURRENT_STREAMS, GOAWAY). In-process and fast; etcd itself is
 * covered by test/bench.test.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { RawH2Channel } from './h2raw.js';
import { GrpcStatus } from './transport.js';
import { frame } from './wire.js';

let server: http2.Http2Server;
let url: string;
const sessions = new Set<http2.ServerHttp2Session>();
let authCalls = 0;

function reply(stream: http2.ServerHttp2Stream, body: Buffer): void {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': '' }));
  stream.end(frame(body));
}

before(async () => {
  server = http2.createServer({ settings: { maxConcurrentStreams: 16 } });
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    const path = headers[':path'];
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const req = Buffer.concat(chunks);
      const msg = req.subarray(5);
      if (path === '/t/Echo') return reply(stream, msg);
      if (path === '/t/Len') return reply(stream, Buffer.from(String(msg.length)));
      if (path === '/t/Big') return reply(stream, Buffer.alloc(3_000_000, 7));
      if (path === '/t/Fail') {
        // Trailers-only response: the status travels in the only HEADERS frame.
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '5', 'grpc-message': 'key%20not%20found' }, { endStream: true });
        return;
      }
      if (path === '/t/Token') return reply(stream, Buffer.from(String(headers.token ?? '')));
      if (path === '/t/Auth') {
        authCalls++;
        if (headers.token !== 'fresh') {
          stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': 'etcdserver: invalid auth token' }, { endStream: true });
          return;
        }
        return reply(stream, msg);
      }
      if (path === '/t/Delay') return void setTimeout(() => reply(stream, msg), 200);
      // /t/Slow: never answers.
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  for (const s of sessions) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

const call = (ch: RawH2Channel, path: string, body: Buffer, timeoutMs = 5000): Promise<{ status: number; message: string; body?: Buffer }> =>
  new Promise((resolve) => ch.unary(path, body, timeoutMs, (status, message, b) => resolve(b ? { status, message, body: b } : { status, message })));

test('unary calls: bodies, many concurrent streams beyond MAX_CONCURRENT_STREAMS, cached header blocks', async () => {
  const ch = new RawH2Channel({ url, dialTimeoutMs: 2000 });
  await ch.connect();
  const n = 500;
  const rs = await Promise.all(Array.from({ length: n }, (_, i) => call(ch, '/t/Echo', Buffer.from(`m${i}`))));
  rs.forEach((r, i) => {
    assert.equal(r.status, GrpcStatus.OK);
    assert.equal(r.body!.toString(), `m${i}`);
  });
  ch.close();
});

test('grpc-status from a trailers-only response, with its percent-decoded message', async () => {
  const ch = new RawH2Channel({ url, dialTimeoutMs: 2000 });
  await ch.connect();
  assert.deepEqual(await call(ch, '/t/Fail', Buffer.alloc(0)), { status: 5, message: 'key not found' });
  // The connection is still fine afterwards.
  assert.equal((await call(ch, '/t/Echo', Buffer.from('ok'))).body!.toString(), 'ok');
  ch.close();
});

test('flow control: a 1.6 MB request waits for window updates; a 3 MB response arrives whole', async () => {
  const ch = new RawH2Channel({ url, dialTimeoutMs: 2000 });
  await ch.connect();
  const [len, big] = await Promise.all([call(ch, '/t/Len', Buffer.alloc(1_600_000, 1)), call(ch, '/t/Big', Buffer.alloc(0))]);
  assert.equal(len.body!.toString(), '1600000');
  assert.equal(big.body!.length, 3_000_000);
  ch.close();
});

test('deadline: a call without an answer fails with DEADLINE_EXCEEDED on the sweep', async () => {
  const ch = new RawH2Channel({ url, dialTimeoutMs: 2000 });
  await ch.connect();
  const p = call(ch, '/t/Slow', Buffer.alloc(0), 50);
  const timer = setInterval(() => ch.sweep(performance.now()), 20);
  const r = await p;
  clearInterval(timer);
  assert.equal(r.status, GrpcStatus.DEADLINE_EXCEEDED);
  ch.close();
});

test('lost connection: in-flight calls fail UNAVAILABLE once, no retry; the next call reconnects', async () => {
  const ch = new RawH2Channel({ url, dialTimeoutMs: 2000 });
  await ch.connect();
  const pending = call(ch, '/t/Slow', Buffer.alloc(0));
  await new Promise((r) => setTimeout(r, 50));
  for (const s of sessions) s.destroy();
  const r = await pending;
  assert.equal(r.status, GrpcStatus.UNAVAILABLE);
  // The next call reconnects first (it was never sent on the lost connection).
  assert.equal((await call(ch, '/t/Echo', Buffer.from('again'))).body!.toString(), 'again');
  ch.close();
});

test('auth token travels as metadata; bidi streams split messages across frames', async () => {
  const ch = new RawH2Channel({ url, dialTimeoutMs: 2000 });
  await ch.connect();
  ch.token = 'tok123';
  assert.equal((await call(ch, '/t/Token', Buffer.alloc(0))).body!.toString(), 'tok123');
  ch.close();
});

test('a call to a closed port fails UNAVAILABLE with the reason', async () => {
  const ch = new RawH2Channel({ url: 'http://127.0.0.1:1', dialTimeoutMs: 2000 });
  const r = await call(ch, '/t/Echo', Buffer.from('x'));
  assert.equal(r.status, GrpcStatus.UNAVAILABLE);
  assert.match(r.message, /ECONNREFUSED/);
});

test('GOAWAY: streams already sent finish on the old connection; new calls go to a new one', async () => {
  const ch = new RawH2Channel({ url, dialTimeoutMs: 2000 });
  await ch.connect();
  const before = new Set(sessions);
  const delayed = call(ch, '/t/Delay', Buffer.from('late'));
  await new Promise((r) => setTimeout(r, 50));
  for (const s of sessions) s.goaway(0); // graceful: last stream id = the delayed call
  await new Promise((r) => setTimeout(r, 50));
  const fresh = await call(ch, '/t/Echo', Buffer.from('fresh'));
  assert.equal(fresh.body!.toString(), 'fresh');
  assert.ok([...sessions].some((s) => !before.has(s)), 'a new connection was opened');
  const late = await delayed;
  assert.equal(late.status, GrpcStatus.OK, late.message);
  assert.equal(late.body!.toString(), 'late');
  ch.close();
});

test('a rejected token triggers one re-authentication; the rejected call is not resent', async () => {
  const ch = new RawH2Channel({ url, dialTimeoutMs: 2000 });
  await ch.connect();
  ch.token = 'stale';
  let reauths = 0;
  ch.reauth = async () => {
    reauths++;
    return 'fresh';
  };
  authCalls = 0;
  const first = await call(ch, '/t/Auth', Buffer.from('a'));
  assert.equal(first.status, GrpcStatus.UNAUTHENTICATED);
  await new Promise((r) => setImmediate(r));
  const second = await call(ch, '/t/Auth', Buffer.from('b'));
  assert.equal(second.status, GrpcStatus.OK);
  assert.equal(second.body!.toString(), 'b');
  assert.equal(authCalls, 2, 'two calls made, none resent');
  assert.equal(reauths, 1);
  ch.close();
});
