/**
 * What changes in etcd's API between two releases, beyond what buf reports (governance.md §2.3: buf
 * sees 0 breaking changes at WIRE_JSON and WIRE from 3.4 to 3.7, yet clients are affected):
 *   - additions and removals of RPCs, messages, fields and enum values, each with the minor its
 *     `etcd_version` annotation names (present from 3.6);
 *   - the mixed-version window: while any member runs the old release the cluster speaks its API, so
 *     elements annotated newer than the lowest member's minor must not be used until all are upgraded
 *     (etcd's own use of the annotations: server/storage/wal/version.go MinimalEtcdVersion);
 *   - gateway routes (google.api.http as the generated gateway registers them) and the server's path
 *     rewrites (/v3beta), which buf does not check;
 *   - the v2 HTTP API (gone in 3.6);
 *   - server flag changes (the knowledge base: src/knowledge flag rules and generated flag sets).
 * Pure: two resolved APIs in, a diff out.
 */
import type { Finding } from '../core/finding.js';
import { allFlagRules, flagExists, serverFlagSets, type FlagRule } from '../knowledge/index.js';
import type { ApiSnapshot, GatewayRoute } from './data.js';
import { compareMinor, type ApiModel, type FieldInfo } from './model.js';

export interface ElementChange {
  kind: 'rpc' | 'message' | 'field' | 'enum' | 'enum-value';
  name: string;
  since?: string | undefined;
  detail?: string | undefined;
}

export interface RouteChange {
  method: string;
  path: string;
  rpc: string;
  change: 'added' | 'removed' | 'moved' | 'now-unique';
  detail: string;
}

export interface FlagChange {
  flag: string;
  change: 'removed' | 'added' | FlagRule['kind'];
  since: string;
  replacement?: string | undefined;
  detail: string;
  action?: string | undefined;
  source: string;
}

export interface StructuralDiff {
  added: ElementChange[];
  removed: ElementChange[];
  changed: ElementChange[];
  /** Elements of the target newer than the lowest member version: only usable once every member runs the target. */
  mixedVersion: { lowest: string; elements: ElementChange[] };
  gateway: { routes: RouteChange[]; rewrites: { from: { from: string; to: string }[]; to: { from: string; to: string }[] } };
  v2: { from: boolean; to: boolean; evidence: string };
  flags: FlagChange[];
}

const minorOf = (v: string): string => v.split('.').slice(0, 2).join('.');
const newer = (since: string | undefined, than: string): boolean => since !== undefined && compareMinor(since, than) > 0;

function fieldDesc(f: FieldInfo): string {
  return `${f.repeated ? 'repeated ' : ''}${f.type} ${f.name} = ${f.number}${f.jsonName ? ` [json_name = "${f.jsonName}"]` : ''}`;
}

export function diffModels(from: ApiModel, to: ApiModel, lowest: string): Pick<StructuralDiff, 'added' | 'removed' | 'changed' | 'mixedVersion'> {
  const added: ElementChange[] = [];
  const removed: ElementChange[] = [];
  const changed: ElementChange[] = [];
  for (const [path, r] of to.rpcs) if (!from.rpcs.has(path)) added.push({ kind: 'rpc', name: path, since: r.since, detail: `${r.request} -> ${r.serverStreaming ? 'stream ' : ''}${r.response}` });
  for (const [path, r] of from.rpcs) {
    const t = to.rpcs.get(path);
    if (!t) removed.push({ kind: 'rpc', name: path });
    else if (t.serverStreaming !== r.serverStreaming || t.clientStreaming !== r.clientStreaming || t.request !== r.request || t.response !== r.response) changed.push({ kind: 'rpc', name: path, detail: `${r.request} -> ${r.response} became ${t.request} -> ${t.response}` });
  }
  for (const [name, m] of to.messages) {
    const old = from.messages.get(name);
    if (!old) {
      added.push({ kind: 'message', name, since: m.since });
      continue;
    }
    for (const [n, f] of m.fields) {
      const of = old.fields.get(n);
      if (!of) added.push({ kind: 'field', name: `${name}.${f.name}`, since: f.since, detail: fieldDesc(f) });
      else if (of.name !== f.name || of.type !== f.type || of.repeated !== f.repeated || of.jsonName !== f.jsonName) changed.push({ kind: 'field', name: `${name}.${f.name}`, detail: `${fieldDesc(of)} became ${fieldDesc(f)}` });
    }
    for (const [n, f] of old.fields) if (!m.fields.has(n)) removed.push({ kind: 'field', name: `${name}.${f.name}`, detail: `${fieldDesc(f)}${m.reservedNumbers.includes(n) ? ' (number reserved)' : ''}` });
  }
  for (const name of from.messages.keys()) if (!to.messages.has(name)) removed.push({ kind: 'message', name });
  for (const [name, e] of to.enums) {
    const old = from.enums.get(name);
    if (!old) {
      added.push({ kind: 'enum', name, since: e.since });
      continue;
    }
    for (const [n, v] of e.values) if (!old.values.has(n)) added.push({ kind: 'enum-value', name: `${name}.${v.name}`, since: v.since, detail: `= ${n}` });
    for (const [n, v] of old.values) if (!e.values.has(n)) removed.push({ kind: 'enum-value', name: `${name}.${v.name}`, detail: `= ${n}` });
  }
  const mixed: ElementChange[] = [];
  for (const r of to.rpcs.values()) if (newer(r.since, lowest)) mixed.push({ kind: 'rpc', name: r.path, since: r.since });
  for (const m of to.messages.values()) {
    if (newer(m.since, lowest)) mixed.push({ kind: 'message', name: m.name, since: m.since });
    else for (const f of m.fields.values()) if (newer(f.since, lowest)) mixed.push({ kind: 'field', name: `${m.name}.${f.name}`, since: f.since });
  }
  for (const e of to.enums.values()) {
    if (newer(e.since, lowest)) mixed.push({ kind: 'enum', name: e.name, since: e.since });
    else for (const v of e.values.values()) if (newer(v.since, lowest)) mixed.push({ kind: 'enum-value', name: `${e.name}.${v.name}`, since: v.since });
  }
  const byName = (a: ElementChange, b: ElementChange) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { added: added.sort(byName), removed: removed.sort(byName), changed: changed.sort(byName), mixedVersion: { lowest, elements: mixed.sort((a, b) => compareMinor(a.since ?? '0.0', b.since ?? '0.0') || byName(a, b)) } };
}

const routeKey = (r: GatewayRoute) => `${r.method} ${r.path}`;

/** Route changes by RPC: moved paths, new and gone routes, and paths that served two RPCs and now serve one. */
export function diffRoutes(from: GatewayRoute[], to: GatewayRoute[]): RouteChange[] {
  const out: RouteChange[] = [];
  const byRpc = (rs: GatewayRoute[]) => {
    const m = new Map<string, GatewayRoute[]>();
    for (const r of rs) m.set(r.rpc, [...(m.get(r.rpc) ?? []), r]);
    return m;
  };
  const f = byRpc(from);
  const t = byRpc(to);
  const pathUse = (rs: GatewayRoute[]) => {
    const m = new Map<string, string[]>();
    for (const r of rs) m.set(routeKey(r), [...(m.get(routeKey(r)) ?? []), r.rpc]);
    return m;
  };
  const fUse = pathUse(from);
  const tUse = pathUse(to);
  for (const [rpc, rs] of t) {
    const old = f.get(rpc);
    for (const r of rs) {
      if (old?.some((o) => routeKey(o) === routeKey(r))) continue;
      if (old && old.length) out.push({ ...r, change: 'moved', detail: `${rpc} moved from ${old.map(routeKey).join(', ')} to ${routeKey(r)}` });
      else out.push({ ...r, change: 'added', detail: `${routeKey(r)} serves ${rpc}` });
    }
  }
  for (const [rpc, rs] of f) {
    const now = t.get(rpc);
    if (!now || now.length === 0) for (const r of rs) out.push({ ...r, change: 'removed', detail: `${routeKey(r)} no longer serves ${rpc}` });
  }
  for (const [key, rpcs] of fUse) {
    const nowRpcs = tUse.get(key);
    if (rpcs.length > 1 && nowRpcs && nowRpcs.length === 1) {
      const [method, path] = key.split(' ') as [string, string];
      out.push({ method, path, rpc: nowRpcs[0]!, change: 'now-unique', detail: `${key} was registered for ${rpcs.join(' and ')}; it now serves ${nowRpcs[0]} only` });
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.change < b.change ? -1 : 1));
}

const FLAG_SOURCE = 'upshift knowledge base (src/knowledge: flag rules; flag sets generated from etcd\'s etcdmain/embed config.go)';

/** Server flags: the knowledge base's rules for the hop, and flags present in one release and not the other. */
export function diffFlags(from: string, to: string): FlagChange[] {
  const fm = minorOf(from);
  const tm = minorOf(to);
  const out: FlagChange[] = [];
  for (const r of allFlagRules) {
    const since = r.since.split('.').slice(0, 2).join('.');
    const inHop = compareMinor(since, fm) > 0 && compareMinor(since, tm) <= 0;
    const patchRule = r.since.split('.').length === 3 && compareMinor(since, fm) === 0 && compareMinor(since, tm) <= 0;
    if (!inHop && !patchRule) continue;
    out.push({ flag: r.flag, change: r.kind, since: r.since, replacement: r.replacement, detail: r.detail, action: r.action, source: r.source });
  }
  const ruled = new Set(out.map((c) => c.flag));
  const fromSet = serverFlagSets[fm]?.flags ?? {};
  const toSet = serverFlagSets[tm]?.flags ?? {};
  for (const flag of Object.keys(fromSet)) {
    if (flagExists(flag, from) && flagExists(flag, to) === false && !ruled.has(flag)) out.push({ flag, change: 'removed', since: tm, detail: `--${flag} exists in ${from} and not in ${to}`, source: FLAG_SOURCE });
  }
  for (const flag of Object.keys(toSet)) {
    if (flagExists(flag, to) && flagExists(flag, from) === false && !ruled.has(flag)) out.push({ flag, change: 'added', since: tm, detail: `--${flag} is new in ${to}`, source: FLAG_SOURCE });
  }
  const order: Record<string, number> = { removed: 0, renamed: 1, 'default-changed': 2, behavior: 3, deprecated: 4, added: 5 };
  return out.sort((a, b) => (order[a.change] ?? 9) - (order[b.change] ?? 9) || (a.flag < b.flag ? -1 : 1));
}

export function diffSnapshots(from: { version: string; snapshot: ApiSnapshot; model: ApiModel }, to: { version: string; snapshot: ApiSnapshot; model: ApiModel }): StructuralDiff {
  const lowest = minorOf(from.version);
  return {
    ...diffModels(from.model, to.model, lowest),
    gateway: { routes: diffRoutes(from.snapshot.gateway.routes, to.snapshot.gateway.routes), rewrites: { from: from.snapshot.gateway.rewrites, to: to.snapshot.gateway.rewrites } },
    v2: { from: from.snapshot.v2.served, to: to.snapshot.v2.served, evidence: to.snapshot.v2.evidence },
    flags: diffFlags(from.version, to.version),
  };
}

export interface ContractFinding extends Finding {
  /** What the finding is about: RPC path, route, flag, element. */
  subject?: string;
}

/** The diff as findings, most severe first (SPEC finding shape). */
export function diffFindings(d: StructuralDiff, from: string, to: string): ContractFinding[] {
  const out: ContractFinding[] = [];
  const CHANGELOG = (m: string) => `etcd CHANGELOG-${m}.md`;
  if (d.v2.from && !d.v2.to) {
    out.push({ severity: 'blocker', code: 'v2-api-removed', subject: '/v2/*', message: `the v2 HTTP API (/v2/keys, /v2/members ...; served with --enable-v2) is gone in ${to}: v2 clients and v2 data must move to v3 first`, source: `${d.v2.evidence}; ${CHANGELOG('3.6')}` });
  }
  for (const rw of d.gateway.rewrites.from) {
    const kept = d.gateway.rewrites.to.some((x) => x.from === rw.from);
    out.push(
      kept
        ? { severity: 'info', code: 'gateway-prefix-deprecated', subject: rw.from, message: `${rw.from} gateway paths are deprecated (since 3.4, announced for removal in 3.5) but ${to} still rewrites them to ${rw.to} (embed/serve.go): move clients to ${rw.to}`, source: `${CHANGELOG('3.4')} (PR #9298); server embed/serve.go of ${to}` }
        : { severity: 'blocker', code: 'gateway-prefix-removed', subject: rw.from, message: `${to} no longer serves ${rw.from} gateway paths (${from} rewrote them to ${rw.to}): move clients to ${rw.to}`, source: `server embed/serve.go of ${from} and ${to}` },
    );
  }
  for (const r of d.gateway.routes) {
    if (r.change === 'removed') out.push({ severity: 'blocker', code: 'gateway-route-removed', subject: `${r.method} ${r.path}`, message: r.detail, source: 'etcdserverpb/gw/rpc.pb.gw.go' });
    else if (r.change === 'moved') out.push({ severity: 'warning', code: 'gateway-route-moved', subject: `${r.method} ${r.path}`, message: `${r.detail}: HTTP/JSON clients of the old path now reach a different RPC or none`, source: `etcdserverpb/gw/rpc.pb.gw.go; ${CHANGELOG('3.5')} (v3.5.10: "Fix Hash and HashKV have duplicated RESTful API", PR #16490)` });
    else if (r.change === 'now-unique') out.push({ severity: 'warning', code: 'gateway-route-changed', subject: `${r.method} ${r.path}`, message: r.detail, source: 'etcdserverpb/gw/rpc.pb.gw.go' });
    else out.push({ severity: 'info', code: 'gateway-route-added', subject: `${r.method} ${r.path}`, message: r.detail, source: 'etcdserverpb/gw/rpc.pb.gw.go' });
  }
  for (const e of d.removed) out.push({ severity: e.kind === 'field' || e.kind === 'rpc' || e.kind === 'enum-value' ? 'blocker' : 'warning', code: `${e.kind}-removed`, subject: e.name, message: `${e.kind} ${e.name}${e.detail ? ` (${e.detail})` : ''} is gone in ${to}`, source: 'etcd API protos' });
  for (const e of d.changed) out.push({ severity: 'warning', code: `${e.kind}-changed`, subject: e.name, message: `${e.name}: ${e.detail}`, source: 'etcd API protos' });
  if (d.mixedVersion.elements.length) {
    const by = new Map<string, string[]>();
    for (const e of d.mixedVersion.elements) by.set(e.since!, [...(by.get(e.since!) ?? []), e.name]);
    for (const [since, names] of [...by].sort((a, b) => compareMinor(a[0], b[0]))) {
      out.push({ severity: 'info', code: 'api-newer-than-cluster', subject: since, message: `${names.length} API element(s) annotated ${since} (newer than ${d.mixedVersion.lowest}): unusable while any member still runs ${d.mixedVersion.lowest}, i.e. until the upgrade completes: ${names.slice(0, 8).join(', ')}${names.length > 8 ? `, +${names.length - 8} more` : ''}`, source: 'etcd_version annotations (api/versionpb/version.proto; scripts/etcd_version_annotations.txt)' });
    }
  }
  for (const f of d.flags) {
    // A flag change matters only where the flag is set: `upshift plan --config` checks a real config.
    const severity = f.change === 'removed' || f.change === 'renamed' || f.change === 'default-changed' || f.change === 'behavior' ? 'warning' : 'info';
    out.push({ severity, code: `flag-${f.change}`, subject: `--${f.flag}`, message: `--${f.flag} (${f.since}): ${f.detail}${f.replacement ? ` (use ${f.replacement})` : ''}${f.action ? `. ${f.action}` : ''}`, source: f.source });
  }
  const rank = { blocker: 0, warning: 1, info: 2 } as const;
  return out.sort((a, b) => rank[a.severity] - rank[b.severity]);
}
