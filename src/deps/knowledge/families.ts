/**
 * The five etcd import-path families and where each legacy package lives on a target line
 * (reference §1.1, §1.2, §1.6, §5.1).
 */
import { compareSemver } from '../version.js';
import { MOVES_33_TO_34, MOVES_34_TO_35, MOVES_35_TO_36, MOVES_36_TO_37, type MoveKind, type PackageMove } from './moves-data.js';

export type Family =
  /** ≤3.3: github.com/coreos/etcd/... (no go.mod; +incompatible) */
  | 'coreos'
  /** 3.4 (or 3.3 +incompatible through the vanity path): go.etcd.io/etcd/... */
  | 'etcd-root'
  /** master pseudo-versions 2019/2020: go.etcd.io/etcd/v3/... */
  | 'etcd-v3-master'
  /** 3.5+ split modules: go.etcd.io/etcd/{api,client/pkg,client,pkg,raft,server,etcdctl,etcdutl,tests,cache}/v3, client/v2 */
  | 'split'
  /** 3.6+: go.etcd.io/raft/v3 */
  | 'raft'
  | 'bbolt-coreos'
  | 'bbolt';

/** Module paths of the 3.5+ layout (reference §1.2). */
export const SPLIT_MODULES = [
  'go.etcd.io/etcd/api/v3',
  'go.etcd.io/etcd/client/pkg/v3',
  'go.etcd.io/etcd/client/v3',
  'go.etcd.io/etcd/client/v2',
  'go.etcd.io/etcd/pkg/v3',
  'go.etcd.io/etcd/raft/v3',
  'go.etcd.io/etcd/server/v3',
  'go.etcd.io/etcd/etcdctl/v3',
  'go.etcd.io/etcd/etcdutl/v3',
  'go.etcd.io/etcd/tests/v3',
  'go.etcd.io/etcd/cache/v3',
  'go.etcd.io/etcd/tools/v3',
] as const;

/** Longest module path that is a prefix of the import/module path, among the known etcd modules. */
export function etcdModuleOf(path: string): { module: string; family: Family } | undefined {
  const under = (m: string): boolean => path === m || path.startsWith(m + '/');
  for (const m of SPLIT_MODULES) if (under(m)) return { module: m, family: 'split' };
  if (under('go.etcd.io/raft/v3')) return { module: 'go.etcd.io/raft/v3', family: 'raft' };
  if (under('go.etcd.io/etcd/v3')) return { module: 'go.etcd.io/etcd/v3', family: 'etcd-v3-master' };
  if (under('go.etcd.io/etcd')) return { module: 'go.etcd.io/etcd', family: 'etcd-root' };
  if (under('github.com/coreos/etcd')) return { module: 'github.com/coreos/etcd', family: 'coreos' };
  if (under('github.com/coreos/bbolt')) return { module: 'github.com/coreos/bbolt', family: 'bbolt-coreos' };
  if (under('go.etcd.io/bbolt')) return { module: 'go.etcd.io/bbolt', family: 'bbolt' };
  return undefined;
}

/** Is this a module path the analyzer reports as etcd-related (all families, bbolt, raft)? */
export function isEtcdRelated(path: string): boolean {
  return etcdModuleOf(path) !== undefined;
}

/** Forks seen on the right side of `replace` (reference §5.1). */
export function isKnownFork(path: string): boolean {
  return /^github\.com\/(ozonru\/etcd|k3s-io\/etcd|etcd-io\/etcd)(\/|$)/.test(path);
}

export interface Mapping {
  from: string;
  /** New import path on the target line (absent when there is none). */
  to?: string;
  /** Module providing `to`. */
  module?: string;
  kind: MoveKind | 'unchanged' | 'unknown';
  note?: string;
}

function findMove(table: readonly PackageMove[], path: string, prefixRule = false): PackageMove | undefined {
  const exact = table.find((m) => m.from === path);
  if (exact) return exact;
  if (!prefixRule) return undefined;
  // Subpackage of a moved package (e.g. etcdserver/api/v3rpc under etcdserver) — longest prefix wins.
  let best: PackageMove | undefined;
  for (const m of table) if (path.startsWith(m.from + '/') && (!best || m.from.length > best.from.length)) best = m;
  return best;
}

function applyPrefix(path: string, move: PackageMove): string | undefined {
  return move.to === undefined ? undefined : move.to + path.slice(move.from.length);
}

/** Module path that holds a 3.5+ package path. */
function moduleForSplitPath(path: string): string | undefined {
  return etcdModuleOf(path)?.module;
}

/**
 * Where an etcd import path lives on the target line (≥ 3.5). Chains the per-release tables:
 * ≤3.3 → 3.4 → 3.5 → 3.6 → 3.7.
 */
export function mapImportPath(path: string, target: string): Mapping {
  const fam = etcdModuleOf(path);
  if (!fam) return { from: path, kind: 'unknown' };
  if (fam.family === 'bbolt-coreos') return { from: path, to: 'go.etcd.io/bbolt' + path.slice('github.com/coreos/bbolt'.length), module: 'go.etcd.io/bbolt', kind: 'rename', note: 'bbolt v1.3.4+ declares module go.etcd.io/bbolt (reference §1.5)' };
  if (fam.family === 'bbolt' || fam.family === 'raft') return { from: path, kind: 'unchanged' };
  const toTarget34 = compareSemver(target, 'v3.5.0') < 0;
  let p = path;
  let kind: Mapping['kind'] = 'rename';
  let note: string | undefined;
  // ≤3.3 → 3.4
  if (fam.family === 'coreos') {
    const m = findMove(MOVES_33_TO_34, p, true);
    if (m && m.kind !== 'rename') return { from: path, kind: m.kind, ...(m.note ? { note: m.note } : {}) };
    p = m ? applyPrefix(p, m)! : 'go.etcd.io/etcd' + p.slice('github.com/coreos/etcd'.length);
  }
  if (fam.family === 'etcd-v3-master') p = 'go.etcd.io/etcd' + p.slice('go.etcd.io/etcd/v3'.length);
  if (toTarget34) return { from: path, to: p, module: 'go.etcd.io/etcd', kind: p === path ? 'unchanged' : 'rename' };
  // 3.4 → 3.5
  if (etcdModuleOf(p)?.family === 'etcd-root') {
    const m = findMove(MOVES_34_TO_35, p, false) ?? findMove(MOVES_34_TO_35, p, true);
    if (!m) return { from: path, kind: 'unknown', note: 'not a package of any etcd 3.4 release' };
    if (m.kind !== 'rename') {
      const to = m.from === p ? m.to : m.to === undefined ? undefined : applyPrefix(p, m);
      return { from: path, ...(to && m.kind !== 'internal' ? { to } : {}), ...(m.module ? { module: m.module } : {}), kind: m.kind, ...(m.note ? { note: m.note } : {}) };
    }
    p = m.from === p ? m.to! : applyPrefix(p, m)!;
  }
  // 3.5 → 3.6 → 3.7
  const steps: [string, readonly PackageMove[]][] = [
    ['v3.6.0', MOVES_35_TO_36],
    ['v3.7.0', MOVES_36_TO_37],
  ];
  for (const [since, table] of steps) {
    if (compareSemver(target, since) < 0) break;
    const m = findMove(table, p, true);
    if (!m) continue;
    if (m.kind !== 'rename') return { from: path, ...(m.to ? { to: m.to } : {}), ...(m.module ? { module: m.module } : {}), kind: m.kind, note: m.note ?? `changed in ${since.slice(0, 5)}` };
    p = applyPrefix(p, m)!;
    note = m.note;
  }
  if (p === path) kind = 'unchanged';
  return { from: path, to: p, module: moduleForSplitPath(p) ?? (p.startsWith('go.etcd.io/raft/v3') ? 'go.etcd.io/raft/v3' : undefined), kind, ...(note ? { note } : {}) };
}
