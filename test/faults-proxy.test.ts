/**
 * The fault proxies against a real 1-member etcd 3.5.30: per-RPC aborts on one HTTP/2 connection (each a
 * definite gRPC status, the connection and the other RPCs unharmed), per-RPC delay, delayed watch
 * responses that keep flowing in order, TLS terminated with the member's certificates; the L4 proxy's
 * latency, blackhole (sockets kept, nothing lost), reset and bandwidth (slow close: faults-l4.test.ts); the fault runner's process faults (SIGSTOP/SIGCONT, kill -9).
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestCluster, etcdProcessesUnder, type TestCluster } from './support/cluster.js';
import { spawn } from 'node:child_process';
import http2 from 'node:http2';
import { binPath } from './support/cli.js';
import { resolveConnection, type ConnectionConfig } from '../src/client/connection.js';
import { EtcdClient } from '../src/client/kv.js';
import { EtcdError, isSafeToRetry } from '../src/client/errors.js';
import { L7FaultProxy } from '../src/faults/l7-proxy.js';
import { L4FaultProxy } from '../src/faults/l4-proxy.js';
import { httpRequest } from '../src/cluster/http.js';
import { isAlive, waitForExit } from '../src/cluster/process.js';
import { processState } from '../src/faults/process.js';
import { parseSchedule, resolveTimeline } from '../src/faults/schedule.js';
import { FaultRunner, type FaultEvent } from '../src/faults/runner.js';
import type { FaultLayer } from '../src/faults/layer.js';

const V = '3.5.30';

function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

describe('fault proxies against etcd ' + V, () => {
  let tc: TestCluster;
  let direct: ConnectionConfig;
  const closers: (() => unknown)[] = [];

  before(async () => {
    tc = await startTestCluster({ version: V, members: 1 });
    direct = resolveConnection({ cluster: tc.cluster.name, dialTimeout: '2s', commandTimeout: '5s' }, {}, tc.home);
  });
  after(async () => {
    for (const c of closers.reverse()) await c();
    await tc?.stop();
    assert.deepEqual(tc ? etcdProcessesUnder(tc.home) : [], []);
  });

  async function l7(seed = 1): Promise<{ proxy: L7FaultProxy; client: EtcdClient; url: string }> {
    const proxy = new L7FaultProxy({ listen: { host: '127.0.0.1', port: 0 }, target: hostPort(direct.endpoints[0]!), seed });
    const port = await proxy.start();
    const url = `http://127.0.0.1:${port}`;
    const client = new EtcdClient({ ...direct, endpoints: [url] });
    closers.push(() => client.close(), () => proxy.close());
    return { proxy, client, url };
  }

  async function l4(seed: number): Promise<{ proxy: L4FaultProxy; client: EtcdClient }> {
    const proxy = new L4FaultProxy({ listen: { host: '127.0.0.1', port: 0 }, target: hostPort(direct.endpoints[0]!), seed });
    const port = await proxy.start();
    closers.push(() => proxy.close());
    const client = new EtcdClient({ ...direct, endpoints: [`http://127.0.0.1:${port}`] });
    closers.push(() => client.close());
    return { proxy, client };
  }

  test('L7: 5% aborts are about 5% definite UNAVAILABLE answers, per RPC, on one HTTP/2 connection', async () => {
    const { proxy, client, url } = await l7(11);
    await client.range('warm-up');
    proxy.addRule({ id: 'flaky', methods: ['/etcdserverpb.KV/*'], abort: { rate: 0.05, code: 14 } });
    const N = 600;
    const failures: EtcdError[] = [];
    let ok = 0;
    // 16 RPCs in flight at a time, all multiplexed over the client's one connection.
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < N) {
          const i = next++;
          try {
            await client.put(`/flaky/${i}`, 'v', { timeoutMs: 5000 });
            ok++;
          } catch (e) {
            failures.push(e as EtcdError);
          }
        }
      }),
    );
    const share = failures.length / N;
    // Binomial(600, 0.05): mean 30, sd 5.3. The dice are seeded and rolled once per RPC in arrival order,
    // so with this seed the count is the same on every run; the bounds say what any seed should give.
    assert.ok(failures.length >= 12 && failures.length <= 52, `aborted ${failures.length} of ${N} (${(share * 100).toFixed(1)}%)`);
    assert.equal(ok + failures.length, N);
    for (const f of failures) {
      assert.equal(f.grpcCode, 14, f.message);
      assert.match(f.message, /upshift fault flaky: injected UNAVAILABLE/);
    }
    // One connection throughout: the aborts were answers, not broken connections.
    assert.equal(proxy.stats.connections, 1);
    assert.equal(proxy.stats.aborted.UNAVAILABLE, failures.length);
    assert.equal(proxy.stats.methods['/etcdserverpb.KV/Put']!.aborted, failures.length);
    // Every write that succeeded is there, and no aborted one is (the proxy never forwarded them).
    const stored = await new EtcdClient(direct).range('/flaky/', { prefix: true, countOnly: true });
    assert.equal(stored.count, ok);
    // etcd's HTTP/1.1 endpoints on the same port pass through (relayed as bytes).
    const v = await httpRequest(`${url}/version`, { timeoutMs: 5000 });
    assert.match(v.body, /etcdserver/);
    assert.equal(proxy.stats.relayed, 1);
    // A read failed this way is safe to retry; the client cannot know a write's fate from UNAVAILABLE alone.
    assert.equal(isSafeToRetry(failures[0], 'read'), true);
    proxy.clearRules();
  });

  test('L7: plain HTTP on the client port is not an RPC: /health answers under 100% KV aborts; only a rule naming its path touches it', async () => {
    const { proxy, client, url } = await l7(5);
    await client.put('h', '1');
    proxy.addRule({ id: 'kv-down', methods: ['/etcdserverpb.KV/*'], abort: { rate: 1, code: 14 } });
    proxy.addRule({ id: 'all-down', abort: { rate: 1, code: 14 }, delay: { ms: 5000 } });
    await assert.rejects(client.range('h', { timeoutMs: 3000 }), (e: EtcdError) => e.grpcCode === 14);
    for (const path of ['/health', '/version', '/metrics', '/v2/keys']) {
      const r = await httpRequest(`${url}${path}`, { timeoutMs: 3000 });
      assert.notEqual(r.status, 503, `${path}: ${r.status} ${r.body.slice(0, 80)}`);
      if (path === '/health') assert.match(r.body, /"health":"true"/);
    }
    // The JSON gateway is HTTP too (POST /v3/kv/range), and the value is there.
    const g = await httpRequest(`${url}/v3/kv/range`, { method: 'POST', body: { key: Buffer.from('h').toString('base64') }, timeoutMs: 3000 });
    assert.equal(g.status, 200, g.body);
    assert.equal(JSON.parse(g.body).kvs[0].value, Buffer.from('1').toString('base64'));
    assert.equal(proxy.stats.aborted.UNAVAILABLE, 1, 'only the gRPC Range was aborted');
    assert.equal(proxy.stats.delayed, 0);
    proxy.clearRules();

    // A rule that names an HTTP path applies to it, request by request (connections opened while it lasts).
    proxy.addRule({ id: 'health-down', methods: ['/health'], abort: { rate: 1, code: 14 } });
    const h = await httpRequest(`${url}/health`, { timeoutMs: 3000 });
    assert.equal(h.status, 503);
    assert.match(h.body, /upshift fault health-down: injected UNAVAILABLE/);
    assert.equal((await httpRequest(`${url}/version`, { timeoutMs: 3000 })).status, 200, 'other paths pass');
    assert.equal((await client.range('h')).kvs.length, 1, 'and RPCs pass');
    assert.equal(proxy.stats.http, 2);
    proxy.clearRules();
    assert.equal((await httpRequest(`${url}/health`, { timeoutMs: 3000 })).status, 200);
  });

  test('L7: a per-RPC delay adds its latency to matched methods only; watches keep flowing under a watch delay', async () => {
    const { proxy, client } = await l7(2);
    await client.range('warm-up');
    proxy.addRule({ id: 'slow-range', methods: ['/etcdserverpb.KV/Range'], delay: { ms: 150 } });
    const slow = await timed(() => client.range('a'));
    await client.put('a', '1');
    assert.ok(slow >= 150, `delayed Range took ${slow.toFixed(0)} ms`);
    assert.equal(proxy.stats.delayed, 1, 'only the Range was delayed; Put is not in the rule\'s scope');
    proxy.clearRules();

    // Watch through the proxy with every response delayed 100 ms, and 20% of KV RPCs aborted meanwhile.
    const writer = new EtcdClient(direct);
    closers.push(() => writer.close());
    const w = client.watch('/w/', { prefix: true });
    await new Promise<void>((resolve, reject) => {
      w.once('created', () => resolve());
      w.once('error', reject);
    });
    proxy.addRule({ id: 'watch-delay', streamDelay: { ms: 100 } });
    proxy.addRule({ id: 'kv-abort', methods: ['/etcdserverpb.KV/*'], abort: { rate: 0.2, code: 14 } });
    const seen: number[] = [];
    const arrived: number[] = [];
    w.on('events', ({ events }: { events: { kv: { modRevision: number } }[] }) => {
      for (const e of events) {
        seen.push(e.kv.modRevision);
        arrived.push(performance.now());
      }
    });
    const sent: number[] = [];
    const revs: number[] = [];
    for (let i = 0; i < 40; i++) {
      sent.push(performance.now());
      revs.push((await writer.put(`/w/${i}`, String(i))).header.revision);
    }
    const until = Date.now() + 10_000;
    while (seen.length < revs.length && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    w.close();
    assert.deepEqual(seen, revs, 'every event, once, in order');
    const delays = arrived.map((t, i) => t - sent[i]!).sort((a, b) => a - b);
    assert.ok(delays[Math.floor(delays.length / 2)]! >= 100, `median watch delay ${delays[Math.floor(delays.length / 2)]!.toFixed(0)} ms`);
    proxy.clearRules();
  });

  test('L7 over TLS: terminated with the member\'s certificate, aborts still per RPC', async () => {
    const tls = await startTestCluster({ version: V, members: 1, tls: true });
    closers.push(() => tls.stop());
    const cfg = resolveConnection({ cluster: tls.cluster.name, dialTimeout: '2s', commandTimeout: '5s' }, {}, tls.home);
    const m = tls.cluster.members[0]!;
    const proxy = new L7FaultProxy({
      listen: { host: '127.0.0.1', port: 0 },
      target: hostPort(m.clientURL),
      seed: 3,
      tls: {
        listen: { cert: readFileSync(m.spec.tls!.certFile), key: readFileSync(m.spec.tls!.keyFile), ca: readFileSync(tls.cluster.tls!.caCert) },
        upstream: { ca: readFileSync(tls.cluster.tls!.caCert), cert: readFileSync(tls.cluster.tls!.clientCert), key: readFileSync(tls.cluster.tls!.clientKey) },
      },
    });
    const port = await proxy.start();
    closers.push(() => proxy.close());
    const client = new EtcdClient({ ...cfg, endpoints: [`https://127.0.0.1:${port}`] });
    closers.push(() => client.close());
    await client.put('tls', 'yes');
    proxy.addRule({ id: 'half', abort: { rate: 0.5, code: 14 } });
    let failed = 0;
    for (let i = 0; i < 60; i++) await client.range('tls').catch(() => failed++);
    assert.ok(failed > 10 && failed < 50, `${failed} of 60 aborted`);
    assert.equal(proxy.stats.connections, 1);
    assert.ok(proxy.tlsTerminated);
    // HTTP/1.1 over the terminated TLS is relayed too (ALPN http/1.1), with the proxy's client certificate upstream.
    const v = await httpRequest(`https://127.0.0.1:${port}/version`, { timeoutMs: 5000, tls: { cacert: tls.cluster.tls!.caCert, cert: tls.cluster.tls!.clientCert, key: tls.cluster.tls!.clientKey } });
    assert.match(v.body, /etcdserver/);
    // HTTP/2 without a gRPC content-type (ALPN h2, as curl does) is plain HTTP: the "every RPC" abort skips it.
    const h2s = http2.connect(`https://127.0.0.1:${port}`, { ca: readFileSync(tls.cluster.tls!.caCert), cert: readFileSync(tls.cluster.tls!.clientCert), key: readFileSync(tls.cluster.tls!.clientKey) });
    closers.push(() => h2s.destroy());
    for (let i = 0; i < 10; i++) {
      const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const st = h2s.request({ ':path': '/health' });
        let status = 0;
        let body = '';
        st.on('response', (h) => (status = Number(h[':status'])));
        st.on('data', (c: Buffer) => (body += c.toString()));
        st.on('end', () => resolve({ status, body }));
        st.on('error', reject);
        st.end();
      });
      assert.equal(r.status, 200, r.body);
      assert.match(r.body, /"health":"true"/);
    }
    assert.equal(proxy.stats.http, 10);
  });

  test('L4: latency, blackhole that keeps the connection and loses nothing, reset', async () => {
    const { proxy, client } = await l4(4);
    await client.range('warm-up');
    proxy.addRule({ id: 'lat', latencyMs: 120 });
    const t = await timed(() => client.range('a'));
    assert.ok(t >= 120, `Range through +120 ms took ${t.toFixed(0)} ms`);
    proxy.removeRule('lat');

    proxy.addRule({ id: 'hole', blackhole: true });
    const pending = client.put('held', 'through', { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await new EtcdClient(direct).get('held')), undefined, 'nothing passed the blackhole');
    proxy.removeRule('hole');
    await pending;
    assert.equal((await new EtcdClient(direct).get('held'))?.value.toString(), 'through');
    assert.equal(proxy.stats.connections, 1, 'the same connection carried the write after the blackhole lifted');

    proxy.addRule({ id: 'rst', reset: true });
    await assert.rejects(client.range('a', { timeoutMs: 2000 }), (e: EtcdError) => e.grpcCode === 14);
    proxy.removeRule('rst');
    // The client reconnects by itself once resets stop.
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) ok = await client.range('a', { timeoutMs: 1000 }).then(() => true, () => false);
    assert.ok(ok, 'reconnected after the reset fault');
    assert.ok(proxy.stats.resets >= 1);
  });

  test('L4: a Range of a 512 KiB value through a 256 KiB/s link takes at least (size - one read)/bandwidth; bytes intact', async () => {
    const { proxy, client } = await l4(6);
    const value = Buffer.alloc(512 * 1024);
    for (let i = 0; i < value.length; i++) value[i] = (i * 7) & 0xff;
    await new EtcdClient(direct).put('big', value);
    await client.range('warm-up');
    const B = 256 * 1024;
    proxy.addRule({ id: 'thin', bandwidth: B });
    const before = proxy.stats.bytesDown;
    let got: Buffer | undefined;
    const t = await timed(async () => (got = (await client.get('big', { timeoutMs: 30_000 }))?.value));
    // Lower bound only: the last socket read (at most 64 KiB) leaves at its own release time.
    const floor = ((value.length - 64 * 1024) / B) * 1000;
    assert.ok(t >= floor, `Range of 512 KiB at 256 KiB/s took ${t.toFixed(0)} ms, expected at least ${floor.toFixed(0)} ms`);
    assert.ok(got?.equals(value), 'the value arrived intact');
    assert.ok(proxy.stats.bytesDown - before >= value.length);
    proxy.clearRules();
  });

  test('CLI: `upshift faults proxy` relays, aborts per RPC and reports (JSON) when it stops', async () => {
    const child = spawn(process.execPath, [binPath, 'faults', 'proxy', '--listen', '127.0.0.1:0', '--target', direct.endpoints[0]!, '--abort', '100%:RESOURCE_EXHAUSTED', '--method', '/etcdserverpb.KV/Put', '--duration', '20s', '-o', 'json'], { env: tc.testHome.env, stdio: ['ignore', 'pipe', 'pipe'] });
    closers.push(() => child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no banner: ${stderr}`)), 30_000);
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        const m = /\(L7\): 127\.0\.0\.1:(\d+) ->/.exec(stderr);
        if (m) {
          clearTimeout(t);
          resolve(Number(m[1]));
        }
      });
    });
    const client = new EtcdClient({ ...direct, endpoints: [`http://127.0.0.1:${port}`] });
    closers.push(() => client.close());
    await assert.rejects(client.put('cli', 'x'), (e: EtcdError) => e.grpcCode === 8);
    assert.equal((await client.range('cli')).count, 0, 'reads pass, the write was never forwarded');
    const code = await new Promise<number | null>((resolve) => {
      child.once('close', (c) => resolve(c));
      child.kill('SIGINT');
    });
    assert.equal(code, 0, stderr);
    const out = JSON.parse(stdout) as { mode: string; stats: { rpcs: number; aborted: Record<string, number> } };
    assert.equal(out.mode, 'l7');
    assert.equal(out.stats.aborted.RESOURCE_EXHAUSTED, 1);
    assert.ok(out.stats.rpcs >= 2);
  });

  test('process faults through the fault runner: SIGSTOP for a while then SIGCONT, kill -9 after a step; journaled', async () => {
    const m = tc.cluster.members[0]!;
    const noNetwork = { apply: async () => ({ applied: [], skipped: [] }), lift: async () => undefined } as unknown as FaultLayer;
    const timeline = resolveTimeline(parseSchedule('faults:\n  - { name: gc-pause, fault: pause, target: m1, for: 1500ms }\n  - { name: crash, fault: kill, target: m1, after: upgrade/step }\n'), 5, ['m1']);
    const records: FaultEvent[] = [];
    const runner = new FaultRunner(timeline, noNetwork, { processOf: async () => (isAlive(m.pid!) ? { pid: m.pid!, dataDir: m.dataDir } : undefined) });
    runner.start((e) => records.push(e));
    const until = Date.now() + 10_000;
    while (processState(m.pid!) !== 'T' && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    assert.equal(processState(m.pid!), 'T', 'frozen by SIGSTOP');
    while (processState(m.pid!) === 'T' && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.notEqual(processState(m.pid!), 'T', 'continued after `for`');
    await runner.onStepEnd('upgrade/step');
    assert.ok(await waitForExit(m.pid!, 10_000), 'killed');
    await runner.stop();
    assert.deepEqual(records.map((r) => `${r.event}${r.id ? ` ${r.id}` : ''}`), ['timeline', 'begin gc-pause', 'end gc-pause', 'begin crash', 'end crash']);
    assert.match(records[1]!.detail!, /SIGSTOP m1/);
    assert.match(records[3]!.detail!, /SIGKILL m1/);
  });
});
