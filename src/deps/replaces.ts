/**
 * What each go.mod `replace` does to the etcd dependency (pure). A replace applies to every version of its
 * left side unless it names one (go.dev/ref/mod#go-mod-file-replace), so an unversioned replace of an etcd
 * module decides the code that builds whatever `require` and `go get` say: the analysis must follow the
 * replacement, and the plan must update or drop it.
 */
import { GRPC } from './common.js';
import { isLocalPath, type Replace } from './gomod.js';
import { etcdModuleOf, isKnownFork, type Family } from './knowledge/families.js';
import { decodePseudoVersion, parseSemver } from './version.js';

export type ReplaceKind =
  /** etcd's own `=> ./FORBIDDEN_DEPENDENCY` lines: keep legacy paths out of etcd's modules; inert for everyone else. */
  | 'guard'
  /** A local directory: the code is whatever that checkout holds. */
  | 'local'
  /** Another module path holding a copy of etcd (k3s-io/etcd, ozonru/etcd, ...). */
  | 'fork'
  /** The same module at another version (kubernetes-style pins, pseudo-versions of untagged commits). */
  | 'pin'
  /** Another etcd module path (e.g. github.com/coreos/etcd => go.etcd.io/etcd). */
  | 'redirect'
  /** github.com/coreos/bbolt <-> go.etcd.io/bbolt: the stop-gap for the bbolt rename. */
  | 'bbolt-rename'
  /** go.etcd.io/bbolt => go.etcd.io/bbolt at another version. */
  | 'bbolt-pin'
  /** replace google.golang.org/grpc => google.golang.org/grpc vX. */
  | 'grpc-pin'
  | 'other';

export interface ReplaceInfo {
  replace: Replace;
  kind: ReplaceKind;
  /** The etcd module family of the left side, when it is one. */
  family?: Family;
}

const isGuardDir = (p: string): boolean => /(^|[\\/])FORBIDD\w*_DEPENDENCY$/i.test(p);

export function classifyReplace(r: Replace): ReplaceInfo {
  if (isLocalPath(r.newPath) && isGuardDir(r.newPath)) return { replace: r, kind: 'guard' };
  if (r.oldPath === GRPC) return { replace: r, kind: r.newPath === GRPC && r.newVersion ? 'grpc-pin' : 'other' };
  const fam = etcdModuleOf(r.oldPath);
  if (!fam || fam.module !== r.oldPath) return { replace: r, kind: 'other' };
  const family = fam.family;
  if (family === 'bbolt' || family === 'bbolt-coreos') {
    const toFam = etcdModuleOf(r.newPath)?.family;
    if (r.newPath === r.oldPath && r.newVersion) return { replace: r, kind: 'bbolt-pin', family };
    if (toFam === 'bbolt' || toFam === 'bbolt-coreos') return { replace: r, kind: 'bbolt-rename', family };
  }
  if (isLocalPath(r.newPath)) return { replace: r, kind: 'local', family };
  if (r.newPath === r.oldPath) return { replace: r, kind: 'pin', family };
  if (isKnownFork(r.newPath) || !etcdModuleOf(r.newPath)) return { replace: r, kind: 'fork', family };
  return { replace: r, kind: 'redirect', family };
}

/** The etcd release a fork's version is based on: v3.5.7-k3s1 -> v3.5.7, v3.3.20-grpc1.27-origmodule+incompatible -> v3.3.20. */
export function forkBaseRelease(version: string | undefined): string | undefined {
  const pv = version ? decodePseudoVersion(version) : undefined;
  const sv = pv ? (pv.base ? parseSemver(pv.base) : undefined) : version ? parseSemver(version) : undefined;
  return sv && sv.major === 3 ? `v${sv.major}.${sv.minor}.${sv.patch}` : undefined;
}

export const dropReplaceArg = (r: Replace): string => (r.oldVersion ? `${r.oldPath}@${r.oldVersion}` : r.oldPath);
