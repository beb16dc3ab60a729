/**
 * Upgrade and downgrade rules between minor lines. Checked against etcd-io/website 8245979
 * (content/en/docs/v3.6|v3.7/upgrades/*.md, downgrades/*.md) — see the report of issue 4 for what was
 * verified and where the research notes differed.
 */
import type { DowngradeSupport, HopRule, PatchFloor, PatchRule } from '../types.js';

/** Policy: patch upgrades within a minor, or one minor at a time; move to the latest patch first. */
export const upgradePolicy = {
  oneMinorAtATime: true,
  latestPatchBeforeMinor: true,
  text:
    'Upgrades that skip a minor version are not supported and will likely fail. Update to the most recent patch version before upgrading to the next minor version.',
  source: 'web:content/en/docs/v3.6/upgrades/upgrading-etcd.md',
} as const;

export const patchFloors: readonly PatchFloor[] = [
  {
    fromMinor: '3.5',
    toMinor: '3.6',
    minimum: '3.5.32',
    reason:
      'Before upgrading to 3.6 all 3.5 members must run 3.5.32 or later: 3.5.24-3.5.32 fix upgrade blockers (learner promotion not in v3store, wrong membership via snapshots, zombie members) and 3.5.32 adds --v2-deprecation=write-only-skip-check and the WAL-aware `etcdutl check v2store`.',
    history: [
      { minimum: '3.5.20', why: 'learner promotion persisted only to v2store -> "too many learner member" on 3.6 (etcd#19557)', source: 'web:content/en/blog/2025/upgrade_from_3.5_to_3.6_issue.md' },
      { minimum: '3.5.24', why: 'new learner can get wrong membership from a <=3.5.19 snapshot (etcd#20793, PR #20797)', source: 'web:content/en/blog/2025/upgrade_from_3.5_to_3.6_issue_followup.md' },
      { minimum: '3.5.26', why: 'v2/v3 membership divergence: zombie members reappear on 3.6 (etcd#20967, PR #20995)', source: 'web:content/en/blog/2025/zombie_members_upgrade.md' },
      { minimum: '3.5.32', why: 'write-only-skip-check and WAL-aware `etcdutl check v2store`', source: 'web:content/en/docs/v3.6/upgrades/upgrade_3_6.md' },
    ],
    source: 'web:content/en/docs/v3.6/upgrades/upgrade_3_6.md ("make sure that all of your 3.5 members are updated to 3.5.32 or later")',
  },
  {
    fromMinor: '3.6',
    toMinor: '3.7',
    minimum: '3.6.11',
    reason: 'Before upgrading to 3.7 all 3.6 members must run 3.6.11 or later; "Earlier 3.6 patch releases may not be compatible with a rolling upgrade to 3.7."',
    source: 'web:content/en/docs/v3.7/upgrades/upgrade_3_7.md',
  },
];

/** Rules attached to a minor hop. `when` is evaluated by the planner from its inputs. */
export const hopRules: readonly HopRule[] = [
  {
    id: 'auth-rolling-3.4-3.5',
    fromMinor: '3.4',
    toMinor: '3.5',
    severity: 'blocker',
    when: 'auth-enabled',
    breaksRolling: true,
    message:
      'Auth is enabled: a rolling upgrade from 3.4 to 3.5 is not supported because 3.5 changes the WAL format of auth entries (PR #11943). Disable auth for the upgrade (and re-enable it after), or upgrade offline from a snapshot.',
    source: 'web:content/en/docs/v3.6/upgrades/upgrade_3_5.md ("If your cluster enables auth, rolling upgrade from 3.4 or older version isn\'t supported")',
  },
  {
    id: 'v2store-clean-before-3.6',
    fromMinor: '3.5',
    toMinor: '3.6',
    severity: 'blocker',
    when: 'v2-store-in-use',
    message:
      'The v2 store holds (or has held) custom data: etcd 3.6 refuses to start with "detected disallowed custom content in v2store". Clean it up, confirm `etcdutl check v2store` reports "No custom content found in both v2store and WAL records" on every member, and remove --enable-v2 / ETCD_ENABLE_V2.',
    check: 'etcdutl check v2store --data-dir <member data dir>   # etcdutl 3.5.32+, on every member',
    source: 'web:content/en/docs/v3.6/upgrades/upgrade_3_6.md; etcd@v3.6.14:server/storage/util.go',
  },
  {
    id: 'v2store-check-before-3.6',
    fromMinor: '3.5',
    toMinor: '3.6',
    severity: 'warning',
    when: 'v2-unknown',
    message:
      'Before 3.6, run `etcdutl check v2store` (3.5.32+) on every member: 3.6 refuses to start if the v2 store or WAL holds custom v2 data. upshift could not tell whether the v2 API was ever used.',
    check: 'etcdutl check v2store --data-dir <member data dir>',
    source: 'web:content/en/docs/v3.6/upgrades/upgrade_3_6.md',
  },
  {
    id: 'no-binary-rollback-after-3.6',
    fromMinor: '3.5',
    toMinor: '3.6',
    severity: 'info',
    when: 'always',
    message:
      'Once every member runs 3.6, rollback by swapping binaries is no longer possible; use the 3.6 downgrade API (`etcdctl downgrade validate|enable 3.5`) or restore the pre-upgrade snapshot.',
    source: 'web:content/en/docs/v3.6/upgrades/upgrade_3_6.md (Rollback); web:content/en/docs/v3.6/downgrades/downgrade_3_6.md',
  },
  {
    id: 'etcdctl-offline-commands-3.6',
    fromMinor: '3.5',
    toMinor: '3.6',
    severity: 'info',
    when: 'always',
    message:
      '3.6 removes etcdctl v2 (ETCDCTL_API=2), `etcdctl snapshot restore/status` and `etcdctl defrag --data-dir`; scripts must use etcdutl.',
    source: 'etcd:CHANGELOG/CHANGELOG-3.6.md v3.6.0',
  },
  {
    id: 'no-rollback-after-3.5',
    fromMinor: '3.4',
    toMinor: '3.5',
    severity: 'info',
    when: 'always',
    message:
      'Once every member runs 3.5 and the cluster version is 3.5, a 3.4 binary refuses to start ("invalid downgrade; server version is lower than determined cluster version") unless it is 3.4.32+ started with --next-cluster-version-compatible: going back is upstream\'s rolling 3.5 -> 3.4 downgrade (auth disabled), or the pre-upgrade snapshot.',
    source: 'etcd@v3.4.30:etcdserver/api/membership/cluster.go:789 (mustDetectDowngrade); etcd@v3.4.32:etcdserver/api/membership/cluster.go:816 (detectDowngrade allows one minor down with --next-cluster-version-compatible); web:content/en/docs/v3.6/downgrades/downgrade_3_5.md',
  },
  {
    id: 'logger-zap-before-3.5',
    fromMinor: '3.4',
    toMinor: '3.5',
    severity: 'info',
    when: 'always',
    message: '3.5 logs with zap only (--logger=capnslog is an error) and --log-outputs=default means stderr, not journald; check log shipping.',
    source: 'etcd@v3.5.33:server/embed/config_logging.go:48-49; etcd:CHANGELOG/CHANGELOG-3.5.md',
  },
  {
    id: 'api-surface-3.5',
    fromMinor: '3.4',
    toMinor: '3.5',
    severity: 'info',
    when: 'always',
    message:
      'Clients and dashboards: 3.5 deprecates the /v3beta gRPC-gateway prefix (use /v3; the server still rewrites /v3beta/ to /v3/, through 3.7) and removes the etcd_debugging_mvcc_{db_total_size_in_bytes,put_total,delete_total,txn_total} metrics (use etcd_mvcc_*; etcd_debugging_mvcc_range_total stays until 3.6); etcd_cluster_version carries major.minor only.',
    source: 'etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.0 (PR #9298); etcd@v3.5.0:server/embed/serve.go:316 and etcd@v3.7.1:server/embed/serve.go:452 (/v3beta/ -> /v3/ rewrite in accessController.ServeHTTP); etcd@v3.5.33:server/mvcc/metrics.go:31-37 (rangeCounterDebug: etcd_debugging_mvcc_range_total still registered); web:content/en/docs/v3.6/upgrades/upgrade_3_5.md',
  },
  {
    id: 'api-surface-3.6',
    fromMinor: '3.5',
    toMinor: '3.6',
    severity: 'info',
    when: 'always',
    message:
      'Clients and dashboards: 3.6 no longer serves client requests on --listen-peer-urls, refuses to start on a data dir written by a newer version (downgrade it with `etcdutl migrate`), and drops the etcd_debugging_mvcc_range_total metric (use etcd_mvcc_range_total).',
    source: 'etcd:CHANGELOG/CHANGELOG-3.6.md v3.6.0-rc.0; etcd@v3.6.0:server/storage/mvcc/metrics.go (range_total only under the etcd namespace)',
  },
  {
    id: 'api-surface-3.4',
    fromMinor: '3.3',
    toMinor: '3.4',
    severity: 'info',
    when: 'always',
    message:
      'Clients and tooling: 3.4 serves the gRPC gateway on /v3 (/v3beta still served; /v3alpha deprecated), deprecates the etcd_debugging_mvcc_* size/op metrics in favour of etcd_mvcc_*, and writes snapshot files with mode 0600.',
    source: 'etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.0; web:content/en/docs/v3.6/dev-guide/api_grpc_gateway.md',
  },
  {
    id: 'no-rollback-after-3.4',
    fromMinor: '3.3',
    toMinor: '3.4',
    severity: 'info',
    when: 'always',
    message:
      'Once every member runs 3.4 and the cluster version is 3.4, downgrading to 3.3 is not possible; only a snapshot restore goes back.',
    source: 'web:content/en/docs/v3.6/upgrades/upgrade_3_4.md (Downgrade)',
  },
  {
    id: 'etcdctl-api-3-default-3.4',
    fromMinor: '3.3',
    toMinor: '3.4',
    severity: 'info',
    when: 'always',
    message: 'etcdctl 3.4 defaults to ETCDCTL_API=3 (`etcdctl set` fails) and etcd 3.4 serves /v2 only with --enable-v2=true.',
    source: 'web:content/en/docs/v3.6/upgrades/upgrade_3_4.md; etcd@v3.4.0:embed/config.go (DefaultEnableV2=false)',
  },
  {
    id: 'experimental-flags-removed-3.7',
    fromMinor: '3.6',
    toMinor: '3.7',
    severity: 'info',
    when: 'always',
    message: '3.7 removes every deprecated --experimental-* flag and v2 discovery (--discovery, --discovery-proxy); migrate them on 3.6 first. Rollback after a full upgrade uses the downgrade API.',
    source: 'web:content/en/docs/v3.7/upgrades/upgrade_3_7.md; etcd:CHANGELOG/CHANGELOG-3.7.md (PRs #19959, #20109)',
  },
  {
    id: 'v2-data-catch-up',
    fromMinor: '3.4',
    toMinor: '3.5',
    severity: 'info',
    when: 'v2-store-in-use',
    message:
      'If the cluster serves a v2 data set larger than 50MB, each newly upgraded member may take up to two minutes to catch up: wait 2 minutes between members.',
    source: 'web:content/en/docs/v3.6/upgrades/upgrade_3_5.md (Limitations)',
  },
];

/** Rules that apply to patch upgrades landing in a range. */
export const patchRules: readonly PatchRule[] = [
  {
    id: 'data-dir-mode-0700',
    range: { introduced: '3.4.10', fixed: '3.4.13' },
    severity: 'warning',
    message:
      'etcd 3.4.10-3.4.12 refuse to start when an existing data dir (or auto-TLS dir) is not mode 0700. Run `chmod 700 <data-dir>` on every member before switching binaries.',
    check: 'stat -c %a <data-dir>   # must print 700',
    source: 'etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.10 (PR #11798), v3.4.13 (warning only)',
  },
  {
    id: 'data-dir-mode-0700',
    range: { introduced: '3.3.23', fixed: '3.3.25' },
    severity: 'warning',
    message:
      'etcd 3.3.23-3.3.24 refuse to start when an existing data dir (or auto-TLS dir) is not mode 0700. Run `chmod 700 <data-dir>` on every member before switching binaries.',
    check: 'stat -c %a <data-dir>   # must print 700',
    source: 'etcd:CHANGELOG/CHANGELOG-3.3.md v3.3.23 (PR #11798), v3.3.25 (warning only, PR #12242)',
  },
];

/** Downgrade support by minor pair (from -> to = from - 1). Patch downgrades are binary swaps. */
export const downgradeSupport: readonly DowngradeSupport[] = [
  {
    fromMinor: '3.4',
    toMinor: '3.3',
    mechanism: 'binary-swap-while-mixed',
    supported: false,
    steps: [
      'While at least one member still runs 3.3 (cluster version still 3.3): stop each upgraded member and start it again with the 3.3 binary and the same flags.',
      'Once every member runs 3.4 and the cluster version is 3.4, downgrading is not possible: restore the snapshot taken before the upgrade (`etcdctl snapshot restore`, new cluster).',
    ],
    source: 'web:content/en/docs/v3.6/upgrades/upgrade_3_4.md (Downgrade: "not possible" after completion)',
  },
  {
    fromMinor: '3.5',
    toMinor: '3.4',
    mechanism: 'rolling-compat-flag',
    supported: true,
    minimumTarget: '3.4.32',
    blockedBy: ['auth-enabled'],
    steps: [
      'Auth must be off: 3.5 changed the WAL format of auth entries, so a rolling downgrade with auth is not supported ("disable auth, and delete all users first").',
      'Use etcd 3.4.32 or later as the target: 3.4.31 added --next-cluster-version-compatible, 3.4.32 lets a 3.4 member join the 3.5 cluster with it and lets the cluster version drop.',
      'Check every member is healthy (`etcdctl endpoint health`) and take a snapshot from the leader (`etcdctl snapshot save`).',
      'Remove or revert 3.5-only flags (e.g. --backend-bbolt-freelist-type, --experimental-* added in 3.5, log rotation flags; --pre-vote default true in 3.5 vs false in 3.4; --logger=zap explicitly if you keep zap).',
      'One member at a time (the leader after `etcdctl move-leader`): stop it, start the 3.4 binary with the same data dir and flags plus --next-cluster-version-compatible, and wait until the cluster is healthy before the next; the cluster runs at 3.4 from the first downgraded member on.',
      'When every member runs 3.4, /version reports etcdcluster 3.4.0; going back up follows the 3.4 -> 3.5 upgrade.',
    ],
    source: 'web:content/en/docs/v3.6/downgrades/downgrade_3_5.md ("a zero-downtime, rolling downgrade"); etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.31 (PR #17330), v3.4.32 (PRs #17665, #17821); etcd@v3.4.32:etcdserver/api/membership/cluster.go:816 (detectDowngrade)',
  },
  {
    fromMinor: '3.6',
    toMinor: '3.5',
    mechanism: 'downgrade-api',
    supported: true,
    steps: [
      'Use the latest 3.5 release as the target.',
      'Take a snapshot from the leader.',
      '`etcdctl downgrade validate 3.5` then `etcdctl downgrade enable 3.5`; confirm every member shows STORAGE VERSION 3.5.0 and DOWNGRADE ENABLED true (`etcdctl endpoint status -w table`).',
      'Remove 3.6-only flags and feature gates (--feature-gates, --discovery-*, --log-format, renamed experimental flags) from each member\'s config.',
      'Replace members one by one with 3.5 binaries, leader last (`etcdctl move-leader` first).',
      'When all members run 3.5, the leader cancels the downgrade state automatically ("the cluster has been downgraded"). `etcdctl downgrade cancel` aborts while mixed.',
    ],
    source: 'web:content/en/docs/v3.6/downgrades/downgrade_3_6.md; etcd@v3.6.14:server/etcdserver/version/version.go',
  },
  {
    fromMinor: '3.7',
    toMinor: '3.6',
    mechanism: 'downgrade-api',
    supported: true,
    steps: [
      'Use the latest 3.6 release as the target.',
      'Take a snapshot from the leader.',
      '`etcdctl downgrade validate 3.6` then `etcdctl downgrade enable 3.6`; confirm STORAGE VERSION 3.6.0 and DOWNGRADE ENABLED true on every member.',
      'Remove 3.7-only flags from each member\'s config (compare `etcd -h` of both versions).',
      'Replace members one by one with 3.6 binaries, leader last (`etcdctl move-leader` first).',
      'When all members run 3.6 the downgrade completes automatically ("the cluster has been downgraded").',
    ],
    source: 'web:content/en/docs/v3.7/downgrades/downgrade_3_7.md',
  },
  {
    fromMinor: '3.3',
    toMinor: '3.2',
    mechanism: 'binary-swap-while-mixed',
    supported: false,
    steps: [
      'While at least one member still runs 3.2: swap the upgraded members back to 3.2 binaries.',
      'After the cluster version is 3.3: restore the pre-upgrade snapshot.',
    ],
    source: 'web:content/en/docs/v3.2/upgrades/upgrade_3_3.md (no downgrade procedure); etcd@v3.3.27:etcdserver/membership/cluster.go:511 (mustDetectDowngrade)',
  },
];
