/**
 * Gates: is the member just upgraded, and the cluster, fine to move on from? Pure evaluation of
 * observations and workload statistics collected during the wait/soak window.
 *
 * Semantics follow Flagger's analysis (shared/reference/governance.md §4): a check with no data is a
 * failed check ("probably not receiving traffic"), failed health checks are counted cumulatively over
 * the window and fail at >= the limit. Defaults start from the issue's seeds (error rate > 5%, P99 >
 * 2 s, 2 failed health checks) and are tighter where etcd allows:
 * - error rate 1%: errors are counted after the workload's safe retries, and a graceful rolling
 *   upgrade costs 0-5 first-attempt failures in ~6,000 ops (manual-upgrade-baseline.md), so 1% is a
 *   real signal, not noise;
 * - P99 1 s absolute: a graceful leader handoff takes ~100-200 ms; a 1 s P99 means an election timed
 *   out (etcd's default election timeout is 1000 ms); relative: 5x the baseline, and at least +300 ms
 *   (on a shared 2-core machine a short window's P99 swings by 100-200 ms with no upgrade at all);
 * - catch-up: applied index within 100 entries of the leader's (a few hundred ms of a 200 writes/s load).
 */
import { appliedIndex, leaderOf, sameVersion, type ClusterObservation } from './observation.js';

export interface GateThresholds {
  /** Fail when errors / ops over the window exceed this (0..1). */
  maxErrorRate: number;
  /** Fail when the window's P99 exceeds this many ms. */
  maxP99Ms: number;
  /** Fail when P99 exceeds max(baseline * factor, baseline + slack). */
  p99BaselineFactor: number;
  p99BaselineSlackMs: number;
  /** Fail when this many health checks failed during the window (cumulative, >=). */
  maxFailedHealthChecks: number;
  /** Fail when the member's applied index trails the leader's by more than this. */
  maxAppliedLag: number;
  /** Fewer workload ops than this in the window is "no data". */
  minOps: number;
}

export const DEFAULT_GATES: GateThresholds = {
  maxErrorRate: 0.01,
  maxP99Ms: 1000,
  p99BaselineFactor: 5,
  p99BaselineSlackMs: 300,
  maxFailedHealthChecks: 2,
  maxAppliedLag: 100,
  minOps: 10,
};

export interface WorkloadWindow {
  ops: number;
  /** Ops that failed after any safe retry (indeterminate writes count as errors here). */
  errors: number;
  p99Ms?: number | undefined;
}

export interface GateInput {
  /** The member the gates are about (just upgraded). */
  member: string;
  target: string;
  /** Health observations taken during the window, oldest first. */
  observations: ClusterObservation[];
  /** Workload statistics over the window; undefined when no load runs (--load 0): those gates are off. */
  workload?: WorkloadWindow | undefined;
  baseline?: { p99Ms?: number | undefined; alarms: string[] } | undefined;
}

export type GateName = 'member-healthy' | 'health' | 'version' | 'catch-up' | 'leader' | 'alarms' | 'error-rate' | 'p99';

export interface GateCheck {
  name: GateName;
  ok: boolean;
  value?: number | string | undefined;
  threshold?: number | string | undefined;
  message: string;
}

export interface GateReport {
  ok: boolean;
  checks: GateCheck[];
}

const alarmText = (a: { memberId: string; alarm: string }): string => `${a.alarm}@${a.memberId}`;

/** Evaluate every gate over a window (soak). `only` restricts to some gates (e.g. the wait-healthy loop). */
export function evaluateGates(input: GateInput, t: GateThresholds = DEFAULT_GATES, only?: readonly GateName[]): GateReport {
  const checks: GateCheck[] = [];
  const want = (n: GateName): boolean => !only || only.includes(n);
  const obs = input.observations;
  const last = obs[obs.length - 1];

  if (want('health')) {
    if (obs.length === 0) checks.push({ name: 'health', ok: false, message: 'no health observations in the window (no data)' });
    else {
      const failed = obs.filter((o) => o.members.some((m) => !m.isLearner && !(m.reachable && m.healthy))).length;
      const lastBad = last!.members.filter((m) => !(m.reachable && m.healthy)).map((m) => m.name || m.id);
      const ok = failed < t.maxFailedHealthChecks && lastBad.length === 0;
      checks.push({
        name: 'health',
        ok,
        value: failed,
        threshold: t.maxFailedHealthChecks,
        message: ok ? `${obs.length} health checks, ${failed} failed` : lastBad.length > 0 ? `unhealthy now: ${lastBad.join(', ')}` : `${failed} of ${obs.length} health checks failed (limit ${t.maxFailedHealthChecks})`,
      });
    }
  }
  const me = last?.members.find((m) => m.name === input.member);
  if (want('member-healthy')) {
    const ok = me !== undefined && me.reachable && me.healthy;
    checks.push({ name: 'member-healthy', ok, message: ok ? `${input.member} is healthy` : `${input.member} is ${me ? (me.reachable ? 'unhealthy' : 'unreachable') : 'not in the member list'}${me?.errors.length ? `: ${me.errors.join('; ')}` : ''}` });
  }
  if (want('version')) {
    if (!me?.version) checks.push({ name: 'version', ok: false, message: `${input.member} reports no version (no data)` });
    else checks.push({ name: 'version', ok: sameVersion(me.version, input.target), value: me.version, threshold: input.target, message: `${input.member} runs ${me.version}` });
  }
  if (want('catch-up')) {
    const leader = last ? leaderOf(last) : undefined;
    const li = leader ? appliedIndex(leader) : undefined;
    const mi = me ? appliedIndex(me) : undefined;
    if (li === undefined || mi === undefined) checks.push({ name: 'catch-up', ok: false, message: `no applied index for ${leader ? input.member : 'the leader'} (no data)` });
    else {
      const lag = Math.max(0, li - mi);
      checks.push({ name: 'catch-up', ok: lag <= t.maxAppliedLag, value: lag, threshold: t.maxAppliedLag, message: `${input.member} applied index ${mi}, leader ${li} (lag ${lag})` });
    }
  }
  if (want('leader')) {
    if (obs.length === 0) checks.push({ name: 'leader', ok: false, message: 'no observations (no data)' });
    else {
      const without = obs.filter((o) => !leaderOf(o)).length;
      const now = leaderOf(last!);
      const ok = now !== undefined && without < t.maxFailedHealthChecks;
      checks.push({ name: 'leader', ok, value: without, threshold: t.maxFailedHealthChecks, message: now ? `leader ${now.name}; ${without} observation(s) without a leader` : 'no leader now' });
    }
  }
  if (want('alarms')) {
    if (!last) checks.push({ name: 'alarms', ok: false, message: 'no observations (no data)' });
    else {
      const before = new Set(input.baseline?.alarms ?? []);
      const fresh = last.alarms.map(alarmText).filter((a) => !before.has(a));
      checks.push({ name: 'alarms', ok: fresh.length === 0, value: fresh.join(', ') || 'none', message: fresh.length ? `new alarms: ${fresh.join(', ')}` : 'no new alarms' });
    }
  }
  if (input.workload && want('error-rate')) {
    const w = input.workload;
    if (w.ops < t.minOps) checks.push({ name: 'error-rate', ok: false, value: w.ops, threshold: t.minOps, message: `only ${w.ops} workload ops in the window (no data)` });
    else {
      const rate = w.errors / w.ops;
      checks.push({ name: 'error-rate', ok: rate <= t.maxErrorRate, value: round(rate, 4), threshold: t.maxErrorRate, message: `${w.errors} errors in ${w.ops} ops (${(rate * 100).toFixed(2)}%)` });
    }
  }
  if (input.workload && want('p99')) {
    const p99 = input.workload.p99Ms;
    const base = input.baseline?.p99Ms;
    if (p99 === undefined || input.workload.ops < t.minOps) checks.push({ name: 'p99', ok: false, message: 'no latency samples in the window (no data)' });
    else {
      const relative = base !== undefined ? Math.max(base * t.p99BaselineFactor, base + t.p99BaselineSlackMs) : Infinity;
      const limit = Math.min(t.maxP99Ms, relative);
      checks.push({
        name: 'p99',
        ok: p99 <= limit,
        value: round(p99, 2),
        threshold: round(limit, 2),
        message: `P99 ${p99.toFixed(1)} ms (baseline ${base !== undefined ? base.toFixed(1) + ' ms' : 'unknown'}, limit ${limit.toFixed(1)} ms)`,
      });
    }
  }
  return { ok: checks.every((c) => c.ok), checks };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Gates checked while waiting for a restarted member (repeated until they pass or the deadline). */
export const READY_GATES: readonly GateName[] = ['member-healthy', 'version', 'catch-up', 'leader'];
