/**
 * The L4 fault proxy's bandwidth limit and slow close on plain sockets (a sink/echo server of the test's
 * own): bytes through a link limited to B bytes/s take at least about N/B (a lower bound only: a loaded
 * machine can only make it slower), and a slow close holds the FIN (half-close) and the close back for
 * the configured delay while data still flows both ways. The same against etcd: faults-proxy.test.ts.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { L4FaultProxy } from '../src/faults/l4-proxy.js';

const closers: (() => unknown)[] = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

/** A target server; `onConn` gets each accepted socket. */
async function target(onConn: (s: Socket) => void): Promise<number> {
  const accepted = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true }, (s) => {
    accepted.add(s);
    onConn(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // Half-open sockets would keep close() waiting: destroy them first.
  closers.push(() => new Promise((r) => (accepted.forEach((s) => s.destroy()), server.close(r))));
  const a = server.address();
  return typeof a === 'object' && a ? a.port : 0;
}

async function proxyTo(port: number): Promise<{ proxy: L4FaultProxy; port: number }> {
  const proxy = new L4FaultProxy({ listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port }, seed: 1 });
  const p = await proxy.start();
  closers.push(() => proxy.close());
  return { proxy, port: p };
}

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, allowHalfOpen: true }, () => resolve(s));
    s.once('error', reject);
    closers.push(() => s.destroy());
  });
}

const until = (ev: () => boolean, ms = 20_000, what = ev.toString()): Promise<void> =>
  new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = (): void => {
      if (ev()) resolve();
      else if (Date.now() - t0 > ms) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 5);
    };
    tick();
  });

// The largest chunk a socket read hands over: the last one is on the wire only after its release, so the
// lower bound leaves it out.
const CHUNK = 64 * 1024;

test('bandwidth: N bytes through B bytes/s take at least (N - one chunk)/B, in the limited direction; bytes intact', async () => {
  let received = 0;
  let receivedAt = 0;
  const hash: Buffer[] = [];
  const port = await target((s) => {
    s.on('data', (d: Buffer) => {
      received += d.length;
      hash.push(d);
      receivedAt = performance.now();
    });
  });
  const { proxy, port: pp } = await proxyTo(port);
  const B = 256 * 1024;
  const N = 768 * 1024;
  proxy.addRule({ id: 'bw', bandwidth: B, direction: 'up' });
  const c = await dial(pp);
  const payload = Buffer.alloc(N, 0);
  for (let i = 0; i < N; i++) payload[i] = (i * 31) & 0xff;
  const t0 = performance.now();
  c.write(payload);
  await until(() => received === N);
  const took = receivedAt - t0;
  const floor = ((N - CHUNK) / B) * 1000;
  assert.ok(took >= floor, `${N} bytes at ${B} B/s arrived after ${took.toFixed(0)} ms, expected at least ${floor.toFixed(0)} ms`);
  assert.ok(Buffer.concat(hash).equals(payload), 'every byte, in order');
  assert.equal(proxy.stats.bytesUp, N);
});

test('slow close: the FIN (half-close) reaches the other side only after the delay, data still flows; a full close likewise', async () => {
  const D = 600;
  const events: { what: string; at: number }[] = [];
  let server: Socket | undefined;
  const port = await target((s) => {
    server = s;
    s.on('data', (d: Buffer) => events.push({ what: `data:${d.toString()}`, at: performance.now() }));
    s.on('end', () => events.push({ what: 'end', at: performance.now() }));
  });
  const { proxy, port: pp } = await proxyTo(port);
  proxy.addRule({ id: 'sc', slowCloseMs: D });
  const c = await dial(pp);
  const fromServer: string[] = [];
  let clientEndAt = 0;
  c.on('data', (d: Buffer) => fromServer.push(d.toString()));
  c.on('end', () => (clientEndAt = performance.now()));

  c.write('bye');
  await until(() => events.some((e) => e.what === 'data:bye'));
  const finSent = performance.now();
  c.end();
  await until(() => events.some((e) => e.what === 'end'));
  const endAt = events.find((e) => e.what === 'end')!.at;
  assert.ok(endAt - finSent >= D - 1, `the client's FIN reached the target ${(endAt - finSent).toFixed(0)} ms after it was sent (slow close ${D} ms)`);
  assert.deepEqual(events.map((e) => e.what), ['data:bye', 'end'], 'data first, then the FIN');

  // Half-closed: the target can still answer, the client still reads it.
  server!.write('still here');
  await until(() => fromServer.join('') === 'still here');
  assert.equal(clientEndAt, 0, 'the client side is still open for reading');

  // The target closes: its FIN reaches the client after the delay too.
  const serverFin = performance.now();
  server!.end();
  await until(() => clientEndAt > 0);
  assert.ok(clientEndAt - serverFin >= D - 1, `the target's FIN reached the client ${(clientEndAt - serverFin).toFixed(0)} ms after it was sent`);
  await until(() => proxy.stats.active === 0);

  // A full close (destroy) of a client: the target learns of it only after the delay as well.
  const c2 = await dial(pp);
  await until(() => proxy.stats.active === 1);
  const closedAt = performance.now();
  let t2End = 0;
  server!.removeAllListeners('end');
  await until(() => server !== undefined && !server.destroyed && server.remotePort !== undefined);
  const s2 = server!;
  s2.on('end', () => ((t2End = performance.now()), s2.end())).resume();
  c2.destroy();
  await until(() => t2End > 0);
  assert.ok(t2End - closedAt >= D - 1, `the client's close reached the target ${(t2End - closedAt).toFixed(0)} ms later`);
  await until(() => proxy.stats.active === 0);
});

test('slow close off: a FIN goes through at once (nothing held when no rule)', async () => {
  let ended = false;
  const port = await target((s) => s.on('end', () => ((ended = true), s.end())).resume());
  const { proxy, port: pp } = await proxyTo(port);
  const c = await dial(pp);
  c.end();
  await until(() => ended);
  await until(() => proxy.stats.active === 0);
});
