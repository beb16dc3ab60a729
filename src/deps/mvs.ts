/**
 * Minimal Version Selection over a `go mod graph` (go.dev/ref/mod#minimal-version-selection): starting
 * at the main module, traverse the requirement graph and keep the highest required version of each
 * module path. Plus requirement chains (`go mod why -m` style, but over the *module* graph: go mod why
 * walks the package import graph, which needs sources of every dependency — reference §3.8).
 */
import type { GraphEdge, ModuleVersion } from './inputs.js';
import { compareSemver } from './version.js';

const key = (m: ModuleVersion): string => (m.version ? `${m.path}@${m.version}` : m.path);

export interface ModuleGraph {
  main: string[];
  /** node key -> dependency nodes, in input order. */
  edges: Map<string, ModuleVersion[]>;
  nodes: Map<string, ModuleVersion>;
}

export function buildGraph(edges: readonly GraphEdge[], excluded: ReadonlySet<string> = new Set()): ModuleGraph {
  const g: ModuleGraph = { main: [], edges: new Map(), nodes: new Map() };
  for (const e of edges) {
    const f = key(e.from);
    const t = key(e.to);
    if (excluded.has(t)) continue; // go.dev/ref/mod#mvs-exclude: requirements on excluded versions are ignored (Go ≥1.16)
    g.nodes.set(f, e.from);
    g.nodes.set(t, e.to);
    if (!g.edges.has(f)) g.edges.set(f, []);
    g.edges.get(f)!.push(e.to);
    if (e.from.version === '' && !g.main.includes(f)) g.main.push(f);
  }
  return g;
}

/** The build list: module path -> selected version (main modules excluded). */
export function selectVersions(g: ModuleGraph): Map<string, string> {
  const selected = new Map<string, string>();
  const seen = new Set<string>(g.main);
  const queue = [...g.main];
  while (queue.length) {
    const n = queue.shift()!;
    for (const d of g.edges.get(n) ?? []) {
      const cur = selected.get(d.path);
      if (cur === undefined || compareSemver(d.version, cur) > 0) selected.set(d.path, d.version);
      const k = key(d);
      if (!seen.has(k)) {
        seen.add(k);
        queue.push(k);
      }
    }
  }
  return selected;
}

/**
 * Shortest requirement chain from the main module to any version of `path` (BFS, edges in input order,
 * so ties resolve like `go mod graph` lists them). Returns node keys, main module first.
 */
export function requirementChain(g: ModuleGraph, path: string): string[] | undefined {
  const prev = new Map<string, string | null>();
  const queue: string[] = [];
  for (const m of g.main) {
    prev.set(m, null);
    queue.push(m);
  }
  while (queue.length) {
    const n = queue.shift()!;
    const node = g.nodes.get(n);
    if (node && node.version !== '' && node.path === path) {
      const chain: string[] = [];
      for (let c: string | null = n; c !== null; c = prev.get(c) ?? null) chain.unshift(c);
      return chain;
    }
    for (const d of g.edges.get(n) ?? []) {
      const k = key(d);
      if (!prev.has(k)) {
        prev.set(k, n);
        queue.push(k);
      }
    }
  }
  return undefined;
}

/** Every module version that requires `path` (any version), for "who pulls this in". */
export function requirersOf(g: ModuleGraph, path: string): { from: string; version: string }[] {
  const out: { from: string; version: string }[] = [];
  for (const [from, deps] of g.edges) for (const d of deps) if (d.path === path) out.push({ from, version: d.version });
  return out;
}
