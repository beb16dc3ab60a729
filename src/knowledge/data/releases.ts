/**
 * etcd release lines 3.2-3.7. Patch lists were checked against the tags of etcd-io/etcd (HEAD c34dc7e,
 * 2026-08-20): every line's tags run 0..latest without gaps (`git tag -l 'v3.N.*'`), so "released" is
 * exactly 0..latestPatch. The patches after that date (3.5.34-3.5.36, 3.6.15-3.6.17, 3.7.2-3.7.4) were
 * taken from the Go module proxy on 2026-12-06: `proxy:` sources name the module version record
 * (`https://proxy.golang.org/<module>/@v/<version>.info`, whose `Time` is the release date); each was
 * checked on go.etcd.io/etcd/server/v3 and api/v3 (the proxy's `@v/list` omits some published versions,
 * so every patch number up to the newest was asked for one by one).
 *
 * A version above latestPatch of a supported line may have been released after this data (it is accepted
 * with a `knowledge-stale` finding); above the final release of an end-of-life line it was never released.
 */
import type { KnowledgeEdition, PreRelease, KnownBadPatch, ReleaseLine } from '../types.js';

/** How current the shipped data is: which releases it lists, and up to when it read upstream's notes. */
export const shippedEdition: KnowledgeEdition = {
  releasesCheckedAt: '2026-12-06',
  newestRelease: { version: '3.7.4', date: '2026-11-18', source: 'proxy:go.etcd.io/etcd/server/v3@v3.7.4 (Time 2026-11-18T23:39:15Z)' },
  notesAsOf: '2026-08-20',
  notesSource:
    'etcd-io/etcd c34dc7e (2026-08-20: CHANGELOG-3.x, tags to v3.5.33/v3.6.14/v3.7.1) and etcd-io/website 8245979; the root module go.etcd.io/etcd/v3 that carries the CHANGELOGs is not on the proxy for v3.5.34+, v3.6.15+, v3.7.2+, so for those patches upshift read the non-test sources of the go.etcd.io/etcd/server/v3 module between consecutive tags instead and recorded the clear fixes as advisories (etcd-snap-db-dir-fsync, etcd-alarm-applier-chain, etcd-3.7-legacy-v2-wal-entries); security advisories published after 2026-08-20 are not known',
};

/** Pre-releases of lines that have no release yet: the line exists upstream but upshift plans releases only. */
export const preReleases: readonly PreRelease[] = [
  { version: '3.8.0-alpha.0', date: '2026-06-05', source: 'proxy:go.etcd.io/etcd/server/v3@v3.8.0-alpha.0 (Time 2026-06-05T09:22:42Z); etcd tag v3.8.0-alpha.0 (b68cc70)' },
];

export const releaseLines: readonly ReleaseLine[] = [
  {
    minor: '3.2',
    latestPatch: 32,
    status: 'eol',
    eol: {
      finalRelease: '3.2.32',
      note: 'Outside the support window (current and previous minor only); no patches since 2021.',
      source: 'web:content/en/docs/v3.6/op-guide/versioning.md; etcd tags v3.2.0..v3.2.32 (CHANGELOG-3.2 v3.2.33 is still "TBD")',
    },
    source: 'etcd tags v3.2.0..v3.2.32; etcd:CHANGELOG/CHANGELOG-3.2.md',
  },
  {
    minor: '3.3',
    latestPatch: 27,
    latestDate: '2021-10-15',
    status: 'eol',
    eol: {
      finalRelease: '3.3.27',
      date: '2021-10-15',
      note: 'Outside the support window (current and previous minor only); last release v3.3.27.',
      source: 'etcd:CHANGELOG/CHANGELOG-3.3.md (v3.3.27, 2021-10-15); web:content/en/docs/v3.6/op-guide/versioning.md',
    },
    source: 'etcd tags v3.3.0..v3.3.27; etcd:CHANGELOG/CHANGELOG-3.3.md',
  },
  {
    minor: '3.4',
    latestPatch: 45,
    latestDate: '2026-06-01',
    status: 'eol',
    eol: {
      finalRelease: '3.4.45',
      date: '2026-06-01',
      note: 'v3.4.45 "marks the end of support (EOL) for v3.4. No further patches will be issued."',
      source: 'etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.45; web:content/en/blog/2026/june-patch-release.md',
    },
    recommendedMinimum: {
      version: '3.4.22',
      reason: 'minimum recommended for production (auth data wrong after snapshot recovery before 3.4.22, PR #14649)',
      source: 'etcd:CHANGELOG/README.md "Production recommendation"',
    },
    source: 'etcd tags v3.4.0..v3.4.45; etcd:CHANGELOG/CHANGELOG-3.4.md',
  },
  {
    minor: '3.5',
    latestPatch: 36,
    latestDate: '2026-11-18',
    notesThroughPatch: 33,
    status: 'supported',
    recommendedMinimum: {
      version: '3.5.6',
      reason: 'minimum recommended for production; 3.5.0-3.5.2 can corrupt data under load (3.5.4+), 3.5.5 has the auth/snapshot-recovery bug',
      source: 'etcd:CHANGELOG/README.md "Production recommendation" and "v3.5 data corruption issue"',
    },
    source: 'etcd tags v3.5.0..v3.5.33; etcd:CHANGELOG/CHANGELOG-3.5.md; web:content/en/blog/2026/july-23-patch-release.md ("all three supported release branches"); proxy:go.etcd.io/etcd/server/v3@v3.5.34 (2026-09-22), @v3.5.35 (2026-10-22), @v3.5.36 (2026-11-18)',
  },
  {
    minor: '3.6',
    latestPatch: 17,
    latestDate: '2026-11-18',
    notesThroughPatch: 14,
    status: 'supported',
    source: 'etcd tags v3.6.0..v3.6.14; etcd:CHANGELOG/CHANGELOG-3.6.md; web:content/en/blog/2026/july-23-patch-release.md; proxy:go.etcd.io/etcd/server/v3@v3.6.15 (2026-09-22), @v3.6.16 (2026-10-22), @v3.6.17 (2026-11-18)',
  },
  {
    minor: '3.7',
    latestPatch: 4,
    latestDate: '2026-11-18',
    notesThroughPatch: 1,
    status: 'supported',
    source: 'etcd tags v3.7.0..v3.7.1; etcd:CHANGELOG/CHANGELOG-3.7.md; web:content/en/blog/2026/july-23-patch-release.md; proxy:go.etcd.io/etcd/server/v3@v3.7.2 (2026-09-22), @v3.7.3 (2026-10-22), @v3.7.4 (2026-11-18)',
  },
];

/**
 * Patches upstream tells people not to run in production, with what to run instead. The planner treats a
 * source in these ranges as "go to at least recommendedMinimum first"; the status auditor reports them.
 */
export const knownBadPatches: readonly KnownBadPatch[] = [
  {
    id: 'etcd-3.5.0-3.5.2-data-inconsistency',
    range: { introduced: '3.5.0', fixed: '3.5.3' },
    recommendedMinimum: '3.5.4',
    reason:
      'v3.5.0-v3.5.2 under high load: if the process is killed, committed transactions can be missing on some members (etcd#13766). Upstream recommends v3.5.4+ (3.5.4 also fixes an auth-enabled startup panic, PR #13946).',
    source: 'etcd:CHANGELOG/README.md "v3.5 data corruption issue"; etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.3 (PR #13908), v3.5.4',
  },
  {
    id: 'etcd-3.5.5-auth-snapshot-recovery',
    range: { introduced: '3.5.5', fixed: '3.5.6' },
    recommendedMinimum: '3.5.6',
    reason:
      'With auth enabled, a newly added member can end up with wrong auth data after snapshot recovery (PR #14648); upstream\'s production minimum is v3.5.6+.',
    source: 'etcd:CHANGELOG/README.md "Production recommendation"; etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.6 (PR #14648)',
  },
  {
    id: 'etcd-3.4.20-3.4.21-auth-snapshot-recovery',
    range: { introduced: '3.4.20', fixed: '3.4.22' },
    recommendedMinimum: '3.4.22',
    reason:
      'With auth enabled, a newly added member can end up with wrong auth data after snapshot recovery (PR #14649); upstream\'s production minimum is v3.4.22+.',
    source: 'etcd:CHANGELOG/README.md "Production recommendation"; etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.22 (PR #14649)',
  },
  {
    id: 'etcd-data-dir-0700-enforced',
    range: { introduced: '3.4.10', fixed: '3.4.13' },
    recommendedMinimum: '3.4.13',
    reason:
      'v3.4.10-v3.4.12 refuse to start when an existing data dir is not mode 0700 (CVE-2020-15113 fix, relaxed to a warning in v3.4.13). chmod 700 the data dir, or skip these patches.',
    source: 'etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.10, v3.4.13 (commit d5ebbbceb)',
  },
  {
    id: 'etcd-data-dir-0700-enforced-3.3',
    range: { introduced: '3.3.23', fixed: '3.3.25' },
    recommendedMinimum: '3.3.25',
    reason:
      'v3.3.23-v3.3.24 refuse to start when an existing data dir is not mode 0700 (CVE-2020-15113 fix, relaxed to a warning in v3.3.25). chmod 700 the data dir, or skip these patches.',
    source: 'etcd:CHANGELOG/CHANGELOG-3.3.md v3.3.23, v3.3.25',
  },
];
