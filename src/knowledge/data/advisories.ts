/**
 * Security advisories and data-integrity bugs of etcd 3.2-3.7, with affected ranges (>= introduced,
 * < fixed). Fixed versions were checked against the CHANGELOG-3.x files of etcd-io/etcd (c34dc7e).
 * Severity is GitHub's advisory severity where known; `unknown` where the stored sources did not say.
 */
import type { Advisory, AffectedRange } from '../types.js';

const r = (introduced: string, fixed?: string): AffectedRange => (fixed ? { introduced, fixed } : { introduced });
/** Lines 3.2-3.4 never got the fix (EOL): every patch of each line is affected. */
const unfixedThrough34 = [r('3.2.0'), r('3.3.0'), r('3.4.0')];

/** The 2020 security-audit batch: everything before 3.3.23 and 3.4.0-3.4.9. */
const audit2020 = [r('3.0.0', '3.3.23'), r('3.4.0', '3.4.10')];
/**
 * The two WAL fixes of the batch were also released on 3.2, in v3.2.32 ("check slice size in
 * decodeRecord", "add wal slice bound check"; etcd:CHANGELOG/CHANGELOG-3.2.md v3.2.32, PR #12638).
 */
const audit2020Wal = [r('3.0.0', '3.2.32'), r('3.3.0', '3.3.23'), r('3.4.0', '3.4.10')];
/** The March 2026 auth batch. */
const auth2026 = [r('3.0.0', '3.4.42'), r('3.5.0', '3.5.28'), r('3.6.0', '3.6.9')];

export const advisories: readonly Advisory[] = [
  // ---- CVEs / GHSAs
  {
    id: 'CVE-2018-16886', kind: 'cve', severity: 'high', component: 'server',
    ranges: [r('3.2.0', '3.2.26'), r('3.3.0', '3.3.11')],
    summary: 'With RBAC and --client-cert-auth, a client certificate whose CN matches an RBAC user authenticates as that user through the gRPC gateway',
    condition: 'auth enabled with --client-cert-auth',
    source: 'https://nvd.nist.gov/vuln/detail/CVE-2018-16886; etcd issue #10966',
  },
  {
    id: 'CVE-2020-15106', aliases: ['GHSA-p4g4-wgrh-qrg2'], kind: 'cve', severity: 'low', component: 'server', ranges: audit2020Wal,
    summary: 'A forged WAL record length makes decodeRecord panic',
    source: 'https://github.com/advisories/GHSA-p4g4-wgrh-qrg2; etcd:CHANGELOG/CHANGELOG-3.2.md v3.2.32 ("check slice size in decodeRecord"; etcd@v3.2.32 commit b14255c0b, PR #12638)',
  },
  {
    id: 'CVE-2020-15112', aliases: ['GHSA-m332-53r6-2w93'], kind: 'cve', severity: 'moderate', component: 'server', ranges: audit2020Wal,
    summary: 'WAL ReadAll panics when an entry index exceeds the number of entries',
    source: 'https://github.com/advisories/GHSA-m332-53r6-2w93; etcd:CHANGELOG/CHANGELOG-3.2.md v3.2.32 ("add wal slice bound check to make sure entry index is not greater than the number of entries"; PR #12638)',
  },
  {
    id: 'CVE-2020-15113', aliases: ['GHSA-chh6-ppwq-jh92'], kind: 'cve', severity: 'high', component: 'server', ranges: audit2020,
    summary: 'Existing data dir and auto-TLS dir were not checked for mode 0700 (the fix was enforced in 3.3.23-3.3.24 / 3.4.10-3.4.12, then relaxed to a warning)',
    source: 'https://github.com/etcd-io/etcd/security/advisories/GHSA-chh6-ppwq-jh92; etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.10',
  },
  {
    id: 'CVE-2020-15114', aliases: ['GHSA-2xhq-gv6c-p224'], kind: 'cve', severity: 'high', component: 'server', ranges: audit2020,
    summary: '`etcd gateway` can list itself as an endpoint and loop until file descriptors run out', condition: 'etcd gateway in use',
    source: 'https://github.com/etcd-io/etcd/security/advisories/GHSA-2xhq-gv6c-p224',
  },
  {
    id: 'CVE-2020-15115', aliases: ['GHSA-4993-m7g5-r9hh'], kind: 'cve', severity: 'moderate', component: 'server', ranges: audit2020,
    summary: 'No minimum password length for users', condition: 'auth enabled',
    source: 'https://github.com/etcd-io/etcd/security/advisories/GHSA-4993-m7g5-r9hh',
  },
  {
    id: 'CVE-2020-15136', aliases: ['GHSA-wr2v-9rpq-c35q'], kind: 'cve', severity: 'moderate', component: 'server', ranges: audit2020,
    summary: 'Gateway TLS authentication is applied only to endpoints found through DNS SRV, not to --endpoints', condition: 'etcd gateway in use',
    source: 'https://github.com/etcd-io/etcd/security/advisories/GHSA-wr2v-9rpq-c35q',
  },
  {
    id: 'GHSA-528j-9r78-wffx', kind: 'security', severity: 'low', component: 'server', ranges: audit2020,
    summary: 'User credentials stored in the WAL in plaintext (2020 audit)', condition: 'auth enabled',
    source: 'https://github.com/etcd-io/etcd/security/advisories/GHSA-528j-9r78-wffx',
  },
  {
    id: 'GHSA-j86v-2vjr-fg8f', kind: 'security', severity: 'moderate', component: 'server', ranges: audit2020,
    summary: 'Gateway TLS endpoint validation only checks TCP reachability (2020 audit)', condition: 'etcd gateway in use',
    source: 'https://github.com/etcd-io/etcd/security/advisories/GHSA-j86v-2vjr-fg8f',
  },
  {
    id: 'CVE-2021-28235', kind: 'cve', severity: 'unknown', component: 'server',
    ranges: [r('3.4.0', '3.4.25'), r('3.5.0', '3.5.8')],
    summary: 'With auth on and --log-level=debug, the password of an Authenticate request is logged', condition: 'auth enabled and debug logging',
    source: 'etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.25 (PR #15655); etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.8 (PR #15653)',
  },
  {
    id: 'CVE-2023-32082', aliases: ['GHSA-3p4g-rcw5-8298'], kind: 'cve', severity: 'low', component: 'server',
    ranges: [r('3.0.0', '3.4.26'), r('3.5.0', '3.5.9')],
    summary: 'LeaseTimeToLive(keys=true) reveals key names to users without read permission', condition: 'auth enabled',
    source: 'https://github.com/etcd-io/etcd/security/advisories/GHSA-3p4g-rcw5-8298; etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.26; CHANGELOG-3.5.md v3.5.9',
  },
  {
    id: 'CVE-2026-33413', aliases: ['GHSA-q8m4-xhhv-38mg'], kind: 'cve', severity: 'high', component: 'server', ranges: auth2026,
    summary: 'Authorization bypass: MemberList, Alarm, Lease APIs and compaction reachable without authentication', condition: 'auth enabled',
    source: 'https://github.com/advisories/GHSA-q8m4-xhhv-38mg (GitHub severity: high; etcd\'s own blog web:content/en/blog/2026/mar20-patch-release.md says "rated Moderate"); etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.42, CHANGELOG-3.5.md v3.5.28, CHANGELOG-3.6.md v3.6.9',
  },
  {
    id: 'CVE-2026-33343', aliases: ['GHSA-rfx7-8w68-q57q'], kind: 'cve', severity: 'moderate', component: 'server', ranges: auth2026,
    summary: 'Nested transaction operations bypass RBAC authorization checks', condition: 'auth enabled',
    source: 'https://github.com/etcd-io/etcd/security/advisories/GHSA-rfx7-8w68-q57q; etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.28',
  },
  {
    id: 'CVE-2026-44283', aliases: ['GHSA-x35m-3gp4-4fh5'], kind: 'cve', severity: 'low', component: 'server',
    ranges: [r('3.0.0', '3.4.44'), r('3.5.0', '3.5.30'), r('3.6.0', '3.6.11')],
    summary: 'RBAC bypass: read access through PrevKv or lease attachment in a Put nested in a transaction', condition: 'auth enabled',
    source: 'etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.44; CHANGELOG-3.5.md v3.5.30; CHANGELOG-3.6.md v3.6.11; web:content/en/blog/2026/may-patch-release.md',
  },
  {
    id: 'CVE-2026-59818', aliases: ['GHSA-3wh4-j44w-pg92', 'BIT-etcd-2026-59818'], kind: 'cve', severity: 'high', component: 'server',
    ranges: [r('3.4.25'), r('3.5.8', '3.5.32'), r('3.6.0', '3.6.13')],
    summary: '--client-crl-file is not enforced on the gRPC listener when HTTP is split out with --listen-client-http-urls (3.4 never fixed: EOL)',
    condition: '--listen-client-http-urls with --client-crl-file',
    source: 'https://osv.dev/vulnerability/BIT-etcd-2026-59818 (aliases CVE-2026-59818, GHSA-3wh4-j44w-pg92; severity high) and https://nvd.nist.gov/vuln/detail/CVE-2026-59818 for the CVE number, which the etcd sources do not print; https://github.com/etcd-io/etcd/security/advisories/GHSA-3wh4-j44w-pg92; etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.32; CHANGELOG-3.6.md v3.6.13; CHANGELOG-3.7.md v3.7.0',
  },
  {
    id: 'CVE-2026-73499', aliases: ['GHSA-xg4h-6gfc-h4m8'], kind: 'cve', severity: 'high', component: 'server',
    ranges: [...unfixedThrough34, r('3.5.0', '3.5.33'), r('3.6.0', '3.6.14'), r('3.7.0', '3.7.1')],
    summary: 'A watch with WithFromKey on a single-key READ grant streams events for every key from that key on (3.4 unpatched, EOL)', condition: 'auth enabled',
    source: 'https://github.com/advisories/GHSA-xg4h-6gfc-h4m8 (GitHub severity: high, published 2026-07-24); web:content/en/blog/2026/july-23-patch-release.md; etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.33; CHANGELOG-3.6.md v3.6.14; CHANGELOG-3.7.md v3.7.1',
  },
  {
    id: 'CVE-2026-73500', aliases: ['GHSA-6vch-q96h-7gc3', 'GO-2026-6107'], kind: 'cve', severity: 'high', component: 'server+client',
    ranges: [...unfixedThrough34, r('3.5.0', '3.5.33'), r('3.6.0', '3.6.14'), r('3.7.0', '3.7.1')],
    summary: 'TLS listeners have no handshake deadline: connections that never send ClientHello exhaust memory (server and client/pkg/v3; 3.4 unpatched, EOL)',
    condition: 'TLS enabled',
    source: 'https://github.com/etcd-io/etcd/security/advisories/GHSA-6vch-q96h-7gc3; etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.33 (PR #22160); CHANGELOG-3.6.md v3.6.14; CHANGELOG-3.7.md v3.7.1',
  },
  // ---- data integrity and upgrade blockers
  {
    id: 'etcd-pr-11613', kind: 'data-integrity', severity: 'high', component: 'server',
    ranges: [r('3.3.0', '3.3.19'), r('3.4.0', '3.4.4')],
    summary: 'Corruption bug in defrag', source: 'etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.4 (PR #11613); CHANGELOG-3.3.md v3.3.19',
  },
  {
    id: 'etcd-pr-11652', kind: 'data-integrity', severity: 'high', component: 'server',
    ranges: [r('3.3.0', '3.3.21'), r('3.4.0', '3.4.8')],
    summary: 'Data corruption: consistent index not saved; inconsistency between WAL and server snapshot (PRs #11652, #11888)',
    source: 'etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.8; CHANGELOG-3.3.md v3.3.21',
  },
  {
    id: 'etcd#13766', aliases: ['etcd-pr-13908'], kind: 'data-integrity', severity: 'critical', component: 'server',
    ranges: [r('3.5.0', '3.5.3')],
    summary: 'Under load, a killed process can leave committed transactions missing on some members (not recommended for production; run 3.5.4+)',
    source: 'etcd:CHANGELOG/README.md; etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.3 (PR #13908)',
  },
  {
    id: 'etcd-pr-14733', kind: 'data-integrity', severity: 'high', component: 'server',
    ranges: [r('3.5.0', '3.5.6')],
    summary: 'Revision can diverge between members when etcd crashes during defragmentation', source: 'etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.6 (PR #14733)',
  },
  {
    id: 'etcd-pr-14648', aliases: ['etcd-pr-14649'], kind: 'data-integrity', severity: 'high', component: 'server',
    ranges: [r('3.4.20', '3.4.22'), r('3.5.5', '3.5.6')],
    summary: 'Auth data wrong on a new member after snapshot recovery (why upstream recommends 3.4.22+ / 3.5.6+)', condition: 'auth enabled',
    source: 'etcd:CHANGELOG/README.md; etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.22 (PR #14649); CHANGELOG-3.5.md v3.5.6 (PR #14648)',
  },
  {
    id: 'etcd-pr-14424', kind: 'data-integrity', severity: 'moderate', component: 'server',
    ranges: [r('3.0.0', '3.4.21'), r('3.5.0', '3.5.5')],
    summary: 'Durability API guarantee broken in single-node clusters', source: 'etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.21; CHANGELOG-3.5.md v3.5.5',
  },
  {
    id: 'etcd-pr-17610', kind: 'data-integrity', severity: 'moderate', component: 'server',
    ranges: [r('3.0.0', '3.4.31'), r('3.5.0', '3.5.13')],
    summary: 'Watch events lost after compaction', source: 'etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.31; CHANGELOG-3.5.md v3.5.13',
  },
  {
    id: 'etcd-pr-17864', kind: 'data-integrity', severity: 'moderate', component: 'server',
    ranges: [r('3.0.0', '3.4.32'), r('3.5.0', '3.5.14')],
    summary: 'Revision can decrease after a panic during compaction', source: 'etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.32; CHANGELOG-3.5.md v3.5.14',
  },
  {
    id: 'etcd-pr-18799', kind: 'data-integrity', severity: 'moderate', component: 'server',
    ranges: [r('3.5.0', '3.5.17')],
    summary: 'Risk of a partially applied write transaction', source: 'etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.17',
  },
  {
    id: 'etcd-pr-19249', kind: 'data-integrity', severity: 'moderate', component: 'server',
    ranges: [r('3.0.0', '3.4.36'), r('3.5.0', '3.5.18')],
    summary: 'Missing delete event on a watch opened at the compaction revision', source: 'etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.36; CHANGELOG-3.5.md v3.5.18',
  },
  {
    id: 'etcd#19557', kind: 'upgrade-blocker', severity: 'high', component: 'server',
    ranges: [r('3.5.1', '3.5.20')],
    summary: 'Learner promotion not persisted to the v3store: 3.6 fails with "too many learner member in cluster"',
    source: 'web:content/en/blog/2025/upgrade_from_3.5_to_3.6_issue.md (PR #19563)',
  },
  {
    id: 'etcd#20793', kind: 'upgrade-blocker', severity: 'high', component: 'server',
    ranges: [r('3.5.0', '3.5.24')],
    summary: 'Wrong membership data propagates through snapshots from <=3.5.19 members during rolling replacement',
    source: 'web:content/en/blog/2025/upgrade_from_3.5_to_3.6_issue_followup.md (PR #20797)',
  },
  {
    id: 'etcd#20967', kind: 'upgrade-blocker', severity: 'high', component: 'server',
    ranges: [r('3.5.0', '3.5.26')],
    summary: 'v2/v3 membership divergence: removed ("zombie") members reappear after upgrading to 3.6',
    source: 'web:content/en/blog/2025/zombie_members_upgrade.md (PR #20995)',
  },
  {
    id: 'etcd-pr-20387', kind: 'data-integrity', severity: 'moderate', component: 'server',
    ranges: [r('3.6.0', '3.6.4')],
    summary: 'Bootstrap fails replaying a learner promotion missing from the v3store', source: 'etcd:CHANGELOG/CHANGELOG-3.6.md v3.6.4',
  },
  {
    id: 'etcd-pr-20290', kind: 'data-integrity', severity: 'moderate', component: 'server',
    ranges: [r('3.0.0', '3.4.38'), r('3.5.0', '3.5.22'), r('3.6.0', '3.6.2')],
    summary: 'Watch on a future revision returns old events', source: 'etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.22; CHANGELOG-3.6.md v3.6.2; CHANGELOG-3.4.md v3.4.38',
  },
  {
    id: 'etcd-pr-20650', kind: 'data-integrity', severity: 'high', component: 'server',
    ranges: [r('3.0.0', '3.4.38'), r('3.5.0', '3.5.23'), r('3.6.0', '3.6.5')],
    summary: 'Potential data corruption when applySnapshot and defragment run concurrently',
    source: 'etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.38 (PR #20659); CHANGELOG-3.5.md v3.5.23 (PR #20653); CHANGELOG-3.6.md v3.6.5 (PR #20650)',
  },
  {
    id: 'etcd-pr-20615', kind: 'data-integrity', severity: 'moderate', component: 'server',
    ranges: [r('3.0.0', '3.4.38'), r('3.5.0', '3.5.23'), r('3.6.0', '3.6.5')],
    summary: 'LeaseRenew may succeed on a revoked lease', source: 'etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.23; CHANGELOG-3.6.md v3.6.5',
  },
  {
    id: 'etcd-pr-21378', kind: 'data-integrity', severity: 'high', component: 'server',
    ranges: auth2026,
    summary: 'Stale reads: read-index vs leader-change race, and after a process pause', source: 'etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.28; CHANGELOG-3.6.md v3.6.9; CHANGELOG-3.4.md v3.4.42',
  },
  {
    id: 'etcd-pr-21667', aliases: ['etcd-pr-21669'], kind: 'data-integrity', severity: 'moderate', component: 'server',
    ranges: [...unfixedThrough34, r('3.5.0', '3.5.30'), r('3.6.0', '3.6.11')],
    summary: 'A member cannot be added while another member is down, even with quorum (affects replace-style upgrades; 3.2-3.4 never fixed: EOL)',
    condition: '--strict-reconfig-check (the default)',
    source: 'etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.30 (PR #21669); CHANGELOG-3.6.md v3.6.11 (PR #21667); the all-peers-connected check the fix replaces (isConnectedFullySince) is in AddMember/mayAddMember of etcd@v3.2.0:etcdserver/server.go:1055, etcd@v3.3.27:etcdserver/server.go:1178 and etcd@v3.4.45:etcdserver/server.go:1774; fixed on main before etcd@v3.7.0:server/etcdserver/server.go:1427 (isConnectedToQuorumAfterAddingNewMemberSince)',
  },
  // ---- fixes in patches whose release notes upshift could not read (3.5.34+, 3.6.15+, 3.7.2+): taken from
  // the non-test sources of go.etcd.io/etcd/server/v3 between consecutive tags (module zips from the Go
  // module proxy); no upstream rating, hence severity 'unknown'.
  {
    id: 'etcd-snap-db-dir-fsync', kind: 'data-integrity', severity: 'unknown', component: 'server',
    ranges: [...unfixedThrough34, r('3.5.0', '3.5.35'), r('3.6.0', '3.6.15'), r('3.7.0', '3.7.2')],
    summary: 'A snapshot database received from the leader (.snap.db) was renamed into place without syncing its directory before the Raft message was processed: after a crash or power loss the WAL can record a snapshot whose file is gone (3.2-3.4 never fixed: EOL)',
    source: 'etcd@v3.5.35, etcd@v3.6.15, etcd@v3.7.2:server/etcdserver/api/snap/db.go (SaveDBFrom now fsyncs the snap directory after the rename; not in v3.5.34, v3.6.14, v3.7.1 or any 3.2-3.4 tag) — code-derived, no release notes read',
  },
  {
    id: 'etcd-alarm-applier-chain', kind: 'security', severity: 'unknown', component: 'server',
    ranges: [...unfixedThrough34, r('3.5.0', '3.5.36')],
    summary: 'An alarm raised while a member runs (NOSPACE, CORRUPT) replaced its apply chain with one built on the bare backend applier, skipping the auth and quota appliers\' apply-time checks until the member restarts (3.6+ wraps the full chain; 3.2-3.4 never fixed: EOL)',
    condition: 'auth enabled, and an alarm raised at run time',
    source: 'etcd@v3.5.36:server/etcdserver/apply.go:757-759 (newApplierV3Capped/Corrupt(a.s.newApplierV3()) instead of wrapping the backend applier `a`, as v3.5.35 and etcd@v3.4.45:etcdserver/apply.go:645-647 do); etcd@v3.6.14:server/etcdserver/apply/uber_applier.go:106-109 wraps the full chain — code-derived, no release notes read',
  },
  {
    id: 'etcd-3.7-legacy-v2-wal-entries', kind: 'upgrade-blocker', severity: 'unknown', component: 'server',
    ranges: [r('3.7.0', '3.7.4')],
    summary: 'etcd 3.7.0-3.7.3 cannot decode the legacy v2 metadata requests (member attributes, cluster version) that etcd 3.5 and earlier wrote to the WAL: replaying such an entry panics ("failed to unmarshal raft entry") and storage-version detection fails; 3.7.4 recognises and drops them. Upgrade to 3.7.4+ when WAL entries written by 3.5 may remain',
    source: 'etcd@v3.7.4:server/etcdserver/apply/apply.go:30-48 and server/storage/wal/version.go:111-122 (legacyv2 metadata requests skipped), server/internal/legacyv2/legacyv2.go (new in v3.7.4); etcd@v3.7.3:server/etcdserver/apply/apply.go (pbutil.MustUnmarshalMessage) — code-derived, no release notes read',
  },
  {
    id: 'etcd-pr-21736', kind: 'data-integrity', severity: 'moderate', component: 'server',
    ranges: [r('3.5.0', '3.5.31'), r('3.6.0', '3.6.12')],
    summary: 'MemberUpdate implicitly promotes a learner', source: 'etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.31; CHANGELOG-3.6.md v3.6.12',
  },
];
