/**
 * Go vulnerability database entries for etcd modules (golang/vulndb @a752ea54 2026-08-21, data/reports +
 * data/osv; reference §4.1; re-read from that commit for this table), and a pseudo-version-aware evaluation: versions of `go.etcd.io/etcd` are first mapped
 * to the etcd release they contain (by commit), then compared with the release that really fixed the
 * issue. Where the DB's own SEMVER range would say "not affected" but the code is, the advisory says so
 * (the DB false negatives: master pseudo-versions as fix bounds, +incompatible sorting above them).
 */
import { compareSemver } from '../version.js';
import type { EtcdRelease } from './releases.js';

export interface Range {
  introduced?: string;
  /** First version not affected (exclusive upper bound); absent = no fix in this range. */
  fixed?: string;
}

export interface AdvisoryEntry {
  id: string;
  aliases: string[];
  summary: string;
  /** Module path -> ranges in the DB's own version space (OSV SEMVER, as govulncheck compares them). */
  db: Record<string, Range[]>;
  /** Affected etcd releases (what the code really contains), when known. */
  releases?: Range[];
  /** Packages named by the report (all packages of the module when absent). */
  packages?: string[];
  /** Release that fixes it for the migration target (for `fixedIn`). */
  fixedIn?: string;
  source: string;
}

export const ADVISORIES: readonly AdvisoryEntry[] = [
  {
    id: 'GO-2020-0005',
    aliases: ['CVE-2020-15106', 'CVE-2020-15112', 'GHSA-m332-53r6-2w93', 'GHSA-p4g4-wgrh-qrg2'],
    summary: 'malformed WALs make WAL.ReadAll read out of bounds or allocate arbitrarily sized slices (DoS)',
    db: { 'go.etcd.io/etcd': [{ fixed: 'v0.5.0-alpha.5.0.20200423152442-f4b650b51dc4' }] },
    // The fix (master f4b650b51dc4) reached release-3.4 only in v3.4.10 (4571e528f, 7d1cf6404; reference §4.1),
    // release-3.3 in v3.3.23 (GHSA-m332-53r6-2w93: "<3.3.23; 3.4.0–3.4.9", reference etcd-versions.md) and
    // release-3.2 in v3.2.32 (etcd CHANGELOG/CHANGELOG-3.2.md v3.2.32, package wal: "add wal slice bound check",
    // "check slice size in decodeRecord").
    releases: [
      { introduced: 'v3.0.0', fixed: 'v3.2.32' },
      { introduced: 'v3.3.0', fixed: 'v3.3.23' },
      { introduced: 'v3.4.0', fixed: 'v3.4.10' },
    ],
    packages: ['go.etcd.io/etcd/wal'],
    fixedIn: 'v3.2.32 / v3.3.23 / v3.4.10',
    source: 'golang/vulndb data/reports/GO-2020-0005.yaml',
  },
  {
    id: 'GO-2021-0077',
    aliases: ['CVE-2018-16886', 'GHSA-h6xx-pmxh-3wgp'],
    summary: 'a client certificate whose CommonName matches an RBAC user authenticates as that user (gRPC-gateway)',
    db: { 'go.etcd.io/etcd': [{ fixed: 'v0.5.0-alpha.5.0.20190108173120-83c051b701d3' }] },
    // Fixed on master 2019-01-08, i.e. in every v3.4 release; 3.3 got it in v3.3.11 (e.g. microsoft/CBL-Mariner
    // SPECS/etcd/etcd.spec: "Upgrade to version 3.3.11, which fixes CVE-2018-16886") and 3.2 in v3.2.26 (etcd
    // CHANGELOG/CHANGELOG-3.2.md v3.2.26: "Disable CommonName authentication for gRPC-gateway", etcd-io/etcd#10366).
    releases: [{ fixed: 'v3.2.26' }, { introduced: 'v3.3.0', fixed: 'v3.3.11' }],
    packages: ['go.etcd.io/etcd/auth'],
    fixedIn: 'v3.2.26 / v3.3.11',
    source: 'golang/vulndb data/reports/GO-2021-0077.yaml',
  },
  {
    id: 'GO-2024-2527',
    aliases: ['GHSA-5x4g-q5rc-36jp'],
    summary: 'insecure TLS cipher suites are allowed (pkg/tlsutil, --cipher-suites)',
    db: { 'go.etcd.io/etcd': [{ fixed: 'v0.5.0-alpha.5.0.20221102000833-1f054980bc27' }] },
    releases: [{ introduced: 'v3.2.22', fixed: 'v3.4.22' }],
    packages: ['go.etcd.io/etcd/pkg/tlsutil'],
    fixedIn: 'v3.4.22',
    source: 'golang/vulndb data/reports/GO-2024-2527.yaml (custom range 3.2.22–3.4.22)',
  },
  ...(['GO-2024-2528', 'GO-2024-2529', 'GO-2024-2530'] as const).map(
    (id, i): AdvisoryEntry => ({
      id,
      aliases: [['GHSA-j86v-2vjr-fg8f', 'GHSA-pm3m-32r3-7mfh', 'GHSA-vjg6-93fv-qv64'][i]],
      summary: [
        'gateway TLS endpoint validation only confirms TCP reachability',
        'embed: a negative auto-compaction retention causes a compaction loop or a crash',
        'auth: inaccurate logging of authentication attempts for users with CN-based auth only',
      ][i] + ' (no package information: the whole module counts as vulnerable)',
      db: { 'go.etcd.io/etcd': [{}], 'go.etcd.io/etcd/v3': [{}] },
      releases: [{ fixed: 'v3.3.23' }, { introduced: 'v3.4.0-rc.0', fixed: 'v3.4.10' }],
      fixedIn: 'v3.4.10',
      source: `golang/vulndb data/reports/${id}.yaml (custom: fixed 3.3.23, 3.4.0-rc.0–3.4.10)`,
    }),
  ),
  {
    id: 'GO-2026-4806',
    aliases: ['CVE-2026-33413', 'GHSA-q8m4-xhhv-38mg'],
    summary: 'authorization bypasses in multiple APIs',
    db: {
      'go.etcd.io/etcd': [{}],
      'go.etcd.io/etcd/v3': [{ fixed: 'v3.4.42' }, { introduced: 'v3.5.0-alpha.0', fixed: 'v3.5.28' }, { introduced: 'v3.6.0-alpha.0', fixed: 'v3.6.9' }],
    },
    releases: [{ fixed: 'v3.4.42' }, { introduced: 'v3.5.0-alpha.0', fixed: 'v3.5.28' }, { introduced: 'v3.6.0-alpha.0', fixed: 'v3.6.9' }],
    fixedIn: 'v3.5.28 / v3.6.9',
    source: 'golang/vulndb data/reports/GO-2026-4806.yaml',
  },
  {
    id: 'GO-2026-4808',
    aliases: ['CVE-2026-33343', 'GHSA-rfx7-8w68-q57q'],
    summary: 'nested transactions bypass RBAC authorization checks',
    db: {
      'go.etcd.io/etcd': [{}],
      'go.etcd.io/etcd/v3': [{ fixed: 'v3.4.42' }, { introduced: 'v3.5.0-alpha.0', fixed: 'v3.5.28' }, { introduced: 'v3.6.0-alpha.0', fixed: 'v3.6.9' }],
    },
    releases: [{ fixed: 'v3.4.42' }, { introduced: 'v3.5.0-alpha.0', fixed: 'v3.5.28' }, { introduced: 'v3.6.0-alpha.0', fixed: 'v3.6.9' }],
    fixedIn: 'v3.5.28 / v3.6.9',
    source: 'golang/vulndb data/reports/GO-2026-4808.yaml',
  },
  {
    id: 'GO-2026-5736',
    aliases: ['CVE-2026-44283', 'GHSA-x35m-3gp4-4fh5'],
    summary: 'RBAC bypass via PrevKv/lease in nested transactions (EtcdServer.Txn)',
    db: { 'go.etcd.io/etcd/server/v3': [{ introduced: 'v3.5.0', fixed: 'v3.5.30' }, { introduced: 'v3.6.0', fixed: 'v3.6.11' }] },
    releases: [{ fixed: 'v3.4.44' }, { introduced: 'v3.5.0', fixed: 'v3.5.30' }, { introduced: 'v3.6.0', fixed: 'v3.6.11' }],
    packages: ['go.etcd.io/etcd/server/v3/etcdserver'],
    fixedIn: 'v3.5.30 / v3.6.11',
    source: 'golang/vulndb data/reports/GO-2026-5736.yaml (custom fixed 3.4.44)',
  },
  {
    id: 'GO-2026-6107',
    aliases: ['CVE-2026-73500', 'GHSA-6vch-q96h-7gc3'],
    summary: 'unbounded TLS handshake goroutines on NewTLSListener listeners (DoS)',
    db: { 'go.etcd.io/etcd/client/pkg/v3': [{ fixed: 'v3.5.33' }, { introduced: 'v3.6.0', fixed: 'v3.6.14' }, { introduced: 'v3.7.0-alpha.0', fixed: 'v3.7.1' }] },
    packages: ['go.etcd.io/etcd/client/pkg/v3/transport'],
    fixedIn: 'v3.5.33 / v3.6.14 / v3.7.1',
    source: 'golang/vulndb data/reports/GO-2026-6107.yaml',
  },
  {
    id: 'GO-2026-6114',
    aliases: ['CVE-2026-73499', 'GHSA-xg4h-6gfc-h4m8'],
    summary: 'Watch with WithFromKey on a single-key READ grant streams events for all keys at or above it',
    db: { 'go.etcd.io/etcd/server/v3': [{ fixed: 'v3.5.33' }, { introduced: 'v3.6.0', fixed: 'v3.6.14' }, { introduced: 'v3.7.0-alpha.0', fixed: 'v3.7.1' }] },
    packages: ['go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc'],
    fixedIn: 'v3.5.33 / v3.6.14 / v3.7.1',
    source: 'golang/vulndb data/reports/GO-2026-6114.yaml',
  },
];

export function inRanges(v: string, ranges: readonly Range[]): boolean {
  return ranges.some((r) => (r.introduced === undefined || compareSemver(v, r.introduced) >= 0) && (r.fixed === undefined || compareSemver(v, r.fixed) < 0));
}

export interface AdvisoryHit {
  id: string;
  module: string;
  version: string;
  fixedIn: string | null;
  aliases: string[];
  summary: string;
  /** Whether the code of this version really contains the issue (by etcd release, when it can be told). */
  affected: boolean;
  /** What govulncheck (the DB's SEMVER ranges) would say for this exact version. */
  reportedByVulnDb: boolean;
  /** Why we disagree with the DB, when we do. */
  note?: string;
  source: string;
}

/**
 * Evaluate every advisory for one required module version. `release` is what the version maps to
 * (commit table etc.), used for `go.etcd.io/etcd` and +incompatible versions whose ordering misleads.
 */
export function advisoriesFor(module: string, version: string, release: EtcdRelease | undefined): AdvisoryHit[] {
  const hits: AdvisoryHit[] = [];
  const legacyModule = module === 'go.etcd.io/etcd' || module === 'github.com/coreos/etcd';
  for (const a of ADVISORIES) {
    const dbRanges = a.db[module];
    const reportedByVulnDb = dbRanges !== undefined && inRanges(version, dbRanges);
    let affected = reportedByVulnDb;
    let note: string | undefined;
    const judgedByRelease = legacyModule && a.releases !== undefined && release !== undefined && release.ahead >= 0 && (a.db['go.etcd.io/etcd'] !== undefined || a.db['go.etcd.io/etcd/v3'] !== undefined);
    if (judgedByRelease) {
      const rel = `etcd ${release!.release}${release!.ahead > 0 ? ` (+${release!.ahead} commits)` : ''}`;
      affected = inRanges(release!.release, a.releases!);
      if (affected && !reportedByVulnDb) {
        note =
          module === 'github.com/coreos/etcd'
            ? `the Go vuln DB has no entry for github.com/coreos/etcd, so govulncheck cannot report it; the code is ${rel}, before the fix ${a.fixedIn} (reference §4.1)`
            : `govulncheck misses this: ${version} sorts above the DB's fix bound, but the code is ${rel}, before the fix ${a.fixedIn} (reference §4.1)`;
      } else if (!affected && reportedByVulnDb) {
        const everyVersion = dbRanges!.some((r) => r.fixed === undefined && r.introduced === undefined);
        note = everyVersion
          ? `the Go vuln DB marks every ${module} version (fixable only by moving to the 3.5+ modules); the code is ${rel}, outside the upstream affected range`
          : `false positive of the Go vuln DB: ${version} sorts below its fix bound, but the code is ${rel}, which has the fix`;
      }
    }
    if (!affected && !reportedByVulnDb) continue;
    hits.push({
      id: a.id,
      module,
      version,
      fixedIn: a.fixedIn ?? null,
      aliases: a.aliases,
      summary: a.summary,
      affected,
      reportedByVulnDb,
      ...(note ? { note } : {}),
      source: a.source,
    });
  }
  return hits;
}
