import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareResults } from './compare.js';
import { newHistogram, encodeHistogram, summarize, ladder } from './histogram.js';
import type { BenchResult } from './result.js';

/** A synthetic result: latencies drawn around `scaleMs`, per-second throughput around `tput`. */
function fakeResult(scaleMs: number, tput: number, seed: number): BenchResult {
  let s = seed;
  const rnd = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const h = newHistogram();
  const secs = 10;
  const timeline = [];
  let ops = 0;
  for (let t = 0; t < secs; t++) {
    const n = Math.round(tput * (0.97 + 0.06 * rnd()));
    for (let i = 0; i < n; i++) h.recordValue(Math.round(scaleMs * 1000 * (0.5 + rnd() + (rnd() < 0.003 ? 3 : 0))));
    timeline.push({ t, sec: 1, ops: n, errors: 0, opsPerSec: n, meanMs: scaleMs, maxMs: scaleMs * 4 });
    ops += n;
  }
  return {
    workload: 'put',
    config: { workload: 'put', endpoints: ['http://x:2379'], clients: 64, conns: 8, total: ops, keySize: 32, valSize: 256, keySpace: 100000, keyPrefix: 'bench/', sequentialKeys: false, warmupMs: 0, workers: 2, consistency: 'l', prefix: false, limit: 0, readRatio: 0.9, watchers: 64, leaseTtlSec: 30, commandTimeoutMs: 5000, dialTimeoutMs: 2000 },
    ops,
    errors: 0,
    durationSec: secs,
    throughput: ops / secs,
    latencyMs: summarize(h),
    percentiles: ladder(h),
    clientCpuUsPerOp: 60,
    clientCpu: { userMs: 1, systemMs: 1, cores: 0.5 },
    errorsByType: {},
    timeline,
    histogram: encodeHistogram(h),
    host: { cpus: 2, loadAvg1AtStart: 1 },
    startedAt: new Date(0).toISOString(),
  };
}

test('a planted 2x latency change is detected as worse beyond noise', () => {
  const before = fakeResult(10, 3000, 1);
  const after = fakeResult(20, 3000, 2);
  const c = compareResults(before, after);
  for (const m of ['latency mean', 'latency p50', 'latency p90', 'latency p99']) {
    const r = c.rows.find((x) => x.metric === m)!;
    assert.equal(r.verdict, 'worse', `${m}: ${JSON.stringify(r)}`);
    assert.ok(r.changePct! > 80 && r.changePct! < 120, `${m} change ${r.changePct}`);
  }
  assert.ok(c.regressions.includes('latency p99'));
  // Same throughput distribution: inside noise, not a regression.
  const tp = c.rows.find((x) => x.metric === 'throughput')!;
  assert.notEqual(tp.verdict, 'worse');
  // And the improvement direction is recognised too.
  assert.equal(compareResults(after, before).rows.find((x) => x.metric === 'latency p99')!.verdict, 'better');
});

test('two runs of the same distribution are within noise', () => {
  const c = compareResults(fakeResult(10, 3000, 3), fakeResult(10, 3000, 4));
  for (const r of c.rows) assert.ok(r.verdict === 'noise' || r.verdict === 'same', `${r.metric}: ${r.verdict} (${r.changePct}%)`);
  assert.deepEqual(c.regressions, []);
});

test('a throughput drop bigger than the per-second spread is worse', () => {
  const c = compareResults(fakeResult(10, 3000, 5), fakeResult(10, 2400, 6));
  const tp = c.rows.find((x) => x.metric === 'throughput')!;
  assert.equal(tp.verdict, 'worse');
  assert.ok(Math.abs(tp.changePct! + 20) < 3);
});
