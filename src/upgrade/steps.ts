/**
 * The step plan of an upgrade run: a pure function from the observed cluster and the version plan to
 * an ordered list of steps. Every step is journaled `begin` before and `end` after it runs, so a
 * killed run can be resumed (see journal.ts). Step ids are stable strings, so the journal, the dry
 * run and the progress view all name the same things.
 */
import { orderMembers } from './order.js';
import { sameVersion, type ClusterObservation } from './observation.js';

export type StepKind =
  | 'preflight'
  | 'acquire-lock'
  | 'backup'
  | 'baseline'
  | 'readiness'
  | 'downgrade-validate'
  | 'downgrade-enable'
  | 'downgrade-cancel'
  | 'wait-storage-version'
  | 'wait-downgrade-complete'
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

/** Does a hop need readiness checks before its first member (a minor hop into 3.6 or later)? */
export function hopNeedsReadiness(hop: Hop): boolean {
  return minor(hop.from) !== minor(hop.to) && compareMinor(minor(hop.to), '3.6') >= 0;
}

/** Member-level step kinds, in the order they run for one member. */
export const MEMBER_STEP_KINDS: readonly StepKind[] = ['quorum-check', 'leadership', 'drain', 'stop', 'install', 'start', 'wait-ready', 'undrain', 'soak'];

export function memberStepId(hop: number, member: string, kind: StepKind): string {
  return `hop${hop}/${member}/${kind}`;
}

export function planRun(obs: ClusterObservation, hops: readonly Hop[], opts: RunPlanOptions): Step[] {
  const steps: Step[] = [];
  const load = opts.loadOpsPerSec > 0;
  steps.push(...runHead(opts, 'upgrade'));
  hops.forEach((hop, i) => {
    const n = i + 1;
    // Members already on the target are skipped only for the first hop: later hops start from the
    // previous hop's target, which every member then runs.
    const order = i === 0 ? orderMembers(obs, hop.to) : orderMembers({ ...obs, members: obs.members.map((m) => ({ ...m, version: hop.from })) }, hop.to);
    if (hopNeedsReadiness(hop)) {
      steps.push({ id: `hop${n}/readiness`, kind: 'readiness', hop: n, from: hop.from, to: hop.to, description: `readiness for ${minor(hop.to)} on the cluster as it is now: patch floor${minor(hop.to) === '3.6' ? ', custom v2 content in each member\'s v2 snapshot and WAL, membership in each member\'s v3 backend' : ''}` });
    }
    steps.push(...memberSteps(order.map((m) => m.name), { hop: n, from: hop.from, to: hop.to, soakMs: opts.soakMs, drain: opts.drain && load, prefix: `hop${n}` }));
    steps.push({ id: `hop${n}/wait-cluster-version`, kind: 'wait-cluster-version', hop: n, from: hop.from, to: hop.to, description: `wait for the leader to raise the cluster version to ${minor(hop.to)}` });
    steps.push({ id: `hop${n}/check-consistency`, kind: 'check-consistency', hop: n, from: hop.from, to: hop.to, description: 'compare HashKV of every member at one revision' });
  });
  steps.push(...runTail(load, ''));
  return steps;
}

/** preflight, lock, backup, baseline: what every run does before it touches a member. */
function runHead(opts: RunPlanOptions, what: 'upgrade' | 'downgrade'): Step[] {
  const steps: Step[] = [];
  steps.push({ id: 'preflight', kind: 'preflight', description: `check every member healthy and caught up, a leader, no alarms, quorum survives one member down` });
  steps.push({ id: 'acquire-lock', kind: 'acquire-lock', description: `take the cluster ${what} lock (a key bound to a lease in the cluster)` });
  if (opts.backup) steps.push({ id: 'backup', kind: 'backup', description: 'save and verify a snapshot' });
  if (opts.loadOpsPerSec > 0) steps.push({ id: 'baseline', kind: 'baseline', description: `start the canary workload (${opts.loadOpsPerSec} ops/s) and measure the baseline error rate and P99` });
  return steps;
}

/** stop the canary, verify, release the lock; `prefix` keeps ids unique in a rollback plan. */
function runTail(load: boolean, prefix: string): Step[] {
  const steps: Step[] = [];
  if (load) {
    steps.push({ id: `${prefix}stop-workload`, kind: 'stop-workload', description: 'stop the canary workload and read back every key it wrote' });
    steps.push({ id: `${prefix}verify`, kind: 'verify', description: 'check the recorded history: no lost writes, linearizable, watch complete' });
  }
  steps.push({ id: `${prefix}release-lock`, kind: 'release-lock', description: 'release the cluster lock' });
  return steps;
}

interface MemberStepOptions {
  hop: number;
  from: string;
  to: string;
  soakMs: number;
  drain: boolean;
  /** Id prefix: `hop1`, `rollback`, `cancel`. */
  prefix: string;
  /** Per-member source version (a cancel restores each downgraded member to its own version). */
  fromOf?: (member: string) => string;
}

/** The steps that move members one by one (in the given order) from `from` to `to`. */
function memberSteps(members: readonly string[], o: MemberStepOptions): Step[] {
  const steps: Step[] = [];
  for (const name of members) {
    const from = o.fromOf?.(name) ?? o.from;
    const base = { hop: o.hop, member: name, from, to: o.to };
    const add = (kind: StepKind, description: string, extra: Partial<Step> = {}): void => {
      steps.push({ id: `${o.prefix}/${name}/${kind}`, kind, ...base, description, ...extra });
    };
    add('quorum-check', `check that stopping ${name} leaves a healthy quorum`);
    add('leadership', `if ${name} leads, hand leadership to a member on ${o.to}`);
    if (o.drain) add('drain', `take ${name} out of the canary's endpoints and let in-flight requests finish`);
    add('stop', `stop ${name} gracefully (etcd ${from})`);
    add('install', `put etcd ${o.to} in place for ${name}`);
    add('start', `start ${name} on etcd ${o.to} with its configuration (flags mapped for ${o.to})`);
    add('wait-ready', `wait until ${name} is healthy, runs ${o.to} and has caught up with the leader`);
    if (o.drain) add('undrain', `give ${name} back to the canary's endpoints`);
    if (o.soakMs > 0) add('soak', `soak ${name}: gates on health, catch-up, error rate, P99, alarms, leader`, { durationMs: o.soakMs });
  }
  return steps;
}

export interface DowngradePlanOptions extends RunPlanOptions {
  /** The version every member runs now (the newer minor) and the one it goes to (one minor below). */
  from: string;
  to: string;
}

/**
 * `upshift downgrade`: etcd's downgrade API, then members onto the older binary one by one
 * (web:content/en/docs/v3.6/downgrades/downgrade_3_6.md, v3.7/downgrades/downgrade_3_7.md): validate, enable
 * (the cluster version drops to the target at once and every member migrates its storage version), wait for
 * the storage versions, then each member (followers first, leader last) with the same gates as an upgrade,
 * then wait until the leader ends the downgrade ("the cluster has been downgraded").
 */
export function planDowngrade(obs: ClusterObservation, opts: DowngradePlanOptions): Step[] {
  const load = opts.loadOpsPerSec > 0;
  const order = orderMembers(obs, opts.to).map((m) => m.name);
  return [
    ...runHead(opts, 'downgrade'),
    ...downgradeSteps(order, { ...opts, prefix: 'hop1', hop: 1, drain: opts.drain && load }),
    { id: 'hop1/check-consistency', kind: 'check-consistency', hop: 1, from: opts.from, to: opts.to, description: 'compare HashKV of every member at one revision' },
    ...runTail(load, ''),
  ];
}

function downgradeSteps(order: readonly string[], o: { from: string; to: string; soakMs: number; drain: boolean; prefix: string; hop: number }): Step[] {
  const t = minor(o.to);
  const ctx = { hop: o.hop, from: o.from, to: o.to };
  return [
    { id: `${o.prefix}/downgrade-validate`, kind: 'downgrade-validate', ...ctx, description: `ask the cluster whether it can downgrade to ${t} (Maintenance.Downgrade VALIDATE: one minor down, none in progress)` },
    { id: `${o.prefix}/downgrade-enable`, kind: 'downgrade-enable', ...ctx, description: `enable the downgrade to ${t} (Maintenance.Downgrade ENABLE): the cluster version drops to ${t}` },
    { id: `${o.prefix}/wait-storage-version`, kind: 'wait-storage-version', ...ctx, description: `wait until the cluster version is ${t} and every member's storage version has followed to ${t}.0` },
    ...memberSteps(order, { hop: o.hop, from: o.from, to: o.to, soakMs: o.soakMs, drain: o.drain, prefix: o.prefix }),
    { id: `${o.prefix}/wait-downgrade-complete`, kind: 'wait-downgrade-complete', ...ctx, description: `wait until every member runs ${o.to} and the leader ends the downgrade (cluster version ${t})` },
  ];
}

/**
 * Rollback after the cluster-version bump of an upgrade hop into 3.6 or later: the downgrade API back to the
 * hop's source, every member onto its binary (web:content/en/docs/v3.7/upgrades/upgrade_3_7.md and
 * upgrade_3_6.md "Rollback": after a full upgrade, follow the downgrade guide). No soak: the way back goes
 * straight through, gated on readiness; the canary keeps running and is verified at the end.
 */
export function planDowngradeRollback(obs: ClusterObservation, hop: Hop, n: number, opts: { load: boolean; drain: boolean }): Step[] {
  const order = orderMembers(obs, hop.from).map((m) => m.name);
  return [
    ...downgradeSteps(order, { from: hop.to, to: hop.from, soakMs: 0, drain: opts.drain && opts.load, prefix: 'rollback', hop: n }),
    { id: 'rollback/check-consistency', kind: 'check-consistency', hop: n, from: hop.to, to: hop.from, description: 'compare HashKV of every member at one revision' },
    ...runTail(opts.load, 'rollback/'),
  ];
}

/**
 * Abandoning a downgrade half-way, as upstream documents it (downgrade_3_6.md "Rollback"): `downgrade cancel`,
 * then restart every member already on the older binary with its newer one; the leader raises the cluster
 * version again once every member runs the newer minor.
 */
export function planDowngradeCancel(obs: ClusterObservation, back: Readonly<Record<string, string>>, opts: { n: number; to: string; load: boolean; drain: boolean }): Step[] {
  // Members not on the version they ran before the downgrade, followers first, leader last.
  const behind = obs.members.filter((m) => back[m.name] !== undefined && !sameVersion(m.version, back[m.name]!));
  // (versions blanked so orderMembers keeps every one of them; it only decides the order)
  const order = orderMembers({ ...obs, members: behind.map((m) => ({ ...m, version: undefined })) }, opts.to).map((m) => m.name);
  const newer = Object.values(back)[0] ?? opts.to;
  const ctx = { hop: opts.n, from: opts.to, to: newer };
  return [
    { id: 'cancel/downgrade-cancel', kind: 'downgrade-cancel', ...ctx, description: 'cancel the downgrade (Maintenance.Downgrade CANCEL)' },
    ...order.flatMap((name) => memberSteps([name], { hop: opts.n, from: opts.to, to: back[name]!, soakMs: 0, drain: opts.drain && opts.load, prefix: 'cancel', fromOf: () => obs.members.find((m) => m.name === name)?.version ?? opts.to })),
    { id: 'cancel/wait-cluster-version', kind: 'wait-cluster-version', ...ctx, description: `wait for the leader to raise the cluster version back to ${minor(newer)}` },
    { id: 'cancel/check-consistency', kind: 'check-consistency', ...ctx, description: 'compare HashKV of every member at one revision' },
    ...runTail(opts.load, 'cancel/'),
  ];
}

function minor(v: string): string {
  const [a, b] = v.split('.');
  return `${a}.${b}`;
}

function compareMinor(a: string, b: string): number {
  const [x, y] = a.split('.').map(Number);
  const [u, v] = b.split('.').map(Number);
  return x! - u! || y! - v!;
}
