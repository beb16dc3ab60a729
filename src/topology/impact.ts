/**
 * Impact of an upgrade on the services the traces show: each etcd operation a caller uses, checked
 * against the target release's API (src/contract data: RPCs with their etcd_version annotations,
 * gateway routes and path rewrites, v2 API presence) and against the release the cluster runs now (the
 * lowest member version during the rolling upgrade). The result names the services to check first.
 * Pure apart from reading the shipped API data.
 */
import type { Finding } from '../core/finding.js';
import { apiData, resolveApi, type ApiData, type ResolvedApi } from '../contract/data.js';
import { diffModels } from '../contract/diff.js';
import { modelOf } from '../contract/etcd-diff.js';
import { compareMinor } from '../contract/model.js';
import type { ImpactFinding, ImpactReport, TopologyReport } from './model.js';

export type { ImpactFinding, ImpactReport } from './model.js';

/** Behaviour changes no API diff shows, for RPCs callers use (governance.md §2.3). */
const BEHAVIOUR: { op: string; since: string; severity: Finding['severity']; code: string; message: string; source: string }[] = [
  {
    op: '/etcdserverpb.Cluster/MemberList',
    since: '3.5',
    severity: 'warning',
    code: 'memberlist-linearizable',
    message: 'MemberList is served linearizably from 3.5: it fails when the member has lost quorum, where 3.4 answered from local state',
    source: 'etcd CHANGELOG-3.5.md "Changed behavior of clientv3 API MemberList" (PR #11639)',
  },
];

const minorOf = (v: string): string => v.split('.').slice(0, 2).join('.');
const UNTRACED = '(untraced callers)';

export function impactOf(r: TopologyReport, toV: string, fromV?: string, data: ApiData = apiData()): ImpactReport {
  const to = resolveApi(toV, data);
  const from = fromV ? resolveApi(fromV, data) : undefined;
  const toModel = modelOf(to, data);
  const fromModel = from ? modelOf(from, data) : undefined;
  const added = from && fromModel ? diffModels(fromModel, toModel, minorOf(from.version)).added : [];
  // (service, op) pairs of every etcd call.
  const uses: { service: string; op: string }[] = [];
  for (const c of r.etcdCallers) for (const o of c.rpcs ?? []) uses.push({ service: c.service, op: o.op });
  for (const o of r.etcd.untracedCalls.ops) uses.push({ service: UNTRACED, op: o.op });
  const acc = new Map<string, ImpactFinding>();
  const add = (f: Omit<ImpactFinding, 'services' | 'ops'>, service: string, op: string): void => {
    const key = `${f.code}\u0000${f.message}`;
    let x = acc.get(key);
    if (!x) acc.set(key, (x = { ...f, services: [], ops: [] }));
    if (!x.services.includes(service)) x.services.push(service);
    if (!x.ops.includes(op)) x.ops.push(op);
  };
  for (const { service, op } of uses) {
    if (op.startsWith('/')) grpcImpact(service, op, to, from, toModel, added, add);
    else httpImpact(service, op, to, from, add);
  }
  const rank = { blocker: 0, warning: 1, info: 2 } as const;
  const findings = [...acc.values()].map((f) => ({ ...f, services: f.services.sort(), ops: f.ops.sort() })).sort((a, b) => rank[a.severity] - rank[b.severity] || (a.code < b.code ? -1 : 1));
  const weight = new Map<string, number>();
  for (const f of findings) if (f.severity !== 'info') for (const s of f.services) weight.set(s, (weight.get(s) ?? 0) + (f.severity === 'blocker' ? 100 : 1));
  const notes = [from?.note, to.note].filter((n): n is string => !!n);
  if (!from) notes.push('no --from: checks against the release the cluster runs now (mixed-version window, changed routes) were skipped');
  return {
    ...(from ? { from: from.version } : {}),
    to: to.version,
    findings,
    servicesToCheck: [...weight].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([s]) => s),
    notes,
  };
}

type Add = (f: Omit<ImpactFinding, 'services' | 'ops'>, service: string, op: string) => void;

function grpcImpact(service: string, op: string, to: ResolvedApi, from: ResolvedApi | undefined, toModel: ReturnType<typeof modelOf>, added: ReturnType<typeof diffModels>['added'], add: Add): void {
  if (!op.startsWith('/etcdserverpb.')) return; // lock/election services are not in the API data
  const rpc = toModel.rpcs.get(op);
  if (!rpc) {
    add({ severity: 'blocker', code: 'rpc-removed', message: `${op} does not exist in ${to.version}`, source: 'etcd API protos (src/contract/data)' }, service, op);
    return;
  }
  if (from && rpc.since && compareMinor(rpc.since, minorOf(from.version)) > 0) {
    add({ severity: 'warning', code: 'rpc-newer-than-cluster', message: `${op} appeared in ${rpc.since}: members still on ${from.version} answer it with Unimplemented during the rolling upgrade`, source: 'etcd_version annotations' }, service, op);
  }
  if (from) {
    const pkg = 'etcdserverpb.';
    const msgs = new Set([rpc.request, rpc.response].map((t) => (t.includes('.') ? t : pkg + t)));
    const newFields = added.filter((e) => e.kind === 'field' && msgs.has(e.name.slice(0, e.name.lastIndexOf('.'))));
    if (newFields.length) {
      add(
        {
          severity: 'info',
          code: 'rpc-fields-added',
          message: `${op}: ${to.version} adds ${newFields.map((f) => `${f.name.slice(f.name.lastIndexOf('.') + 1)}${f.since ? ` (${f.since})` : ''}`).join(', ')}; members on ${from.version} ignore these fields in requests and never set them in responses until the upgrade completes`,
          source: 'etcd API protos, etcd_version annotations',
        },
        service,
        op,
      );
    }
    for (const b of BEHAVIOUR) {
      if (b.op === op && compareMinor(b.since, minorOf(from.version)) > 0 && compareMinor(b.since, minorOf(to.version)) <= 0) add({ severity: b.severity, code: b.code, message: b.message, source: b.source }, service, op);
    }
  }
}

function httpImpact(service: string, op: string, to: ResolvedApi, from: ResolvedApi | undefined, add: Add): void {
  const sp = op.indexOf(' ');
  const method = op.slice(0, sp);
  const path = op.slice(sp + 1);
  if (path.startsWith('/v2/')) {
    if (!to.snapshot.v2.served) add({ severity: 'blocker', code: 'v2-api-removed', message: `the v2 HTTP API is gone in ${to.version}: these callers must move to the v3 API (and v2 data be migrated) before the upgrade`, source: `${to.snapshot.v2.evidence}; etcd CHANGELOG-3.6.md` }, service, op);
    else add({ severity: 'warning', code: 'v2-api-deprecated', message: `the v2 HTTP API is deprecated (served only with --enable-v2) and removed in 3.6`, source: 'etcd CHANGELOG-3.5.md; etcdmain/config.go --enable-v2 help text' }, service, op);
    return;
  }
  const prefix = /^\/(v3beta|v3alpha)\//.exec(path);
  let v3path = path;
  if (prefix) {
    const rw = to.snapshot.gateway.rewrites.find((x) => path.startsWith(x.from));
    if (!rw) {
      add({ severity: 'blocker', code: 'gateway-path-removed', message: `${to.version} does not serve /${prefix[1]}/ gateway paths: move these calls to /v3/`, source: `server embed/serve.go of ${to.version}` }, service, op);
      return;
    }
    add({ severity: 'warning', code: 'gateway-prefix-deprecated', message: `/${prefix[1]}/ is deprecated since 3.4 and announced for removal; ${to.version} still rewrites it to ${rw.to}: move these calls to /v3/`, source: `etcd CHANGELOG-3.4.md (PR #9298); server embed/serve.go of ${to.version}` }, service, op);
    v3path = path.replace(rw.from, rw.to);
  }
  if (!v3path.startsWith('/v3/')) return;
  const served = (api: ResolvedApi) => api.snapshot.gateway.routes.filter((r) => r.method === method && r.path === v3path).map((r) => r.rpc);
  const now = served(to);
  if (now.length === 0) {
    add({ severity: 'blocker', code: 'gateway-route-missing', message: `${method} ${v3path} is not a gateway route in ${to.version}`, source: 'etcdserverpb/gw/rpc.pb.gw.go' }, service, op);
    return;
  }
  if (from) {
    const before = served(from);
    if (before.join() !== now.join()) {
      add(
        { severity: 'warning', code: 'gateway-route-changed', message: `${method} ${v3path} was registered for ${before.join(' and ') || 'nothing'} in ${from.version} and serves ${now.join(' and ')} in ${to.version}: check which response these callers expect`, source: 'etcdserverpb/gw/rpc.pb.gw.go; etcd CHANGELOG-3.5.md v3.5.10 (PR #16490)' },
        service,
        op,
      );
    }
  }
}
