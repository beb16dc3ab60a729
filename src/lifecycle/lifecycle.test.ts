import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classify, quadrantOf, type DependencyFacts, type Importance } from './classify.js';
import { importanceOf, parseCatalog } from './catalog.js';
import { parseStages } from './scream.js';
import { run, type LifecycleResult } from '../commands/lifecycle.js';
import { defaultContext } from '../core/context.js';
import type { CommandOutcome } from '../core/errors.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'lifecycle');

const facts = (over: Partial<DependencyFacts>): DependencyFacts => ({ caller: 'a', callee: 'etcd', calls: 0, errors: 0, lastSeen: null, declaredBy: [], callerAlive: true, callerRetired: false, importance: 'low', importanceBy: 'test', ...over });

test('quadrants: call frequency x importance', () => {
  const table: [calls: number, importance: Importance, quadrant: string, recommendation: string, protectedDep: boolean][] = [
    [500, 'high', 'core', 'keep', true],
    [500, 'low', 'busy-low-value', 'review-cost', false],
    [3, 'high', 'sleeping-critical', 'keep-protected', true],
    [0, 'high', 'sleeping-critical', 'keep-protected', true],
    [3, 'low', 'zombie-candidate', 'scream-test-then-remove', false],
    [0, 'low', 'zombie-candidate', 'scream-test-then-remove', false],
    [0, 'unknown', 'unclassified', 'classify', false],
    [500, 'unknown', 'unclassified', 'classify', false],
    [30, 'low', 'zombie-candidate', 'scream-test-then-remove', false], // at the threshold: still low
    [31, 'low', 'busy-low-value', 'review-cost', false],
  ];
  for (const [calls, importance, quadrant, recommendation, protectedDep] of table) {
    const c = classify(facts({ calls, importance }), { lowCalls: 30 });
    assert.deepEqual([c.quadrant, c.recommendation, c.protected], [quadrant, recommendation, protectedDep], `${calls} calls, ${importance}`);
  }
  assert.equal(quadrantOf('none', 'high'), 'sleeping-critical');
  // Less traffic history than the window: nothing is proposed for removal.
  assert.equal(classify(facts({ calls: 0, importance: 'low' }), { lowCalls: 30, fullWindow: false }).recommendation, 'observe-longer');
});

test('traffic states like Kiali: active, idle (declared, caller runs, no calls), dead (caller gone or retired)', () => {
  assert.equal(classify(facts({ calls: 2 }), { lowCalls: 30 }).state, 'active');
  assert.equal(classify(facts({ calls: 0, callerAlive: true }), { lowCalls: 30 }).state, 'idle');
  assert.equal(classify(facts({ calls: 0, callerAlive: false }), { lowCalls: 30 }).state, 'dead');
  assert.equal(classify(facts({ calls: 0, callerAlive: true, callerRetired: true }), { lowCalls: 30 }).state, 'dead');
});

test('importance from tier, lifecycle or an explicit value; Backstage entities and upshift catalogs in one file', () => {
  assert.equal(importanceOf({ tier: 'S1' }).importance, 'high');
  assert.equal(importanceOf({ tier: '2' }).importance, 'high');
  assert.equal(importanceOf({ tier: 'tier-4' }).importance, 'low');
  assert.equal(importanceOf({ lifecycle: 'production' }).importance, 'high');
  assert.equal(importanceOf({ lifecycle: 'experimental' }).importance, 'low');
  assert.equal(importanceOf({ tier: '4', importance: 'high' }).importance, 'high');
  assert.equal(importanceOf({}).importance, 'unknown');
  const c = parseCatalog(
    'services:\n  a: {tier: 1, dependsOn: ["resource:default/etcd"]}\n---\nkind: Component\nmetadata: {name: b}\nspec: {lifecycle: deprecated, owner: x, dependsOn: [component:a]}\n',
    'cat.yaml',
  );
  assert.deepEqual(c.get('a')!.dependsOn, ['etcd']);
  assert.equal(c.get('b')!.importance, 'low');
  assert.deepEqual(c.get('b')!.dependsOn, ['a']);
  assert.throws(() => parseCatalog('services: 3\n', 'bad.yaml'), /neither an upshift catalog/);
});

test('scream stages parse; bad ones are refused', () => {
  assert.deepEqual(
    parseStages('latency:100ms@10m,abort:5%@1h').map((s) => [s.kind, s.value, s.durationMs]),
    [
      ['latency', 100, 600_000],
      ['abort', 0.05, 3_600_000],
    ],
  );
  assert.throws(() => parseStages('slow:1s@1m'), /cannot read/);
});

/** Zipkin spans for 30 days of traffic: day d at noon. */
function traffic(): unknown[] {
  const spans: unknown[] = [];
  let n = 0;
  const day0 = Date.parse('2026-11-01T12:00:00Z') * 1000;
  const id = () => (++n).toString(16).padStart(16, '0');
  const call = (caller: string, callee: string | null, day: number, opts: { etcd?: boolean } = {}) => {
    const traceId = id();
    const root = id();
    const ts = day0 + day * 86_400_000_000;
    spans.push({ traceId, id: root, kind: 'SERVER', name: 'job', timestamp: ts, duration: 5000, localEndpoint: { serviceName: caller } });
    const client = id();
    const tags: Record<string, string> = opts.etcd ? { 'rpc.system': 'grpc', 'rpc.service': 'etcdserverpb.KV', 'rpc.method': 'Range' } : { 'http.method': 'GET', 'http.path': '/' };
    spans.push({ traceId, parentId: root, id: client, kind: 'CLIENT', name: 'call', timestamp: ts + 10, duration: 1000, localEndpoint: { serviceName: caller }, ...(opts.etcd ? {} : { remoteEndpoint: { serviceName: callee } }), tags });
  };
  for (let i = 0; i < 100; i++) call('billing', null, i % 30, { etcd: true });
  for (let i = 0; i < 100; i++) call('web', 'billing', i % 30);
  for (let i = 0; i < 50; i++) call('web', 'legacy-report', i % 30);
  call('dr-failover', null, 14, { etcd: true });
  for (let i = 0; i < 200; i++) call('analytics', null, i % 30, { etcd: true });
  for (let i = 0; i < 5; i++) call('mystery', null, i, { etcd: true });
  return spans;
}

test('lifecycle over fixtures: an idle declared etcd client is found, a sleeping-critical one is protected (and never scream-tested)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'upshift-lifecycle-'));
  try {
    const spans = join(dir, 'spans.json');
    writeFileSync(spans, JSON.stringify(traffic()));
    const ctx = defaultContext({ env: { UPSHIFT_HOME: dir }, home: dir, stderr: process.stderr });
    const opts = { files: [spans], since: '30d', catalog: join(FIXTURES, 'catalog.yaml'), modules: [`billing=${join(FIXTURES, 'billing')}`, `legacy-report=${join(FIXTURES, 'legacy-report')}`] };
    const r = (await run(opts, ctx)) as LifecycleResult;
    const dep = (caller: string, callee = 'etcd') => {
      const d = r.dependencies.find((x) => x.caller === caller && x.callee === callee);
      assert.ok(d, `${caller} -> ${callee} in ${r.dependencies.map((x) => `${x.caller}->${x.callee}`).join(', ')}`);
      return d;
    };
    // billing: tier 1, 100 calls, declared by its go.mod (through upshift deps).
    assert.deepEqual([dep('billing').quadrant, dep('billing').state, dep('billing').protected], ['core', 'active', true]);
    assert.match(dep('billing').declaredBy.join(), /go\.mod requires go\.etcd\.io\/etcd\/client\/v3 v3\.6\.17/);
    // legacy-report: runs (web calls it), requires etcd's client in go.mod, never calls etcd: idle, a zombie candidate.
    const legacy = dep('legacy-report');
    assert.deepEqual([legacy.state, legacy.calls, legacy.quadrant, legacy.recommendation], ['idle', 0, 'zombie-candidate', 'scream-test-then-remove']);
    assert.match(legacy.declaredBy.join(), /not imported by any \.go file/);
    assert.deepEqual(r.summary.idleEtcdClients, ['legacy-report', 'old-scheduler']);
    // dr-failover: one call in 30 days, tier S1: sleeping critical, protected.
    const dr = dep('dr-failover');
    assert.deepEqual([dr.calls, dr.quadrant, dr.recommendation, dr.protected], [1, 'sleeping-critical', 'keep-protected', true]);
    assert.ok(!r.summary.zombieCandidates.includes('dr-failover -> etcd'));
    // old-scheduler: declared in the catalog, no spans at all: dead.
    assert.deepEqual([dep('old-scheduler').state, dep('old-scheduler').quadrant], ['dead', 'zombie-candidate']);
    assert.equal(dep('analytics').quadrant, 'busy-low-value');
    assert.equal(dep('mystery').quadrant, 'unclassified');
    assert.equal(dep('web', 'billing').quadrant, 'core');
    assert.match(dep('web', 'billing').declaredBy.join(), /catalog dependsOn of web/);
    assert.deepEqual(r.summary.zombieCandidates.sort(), ['legacy-report -> etcd', 'old-scheduler -> etcd']);

    // A scream test of a sleeping-critical dependency is refused (exit 1), before any proxy starts.
    const refused = (await run({ ...opts, scream: 'dr-failover' }, ctx)) as CommandOutcome<LifecycleResult>;
    assert.equal(refused.exitCode, 1);
    assert.match((refused.result.scream as { refused: string }).refused, /sleeping-critical \(protected\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
