/**
 * `upshift bench compare BEFORE AFTER [--html FILE]`: the before/after table (metric, before, after,
 * change %, verdict) of two saved `bench -o json` / `--out` results, with a noise verdict (see
 * src/bench/compare.ts for how noise is decided). Exit 1 when a metric got worse beyond noise.
 */
import { resolve } from 'node:path';
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { ExitCode, UsageError, type CommandOutcome } from '../core/errors.js';
import { readInputFile, writeFileAtomic } from '../core/files.js';
import { renderTable } from '../core/output.js';
import { outcome } from './command.js';
import { compareResults, type Comparison } from '../bench/compare.js';
import { renderHtml } from '../bench/html.js';
import type { BenchResult } from '../bench/result.js';

export interface BenchCompareOptions {
  before: string;
  after: string;
  html?: string;
  noiseFloor?: string;
  output?: string;
}

export async function readResult(file: string, what: string): Promise<BenchResult> {
  const text = await readInputFile(file, what, { hint: 'save a run with `upshift bench put -o json > before.json` or `--out FILE`' });
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what}: ${file} is not JSON: ${(e as Error).message}`, { hint: 'pass the JSON written by `upshift bench ... -o json` or `--out FILE`' });
  }
  const r = v as Partial<BenchResult>;
  const ok =
    r && typeof r === 'object' && typeof r.workload === 'string' && typeof r.throughput === 'number' && typeof r.ops === 'number' && r.latencyMs && typeof r.latencyMs.p99 === 'number';
  if (!ok) throw new UsageError(`${what}: ${file} is not an upshift bench result (needs workload, ops, throughput, latencyMs)`, { hint: 'pass the JSON written by `upshift bench ... -o json`' });
  const full = r as BenchResult;
  full.timeline ??= [];
  full.percentiles ??= [];
  full.errorsByType ??= {};
  full.clientCpuUsPerOp ??= 0;
  full.errors ??= 0;
  return full;
}

export async function run(opts: BenchCompareOptions, ctx: CommandContext): Promise<Comparison | CommandOutcome<Comparison>> {
  const floor = opts.noiseFloor === undefined ? 5 : Number(opts.noiseFloor);
  if (!Number.isFinite(floor) || floor < 0) throw new UsageError(`--noise-floor: "${opts.noiseFloor}" is not a non-negative percentage`, { hint: 'write e.g. --noise-floor 5' });
  const before = await readResult(opts.before, 'BEFORE');
  const after = await readResult(opts.after, 'AFTER');
  const cmp = compareResults(before, after, { noiseFloorPct: floor, beforeFile: opts.before, afterFile: opts.after });
  if (opts.html) {
    const html = renderHtml(
      [
        { label: 'before', result: before },
        { label: 'after', result: after },
      ],
      cmp,
      `upshift bench compare: ${before.workload}`,
    );
    await writeFileAtomic(resolve(opts.html), html, { mode: 0o644 });
    note(ctx, `bench compare: HTML report written to ${opts.html}`);
  }
  return cmp.regressions.length > 0 ? outcome(cmp, ExitCode.problem) : cmp;
}

export function render(c: Comparison): string {
  const rows = c.rows.map((r) => [
    r.metric + (r.unit ? ` (${r.unit})` : ''),
    r.before,
    r.after,
    r.changePct === null ? 'n/a' : `${r.changePct > 0 ? '+' : ''}${r.changePct}%`,
    r.verdict === 'noise' ? 'within noise' : r.verdict,
  ]);
  let out = renderTable({ head: ['metric', 'before', 'after', 'change %', 'verdict'], rows });
  out += `noise: a difference inside run-to-run variation (95% CIs from per-second throughput and the latency histograms; changes under ${c.noiseFloorPct}% always count as noise)\n`;
  for (const n of c.notes) out += `note: ${n}\n`;
  if (c.regressions.length) out += `worse beyond noise: ${c.regressions.join(', ')}\n`;
  return out;
}
