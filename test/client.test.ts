/**
 * The client layer against a real 1-member 3.5.30 cluster with TLS (client certificates) and auth on:
 * KV, txn, watch, lease, maintenance calls, snapshot streaming, HTTP helpers over TLS, token refresh,
 * typed errors for bad credentials and a wrong CA, and `upshift status` on the same cluster.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestCluster, etcdProcessesUnder, type TestCluster } from './support/cluster.js';
import { runCliInProcess } from './support/cli.js';
import { resolveConnection, type ConnectionConfig } from '../src/client/connection.js';
import { EndpointClient } from '../src/client/endpoint.js';
import { EtcdClient } from '../src/client/kv.js';
import { EtcdAuthError, EtcdUnavailableError, EtcdError, isSafeToRetry } from '../src/client/errors.js';
import { getHealth, getMetrics, getVersion } from '../src/client/http.js';
import { metricValue } from '../src/client/prometheus.js';
import type { StatusResult } from '../src/status/model.js';

describe('client against 3.5.30 with TLS and auth', () => {
  let tc: TestCluster;
  let config: ConnectionConfig;
  let endpoint: string;
  const open: { close(): void }[] = [];
  const track = <T extends { close(): void }>(c: T): T => {
    open.push(c);
    return c;
  };

  before(async () => {
    tc = await startTestCluster({ version: '3.5.30', members: 1, tls: true, auth: true });
    config = resolveConnection({ cluster: tc.cluster.name, dialTimeout: '2s', commandTimeout: '5s' }, {}, tc.home);
    endpoint = config.endpoints[0]!;
    assert.match(endpoint, /^https:/);
    assert.equal(config.auth?.user, 'root');
  });
  after(async () => {
    for (const c of open) c.close();
    await tc?.stop();
    assert.deepEqual(tc ? etcdProcessesUnder(tc.home) : [], []);
  });

  test('KV: put, get, prefix range, delete, txn, compact', async () => {
    const c = track(new EtcdClient(config));
    const p = await c.put('/app/a', 'one');
    assert.ok(p.header.revision > 0);
    assert.match(p.header.memberId, /^[0-9a-f]+$/);
    await c.put('/app/b', Buffer.from([0, 1, 2]));
    const got = await c.get('/app/a');
    assert.equal(got?.value.toString(), 'one');
    assert.equal(got?.version, 1);
    const r = await c.range('/app/', { prefix: true });
    assert.equal(r.count, 2);
    assert.deepEqual(r.kvs[1]!.value, Buffer.from([0, 1, 2]));
    const t = await c.txn({
      compare: [{ key: '/app/a', target: 'VALUE', result: 'EQUAL', value: 'one' }],
      success: [{ put: { key: '/app/a', value: 'two' } }, { range: { key: '/app/', prefix: true, countOnly: true } }],
      failure: [],
    });
    assert.equal(t.succeeded, true);
    assert.ok('range' in t.responses[1]! && t.responses[1].range.count === 2);
    const lost = await c.txn({ compare: [{ key: '/app/a', target: 'MOD', result: 'LESS', value: 1 }], success: [{ delete: { key: '/app/a' } }] });
    assert.equal(lost.succeeded, false);
    const d = await c.deleteRange('/app/', { prefix: true, prevKv: true });
    assert.equal(d.deleted, 2);
    assert.equal(d.prevKvs.length, 2);
    await c.compact(d.header.revision);
    await assert.rejects(c.range('/app/', { prefix: true, revision: 1 }), (e: unknown) => e instanceof EtcdError && e.code === 'etcd-compacted' && !isSafeToRetry(e, 'read'));
  });

  test('watch delivers events in order with revisions', async () => {
    const c = track(new EtcdClient(config));
    const w = track(c.watch('/w/', { prefix: true, prevKv: true }));
    await new Promise((res, rej) => {
      w.once('created', res);
      w.once('error', rej);
    });
    const seen: string[] = [];
    const done = new Promise<void>((res) =>
      w.on('events', (e: { events: { type: string; kv: { key: Buffer; modRevision: number } }[] }) => {
        for (const ev of e.events) seen.push(`${ev.type} ${ev.kv.key.toString()}`);
        if (seen.length >= 3) res();
      }),
    );
    await c.put('/w/1', 'a');
    await c.put('/w/2', 'b');
    await c.deleteRange('/w/1');
    await done;
    assert.deepEqual(seen, ['PUT /w/1', 'PUT /w/2', 'DELETE /w/1']);
    w.close();
  });

  test('lease: grant, keepalive, time-to-live with keys, revoke', async () => {
    const c = track(new EtcdClient(config));
    const l = await c.leaseGrant(10);
    assert.match(l.id, /^\d+$/);
    await c.put('/lease/k', 'v', { lease: l.id });
    const k = track(c.leaseKeepAlive(l.id, l.ttl));
    const ttl = await new Promise<number>((res, rej) => {
      k.once('keepalive', (e: { ttl: number }) => res(e.ttl));
      k.once('lost', rej);
    });
    assert.ok(ttl > 0 && ttl <= 10);
    const info = await c.leaseTimeToLive(l.id, { keys: true });
    assert.equal(info.grantedTtl, 10);
    assert.deepEqual(info.keys.map((b) => b.toString()), ['/lease/k']);
    k.close();
    await c.leaseRevoke(l.id);
    assert.equal(await c.get('/lease/k'), undefined);
  });

  test('auth status, and an expired token is refreshed once (the rejected request was not applied)', async () => {
    const c = track(new EtcdClient(config));
    assert.deepEqual((await c.authStatus()).enabled, true);
    // Make the cached token invalid, as a server restart or --auth-token-ttl expiry would.
    (c.tokens as unknown as { token: string }).token = 'bogus.1';
    await c.put('/tok', 'x');
    assert.notEqual(c.tokens!.current(), 'bogus.1');
    assert.equal((await c.get('/tok'))?.value.toString(), 'x');
  });

  test('maintenance: status, member list, alarms, hashKV, defragment, downgrade validate', async () => {
    const e = track(new EndpointClient(endpoint, config));
    const s = await e.status();
    assert.equal(s.version, '3.5.30');
    assert.equal(s.leader, s.memberId);
    assert.ok(s.raftAppliedIndex! > 0 && s.dbSizeInUse! > 0);
    assert.equal(s.storageVersion, undefined);
    const ml = await e.memberList({ linearizable: true });
    assert.equal(ml.members.length, 1);
    assert.equal(ml.members[0]!.id, s.memberId);
    assert.deepEqual(await e.alarmList(), []);
    const h1 = await e.hashKV(0);
    const h2 = await e.hashKV(h1.header.revision);
    assert.equal(h1.hash, h2.hash);
    await e.defragment();
    const v: unknown = await e.downgrade('VALIDATE', '3.4.0').catch((err: unknown) => err);
    // VALIDATE to 3.4 answers with the cluster version, or refuses with a typed error (auth/version rules).
    if (v instanceof EtcdError) assert.ok(v.outcome === 'definite', v.message);
    else assert.equal((v as { version: string }).version, '3.5.0');
    const health = await e.health();
    assert.equal(health.healthy, true, health.error);
    assert.equal(health.grpcStatus, 'SERVING');
  });

  test('snapshot streams a file with the sha256 trailer, under backpressure', async () => {
    const e = track(new EndpointClient(endpoint, config));
    const snap = e.snapshot();
    let bytes = 0;
    for await (const chunk of snap.stream) {
      bytes += (chunk as Buffer).length;
      await new Promise((r) => setImmediate(r)); // a slow consumer
    }
    const done = await snap.done;
    assert.equal(done.bytes, bytes);
    assert.equal(bytes % 512, 32, 'bbolt pages + 32-byte sha256');
    // etcd@v3.5.x:server/etcdserver/api/v3rpc/maintenance.go Snapshot sends only remaining_bytes and blob.
    assert.equal(done.header, undefined, 'no ResponseHeader in a 3.5 snapshot stream');
    // A consumer that stops early cancels the stream: `done` rejects, nothing hangs.
    const early = e.snapshot();
    for await (const _chunk of early.stream) break;
    await assert.rejects(early.done, (err: unknown) => err instanceof EtcdError && err.outcome === 'definite');
  });

  test('HTTP /version, /health and /metrics over TLS with the client certificate', async () => {
    const v = await getVersion(endpoint, config);
    assert.deepEqual(v, { etcdserver: '3.5.30', etcdcluster: '3.5.0' });
    const h = await getHealth(endpoint, config);
    assert.equal(h.healthy, true);
    const m = await getMetrics(endpoint, config);
    assert.equal(metricValue(m, 'etcd_server_has_leader'), 1);
  });

  test('wrong password: EtcdAuthError, exit 2; wrong CA: unavailable, definite', async () => {
    const bad = track(new EtcdClient({ ...config, auth: { user: 'root', password: 'wrong' } }));
    await assert.rejects(bad.put('/x', 'y'), (e: unknown) => e instanceof EtcdAuthError && e.exitCode === 2 && e.outcome === 'definite');
    const wrongCa = track(new EndpointClient(endpoint, { ...config, tls: { ...config.tls!, ca: readFileSync(config.tls!.files.cert!) } }));
    await assert.rejects(wrongCa.status(), (e: unknown) => e instanceof EtcdUnavailableError && e.outcome === 'definite');
    const skip = track(new EndpointClient(endpoint, { ...config, tls: { ...config.tls!, ca: undefined, insecureSkipVerify: true } }));
    assert.equal((await skip.status()).version, '3.5.30');
  });

  test('deadlines, cancellation and explicit failover: no hidden retry, the next call moves on', async () => {
    const { allocateFreePorts } = await import('../src/cluster/ports.js');
    const [dead] = await allocateFreePorts(1);
    const c = track(new EtcdClient({ ...config, endpoints: [`https://127.0.0.1:${dead}`, endpoint] }));
    await assert.rejects(c.put('/f', '1'), (e: unknown) => e instanceof EtcdUnavailableError && e.outcome === 'definite' && isSafeToRetry(e, 'write'));
    assert.equal(c.currentEndpoint, endpoint, 'moved to the next endpoint for the next call');
    await c.put('/f', '2');
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(c.get('/f', { signal: ac.signal }), (e: unknown) => e instanceof EtcdError && e.code === 'etcd-cancelled');
    // A 1 ms deadline on a linearizable read: either it beats the clock or it is reported as a deadline error.
    const r = await c.range('/', { prefix: true, timeoutMs: 1 }).catch((e: unknown) => e);
    if (r instanceof EtcdError) assert.equal(r.code, 'etcd-deadline');
  });

  test('upshift status over TLS+auth: --cluster, explicit flags, env vars; bad password exits 2', async () => {
    const viaCluster = await runCliInProcess(['status', '--cluster', tc.cluster.name, '-o', 'json'], tc.testHome.env);
    assert.equal(viaCluster.code, 0, viaCluster.stderr);
    const s = JSON.parse(viaCluster.stdout) as StatusResult;
    assert.equal(s.healthy, true);
    assert.equal(s.clusterVersion, '3.5.0');
    const password = config.auth!.password;
    const files = config.tls!.files;
    const flags = ['--endpoints', endpoint, '--cacert', files.ca!, '--cert', files.cert!, '--key', files.key!];
    const viaFlags = await runCliInProcess(['status', ...flags, '--user', `root:${password}`, '-o', 'json'], tc.testHome.env);
    assert.equal(viaFlags.code, 0, viaFlags.stderr);
    assert.ok(!viaFlags.stdout.includes(password) && !viaFlags.stderr.includes(password), 'password leaked');
    const viaEnv = await runCliInProcess(['status', '-o', 'json'], {
      ...tc.testHome.env,
      ETCDCTL_ENDPOINTS: endpoint,
      ETCDCTL_CACERT: files.ca,
      ETCDCTL_CERT: files.cert,
      ETCDCTL_KEY: files.key,
      ETCDCTL_USER: 'root',
      ETCDCTL_PASSWORD: password,
    });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    // A wrong password fails loudly (exit 2) instead of degrading to an anonymous view (Status is admin-only on
    // 3.5.28-3.5.31 anyway: reference etcd-versions.md §6.1).
    const badPw = await runCliInProcess(['status', ...flags, '--user', 'root:wrong', '-o', 'json'], tc.testHome.env);
    assert.equal(badPw.code, 2, badPw.stderr + badPw.stdout);
    assert.match(badPw.stderr, /authentication failed/);
    // No user at all: 3.5.30 keeps Status admin-only (reference etcd-versions.md §6.1) -> exit 2 with a hint.
    const noUser = await runCliInProcess(['status', ...flags, '-o', 'json'], tc.testHome.env);
    assert.equal(noUser.code, 2, noUser.stderr + noUser.stdout);
    assert.match(noUser.stderr, /--user/);
    const noCert = await runCliInProcess(['status', '--endpoints', endpoint, '--user', `root:${password}`, '-o', 'json', '--dial-timeout', '1s'], tc.testHome.env);
    assert.equal(noCert.code, 3, noCert.stderr);
  });
});
