/**
 * Go / no-go from what a rehearsal saw (pure): the copy's restore check, the readiness findings, the
 * upgrade's report and journal, the quorum monitor and the faults. Every reason is one line a person can
 * act on; `outcome` says what the upgrade did and why, with the faults that were on when it stopped.
 */
import type { Finding } from '../core/finding.js';
import type { GateCheck } from '../upgrade/gates.js';
import type { JournalRecord } from '../upgrade/journal.js';
import type { UpgradeReport } from '../upgrade/executor.js';
import type { FaultEvent } from '../faults/runner.js';
import type { TimelineEntry } from '../faults/schedule.js';
import { describeEntry } from '../faults/schedule.js';
import type { QuorumReport } from './quorum-monitor.js';

/** One member in one hop, from the journal. */
export interface MemberFigures {
  member: string;
  hop: number;
  from: string;
  to: string;
  /** From its stop's begin to its wait-ready's end: how long it did not serve. */
  downtimeMs: number | null;
  /** wait-ready: from start until healthy, on the target and caught up with the leader. */
  catchUpMs: number | null;
  /** The soak's gate verdict with measured values (null: no soak ran). */
  gates: { ok: boolean; checks: { name: string; ok: boolean; value?: number | string | undefined; threshold?: number | string | undefined }[] } | null;
}

const ms = (iso: string): number => Date.parse(iso);

/** Per member and hop: downtime, catch-up time and gate verdicts, read from the run's journal. */
export function memberFigures(records: readonly JournalRecord[]): MemberFigures[] {
  const begin = records.find((r) => r.type === 'run-begin');
  if (!begin || begin.type !== 'run-begin') return [];
  const out = new Map<string, MemberFigures>();
  const stepById = new Map(begin.steps.map((s) => [s.id, s]));
  const stopBegun = new Map<string, number>();
  for (const r of records) {
    if (r.type !== 'step-begin' && r.type !== 'step-end') continue;
    const s = stepById.get(r.step);
    if (!s?.member || s.hop === undefined) continue;
    const key = `${s.hop}/${s.member}`;
    const f = out.get(key) ?? { member: s.member, hop: s.hop, from: s.from ?? '', to: s.to ?? '', downtimeMs: null, catchUpMs: null, gates: null };
    out.set(key, f);
    if (r.type === 'step-begin' && s.kind === 'stop') stopBegun.set(key, ms(r.at));
    if (r.type === 'step-end' && s.kind === 'wait-ready' && r.ok) {
      const t0 = stopBegun.get(key);
      if (t0 !== undefined) f.downtimeMs = ms(r.at) - t0;
      const ready = r.detail?.readyAfterMs;
      if (typeof ready === 'number') f.catchUpMs = ready;
    }
    if (r.type === 'step-end' && s.kind === 'soak') {
      const checks = (r.detail?.gates as GateCheck[] | undefined) ?? [];
      f.gates = { ok: r.ok, checks: checks.map((c) => ({ name: c.name, ok: c.ok, ...(c.value !== undefined ? { value: c.value } : {}), ...(c.threshold !== undefined ? { threshold: c.threshold } : {}) })) };
    }
  }
  return [...out.values()].sort((a, b) => a.hop - b.hop);
}

/** The faults on at `t` (epoch ms), from the journal's fault records. */
export function faultsOnAt(records: readonly { type: string; at?: unknown }[], t: number): string[] {
  const on = new Map<string, string>();
  for (const r of records) {
    if (r.type !== 'fault' || typeof r.at !== 'string' || ms(r.at) > t) continue;
    const e = r as unknown as FaultEvent;
    if (e.event === 'begin' && e.id) on.set(e.id, `${e.id} (${e.fault})`);
    if (e.event === 'end' && e.id) on.delete(e.id);
  }
  return [...on.values()];
}

export interface VerdictInput {
  from: string;
  to: string;
  backup: { file: string; revision: number | null };
  members: number;
  restore: { ok: boolean; failed: string[] };
  readiness: Finding[];
  /** Why the upgrade did not run (a refusal), when it did not. */
  refused?: string | undefined;
  upgrade: UpgradeReport | null;
  records: readonly JournalRecord[];
  quorum: QuorumReport | null;
  timeline: TimelineEntry[];
  faultEvents: FaultEvent[];
  /** Per-RPC faults the proxies answered (aborted RPCs by code), summed over members. */
  aborted: Record<string, number>;
  /** RPCs the proxies delayed, summed over members. */
  delayed?: number | undefined;
}

export interface Verdict {
  go: boolean;
  reasons: string[];
  outcome: { result: UpgradeReport['result'] | 'not-run'; why: string };
  members: MemberFigures[];
}

export function judgeRehearsal(i: VerdictInput): Verdict {
  const nogo: string[] = [];
  const info: string[] = [];
  const figures = memberFigures(i.records);
  if (!i.restore.ok) nogo.push(`the copy does not hold what the backup says (${i.restore.failed.join('; ')}): nothing else was tried`);
  const blockers = i.readiness.filter((f) => f.severity === 'blocker');
  for (const b of blockers) nogo.push(`readiness blocker ${b.code}: ${b.message}`);
  for (const w of i.readiness.filter((f) => f.severity === 'warning')) info.push(`readiness warning ${w.code}: ${w.message}`);
  const u = i.upgrade;
  let outcome: Verdict['outcome'] = { result: 'not-run', why: i.refused ?? (i.restore.ok ? 'the upgrade was refused before it touched the copy' : 'the copy did not restore correctly') };
  if (i.refused) nogo.push(`the upgrade would refuse: ${i.refused}`);
  if (u) {
    const failedStep = [...i.records].reverse().find((r) => r.type === 'step-end' && !r.ok);
    const active = failedStep ? faultsOnAt(i.records, ms(failedStep.at)) : [];
    const during = active.length > 0 ? ` while ${active.join(', ')} ${active.length > 1 ? 'were' : 'was'} on` : '';
    const why = u.result === 'succeeded' ? `every member reached ${u.to}${i.timeline.length > 0 ? ' under the fault schedule' : ''}` : `${u.message ?? u.result}${during}`;
    outcome = { result: u.result, why };
    if (u.result === 'succeeded') info.push(`the upgrade ${u.path.join(' -> ')} succeeded on a ${i.members}-member copy of ${i.backup.file} (revision ${i.backup.revision ?? '?'})`);
    else nogo.push(`the upgrade ${u.result} on the copy: ${why}`);
    const v = u.verification;
    if (v.ok === false || v.lostWrites > 0) nogo.push(`the canary's history failed verification: ${v.lostWrites} lost writes, ${v.watchViolations} watch violations, ${v.linearizabilityViolations} linearizability violations`);
    else if (v.ok === true) info.push(`proof: ${u.workload?.ops ?? 0} canary ops, 0 lost writes, watch complete and in order, linearizable (${v.histories.length} history file(s))`);
    else info.push('no canary history was checked (--load 0, or the run stopped before the canary started)');
    if (v.consistent === false) nogo.push('members disagree: HashKV differs at one revision');
    else if (v.consistent === true) info.push('every member has the same HashKV at one revision');
    if (u.workload) {
      const w = u.workload;
      const errs = Object.entries(w.firstAttemptFailures).map(([k, n]) => `${k} ${n}`).join(', ');
      info.push(`clients: ${w.ops} ops, ${w.failed} failed and ${w.indeterminate} indeterminate after safe retries, ${w.retries} retries${errs ? ` (first attempts failed: ${errs})` : ''}; P99 ${w.p99Ms ?? '-'} ms against a baseline of ${w.baselineP99Ms ?? '-'} ms; longest write gap ${w.maxWriteGapMs} ms`);
    }
  }
  for (const f of figures) {
    const gates = f.gates ? f.gates.checks.map((c) => `${c.name} ${c.ok ? 'ok' : 'FAILED'}${c.value !== undefined ? ` ${c.value}` : ''}${c.threshold !== undefined ? `/${c.threshold}` : ''}`).join(', ') : 'no soak';
    info.push(`hop ${f.hop} ${f.from} -> ${f.to}, ${f.member}: down ${f.downtimeMs !== null ? `${(f.downtimeMs / 1000).toFixed(1)} s` : '-'}, caught up in ${f.catchUpMs !== null ? `${(f.catchUpMs / 1000).toFixed(1)} s` : '-'}; gates: ${gates}`);
  }
  if (i.quorum) {
    if (!i.quorum.kept) nogo.push(`quorum was lost: no majority of members saw a leader for ${(i.quorum.longestLossMs / 1000).toFixed(1)} s`);
    else info.push(`quorum kept throughout (${i.quorum.samples} samples; longest moment without a majority seeing a leader: ${i.quorum.longestLossMs} ms)`);
  }
  const begun = i.faultEvents.filter((e) => e.event === 'begin');
  if (i.timeline.length > 0) {
    const aborted = Object.entries(i.aborted).map(([k, n]) => `${n} ${k}`).join(', ');
    const delayed = i.delayed ? `; the proxies delayed ${i.delayed} RPCs` : '';
    info.push(`faults: ${begun.length} of ${i.timeline.length} happened${aborted ? `; the proxies answered ${aborted}` : ''}${delayed}`);
    for (const e of i.timeline) {
      const b = begun.find((x) => x.id === e.id);
      info.push(`  ${describeEntry(e)}: ${b ? `began at +${(b.tMs / 1000).toFixed(1)} s${b.detail ? ` (${b.detail})` : ''}` : 'never began (its step did not come)'}`);
    }
  }
  const go = nogo.length === 0 && i.upgrade?.result === 'succeeded';
  return { go, reasons: go ? info : [...nogo, ...info], outcome, members: figures };
}
