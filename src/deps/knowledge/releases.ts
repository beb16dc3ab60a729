/**
 * etcd release facts the analyzer needs, as data with sources (reference: /work/shared/reference/go-modules.md).
 */
import { compareSemver, decodePseudoVersion, isIncompatible, parseSemver } from '../version.js';
import { ETCD_COMMITS } from './etcd-commits-data.js';

/**
 * Facts of every 3.5+ release, read from the Go module proxy (proxy.golang.org, 2026-12-06):
 * [version, date, go, grpc, bbolt, raft?] where date is the `Time` of go.etcd.io/etcd/client/v3/@v/V.info,
 * go and grpc are the `go` line and the google.golang.org/grpc requirement of client/v3/@v/V.mod (server/v3
 * requires the same grpc at every tag), bbolt and raft the go.etcd.io/bbolt and go.etcd.io/raft/v3
 * requirements of go.etcd.io/etcd/server/v3/@v/V.mod (3.5 uses go.etcd.io/etcd/raft/v3 at V itself).
 * Every client/v3 V requires api/v3 and client/pkg/v3 at exactly V (same files).
 */
export const SPLIT_RELEASES: readonly (readonly [version: string, date: string, go: string, grpc: string, bbolt: string, raft?: string])[] = [
  ['v3.5.0', '2021-06-15', '1.16', 'v1.38.0', 'v1.3.6'],
  ['v3.5.1', '2021-10-03', '1.16', 'v1.38.0', 'v1.3.6'],
  ['v3.5.2', '2022-02-01', '1.16', 'v1.38.0', 'v1.3.6'],
  ['v3.5.3', '2022-04-13', '1.16', 'v1.38.0', 'v1.3.6'],
  ['v3.5.4', '2022-04-24', '1.16', 'v1.38.0', 'v1.3.6'],
  ['v3.5.5', '2022-09-15', '1.16', 'v1.41.0', 'v1.3.6'],
  ['v3.5.6', '2022-11-21', '1.16', 'v1.41.0', 'v1.3.6'],
  ['v3.5.7', '2023-01-20', '1.17', 'v1.41.0', 'v1.3.6'],
  ['v3.5.8', '2023-04-13', '1.19', 'v1.41.0', 'v1.3.7'],
  ['v3.5.9', '2023-05-11', '1.19', 'v1.41.0', 'v1.3.7'],
  ['v3.5.10', '2023-10-27', '1.20', 'v1.58.3', 'v1.3.8'],
  ['v3.5.11', '2023-12-07', '1.20', 'v1.59.0', 'v1.3.8'],
  ['v3.5.12', '2024-01-31', '1.20', 'v1.59.0', 'v1.3.8'],
  ['v3.5.13', '2024-03-29', '1.21', 'v1.59.0', 'v1.3.9'],
  ['v3.5.14', '2024-05-29', '1.21', 'v1.59.0', 'v1.3.10'],
  ['v3.5.15', '2024-07-19', '1.21', 'v1.59.0', 'v1.3.10'],
  ['v3.5.16', '2024-09-10', '1.22', 'v1.59.0', 'v1.3.11'],
  ['v3.5.17', '2024-11-12', '1.22', 'v1.59.0', 'v1.3.11'],
  ['v3.5.18', '2025-01-24', '1.22', 'v1.59.0', 'v1.3.11'],
  ['v3.5.19', '2025-03-05', '1.23.0', 'v1.59.0', 'v1.3.11'],
  ['v3.5.20', '2025-03-21', '1.23.0', 'v1.59.0', 'v1.3.11'],
  ['v3.5.21', '2025-03-27', '1.23.0', 'v1.59.0', 'v1.3.11'],
  ['v3.5.22', '2025-07-22', '1.23.0', 'v1.71.1', 'v1.3.11'],
  ['v3.5.23', '2025-09-19', '1.24', 'v1.71.1', 'v1.3.12'],
  ['v3.5.24', '2025-10-21', '1.24', 'v1.71.1', 'v1.3.12'],
  ['v3.5.25', '2025-11-12', '1.24', 'v1.71.1', 'v1.3.12'],
  ['v3.5.26', '2025-12-17', '1.24.0', 'v1.71.1', 'v1.3.12'],
  ['v3.5.27', '2026-02-13', '1.24.0', 'v1.71.1', 'v1.3.12'],
  ['v3.5.28', '2026-03-20', '1.25.0', 'v1.79.3', 'v1.3.12'],
  ['v3.5.29', '2026-04-01', '1.25.0', 'v1.79.3', 'v1.3.12'],
  ['v3.5.30', '2026-05-01', '1.25.0', 'v1.79.3', 'v1.3.12'],
  ['v3.5.31', '2026-06-01', '1.25.0', 'v1.79.3', 'v1.3.12'],
  ['v3.5.32', '2026-07-01', '1.25.0', 'v1.79.3', 'v1.3.12'],
  ['v3.5.33', '2026-07-23', '1.25.0', 'v1.82.1', 'v1.3.12'],
  ['v3.5.34', '2026-09-22', '1.26', 'v1.83.2', 'v1.3.12'],
  ['v3.5.35', '2026-10-22', '1.26.0', 'v1.83.2', 'v1.3.12'],
  ['v3.5.36', '2026-11-18', '1.26.0', 'v1.83.2', 'v1.3.12'],
  ['v3.6.0', '2025-05-15', '1.23.0', 'v1.71.1', 'v1.4.0', 'v3.6.0'],
  ['v3.6.1', '2025-06-06', '1.23.0', 'v1.71.1', 'v1.4.0', 'v3.6.0'],
  ['v3.6.2', '2025-07-10', '1.23.0', 'v1.71.1', 'v1.4.2', 'v3.6.0'],
  ['v3.6.3', '2025-07-22', '1.23.0', 'v1.71.1', 'v1.4.2', 'v3.6.0'],
  ['v3.6.4', '2025-07-25', '1.23.0', 'v1.71.1', 'v1.4.2', 'v3.6.0'],
  ['v3.6.5', '2025-09-19', '1.24', 'v1.71.1', 'v1.4.3', 'v3.6.0'],
  ['v3.6.6', '2025-11-12', '1.24', 'v1.71.1', 'v1.4.3', 'v3.6.0'],
  ['v3.6.7', '2025-12-17', '1.24.0', 'v1.71.1', 'v1.4.3', 'v3.6.0'],
  ['v3.6.8', '2026-02-13', '1.24.0', 'v1.71.1', 'v1.4.3', 'v3.6.0'],
  ['v3.6.9', '2026-03-20', '1.25.0', 'v1.79.3', 'v1.4.3', 'v3.6.0'],
  ['v3.6.10', '2026-04-01', '1.25.0', 'v1.79.3', 'v1.4.3', 'v3.6.0'],
  ['v3.6.11', '2026-05-01', '1.25.0', 'v1.79.3', 'v1.4.3', 'v3.6.0'],
  ['v3.6.12', '2026-06-01', '1.25.0', 'v1.79.3', 'v1.4.3', 'v3.6.0'],
  ['v3.6.13', '2026-07-01', '1.25.0', 'v1.79.3', 'v1.4.3', 'v3.6.0'],
  ['v3.6.14', '2026-07-23', '1.25.0', 'v1.82.1', 'v1.4.3', 'v3.6.0'],
  ['v3.6.15', '2026-09-22', '1.26', 'v1.83.2', 'v1.4.3', 'v3.6.0'],
  ['v3.6.16', '2026-10-22', '1.26.0', 'v1.83.2', 'v1.4.3', 'v3.6.0'],
  ['v3.6.17', '2026-11-18', '1.26.0', 'v1.83.2', 'v1.4.3', 'v3.6.0'],
  ['v3.7.0', '2026-07-08', '1.26', 'v1.81.0', 'v1.5.0', 'v3.7.0'],
  ['v3.7.1', '2026-07-23', '1.26', 'v1.82.1', 'v1.5.0', 'v3.7.0'],
  ['v3.7.2', '2026-09-22', '1.26', 'v1.83.2', 'v1.5.0', 'v3.7.0'],
  ['v3.7.3', '2026-10-22', '1.26.0', 'v1.83.2', 'v1.5.0', 'v3.7.0'],
  ['v3.7.4', '2026-11-18', '1.26.0', 'v1.83.2', 'v1.5.0', 'v3.7.0'],
];

const releaseRow = (release: string): (typeof SPLIT_RELEASES)[number] | undefined => SPLIT_RELEASES.find((r) => r[0] === release);

/** Newest patch of each line: 3.3/3.4 from the etcd git tags (reference §0); 3.5+ from SPLIT_RELEASES (the proxy). */
export const LATEST_PATCH: Readonly<Record<string, string>> = {
  '3.3': 'v3.3.27',
  '3.4': 'v3.4.45',
  ...Object.fromEntries(['3.5', '3.6', '3.7'].map((line) => [line, SPLIT_RELEASES.filter((r) => r[0].startsWith(`v${line}.`)).at(-1)![0]])),
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
  via: 'tag' | 'commit-table' | 'timestamp-estimate' | 'semver' | 'incompatible' | 'fork';
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

/**
 * grpc version each etcd client release requires in its go.mod: 3.4 (go.etcd.io/etcd at the tag's commit)
 * from reference §1.4; 3.5+ from SPLIT_RELEASES (client/v3/@v/V.mod on the proxy).
 */
export function grpcFloorOf(release: string): string | undefined {
  const row = releaseRow(release);
  if (row) return row[3];
  const rows: [string, string, string][] = [
    ['v3.4.0', 'v3.4.0', 'v1.23.0'],
    ['v3.4.1', 'v3.4.7', 'v1.23.1'],
    ['v3.4.8', 'v3.4.27', 'v1.26.0'],
    ['v3.4.28', 'v3.4.41', 'v1.58.3'],
    ['v3.4.42', 'v3.4.45', 'v1.79.3'],
  ];
  for (const [lo, hi, g] of rows) if (compareSemver(release, lo) >= 0 && compareSemver(release, hi) <= 0) return g;
  return undefined;
}

export function grpcWindowOf(release: string): GrpcWindow | undefined {
  return GRPC_WINDOWS.find((w) => compareSemver(release, w.from) >= 0 && compareSemver(release, w.to) <= 0);
}

/** `go` directive of client/v3/go.mod per release (SPLIT_RELEASES): a floor for consumers on Go >= 1.21 (go.dev/ref/mod#go-mod-file-go). */
export function goFloorOf(release: string): string | undefined {
  return releaseRow(release)?.[2];
}

/** go.etcd.io/raft/v3 version server/v3 requires at a 3.6+ release (SPLIT_RELEASES; 3.5 has raft inside etcd). */
export function raftVersionFor(release: string): string {
  return releaseRow(release)?.[5] ?? (compareSemver(release, 'v3.7.0') >= 0 ? 'v3.7.0' : 'v3.6.0');
}

/**
 * go.etcd.io/bbolt version server/v3 requires at a 3.5+ release (SPLIT_RELEASES, from each tag's go.mod on the
 * proxy: 3.5.0–3.5.7 v1.3.6, 3.5.8–9 v1.3.7, 3.5.10–12 v1.3.8, 3.5.13 v1.3.9, 3.5.14–15 v1.3.10, 3.5.16–22
 * v1.3.11, 3.5.23+ v1.3.12; 3.6.0–1 v1.4.0, 3.6.2–4 v1.4.2, 3.6.5+ v1.4.3; 3.7 v1.5.0). Used to judge a
 * same-path bbolt pin against the target.
 */
export function bboltVersionFor(release: string): string | undefined {
  return releaseRow(release)?.[4];
}

/** Release time of a 3.5+ release (the proxy's .info Time), for "how old is this". */
export function releaseDateOf(release: string): string | undefined {
  return releaseRow(release)?.[1];
}

/**
 * The etcd modules (and bbolt / raft) a 3.5+ etcd module requires at `version`, read from the go.mod files the
 * proxy serves (e.g. go.etcd.io/etcd/client/v3/@v/v3.5.36.mod requires api/v3 and client/pkg/v3 v3.5.36;
 * server/v3 adds client/v3, pkg/v3, raft and bbolt; 3.5's server, etcdctl and etcdutl also client/v2
 * v2.305.N; etcdctl 3.5 requires etcdutl, 3.6+ does not). Lets the analysis see client/pkg/v3 behind a
 * go 1.16-style go.mod that lists only client/v3.
 */
export function impliedEtcdRequires(path: string, version: string): { path: string; version: string }[] {
  const rel = etcdReleaseOf(path, version);
  if (!rel || rel.ahead !== 0 || rel.via !== 'semver') return [];
  const v = rel.release;
  const sv = parseSemver(v);
  if (!sv || sv.major !== 3 || sv.minor < 5 || !releaseRow(v)) return [];
  const is35 = sv.minor === 5;
  const at = (...paths: string[]): { path: string; version: string }[] => paths.map((p) => ({ path: p, version: v }));
  const v2 = is35 ? [{ path: 'go.etcd.io/etcd/client/v2', version: `v2.305.${sv.patch}` }] : [];
  const storage = [...(is35 ? at('go.etcd.io/etcd/raft/v3') : [{ path: 'go.etcd.io/raft/v3', version: raftVersionFor(v) }]), { path: 'go.etcd.io/bbolt', version: bboltVersionFor(v)! }];
  const base = at('go.etcd.io/etcd/api/v3', 'go.etcd.io/etcd/client/pkg/v3');
  switch (path) {
    case 'go.etcd.io/etcd/client/v3':
    case 'go.etcd.io/etcd/client/v2':
      return base;
    case 'go.etcd.io/etcd/pkg/v3':
    case 'go.etcd.io/etcd/raft/v3':
      return at('go.etcd.io/etcd/client/pkg/v3');
    case 'go.etcd.io/etcd/server/v3':
      return [...base, ...at('go.etcd.io/etcd/client/v3', 'go.etcd.io/etcd/pkg/v3'), ...v2, ...storage];
    case 'go.etcd.io/etcd/etcdutl/v3':
      return [...base, ...at('go.etcd.io/etcd/client/v3', 'go.etcd.io/etcd/pkg/v3', 'go.etcd.io/etcd/server/v3'), ...v2, ...storage];
    case 'go.etcd.io/etcd/etcdctl/v3':
      return [...base, ...at('go.etcd.io/etcd/client/v3', 'go.etcd.io/etcd/pkg/v3'), ...(is35 ? [...v2, ...at('go.etcd.io/etcd/etcdutl/v3')] : [])];
    default:
      return [];
  }
}
