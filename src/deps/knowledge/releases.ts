/**
 * etcd release facts the analyzer needs, as data with sources (reference: /work/shared/reference/go-modules.md).
 */
import { compareSemver, decodePseudoVersion, isIncompatible, parseSemver } from '../version.js';
import { ETCD_COMMITS } from './etcd-commits-data.js';

/** Newest patch of each line in the snapshot the reference was read from (etcd-io/etcd tags, 2026-08). */
export const LATEST_PATCH: Readonly<Record<string, string>> = {
  '3.3': 'v3.3.27',
  '3.4': 'v3.4.45',
  '3.5': 'v3.5.33',
  '3.6': 'v3.6.14',
  '3.7': 'v3.7.1',
};

/** Default migration target: newest 3.6 patch (3.5, 3.6 and 3.7 are all patched; 3.4 is EOL since v3.4.45). */
export const DEFAULT_TARGET = LATEST_PATCH['3.6'];

/**
 * v3.4 tags and the canonical `go.etcd.io/etcd` pseudo-versions of their commits (UTC commit time),
 * base v0.5.0-alpha.5 (reference §1.3, computed from the etcd git repo; cross-checked against issues
 * etcd-io/etcd#11154 (v3.4.1), #12109 (v3.4.9), #12431 (v3.4.13)). Tags v3.4.x themselves are unusable
 * in go.mod (major v3 without /v3 in the module path).
 */
export const ETCD_34_TAGS: readonly (readonly [tag: string, timestamp: string, commit: string])[] = [
  ['v3.4.0', '20190830150955', '898bd1351fcf'],
  ['v3.4.1', '20190917205325', 'a14579fbfb1a'],
  ['v3.4.2', '20191009222652', 'bbe86b066c0c'],
  ['v3.4.3', '20191023171146', '3cf2f69b5738'],
  ['v3.4.4', '20200224211402', 'c65a9e2dd1fd'],
  ['v3.4.5', '20200319002442', 'e784ba73c229'],
  ['v3.4.6', '20200329194727', 'bdc9bc1d816e'],
  ['v3.4.7', '20200401174654', 'e694b7bb0875'],
  ['v3.4.8', '20200518184023', '0de2b1f8607a'],
  ['v3.4.9', '20200520232829', '54ba9589114f'],
  ['v3.4.10', '20200716221620', '18dfb9cca345'],
  ['v3.4.11', '20200818154809', 'e71e0c5c8813'],
  ['v3.4.12', '20200819165624', '17cef6e3e9d5'],
  ['v3.4.13', '20200824191128', 'ae9734ed278b'],
  ['v3.4.14', '20201125193152', '8a03d2e9614b'],
  ['v3.4.15', '20210226220824', 'aa7126864d82'],
  ['v3.4.16', '20210512015243', 'd19fbe541bf9'],
  ['v3.4.17', '20211004023027', '19e2e70e4f50'],
  ['v3.4.18', '20211015134708', '72d3e382e73c'],
  ['v3.4.19', '20220712081845', '4636a5fab43f'],
  ['v3.4.20', '20220805212701', '1e2682301c29'],
  ['v3.4.21', '20220915004622', '85b640cee793'],
  ['v3.4.22', '20221102000833', '1f054980bc27'],
  ['v3.4.23', '20221221061116', 'c8b78319672a'],
  ['v3.4.24', '20230216013900', '6d1bfe4f9927'],
  ['v3.4.25', '20230414071934', '94593e63d45c'],
  ['v3.4.26', '20230512014047', 'a603c0798948'],
  ['v3.4.27', '20230711085208', 'c92fb80f3944'],
  ['v3.4.28', '20231123142931', 'adf6bd245b10'],
  ['v3.4.29', '20240109131145', '3ee15038fd11'],
  ['v3.4.30', '20240131130919', 'ff2304879e1b'],
  ['v3.4.31', '20240320135013', '950cd5fbe6ca'],
  ['v3.4.32', '20240425174734', '9ac4e7ef0643'],
  ['v3.4.33', '20240613141046', '5cd1d285d744'],
  ['v3.4.34', '20240911181550', 'c123b3ea3db3'],
  ['v3.4.35', '20241112171243', 'f893034254cf'],
  ['v3.4.36', '20250225191713', '74b3bc969d0d'],
  ['v3.4.37', '20250415194437', '1a36b4853952'],
  ['v3.4.38', '20251021182904', 'f1f5c1c2a4ed'],
  ['v3.4.39', '20251112043835', 'af367e02b948'],
  ['v3.4.40', '20251217191353', '901d7949e2b0'],
  ['v3.4.41', '20260213181134', '43cbb1658847'],
  ['v3.4.42', '20260320165304', '89dc59aa1c7c'],
  ['v3.4.43', '20260401181818', 'b477bc229f6d'],
  ['v3.4.44', '20260501183011', '59098950c8e4'],
  ['v3.4.45', '20260601203031', '6e72c68a3199'],
];

/**
 * Commits that are not tags but appear in real go.mod files (reference §1.3, §1.1, §3.5, §4.1). `tag` is
 * the nearest release tag below on the same branch; master commits name the line under development
 * (`v3.5.0-dev`) and have ahead = -1.
 */
export const KNOWN_COMMITS: Readonly<Record<string, { describe: string; tag: string; ahead: number; branch: string; note?: string }>> = {
  // `git describe` = v3.4.13-2-gdd1b699fc; kubernetes-derived go.mod files wrongly comment it as v3.4.13.
  dd1b699fc489: { describe: 'v3.4.13-2-gdd1b699fc', tag: 'v3.4.13', ahead: 2, branch: 'release-3.4', note: 'widely copied from kubernetes go.mod files, whose comment "ae9734ed278b is the SHA for git tag v3.4.13" does not apply to it' },
  // Master commits referenced by the Go vuln DB as "fixed" versions (reference §4.1).
  f4b650b51dc4: { describe: 'master 2020-04-23 (3.5 development)', tag: 'v3.5.0-dev', ahead: -1, branch: 'master', note: 'GO-2020-0005 WAL fix on master; it reached release-3.4 only in v3.4.10' },
  '83c051b701d3': { describe: 'master 2019-01-08 (3.4 development)', tag: 'v3.4.0-dev', ahead: -1, branch: 'master' },
  // go.etcd.io/etcd/v3 master pseudo-versions of 2020 (reference §1.1).
  '732df43cf85b': { describe: 'master 2020-05-18 (go.etcd.io/etcd/v3, 3.5 development)', tag: 'v3.5.0-dev', ahead: -1, branch: 'master' },
  '15884e908549': { describe: 'master 2020-07-01 (go.etcd.io/etcd/v3, 3.5 development)', tag: 'v3.5.0-dev', ahead: -1, branch: 'master' },
  // Early split-module pseudo-versions (etcd-io/etcd#12431).
  '7da5182f1d02': { describe: 'master 2020-10-26 (client/v3 before v3.5.0)', tag: 'v3.5.0-dev', ahead: -1, branch: 'master', note: 'requires go.etcd.io/etcd/api/v3@v3.0.0-00010101000000-000000000000, which does not resolve (#12431)' },
  '6e800b9b0161': { describe: 'master 2020-11-03 (api/v3 before v3.5.0)', tag: 'v3.5.0-dev', ahead: -1, branch: 'master' },
  // raftrv example: v3.6.0-alpha.0-3660-g58a71a22f; its pseudo-version v3.0.0-20240510030858-58a71a22f3a5 sorts below v3.5.0.
  '58a71a22f3a5': { describe: 'v3.6.0-alpha.0-3660-g58a71a22f (main 2024-05-10)', tag: 'v3.6.0-alpha.0', ahead: 3660, branch: 'main', note: 'pseudo-version v3.0.0-2024… sorts below v3.5.0 although the code is 3.6-era' },
};

export interface EtcdRelease {
  /** The etcd release the code corresponds to, e.g. v3.4.13; for untagged commits the nearest tag below. */
  release: string;
  /** Commits after `release` (0: exactly the tag; -1: a master commit, not on a release branch). */
  ahead: number;
  /** How the mapping was found. */
  via: 'tag' | 'commit-table' | 'timestamp-estimate' | 'semver' | 'incompatible';
  describe?: string;
  note?: string;
}

/**
 * Which etcd release a required version of an etcd module corresponds to. `go.etcd.io/etcd` pseudo-versions
 * are resolved by commit (never by timestamp alone: release-3.4 and master pseudo-versions share a base and
 * interleave; reference §1.3).
 */
export function etcdReleaseOf(modulePath: string, version: string): EtcdRelease | undefined {
  if (isIncompatible(version) && !decodePseudoVersion(version)) {
    const sv = parseSemver(version);
    if (!sv) return undefined;
    return { release: `v${sv.major}.${sv.minor}.${sv.patch}`, ahead: 0, via: 'incompatible' };
  }
  const pv = decodePseudoVersion(version);
  if (pv) {
    const tag = ETCD_34_TAGS.find((t) => t[2] === pv.commit.slice(0, 12));
    if (tag) return { release: tag[0], ahead: 0, via: 'commit-table' };
    const known = KNOWN_COMMITS[pv.commit.slice(0, 12)];
    if (known) return { release: known.tag, ahead: known.ahead, via: 'commit-table', describe: known.describe, ...(known.note ? { note: known.note } : {}) };
    const c = commitIndex().get(pv.commit.slice(0, 12));
    if (c && (modulePath === 'go.etcd.io/etcd' || modulePath === 'go.etcd.io/etcd/v3' || modulePath === 'github.com/coreos/etcd')) {
      if (c.startsWith('m')) {
        const line = c === 'm4' ? '3.4' : '3.5';
        return { release: `v${line}.0-dev`, ahead: -1, via: 'commit-table', describe: `master commit ${pv.commit.slice(0, 12)} (${line} development)` };
      }
      const [patch, ahead] = c.split(' ').map(Number);
      return { release: `v3.4.${patch}`, ahead, via: 'commit-table', describe: `v3.4.${patch}-${ahead}-g${pv.commit.slice(0, 9)} (release-3.4)` };
    }
    if (modulePath === 'go.etcd.io/etcd' || modulePath === 'github.com/coreos/etcd') {
      // Unknown commit: the newest 3.4 tag not after the timestamp is only an estimate (master interleaves).
      const ts = pv.time.replace(/[-T:Z]/g, '');
      let best: string | undefined;
      for (const [tag, t] of ETCD_34_TAGS) if (t <= ts) best = tag;
      return {
        release: best ?? 'v3.3.0',
        ahead: -1,
        via: 'timestamp-estimate',
        note: `commit ${pv.commit} is not a known release-3.4 commit; dated ${pv.time.slice(0, 10)}`,
      };
    }
    return { release: pv.base || 'v0.0.0', ahead: -1, via: 'timestamp-estimate', note: `pseudo-version of commit ${pv.commit} (${pv.time.slice(0, 10)})` };
  }
  if (modulePath === 'go.etcd.io/etcd/client/v2') {
    // client/v2 v2.305.N pairs with etcd 3.5.N (reference §1.2).
    const sv = parseSemver(version);
    if (sv && sv.major === 2 && sv.minor >= 300) return { release: `v3.${sv.minor - 300}.${sv.patch}`, ahead: 0, via: 'semver' };
  }
  if (parseSemver(version)) return { release: version.replace(/\+.*$/, ''), ahead: 0, via: 'semver' };
  return undefined;
}

let commits: Map<string, string> | undefined;
/** sha12 -> "<patch> <ahead>" (release-3.4) or "m4"/"m5" (master), built on first use. */
function commitIndex(): Map<string, string> {
  if (!commits) {
    commits = new Map();
    for (const l of ETCD_COMMITS.split('\n')) if (l) commits.set(l.slice(0, 12), l.slice(13));
  }
  return commits;
}

/** The canonical pseudo-version for a v3.4 tag (for `--target 3.4.x`). */
export function pseudoVersionFor34(tag: string): string | undefined {
  const t = ETCD_34_TAGS.find((r) => r[0] === tag);
  return t ? `v0.5.0-alpha.5.0.${t[1]}-${t[2]}` : undefined;
}

/** minor line of an etcd release, e.g. "3.4". */
export function lineOf(release: string): string {
  const sv = parseSemver(release);
  return sv ? `${sv.major}.${sv.minor}` : '';
}

// ---------- gRPC coupling (reference §1.4) ----------

export interface GrpcWindow {
  /** etcd releases this row covers (inclusive). */
  from: string;
  to: string;
  /** gRPC versions that compile with that client (inclusive bounds; undefined = open). */
  grpcMin?: string;
  grpcMax?: string;
  why: string;
}

export const GRPC_WINDOWS: readonly GrpcWindow[] = [
  {
    from: 'v3.0.0',
    to: 'v3.4.7',
    grpcMax: 'v1.26.0',
    why: 'uses resolver.BuildOption, resolver.ResolveNowOption, balancer.PickOptions and google.golang.org/grpc/naming, removed in grpc v1.27.0 (etcd-io/etcd#11563; fixed on release-3.4 only in v3.4.8, never on release-3.3)',
  },
  {
    from: 'v3.4.8',
    to: 'v3.4.27',
    grpcMin: 'v1.26.0',
    grpcMax: 'v1.29.1',
    why: 'still uses the V1 balancer.Picker and google.golang.org/grpc/naming, removed in grpc v1.30.0 (grpc-go#3314, #3431; "etcd 3.4 can cooperate only with grpc <=1.29.1", etcd-io/etcd#12724)',
  },
  { from: 'v3.4.28', to: 'v3.4.45', grpcMin: 'v1.58.3', why: 'balancer replaced with upstream grpc (CHANGELOG-3.4 v3.4.28); go.mod requires grpc v1.58.3' },
  { from: 'v3.5.0', to: 'v3.99.99', why: 'uses the grpc resolver API; the go.mod grpc requirement is a floor through MVS' },
];

/** grpc version each etcd client release requires in its go.mod (client/v3 or go.etcd.io/etcd; reference §1.4). */
export function grpcFloorOf(release: string): string | undefined {
  const rows: [string, string, string][] = [
    ['v3.4.0', 'v3.4.0', 'v1.23.0'],
    ['v3.4.1', 'v3.4.7', 'v1.23.1'],
    ['v3.4.8', 'v3.4.27', 'v1.26.0'],
    ['v3.4.28', 'v3.4.41', 'v1.58.3'],
    ['v3.4.42', 'v3.4.45', 'v1.79.3'],
    ['v3.5.0', 'v3.5.4', 'v1.38.0'],
    ['v3.5.5', 'v3.5.9', 'v1.41.0'],
    ['v3.5.10', 'v3.5.10', 'v1.58.3'],
    ['v3.5.11', 'v3.5.21', 'v1.59.0'],
    ['v3.5.22', 'v3.5.27', 'v1.71.1'],
    ['v3.5.28', 'v3.5.32', 'v1.79.3'],
    ['v3.5.33', 'v3.5.33', 'v1.82.1'],
    ['v3.6.0', 'v3.6.8', 'v1.71.1'],
    ['v3.6.9', 'v3.6.13', 'v1.79.3'],
    ['v3.6.14', 'v3.6.14', 'v1.82.1'],
    ['v3.7.0', 'v3.7.0', 'v1.81.0'],
    ['v3.7.1', 'v3.7.1', 'v1.82.1'],
  ];
  for (const [lo, hi, g] of rows) if (compareSemver(release, lo) >= 0 && compareSemver(release, hi) <= 0) return g;
  return undefined;
}

export function grpcWindowOf(release: string): GrpcWindow | undefined {
  return GRPC_WINDOWS.find((w) => compareSemver(release, w.from) >= 0 && compareSemver(release, w.to) <= 0);
}

/** `go` directive of client/v3/go.mod per release: a floor for consumers on Go >= 1.21 (reference §1.4). */
export function goFloorOf(release: string): string | undefined {
  const rows: [string, string, string][] = [
    ['v3.5.0', 'v3.5.6', '1.16'],
    ['v3.5.7', 'v3.5.7', '1.17'],
    ['v3.5.8', 'v3.5.9', '1.19'],
    ['v3.5.10', 'v3.5.12', '1.20'],
    ['v3.5.13', 'v3.5.15', '1.21'],
    ['v3.5.16', 'v3.5.18', '1.22'],
    ['v3.5.19', 'v3.5.22', '1.23.0'],
    ['v3.5.23', 'v3.5.27', '1.24'],
    ['v3.5.28', 'v3.5.33', '1.25.0'],
    ['v3.6.0', 'v3.6.4', '1.23.0'],
    ['v3.6.5', 'v3.6.8', '1.24'],
    ['v3.6.9', 'v3.6.14', '1.25.0'],
    ['v3.7.0', 'v3.7.1', '1.26'],
  ];
  for (const [lo, hi, g] of rows) if (compareSemver(release, lo) >= 0 && compareSemver(release, hi) <= 0) return g;
  return undefined;
}

/** raft module version to pair with a 3.6+ target (go.etcd.io/raft/v3 tags; reference §1.2). */
export function raftVersionFor(release: string): string {
  return compareSemver(release, 'v3.7.0') >= 0 ? 'v3.7.0' : 'v3.6.0';
}

/** bbolt each etcd line uses (reference §1.5). */
export function bboltVersionFor(release: string): string {
  if (compareSemver(release, 'v3.7.0') >= 0) return 'v1.5.0';
  if (compareSemver(release, 'v3.6.14') >= 0) return 'v1.4.3';
  if (compareSemver(release, 'v3.6.0') >= 0) return 'v1.4.0';
  return 'v1.3.12';
}
