/**
 * The step plan of an upgrade run: a pure function from the observed cluster and the version plan to
 * an ordered list of steps. Every step is journaled `begin` before and `end` after it runs, so a
 * killed run can be resumed (see journal.ts). Step ids are stable strings, so the journal, the dry
 * run and the progress view all name the same things.
 */
import { orderMembers } from './order.js';
import type { ClusterObservation } from './observation.js';

export type StepKind =
  | 'preflight'
  | 'acquire-lock'
  | 'backup'
  | 'baseline'
  | 'quorum-check'
  | 'leadership'
  | 'drain'
  | 'stop'
  | 'install'
  | 'start'
  | 'wait-ready'
  | 'undrain'
  | 'soak'
  | 'wait-cluster-version'
  | 'check-consistency'
  | 'stop-workload'
  | 'verify'
  | 'release-lock';

export interface Step {
  id: string;
  kind: StepKind;
  /** 1-based hop number, for hop steps. */
  hop?: number;
  member?: string;
  /** Version the member runs before this hop / the version it is moved to. */
  from?: string;
  to?: string;
  /** Soak length, for soak steps. */
  durationMs?: number;
  description: string;
}

export interface Hop {
  from: string;
  to: string;
}

export interface RunPlanOptions {
  /** Take a backup before touching anything (default true; --no-backup turns it off explicitly). */
  backup: boolean;
  /** Canary load in ops/s; 0 = no workload (no baseline, workload gates off). */
  loadOpsPerSec: number;
  soakMs: number;
  /** Take members out of the workload's endpoint set before they stop, to let in-flight requests drain. */
  drain: boolean;
}

/** Member-level step kinds, in the order they run for one member. */
export const MEMBER_STEP_KINDS: readonly StepKind[] = ['quorum-check', 'leadership', 'drain', 'stop', 'install', 'start', 'wait-ready', 'undrain', 'soak'];

export function memberStepId(hop: number, member: string, kind: StepKind): string {
  return `hop${hop}/${member}/${kind}`;
}

export function planRun(obs: ClusterObservation, hops: readonly Hop[], opts: RunPlanOptions): Step[] {
  const steps: Step[] = [];
  const load = opts.loadOpsPerSec > 0;
  steps.push({ id: 'preflight', kind: 'preflight', description: 'check every member healthy and caught up, a leader, no alarms, quorum survives one member down' });
  steps.push({ id: 'acquire-lock', kind: 'acquire-lock', description: 'take the cluster upgrade lock (a key bound to a lease in the cluster)' });
  if (opts.backup) steps.push({ id: 'backup', kind: 'backup', description: 'save and verify a snapshot' });
  if (load) steps.push({ id: 'baseline', kind: 'baseline', description: `start the canary workload (${opts.loadOpsPerSec} ops/s) and measure the baseline error rate and P99` });
  hops.forEach((hop, i) => {
    const n = i + 1;
    // Members already on the target are skipped only for the first hop: later hops start from the
    // previous hop's target, which every member then runs.
    const order = i === 0 ? orderMembers(obs, hop.to) : orderMembers({ ...obs, members: obs.members.map((m) => ({ ...m, version: hop.from })) }, hop.to);
    for (const m of order) {
      const base = { hop: n, member: m.name, from: hop.from, to: hop.to };
      const add = (kind: StepKind, description: string, extra: Partial<Step> = {}): void => {
        steps.push({ id: memberStepId(n, m.name, kind), kind, ...base, description, ...extra });
      };
      add('quorum-check', `check that stopping ${m.name} leaves a healthy quorum`);
      add('leadership', `if ${m.name} leads, hand leadership to a member on ${hop.to}`);
      if (opts.drain && load) add('drain', `take ${m.name} out of the canary's endpoints and let in-flight requests finish`);
      add('stop', `stop ${m.name} gracefully (etcd ${hop.from})`);
      add('install', `put etcd ${hop.to} in place for ${m.name}`);
      add('start', `start ${m.name} on etcd ${hop.to} with the same configuration`);
      add('wait-ready', `wait until ${m.name} is healthy, runs ${hop.to} and has caught up with the leader`);
      if (opts.drain && load) add('undrain', `give ${m.name} back to the canary's endpoints`);
      if (opts.soakMs > 0) add('soak', `soak ${m.name}: gates on health, catch-up, error rate, P99, alarms, leader`, { durationMs: opts.soakMs });
    }
    steps.push({ id: `hop${n}/wait-cluster-version`, kind: 'wait-cluster-version', hop: n, from: hop.from, to: hop.to, description: `wait for the leader to raise the cluster version to ${minor(hop.to)}` });
    steps.push({ id: `hop${n}/check-consistency`, kind: 'check-consistency', hop: n, from: hop.from, to: hop.to, description: 'compare HashKV of every member at one revision' });
  });
  if (load) {
    steps.push({ id: 'stop-workload', kind: 'stop-workload', description: 'stop the canary workload and read back every key it wrote' });
    steps.push({ id: 'verify', kind: 'verify', description: 'check the recorded history: no lost writes, linearizable, watch complete' });
  }
  steps.push({ id: 'release-lock', kind: 'release-lock', description: 'release the cluster upgrade lock' });
  return steps;
}

function minor(v: string): string {
  const [a, b] = v.split('.');
  return `${a}.${b}`;
}
