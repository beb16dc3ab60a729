/**
 * From a topology (traffic over the window), a catalog (importance, declared dependencies) and declared
 * etcd dependencies of Go modules, to the classified dependency list. Pure.
 */
import type { TopologyReport } from '../topology/analyze.js';
import type { Catalog } from './catalog.js';
import { classify, type Classified, type Quadrant, type Thresholds, type TrafficState } from './classify.js';
import type { DeclaredDependency } from './declared.js';

export interface LifecycleInput {
  topology: TopologyReport;
  catalog: Catalog;
  declared: DeclaredDependency[];
  thresholds: Thresholds;
}

export interface LifecycleSummary {
  dependencies: number;
  byQuadrant: Partial<Record<Quadrant, number>>;
  byState: Partial<Record<TrafficState, number>>;
  zombieCandidates: string[];
  sleepingCritical: string[];
  idleEtcdClients: string[];
}

export function classifyDependencies(inp: LifecycleInput): { dependencies: Classified[]; summary: LifecycleSummary } {
  const { topology: t, catalog } = inp;
  const etcdNodes = new Set(t.etcd.nodes);
  const etcdName = t.etcd.nodes[0] ?? 'etcd';
  const norm = (name: string): string => (etcdNodes.has(name) || name === 'etcd' ? etcdName : name);
  const alive = new Set<string>();
  for (const s of t.services) if (s.spans > 0) alive.add(s.name);
  for (const e of t.edges) alive.add(e.child);
  type Acc = { caller: string; callee: string; calls: number; errors: number; lastSeen: string | null; declaredBy: string[] };
  const deps = new Map<string, Acc>();
  const get = (caller: string, callee: string): Acc => {
    const key = `${caller}\u0000${callee}`;
    let d = deps.get(key);
    if (!d) deps.set(key, (d = { caller, callee, calls: 0, errors: 0, lastSeen: null, declaredBy: [] }));
    return d;
  };
  for (const e of t.edges) {
    if (e.selfLoop || etcdNodes.has(e.parent)) continue;
    const d = get(e.parent, norm(e.child));
    d.calls += e.calls;
    d.errors += e.errors;
    if (e.lastSeen && (!d.lastSeen || e.lastSeen > d.lastSeen)) d.lastSeen = e.lastSeen;
  }
  for (const c of catalog.values()) for (const dep of c.dependsOn) get(c.name, norm(dep)).declaredBy.push(`catalog dependsOn of ${c.name}`);
  for (const d of inp.declared) get(d.service, norm(d.dependsOn)).declaredBy.push(d.evidence);
  const dependencies = [...deps.values()]
    .map((d) => {
      const entry = catalog.get(d.caller);
      return classify(
        {
          ...d,
          callerAlive: alive.has(d.caller),
          callerRetired: entry?.retired === true,
          importance: entry?.importance ?? 'unknown',
          importanceBy: entry ? entry.importanceBy : `${d.caller} is not in the catalog`,
        },
        inp.thresholds,
      );
    })
    .sort((a, b) => (a.caller < b.caller ? -1 : a.caller > b.caller ? 1 : a.callee < b.callee ? -1 : 1));
  const byQuadrant: LifecycleSummary['byQuadrant'] = {};
  const byState: LifecycleSummary['byState'] = {};
  for (const d of dependencies) {
    byQuadrant[d.quadrant] = (byQuadrant[d.quadrant] ?? 0) + 1;
    byState[d.state] = (byState[d.state] ?? 0) + 1;
  }
  const name = (d: Classified) => `${d.caller} -> ${d.callee}`;
  return {
    dependencies,
    summary: {
      dependencies: dependencies.length,
      byQuadrant,
      byState,
      zombieCandidates: dependencies.filter((d) => d.quadrant === 'zombie-candidate').map(name),
      sleepingCritical: dependencies.filter((d) => d.quadrant === 'sleeping-critical').map(name),
      idleEtcdClients: dependencies.filter((d) => d.callee === etcdName && d.state !== 'active' && d.declaredBy.length > 0).map((d) => d.caller),
    },
  };
}
