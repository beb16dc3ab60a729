import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrometheus, metricValue, metricLabel, histogram, histogramQuantile, PrometheusParseError, parseValue } from './prometheus.js';

const ETCD_SAMPLE = `# HELP etcd_cluster_version Which version is running. 1 for 'cluster_version' label with current cluster version
# TYPE etcd_cluster_version gauge
etcd_cluster_version{cluster_version="3.5"} 1
# HELP etcd_server_quota_backend_bytes Current backend storage quota size in bytes.
# TYPE etcd_server_quota_backend_bytes gauge
etcd_server_quota_backend_bytes 2.147483648e+09
# HELP etcd_disk_wal_fsync_duration_seconds The latency distributions of fsync called by WAL.
# TYPE etcd_disk_wal_fsync_duration_seconds histogram
etcd_disk_wal_fsync_duration_seconds_bucket{le="0.001"} 2
etcd_disk_wal_fsync_duration_seconds_bucket{le="0.002"} 6
etcd_disk_wal_fsync_duration_seconds_bucket{le="0.004"} 10
etcd_disk_wal_fsync_duration_seconds_bucket{le="+Inf"} 10
etcd_disk_wal_fsync_duration_seconds_sum 0.021
etcd_disk_wal_fsync_duration_seconds_count 10
# HELP go_gc_duration_seconds A summary of the pause duration of garbage collection cycles.
# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 2.4e-05
go_gc_duration_seconds{quantile="1"} NaN
go_gc_duration_seconds_sum 0.001
go_gc_duration_seconds_count 7
`;

test('parses etcd-style gauges, histograms and summaries into families', () => {
  const m = parsePrometheus(ETCD_SAMPLE);
  assert.equal(metricLabel(m, 'etcd_cluster_version', 'cluster_version'), '3.5');
  assert.equal(metricValue(m, 'etcd_server_quota_backend_bytes'), 2147483648);
  const fsync = m.get('etcd_disk_wal_fsync_duration_seconds')!;
  assert.equal(fsync.type, 'histogram');
  assert.equal(fsync.samples.length, 6);
  assert.equal(m.has('etcd_disk_wal_fsync_duration_seconds_bucket'), false);
  const gc = m.get('go_gc_duration_seconds')!;
  assert.equal(gc.type, 'summary');
  assert.equal(gc.samples.length, 4);
  assert.ok(Number.isNaN(gc.samples[1]!.value));
  assert.match(fsync.help!, /latency distributions/);
});

test('label values with escapes, spaces, commas and braces', () => {
  const m = parsePrometheus('x{a="q\\"uote",b="back\\\\slash",c="new\\nline", d = "a,b}c" ,} 3\n');
  assert.deepEqual(m.get('x')!.samples[0]!.labels, { a: 'q"uote', b: 'back\\slash', c: 'new\nline', d: 'a,b}c' });
});

test('special values, exponents and timestamps', () => {
  const m = parsePrometheus('a +Inf\nb -Inf\nc NaN 1700000000000\nd 1.5e-3 -5\ne -0.5\n');
  assert.equal(metricValue(m, 'a'), Infinity);
  assert.equal(metricValue(m, 'b'), -Infinity);
  assert.ok(Number.isNaN(metricValue(m, 'c')!));
  assert.equal(m.get('c')!.samples[0]!.timestamp, 1700000000000);
  assert.equal(metricValue(m, 'd'), 0.0015);
  assert.equal(m.get('d')!.samples[0]!.timestamp, -5);
  assert.equal(metricValue(m, 'e'), -0.5);
});

test('comments, blank lines, CRLF and HELP escapes', () => {
  const m = parsePrometheus('# just a comment\r\n\r\n# HELP h line1\\nline2 \\\\ end\r\n# TYPE h counter\r\nh_total 1\r\nh 2\r\n');
  assert.equal(m.get('h')!.help, 'line1\nline2 \\ end');
  assert.equal(m.get('h')!.type, 'counter');
  assert.equal(metricValue(m, 'h'), 2);
  assert.equal(metricValue(m, 'h_total'), 1);
});

test('metricValue filters by labels', () => {
  const m = parsePrometheus('g{code="OK",method="Range"} 5\ng{code="Unavailable",method="Range"} 2\n');
  assert.equal(metricValue(m, 'g', { code: 'Unavailable' }), 2);
  assert.equal(metricValue(m, 'g', { code: 'Nope' }), undefined);
});

test('histogramQuantile interpolates like PromQL histogram_quantile', () => {
  const m = parsePrometheus(ETCD_SAMPLE);
  const h = histogram(m, 'etcd_disk_wal_fsync_duration_seconds')!;
  assert.equal(h.count, 10);
  assert.equal(h.buckets.length, 4);
  // rank 5 of 10 falls in (0.001, 0.002] holding 4: 0.001 + 0.001 * 3/4
  assert.ok(Math.abs(histogramQuantile(h, 0.5) - 0.00175) < 1e-12);
  // rank 9.9 in (0.002, 0.004]
  assert.ok(Math.abs(histogramQuantile(h, 0.99) - (0.002 + 0.002 * (3.9 / 4))) < 1e-12);
  assert.ok(Number.isNaN(histogramQuantile({ buckets: [], sum: 0, count: 0 }, 0.5)));
});

test('histogram sums series across other labels', () => {
  const text = '# TYPE r histogram\nr_bucket{To="a",le="1"} 1\nr_bucket{To="a",le="+Inf"} 2\nr_bucket{To="b",le="1"} 3\nr_bucket{To="b",le="+Inf"} 3\nr_sum 0\nr_count 5\n';
  const h = histogram(parsePrometheus(text), 'r')!;
  assert.deepEqual(h.buckets, [{ le: 1, count: 4 }, { le: Infinity, count: 5 }]);
  assert.deepEqual(histogram(parsePrometheus(text), 'r', { To: 'a' })!.buckets, [{ le: 1, count: 1 }, { le: Infinity, count: 2 }]);
});

test('malformed input fails with the line number', () => {
  for (const bad of ['x{a="1"', 'x{a=1} 2', 'x abc', '9x 1', 'x 1 2 3', 'x 1 1.5', '# TYPE x colour']) {
    assert.throws(() => parsePrometheus(`ok 1\n${bad}\n`), (e: unknown) => e instanceof PrometheusParseError && e.line === 2, bad);
  }
  assert.throws(() => parseValue('1e'), /not a number/);
});

test('only: keeps the named families (with their _bucket/_sum/_count) and skips the rest', () => {
  const m = parsePrometheus(ETCD_SAMPLE, { only: ['etcd_cluster_version', 'etcd_disk_wal_fsync_duration_seconds'] });
  assert.deepEqual([...m.keys()], ['etcd_cluster_version', 'etcd_disk_wal_fsync_duration_seconds']);
  assert.equal(m.get('etcd_disk_wal_fsync_duration_seconds')!.samples.length, 6);
  assert.equal(m.get('etcd_disk_wal_fsync_duration_seconds')!.type, 'histogram');
  // A malformed line of a skipped family does not matter.
  assert.equal(parsePrometheus('skipped{bad\nkept 1\n', { only: new Set(['kept']) }).size, 1);
});
