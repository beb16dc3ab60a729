/**
 * The fault schedule: a YAML file saying which fault hits which member or link, when and for how long,
 * validated with zod (errors name the dotted path and the line), and resolved with a seed into a
 * timeline — a pure function, so the same schedule and seed always give the same timeline (targets drawn
 * with `any` and times drawn from ranges included). The runner (runner.ts) carries the timeline out and
 * journals it with the run.
 *
 * ```yaml
 * seed: 42                       # optional; --seed wins
 * faults:
 *   - name: flaky-kv             # optional (default f1, f2, ...)
 *     fault: abort               # abort | delay | watch-delay | blackhole | reset | latency | bandwidth | slow-close | partition | pause | kill
 *     target: all                # a member name, `all`, `any` (one member drawn with the seed), {link: [m1, m2]}, {peers: m2}
 *     at: 5s                     # offset from the run's start (or from the end of the `after` step); a range 5s..15s is drawn with the seed
 *     after: hop1/m1/start       # optional: an upgrade step id; a * in it matches within one part of the id (the first matching step counts)
 *     for: 30s                   # optional: how long (default: until the run ends); not for kill
 *     rate: 5%                   # abort (required), delay (optional)
 *     code: UNAVAILABLE          # abort (default UNAVAILABLE)
 *     methods: [/etcdserverpb.KV/*]   # abort, delay, blackhole on a member's client link
 *     latency: 300ms             # delay, watch-delay, latency
 *     jitter: 50ms               # delay, watch-delay, latency
 *     bandwidth: 64KB/s          # bandwidth
 *     delay: 2s                  # slow-close
 *     direction: down            # latency, bandwidth: up | down | both (default down: once per round trip)
 *     clients: false             # partition: also cut the member's client link
 * ```
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { grpcCodeName, parseGrpcCode, parseRate } from './rpc-rules.js';
import { seededRng } from './rng.js';

export const FAULT_KINDS = ['abort', 'delay', 'watch-delay', 'blackhole', 'reset', 'latency', 'bandwidth', 'slow-close', 'partition', 'pause', 'kill'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Where each fault can act: a member's client link (L7), raft peer links (L4), the member's process. */
const CLIENT_FAULTS: readonly FaultKind[] = ['abort', 'delay', 'watch-delay'];
const LINK_FAULTS: readonly FaultKind[] = ['latency', 'bandwidth', 'slow-close'];
const EITHER_FAULTS: readonly FaultKind[] = ['blackhole', 'reset'];
const MEMBER_FAULTS: readonly FaultKind[] = ['partition', 'pause', 'kill'];

const durationText = z.union([z.string(), z.number()]);
const memberName = z.string().min(1);
const target = z.union([
  memberName,
  z.strictObject({ member: memberName }),
  z.strictObject({ link: z.tuple([memberName, memberName]) }),
  z.strictObject({ peers: memberName }),
]);

const faultEntry = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'letters, digits, . _ - (at most 40)').optional(),
  fault: z.enum(FAULT_KINDS),
  target,
  at: durationText.optional(),
  after: z.string().min(1).optional(),
  for: durationText.optional(),
  rate: z.union([z.string(), z.number()]).optional(),
  code: z.union([z.string(), z.number()]).optional(),
  methods: z.array(z.string().regex(/^\/[^\s]*$/, 'a gRPC path like /etcdserverpb.KV/Put, an HTTP path like /health, or a prefix ending in *')).min(1).optional(),
  latency: durationText.optional(),
  jitter: durationText.optional(),
  bandwidth: z.union([z.string(), z.number()]).optional(),
  delay: durationText.optional(),
  direction: z.enum(['up', 'down', 'both']).optional(),
  clients: z.boolean().optional(),
});

export const scheduleSchema = z.strictObject({
  seed: z.union([z.number().int(), z.string().min(1)]).optional(),
  faults: z.array(faultEntry),
});

export type ScheduleInput = z.infer<typeof scheduleSchema>;
export type FaultEntryInput = z.infer<typeof faultEntry>;

/** A parsed, checked schedule (times still possibly ranges, targets still possibly `any`). */
export interface FaultSchedule {
  source: string;
  seed?: string | number | undefined;
  faults: FaultSpec[];
}

export type TargetSpec = { kind: 'member'; member: string } | { kind: 'link'; members: [string, string] } | { kind: 'peers'; member: string };

export interface TimeSpec {
  minMs: number;
  maxMs: number;
}

export interface FaultSpec {
  id: string;
  fault: FaultKind;
  target: TargetSpec;
  at: TimeSpec;
  after?: string | undefined;
  forMs: number | null;
  params: FaultParams;
}

export interface FaultParams {
  rate?: number | undefined;
  code?: number | undefined;
  codeName?: string | undefined;
  methods?: string[] | undefined;
  latencyMs?: number | undefined;
  jitterMs?: number | undefined;
  bytesPerSec?: number | undefined;
  delayMs?: number | undefined;
  direction?: 'up' | 'down' | 'both' | undefined;
  clients?: boolean | undefined;
}

/** A resolved target: the members it names (member and `all`: client links or processes; link: 2; peers: 1). */
export type ResolvedTarget = { kind: 'member'; members: string[] } | { kind: 'link'; members: [string, string] } | { kind: 'peers'; members: [string] };

export interface TimelineEntry {
  id: string;
  fault: FaultKind;
  target: ResolvedTarget;
  /** The step whose end starts the clock (absent: the run's start). */
  after?: string | undefined;
  offsetMs: number;
  /** null: until the run ends; 0: a one-shot fault (kill). */
  forMs: number | null;
  params: FaultParams;
}

export interface Timeline {
  seed: string;
  entries: TimelineEntry[];
}

function scheduleError(source: string, path: string, what: string, line?: number): UsageError {
  return new UsageError(`--faults ${source}: ${path}${line !== undefined ? ` (line ${line})` : ''}: ${what}`, {
    code: 'fault-schedule-invalid',
    hint: 'see README "Fault schedule": faults[].{fault, target, at, after, for} and the fault\'s parameters',
  });
}

export async function loadSchedule(file: string): Promise<FaultSchedule> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--faults ${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { code: 'fault-schedule-unreadable', hint: 'give the path of a fault schedule (YAML)' });
  }
  return parseSchedule(text, file);
}

/** Parse and check a schedule (exit 2 naming the dotted path and line of the first problem). */
export function parseSchedule(text: string, source = 'schedule'): FaultSchedule {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw scheduleError(source, '(file)', `not valid YAML: ${e.message.split('\n')[0]}`, e.linePos?.[0]?.line);
  }
  const lineAt = (path: (string | number)[]): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return lc.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const r = scheduleSchema.safeParse(doc.toJS() ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const what = issue.code === 'unrecognized_keys' ? `unknown key(s) ${(issue as { keys: string[] }).keys.join(', ')}` : issue.message;
    throw scheduleError(source, path.join('.') || '(top level)', what, lineAt(path));
  }
  const seen = new Set<string>();
  const faults = r.data.faults.map((f, i) => {
    const at = (key: string): [string, number | undefined] => [`faults.${i}.${key}`, lineAt(['faults', i, key])];
    const fail = (key: string, what: string): never => {
      const [p, l] = at(key);
      throw scheduleError(source, p, what, l);
    };
    const id = f.name ?? `f${i + 1}`;
    if (seen.has(id)) fail('name', `"${id}" is used twice; fault names must be unique`);
    seen.add(id);
    return checkEntry(f, id, fail);
  });
  return { source, seed: r.data.seed, faults };
}

function checkEntry(f: FaultEntryInput, id: string, fail: (key: string, what: string) => never): FaultSpec {
  const dur = (key: string, v: string | number | undefined): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v === 'number') return Math.round(v * 1000);
    try {
      return parseDuration(v, key);
    } catch {
      return fail(key, `cannot read ${JSON.stringify(v)} as a duration (e.g. 500ms, 10s, 2m)`);
    }
  };
  const t: TargetSpec =
    typeof f.target === 'string'
      ? { kind: 'member', member: f.target }
      : 'member' in f.target
        ? { kind: 'member', member: f.target.member }
        : 'link' in f.target
          ? { kind: 'link', members: f.target.link }
          : { kind: 'peers', member: f.target.peers };
  const onMember = t.kind === 'member';
  if (CLIENT_FAULTS.includes(f.fault) && !onMember) fail('target', `${f.fault} acts on a member's client RPCs: the target is a member name, all or any`);
  if (MEMBER_FAULTS.includes(f.fault) && !onMember) fail('target', `${f.fault} acts on a member: the target is a member name or any`);
  if (LINK_FAULTS.includes(f.fault) && onMember) fail('target', `${f.fault} acts on raft peer links: the target is {link: [m1, m2]} or {peers: m2}${f.fault === 'latency' ? ' (for client RPCs use fault: delay)' : ''}`);
  if (t.kind === 'link' && t.members[0] === t.members[1]) fail('target', 'a link joins two different members');
  if ((f.fault === 'kill' || f.fault === 'pause' || f.fault === 'partition') && t.kind === 'member' && t.member === 'all') fail('target', `${f.fault} of every member at once takes the cluster down; name a member or use any`);
  if (t.kind !== 'member' && (t.kind === 'link' ? t.members : [t.member]).some((m) => m === 'all' || m === 'any')) fail('target', 'links and peers name members (all/any are for member targets)');
  const at = parseAt(f.at, fail);
  const forMs = dur('for', f.for) ?? null;
  if (f.fault === 'kill' && forMs !== null) fail('for', 'a kill is one-shot: the upgrade decides when the member starts again');
  if (f.fault === 'pause' && forMs === null) fail('for', 'a pause needs `for` (how long the member stays frozen)');
  if (forMs !== null && forMs <= 0) fail('for', 'must be longer than 0');
  const allowed: Record<string, readonly FaultKind[]> = {
    rate: ['abort', 'delay'],
    code: ['abort'],
    methods: ['abort', 'delay', 'blackhole'],
    latency: ['delay', 'watch-delay', 'latency'],
    jitter: ['delay', 'watch-delay', 'latency'],
    bandwidth: ['bandwidth'],
    delay: ['slow-close'],
    direction: ['latency', 'bandwidth'],
    clients: ['partition'],
  };
  for (const [key, kinds] of Object.entries(allowed)) {
    if ((f as Record<string, unknown>)[key] !== undefined && !kinds.includes(f.fault)) fail(key, `not a parameter of ${f.fault} (it belongs to ${kinds.join(', ')})`);
  }
  if (f.methods && f.fault === 'blackhole' && !onMember) fail('methods', 'methods scope a member\'s client link; peer links carry no RPCs');
  const p: FaultParams = {};
  if (f.rate !== undefined) p.rate = tryOr(() => parseRate(String(f.rate), 'rate'), (m) => fail('rate', m));
  if (f.fault === 'abort') {
    if (p.rate === undefined) fail('rate', 'abort needs a rate, e.g. 5%');
    p.code = f.code === undefined ? 14 : tryOr(() => parseGrpcCode(String(f.code), 'code'), (m) => fail('code', m));
    p.codeName = grpcCodeName(p.code);
  }
  if (f.methods) p.methods = f.methods;
  if (['delay', 'watch-delay', 'latency'].includes(f.fault)) {
    p.latencyMs = dur('latency', f.latency) ?? fail('latency', `${f.fault} needs a latency, e.g. 300ms`);
    p.jitterMs = dur('jitter', f.jitter) ?? 0;
  }
  if (f.fault === 'bandwidth') p.bytesPerSec = tryOr(() => parseBandwidth(f.bandwidth), (m) => fail('bandwidth', m));
  if (f.fault === 'slow-close') p.delayMs = dur('delay', f.delay) ?? fail('delay', 'slow-close needs a delay, e.g. 2s');
  if (f.direction) p.direction = f.direction;
  if (f.fault === 'partition') p.clients = f.clients ?? false;
  return { id, fault: f.fault, target: t, at, ...(f.after ? { after: f.after } : {}), forMs: f.fault === 'kill' ? 0 : forMs, params: p };
}

function tryOr<T>(fn: () => T, onError: (message: string) => never): T {
  try {
    return fn();
  } catch (e) {
    return onError((e as Error).message.replace(/^[^:]+: /, ''));
  }
}

function parseAt(v: string | number | undefined, fail: (key: string, what: string) => never): TimeSpec {
  if (v === undefined) return { minMs: 0, maxMs: 0 };
  if (typeof v === 'number') return { minMs: Math.round(v * 1000), maxMs: Math.round(v * 1000) };
  const [a, b] = v.split('..').map((s) => s.trim());
  const read = (s: string | undefined): number => {
    try {
      return parseDuration(s ?? '', 'at');
    } catch {
      return fail('at', `cannot read ${JSON.stringify(v)} as a time (e.g. 10s, or a range 5s..15s drawn with the seed)`);
    }
  };
  const min = read(a);
  const max = b === undefined ? min : read(b);
  if (max < min) fail('at', `the range ${v} ends before it starts`);
  return { minMs: min, maxMs: max };
}

/** `64KB/s` (KB = 1000 bytes), `1MiB/s`, `500B/s`, or a number of bytes per second. */
export function parseBandwidth(v: string | number | undefined): number {
  if (v === undefined) throw new UsageError('bandwidth: bandwidth needs a rate, e.g. 64KB/s');
  if (typeof v === 'number' && v > 0) return v;
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)\/s$/i.exec(String(v).trim());
  const unit: Record<string, number> = { b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3 };
  if (!m || Number(m[1]) <= 0) throw new UsageError(`bandwidth: ${JSON.stringify(v)} is not a rate, write it like 64KB/s, 1MiB/s or 500B/s`);
  return Number(m[1]) * unit[m[2]!.toLowerCase()]!;
}

/**
 * The timeline of a schedule for a cluster with `members`: every `any` target and every time range drawn
 * from the seed (one stream per fault, so adding a fault does not change the others' draws). Pure.
 */
export function resolveTimeline(schedule: FaultSchedule, seed: string | number, members: readonly string[]): Timeline {
  const names = [...members].sort();
  const rng = seededRng(seed);
  const known = (m: string, what: string): string => {
    if (!names.includes(m)) throw new UsageError(`--faults ${schedule.source}: fault ${what} names member "${m}", which the cluster does not have`, { code: 'fault-schedule-invalid', hint: `members: ${names.join(', ')}` });
    return m;
  };
  const entries = schedule.faults.map((f): TimelineEntry => {
    const r = rng.fork(f.id);
    let target: ResolvedTarget;
    if (f.target.kind === 'member') {
      const m = f.target.member;
      target = { kind: 'member', members: m === 'all' ? names : m === 'any' ? [names[r.int(0, names.length - 1)]!] : [known(m, f.id)] };
    } else if (f.target.kind === 'link') target = { kind: 'link', members: [known(f.target.members[0], f.id), known(f.target.members[1], f.id)] };
    else target = { kind: 'peers', members: [known(f.target.member, f.id)] };
    const offsetMs = f.at.minMs === f.at.maxMs ? f.at.minMs : r.int(f.at.minMs, f.at.maxMs);
    return { id: f.id, fault: f.fault, target, ...(f.after ? { after: f.after } : {}), offsetMs, forMs: f.forMs, params: f.params };
  });
  return { seed: String(seed), entries };
}

/** Does an upgrade step id match an `after` pattern (`*` = any run of characters other than `/`)? */
export function stepMatches(pattern: string, stepId: string): boolean {
  const re = new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*') + '$');
  return re.test(stepId);
}

/** Members whose client RPCs a timeline acts on one by one (their client links need the L7 proxy). */
export function membersNeedingL7(t: Timeline): string[] {
  const out = new Set<string>();
  for (const e of t.entries) {
    const perRpc = CLIENT_FAULTS.includes(e.fault) || (e.fault === 'blackhole' && e.params.methods !== undefined);
    if (perRpc && e.target.kind === 'member') for (const m of e.target.members) out.add(m);
  }
  return [...out].sort();
}

/** A one-line description of a timeline entry, for logs and reports. */
export function describeEntry(e: TimelineEntry): string {
  const target = e.target.kind === 'member' ? e.target.members.join(',') : e.target.kind === 'link' ? `link ${e.target.members.join('<->')}` : `peers of ${e.target.members[0]}`;
  const p = e.params;
  const what =
    e.fault === 'abort'
      ? `abort ${(p.rate! * 100).toFixed(p.rate! < 0.01 ? 2 : 0)}% with ${p.codeName}`
      : e.fault === 'delay' || e.fault === 'watch-delay' || e.fault === 'latency'
        ? `${e.fault} ${p.latencyMs} ms${p.jitterMs ? ` ± ${p.jitterMs} ms` : ''}`
        : e.fault === 'bandwidth'
          ? `bandwidth ${p.bytesPerSec} B/s`
          : e.fault === 'slow-close'
            ? `slow-close ${p.delayMs} ms`
            : e.fault;
  const when = `${e.after ? `${e.offsetMs} ms after ${e.after}` : `at ${e.offsetMs} ms`}${e.forMs === null ? ' until the end' : e.forMs === 0 ? '' : ` for ${e.forMs} ms`}`;
  return `${e.id}: ${what}${p.methods ? ` on ${p.methods.join(',')}` : ''} -> ${target}, ${when}`;
}
