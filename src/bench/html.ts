/**
 * A self-contained HTML report of one or more benchmark runs (uPlot and its CSS inlined, data embedded):
 * latency by percentile, throughput over time, mean latency over time, and the comparison table.
 * No network access is needed to view it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BenchResult } from './result.js';
import type { Comparison } from './compare.js';

export interface ReportRun {
  label: string;
  result: BenchResult;
}

function uplotAssets(): { js: string; css: string } {
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  return { js: readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf8'), css: readFileSync(join(dist, 'uPlot.min.css'), 'utf8') };
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** JSON that is safe inside a <script> element. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

function summaryTable(runs: ReportRun[]): string {
  const head = ['run', 'workload', 'clients/conns', 'ops', 'errors', 'duration s', 'ops/s', 'mean ms', 'p50', 'p90', 'p99', 'p99.9', 'max', 'CPU us/op'];
  const rows = runs.map(({ label, result: r }) => [
    label,
    r.workload,
    `${r.config.clients}/${r.config.conns}`,
    r.ops,
    r.errors,
    r.durationSec,
    r.throughput,
    r.latencyMs.mean,
    r.latencyMs.p50,
    r.latencyMs.p90,
    r.latencyMs.p99,
    r.latencyMs.p999,
    r.latencyMs.max,
    r.clientCpuUsPerOp,
  ]);
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(String(c))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function comparisonTable(c: Comparison): string {
  const rows = c.rows
    .map(
      (r) =>
        `<tr class="${r.verdict}"><td>${esc(r.metric)}</td><td>${r.before} ${esc(r.unit)}</td><td>${r.after} ${esc(r.unit)}</td><td>${
          r.changePct === null ? 'n/a' : `${r.changePct > 0 ? '+' : ''}${r.changePct}%`
        }</td><td>${esc(r.verdict)}</td><td class="basis">${esc(r.basis)}</td></tr>`,
    )
    .join('');
  const notes = c.notes.length ? `<ul>${c.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
  return `<h2>Before / after</h2><table><thead><tr><th>metric</th><th>before</th><th>after</th><th>change</th><th>verdict</th><th>noise basis</th></tr></thead><tbody>${rows}</tbody></table>
<p class="note">"noise": the difference lies inside run-to-run variation (95% confidence intervals from the runs' own per-second throughput and latency histograms, and a floor of ${c.noiseFloorPct}%).</p>${notes}`;
}

export function renderHtml(runs: ReportRun[], comparison?: Comparison, title = 'upshift bench report'): string {
  const { js, css } = uplotAssets();
  const data = runs.map(({ label, result: r }) => ({
    label,
    percentiles: r.percentiles.filter((p) => p.p > 0),
    timeline: r.timeline.map((b) => [b.t, b.opsPerSec, b.meanMs]),
  }));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${css}</style>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}
td:first-child{text-align:left}.worse td{background:#fde2e2}.better td{background:#e2f5e2}.basis{font-size:12px;color:#666;text-align:left}
.note{color:#555;font-size:12px}.chart{margin:12px 0}
</style></head><body>
<h1>${esc(title)}</h1>
<p class="note">Generated ${esc(new Date().toISOString())}. Latencies in milliseconds; under --rate they are measured from each operation's intended start (coordinated-omission corrected).</p>
${summaryTable(runs)}
${comparison ? comparisonTable(comparison) : ''}
<h2>Latency by percentile</h2><div id="lat" class="chart"></div>
<h2>Throughput over time</h2><div id="tput" class="chart"></div>
<h2>Mean latency over time</h2><div id="meanlat" class="chart"></div>
<script>${js}</script>
<script id="bench-data" type="application/json">${scriptJson(data)}</script>
<script>
(function () {
  var runs = JSON.parse(document.getElementById('bench-data').textContent);
  var colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
  var width = Math.min(1000, document.body.clientWidth - 20);
  // Percentile axis: position i of the ladder, labelled with the percentile.
  var ladder = runs.length ? runs[0].percentiles.map(function (p) { return p.p; }) : [];
  var latData = [ladder.map(function (_, i) { return i; })];
  var latSeries = [{}];
  runs.forEach(function (r, k) {
    latData.push(ladder.map(function (p) { var f = r.percentiles.find(function (x) { return x.p === p; }); return f ? f.ms : null; }));
    latSeries.push({ label: r.label + ' (ms)', stroke: colors[k % colors.length], width: 2, points: { show: true } });
  });
  new uPlot({ width: width, height: 320, series: latSeries, scales: { x: { time: false }, y: { distr: 3 } },
    axes: [{ values: function (u, vals) { return vals.map(function (v) { return ladder[v] !== undefined ? ladder[v] + '%' : ''; }); }, splits: function () { return ladder.map(function (_, i) { return i; }); } }, { label: 'ms' }] },
    latData, document.getElementById('lat'));
  function timeChart(el, col, unit) {
    var n = Math.max.apply(null, runs.map(function (r) { return r.timeline.length; }).concat([0]));
    var d = [Array.from({ length: n }, function (_, i) { return i; })];
    var s = [{}];
    runs.forEach(function (r, k) {
      d.push(d[0].map(function (i) { return r.timeline[i] ? r.timeline[i][col] : null; }));
      s.push({ label: r.label + ' (' + unit + ')', stroke: colors[k % colors.length], width: 2 });
    });
    new uPlot({ width: width, height: 260, series: s, scales: { x: { time: false } }, axes: [{ label: 'seconds' }, { label: unit }] }, d, document.getElementById(el));
  }
  timeChart('tput', 1, 'ops/s');
  timeChart('meanlat', 2, 'ms');
  document.body.setAttribute('data-rendered', 'true');
})();
</script>
</body></html>
`;
}
