/**
 * The canary: started at the baseline step (or again by a resumed process), stopped and its histories
 * verified at the end. The proof of an upgrade: no lost write, linearizable per key, watch complete.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { EtcdClient } from '../../client/kv.js';
import { errorMessage } from '../../core/errors.js';
import { readHistory } from '../../history/io.js';
import { checkHistory, type HistoryReport } from '../../history/check.js';
import { CanaryWorkload } from '../../workload/canary.js';
import type { RunContext, StepHandler } from '../context.js';
import { nextHistorySegment } from '../runs.js';
import type { Step } from '../steps.js';

export async function startWorkload(ctx: RunContext): Promise<void> {
  const segment = await nextHistorySegment(ctx.paths);
  const file = ctx.paths.history(segment);
  ctx.state.workload = new CanaryWorkload({
    config: ctx.env.config,
    prefix: `/upshift/canary/${ctx.paths.runId}/${segment}/`,
    historyFile: file,
    opsPerSec: ctx.settings.loadOpsPerSec,
    runId: ctx.paths.runId,
    log: (l) => ctx.log(`    ${l}`),
  });
  ctx.state.histories.push(file);
  await ctx.state.workload.start();
}

/**
 * A resumed run between its baseline and its end needs a canary again (the old process and its streams
 * are gone); members drained by an earlier process and not given back yet stay drained.
 */
export async function resumeWorkload(ctx: RunContext, steps: readonly Step[], index: number): Promise<void> {
  const done = new Set(ctx.records.filter((r) => r.type === 'step-end' && r.ok).map((r) => (r as { step: string }).step));
  const baselineDone = done.has('baseline');
  const stopIdx = steps.findIndex((s) => s.kind === 'stop-workload');
  if (!baselineDone || stopIdx < 0 || index > stopIdx) return;
  await startWorkload(ctx);
  for (const s of steps) {
    if (s.kind === 'drain' && done.has(s.id) && !done.has(s.id.replace(/drain$/, 'undrain'))) {
      await ctx.state.workload!.drain(ctx.driverMember(s.member!).clientURL, 0);
    }
  }
  // Let the fresh canary settle before any gate looks at its window.
  await sleep(Math.min(ctx.settings.baselineMs, 2000), undefined, { signal: ctx.signal }).catch(() => undefined);
}

function sum<T>(xs: T[], f: (x: T) => number): number {
  return xs.reduce((a, x) => a + f(x), 0);
}

/** Check every history of the run; interrupted segments (killed runs) get their read-back now. */
export async function verifyHistories(ctx: RunContext): Promise<Record<string, unknown>> {
  const reports: HistoryReport[] = [];
  for (const file of ctx.state.histories) {
    const h = await readHistory(file, { lenient: true });
    if (!h.readback) {
      // A segment cut short by a kill: read its prefix back now, and check the watch only as far as it got.
      const c = new EtcdClient(ctx.env.config);
      try {
        const start = performance.timeOrigin + performance.now();
        const r = await c.range(h.header.prefix, { prefix: true, timeoutMs: 10_000 });
        h.readback = { type: 'readback', start, end: performance.timeOrigin + performance.now(), revision: r.header.revision, entries: r.kvs.map((kv) => ({ key: kv.key.toString('utf8'), value: kv.value.toString('utf8'), modRevision: kv.modRevision, ...(kv.lease !== '0' ? { lease: kv.lease } : {}) })) };
      } finally {
        c.close();
      }
      if (!h.watch.some((w) => w.action === 'end')) {
        const seen = h.ops.filter((o) => o.kind === 'watch-event').reduce((m, o) => Math.max(m, o.revision ?? 0), 0);
        h.watch.push({ type: 'watch', action: 'end', revision: seen, at: h.readback.start, truncated: true });
      }
    }
    reports.push(checkHistory(h));
  }
  const lostWrites = sum(reports, (r) => r.summary.lostWrites);
  const watchViolations = sum(reports, (r) => r.summary.watchViolations);
  const lin = sum(reports, (r) => r.summary.linearizabilityViolations);
  const ok = reports.every((r) => r.ok);
  ctx.state.verification = reports.length === 1 ? reports[0] : { ok, operations: sum(reports, (r) => r.operations), violations: reports.flatMap((r) => r.violations), summary: { ...reports[0]!.summary, lostWrites, watchViolations, linearizabilityViolations: lin } };
  // The canary keys served their purpose: remove them (an explicit prefix range, never an open one).
  await removeCanaryKeys(ctx);
  ctx.log(`    verification: ${ok ? 'ok' : 'FAILED'}: ${lostWrites} lost writes, ${watchViolations} watch violations, ${lin} linearizability violations over ${reports.length} history file(s)`);
  return { ok, lostWrites, watchViolations, linearizabilityViolations: lin, violations: reports.reduce((a, r) => a + r.violations.length, 0), histories: ctx.state.histories };
}

async function removeCanaryKeys(ctx: RunContext): Promise<void> {
  const c = new EtcdClient(ctx.env.config);
  try {
    await c.deleteRange(`/upshift/canary/${ctx.paths.runId}/`, { prefix: true, timeoutMs: 10_000 });
  } catch (e) {
    ctx.log(`    could not remove the canary keys under /upshift/canary/${ctx.paths.runId}/: ${errorMessage(e)}`);
  } finally {
    c.close();
  }
}

export const workloadHandlers: Record<'baseline' | 'stop-workload' | 'verify', StepHandler> = {
  async baseline(ctx) {
    if (!ctx.state.workload) await startWorkload(ctx);
    await sleep(ctx.settings.baselineMs, undefined, { signal: ctx.signal }).catch(() => undefined);
    const w = ctx.state.workload!.windowStats(ctx.settings.baselineMs);
    const obs = await ctx.observe();
    const alarms = obs.alarms.map((a) => `${a.alarm}@${a.memberId}`);
    ctx.state.baseline = { p99Ms: w.p99Ms, alarms };
    ctx.log(`    baseline: ${w.ops} ops, ${w.errors} errors, P99 ${w.p99Ms?.toFixed(1) ?? '-'} ms`);
    return { ops: w.ops, errors: w.errors, p99Ms: w.p99Ms, alarms };
  },

  async 'stop-workload'(ctx) {
    const w = ctx.state.workload;
    if (!w) return { skipped: 'no workload running' };
    const r = await w.stop();
    ctx.state.workloadReport = r;
    ctx.state.workload = undefined;
    return { historyFile: r.historyFile, ops: r.ops, failed: r.failed, indeterminate: r.indeterminate };
  },

  verify: (ctx) => verifyHistories(ctx),
};
