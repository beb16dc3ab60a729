/**
 * Soak: after a member moved, watch the cluster and the canary for the soak window and gate on health,
 * catch-up, error rate, P99 against the baseline, alarms and leadership (gates.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ProblemError } from '../../core/errors.js';
import type { StepHandler } from '../context.js';
import { evaluateGates } from '../gates.js';
import type { ClusterObservation } from '../observation.js';

export const soak: StepHandler = async (ctx, s) => {
  const until = Date.now() + (s.durationMs ?? 0);
  const observations: ClusterObservation[] = [];
  const gates = ctx.settings.gates;
  while (Date.now() < until) {
    ctx.signal?.throwIfAborted();
    observations.push(await ctx.observe());
    const w = ctx.state.workload?.windowStats(10_000);
    const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
    const live = evaluateGates({ member: s.member!, target: s.to!, observations, workload: w, baseline: ctx.state.baseline }, gates);
    ctx.telemetry.gates(s, live.checks);
    ctx.progress.live(`${left} s left  ${live.checks.map((c) => `${c.name} ${c.ok ? 'ok' : 'FAIL'}${c.value !== undefined && c.name !== 'version' ? ` ${c.value}` : ''}`).join('  ')}`);
    const early = evaluateGates({ member: s.member!, target: s.to!, observations }, gates, ['health']);
    if (!early.ok && observations.length >= gates.maxFailedHealthChecks) break;
    await sleep(Math.min(1000, Math.max(0, until - Date.now())));
  }
  if (observations.length === 0) observations.push(await ctx.observe());
  // Error rate and P99 over at least the workload's 10 s window: a 1-2 s soak holds too few samples for a
  // P99 (with 40 samples "P99" is the single slowest op), and the member's restart belongs in the window.
  const workload = ctx.state.workload ? ctx.state.workload.windowStats(Math.max(s.durationMs ?? 0, 10_000)) : undefined;
  const report = evaluateGates({ member: s.member!, target: s.to!, observations, workload, baseline: ctx.state.baseline }, gates);
  const summary = report.checks.map((c) => `${c.name}=${c.ok ? 'ok' : 'FAIL'}${c.value !== undefined ? `(${c.value})` : ''}`).join(' ');
  ctx.log(`    gates: ${summary}`);
  if (!report.ok) throw new ProblemError('gate-failed', `gates failed for ${s.member}: ${report.checks.filter((c) => !c.ok).map((c) => c.message).join('; ')}`, { details: { gates: report.checks } });
  return { gates: report.checks };
};
