/**
 * Topology from real spans: a real etcd 3.6 member traces itself (--enable-distributed-tracing, the 3.6
 * flag names, checked in server/embed/config.go of 3.6.17; and 3.5 with the --experimental- names) into
 * `upshift topology collect`'s OTLP receiver, while a multi-service Node program instrumented with the OpenTelemetry SDK
 * (test/support/otel-shop.mjs) calls etcd and its other services, exporting over OTLP/gRPC and
 * OTLP/HTTP to the same address. The graph, the etcd callers and their RPCs must be exactly what the
 * program did; the recorded JSONL read back from a file with --endpoints gives the same answer; and a
 * scream test through the fault proxy sees a live etcd client.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../src/cli.js';
import { newestTestVersion, makeTestHome } from './support/home.js';
import { startTestCluster, type TestCluster } from './support/cluster.js';
import { repoRoot, runCliInProcess } from './support/cli.js';
import type { TopologyResult } from '../src/commands/topology.js';
import type { LifecycleResult } from '../src/commands/lifecycle.js';
import { EtcdClient, resolveConnection } from '../src/client/index.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _e: BufferEncoding, cb: () => void): void {
    this.text += String(chunk);
    cb();
  }
}

async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** service -> span names received, from the receiver's JSONL record. */
function received(file: string): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const doc = JSON.parse(line) as { resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: { name: string }[] }[] }[] };
    for (const rs of doc.resourceSpans) {
      const svc = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
      const names = out.get(svc) ?? new Map<string, number>();
      out.set(svc, names);
      for (const ss of rs.scopeSpans) for (const sp of ss.spans) names.set(sp.name, (names.get(sp.name) ?? 0) + 1);
    }
  }
  return out;
}

const version = newestTestVersion('3.6');
const version35 = newestTestVersion('3.5');

interface Collected {
  r: TopologyResult;
  stderr: string;
  record: string;
  env: NodeJS.ProcessEnv;
  home: string;
  tc: TestCluster;
}

/**
 * A receiver (`topology collect`, in-process), one etcd member tracing into it with `flags` (the 3.6 or
 * the 3.5 names), the instrumented app run for `rounds`, then the graph once etcd's batched spans are in.
 */
async function collect(t: { diagnostic(s: string): void }, v: string, flags: (otlp: string) => string[], rounds: number, extraArgs: string[] = []): Promise<Collected> {
  const t0 = Date.now();
  const mark = (what: string) => t.diagnostic(`${v}: ${what}: ${Date.now() - t0} ms`);
  const work = mkdtempSync(join(tmpdir(), 'upshift-topo-'));
  const home = makeTestHome();
  let tc: TestCluster | undefined;
  const ac = new AbortController();
  after(async () => {
    ac.abort();
    await tc?.stop();
    home.cleanup();
    rmSync(work, { recursive: true, force: true });
  });
  const ready = join(work, 'ready.json');
  const record = join(work, 'received.jsonl');
  const stdout = new Capture();
  const stderr = new Capture();
  const env = { ...home.env, UPSHIFT_HOME: home.home };
  // A long --trace-idle: every trace is linked at the end, with etcd's late (batched) spans in it.
  const collecting = runCli(['topology', 'collect', '--otlp', '127.0.0.1:0', '--ready-file', ready, '--out', record, '--trace-idle', '60s', '--to', '3.7.4', '--from', v, '-o', 'json', ...extraArgs], { stdout, stderr, env, signal: ac.signal });
  const otlp = await waitFor('the receiver', () => (existsSync(ready) ? (JSON.parse(readFileSync(ready, 'utf8')) as { otlp: string }).otlp : undefined), 30_000);
  tc = await startTestCluster({ version: v, members: 1, extraArgs: flags(otlp) });
  const endpoint = new URL(tc.cluster.members[0]!.clientURL).host;
  mark('etcd up');
  const app = spawn(process.execPath, [join(repoRoot, 'test', 'support', 'otel-shop.mjs'), endpoint, otlp, String(rounds)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let appOut = '';
  app.stdout.on('data', (d) => (appOut += d));
  app.stderr.on('data', (d) => (appOut += d));
  const appCode = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => app.kill('SIGKILL'), 180_000);
    app.on('exit', (code) => (clearTimeout(timer), resolve(code)));
  });
  assert.equal(appCode, 0, `the instrumented app failed: ${appOut}`);
  mark('app done');
  // etcd exports in batches (every 5 s by default): wait until its server spans of every RPC of every round
  // arrived (one of each per round), not just the first batch.
  const etcdRpcs = ['etcdserverpb.KV/Put', 'etcdserverpb.KV/Range', 'etcdserverpb.KV/Txn', 'etcdserverpb.Lease/LeaseGrant', 'etcdserverpb.Watch/Watch'];
  await waitFor('etcd server spans', () => {
    const got = received(record).get('etcd');
    return got && etcdRpcs.every((r) => (got.get(r) ?? 0) >= rounds) ? true : undefined;
  });
  mark('etcd spans in');
  ac.abort();
  assert.equal(await collecting, 0, stderr.text);
  mark('graph built');
  return { r: JSON.parse(stdout.text) as TopologyResult, stderr: stderr.text, record, env, home: home.home, tc };
}

/** What the app did, as the graph must show it (`rounds` checkouts and reports). */
function assertShopGraph(r: TopologyResult, rounds: number): void {
  assert.deepEqual(
    r.edges.map((e) => `${e.parent}->${e.child}`).sort(),
    ['frontend->inventory', 'frontend->orders', 'inventory->etcd', 'orders->etcd', 'reporting->etcd'],
  );
  const edge = (p: string, c: string) => r.edges.find((e) => e.parent === p && e.child === c)!;
  assert.equal(edge('frontend', 'orders').calls, rounds);
  assert.equal(edge('orders', 'etcd').calls, 3 * rounds);
  assert.equal(edge('orders', 'etcd').virtual, false, 'etcd sent its own spans for these calls');
  assert.equal(edge('reporting', 'etcd').virtual, true, 'the gateway call is known from the caller only');
  assert.deepEqual(r.etcd.nodes, ['etcd']);
  assert.ok(r.services.find((s) => s.name === 'etcd')!.spans >= 5 * rounds);
  assert.equal(r.services.find((s) => s.name === 'frontend')!.entry.calls, rounds);
  const callers = Object.fromEntries(r.etcdCallers.map((c) => [c.service, c]));
  const rpcs = (s: string) => Object.fromEntries((callers[s]!.rpcs ?? []).map((o) => [o.op, o.calls]));
  assert.deepEqual(rpcs('orders'), { '/etcdserverpb.KV/Put': rounds, '/etcdserverpb.KV/Range': rounds, '/etcdserverpb.KV/Txn': rounds });
  assert.deepEqual(rpcs('inventory'), { '/etcdserverpb.Lease/LeaseGrant': rounds, '/etcdserverpb.Watch/Watch': rounds });
  assert.deepEqual(rpcs('reporting'), { 'POST /v3beta/kv/range': rounds });
  assert.deepEqual([callers.frontend!.direct, callers.frontend!.hops, callers.frontend!.path.at(-1)], [false, 2, 'etcd']);
  assert.deepEqual([...r.blastRadius].sort(), ['frontend', 'inventory', 'orders', 'reporting']);
  assert.equal(r.unlinked.total, 0, JSON.stringify(r.unlinked));
  assert.deepEqual(r.quality, { invalidSpans: 0, evictedTraces: 0, lateSpans: 0 });
}

test('topology collect from etcd 3.5 (--experimental-enable-distributed-tracing and its experimental flags)', { skip: version35 ? false : 'no etcd 3.5 installed' }, async (t) => {
  const flags35 = (otlp: string) => ['--experimental-enable-distributed-tracing', '--experimental-distributed-tracing-address', otlp, '--experimental-distributed-tracing-service-name', 'etcd', '--experimental-distributed-tracing-sampling-rate', '0'];
  const { r, env, home } = await collect(t, version35!, flags35, 1, ['--snapshot-every', '1h']);
  assertShopGraph(r, 1);
  // The collection window was written as a snapshot in the home; lifecycle (no files) reads it back.
  const life = await runCliInProcess(['lifecycle', '--since', '1d', '-o', 'json'], env);
  assert.equal(life.code, 0, life.stderr);
  const l = JSON.parse(life.stdout) as LifecycleResult;
  assert.equal(l.window.sources.length, 1, JSON.stringify(l.window));
  assert.ok(l.window.sources[0]!.startsWith(join(home, 'topology', 'snapshots')));
  const calls = Object.fromEntries(l.dependencies.map((d) => [`${d.caller}->${d.callee}`, d.calls]));
  assert.deepEqual(calls, { 'frontend->inventory': 1, 'frontend->orders': 1, 'inventory->etcd': 2, 'orders->etcd': 3, 'reporting->etcd': 1 });
  assert.ok(l.dependencies.every((d) => d.quadrant === 'unclassified'), 'no catalog: nothing is classified or proposed for removal');
});

const ROUNDS = 3;

test('topology collect: etcd 3.6 and an OpenTelemetry-instrumented app send spans; graph, etcd callers and RPCs are right', { skip: version ? false : 'no etcd 3.6 installed (scripts/test.sh installs it)' }, async (t) => {
  // Sampling 0 with etcd's parent-based sampler: only calls whose caller sampled them are traced.
  const flags = (otlp: string) => ['--enable-distributed-tracing', '--distributed-tracing-address', otlp, '--distributed-tracing-service-name', 'etcd', '--distributed-tracing-sampling-rate', '0'];
  const { r, stderr, record, env, home, tc } = await collect(t, version!, flags, ROUNDS);
  assertShopGraph(r, ROUNDS);
  // Both transports reached the one address.
  assert.match(stderr, /in [1-9]\d* gRPC and [1-9]\d* HTTP requests/);
  // Impact of 3.6 -> 3.7.4: the /v3beta caller is the one to check.
  const v3beta = r.impact!.findings.find((f) => f.code === 'gateway-prefix-deprecated');
  assert.deepEqual(v3beta?.services, ['reporting']);
  assert.deepEqual(r.impact!.servicesToCheck, ['reporting']);

  // The recorded OTLP JSONL, read back as a file, with etcd named by its endpoint: the same graph.
  const again = await runCliInProcess(['topology', record, '--endpoints', tc.cluster.members[0]!.clientURL, '-o', 'json'], env);
  assert.equal(again.code, 0, again.stderr);
  const r2 = JSON.parse(again.stdout) as TopologyResult;
  assert.deepEqual(r2.edges.map((e) => [e.parent, e.child, e.calls]), r.edges.map((e) => [e.parent, e.child, e.calls]));
  const mermaid = await runCliInProcess(['topology', record, '-o', 'mermaid'], env);
  assert.match(mermaid.stdout, /^graph LR\n/);
  assert.match(mermaid.stdout, /\[\("etcd"\)\]/);

  // Scream test through the L7 fault proxy: `inventory` (no catalog here, so not protected) still uses
  // etcd, so traffic through the proxy makes the verdict "in-use" and lifts the faults at once.
  const { run } = await import('../src/commands/lifecycle.js');
  const { defaultContext } = await import('../src/core/context.js');
  let proxyAddr: { host: string; port: number } | undefined;
  const lifecycle = run(
    { files: [record], scream: 'inventory', screamListen: '127.0.0.1:0', screamTarget: tc.cluster.members[0]!.clientURL, screamStages: 'latency:50ms@60s,abort:100%@60s', rollbackWindow: '2s', onScreamListening: (a) => (proxyAddr = a) },
    defaultContext({ env, stderr: new Capture(), signal: new AbortController().signal }),
  );
  const addr = await waitFor('the scream proxy', () => proxyAddr, 30_000);
  const c = new EtcdClient(resolveConnection({ endpoints: `http://${addr.host}:${addr.port}` }, {}, home));
  try {
    await c.put('/shop/stock/apples', '3');
  } finally {
    c.close();
  }
  const res = (await lifecycle) as LifecycleResult;
  const scream = res.scream as Exclude<LifecycleResult['scream'], { refused: string } | undefined>;
  assert.equal(scream.verdict, 'in-use');
  assert.equal(scream.stoppedEarly, true);
  assert.equal(scream.stages.length, 1, 'faults lifted in the first stage');
  assert.ok((scream.stages[0]!.methods['/etcdserverpb.KV/Put'] ?? 0) >= 1, JSON.stringify(scream.stages));
});
