/**
 * Server flag changes between etcd minors, with what etcd does when a config still uses the old form.
 *
 * How etcd reacts to stale configuration (verified in code):
 * - unknown CLI flag: `flagSet.Parse` fails and etcd calls os.Exit(2)
 *   (etcd@v3.5.33:server/etcdmain/config.go:334-343; same in 3.4 etcdmain/config.go and 3.6/3.7).
 * - unknown `--config-file` YAML key: parsed with non-strict `yaml.Unmarshal`, so silently ignored
 *   (etcd@v3.6.14:server/embed/config.go:981, etcd@v3.7.1:server/embed/config.go:790).
 * - unknown `ETCD_*` variable: a warning "unrecognized environment variable" (etcd@v3.5.33:pkg/flags/flag.go:93).
 * - 3.6 deprecated flags: a warning, from the command line and the config file
 *   (etcd@v3.6.14:server/etcdmain/config.go:60-80 deprecatedFlags, :262-275).
 * Which flags exist in which patch is in ./server-flags.generated.ts (extracted from every tag); these
 * rows add the meaning: replacement, default changes, values that are rejected, what to do.
 */
import type { FlagReaction, FlagRule } from '../types.js';

type Reaction = FlagRule['reaction'];
const removed: Reaction = { cli: 'exits', yaml: 'ignored', env: 'warns' };
const stillAccepted: Reaction = { cli: 'accepted', yaml: 'accepted', env: 'accepted' };
const warns: Reaction = { cli: 'warns', yaml: 'warns', env: 'warns' };
const rejectedValue: Reaction = { cli: 'exits', yaml: 'exits', env: 'exits' };

const R36 = 'web:content/en/docs/v3.6/upgrades/upgrade_3_6.md; etcd@v3.6.14:server/etcdmain/config.go:60-80 (deprecatedFlags)';

/**
 * 3.6: non-boolean --experimental-* flags that lost the prefix (old name still accepted in 3.6;
 * etcd@v3.6.14:server/embed/config.go:150-167 experimentalFlagMigrationMap, plus
 * warning-unary-request-duration handled in etcdmain). `warned`: listed in etcdmain's deprecatedFlags, so
 * 3.6 logs a deprecation warning; the others are accepted silently. The 3.6 upgrade guide also lists
 * --experimental-max-learners, but no release ever defined that flag (git grep of v3.5.x/v3.6.x tags).
 */
const experimentalRenames36: readonly { old: string; to: string; warned: boolean; yamlKey?: string }[] = [
  { old: 'experimental-bootstrap-defrag-threshold-megabytes', to: 'bootstrap-defrag-threshold-megabytes', warned: true },
  { old: 'experimental-compaction-batch-limit', to: 'compaction-batch-limit', warned: true },
  { old: 'experimental-compact-hash-check-time', to: 'compact-hash-check-time', warned: true },
  { old: 'experimental-compaction-sleep-interval', to: 'compaction-sleep-interval', warned: true },
  { old: 'experimental-corrupt-check-time', to: 'corrupt-check-time', warned: true },
  { old: 'experimental-enable-distributed-tracing', to: 'enable-distributed-tracing', warned: true },
  { old: 'experimental-distributed-tracing-address', to: 'distributed-tracing-address', warned: true },
  { old: 'experimental-distributed-tracing-instance-id', to: 'distributed-tracing-instance-id', warned: true },
  { old: 'experimental-distributed-tracing-sampling-rate', to: 'distributed-tracing-sampling-rate', warned: true },
  { old: 'experimental-distributed-tracing-service-name', to: 'distributed-tracing-service-name', warned: true },
  { old: 'experimental-downgrade-check-time', to: 'downgrade-check-time', warned: true },
  { old: 'experimental-memory-mlock', to: 'memory-mlock', warned: true },
  { old: 'experimental-peer-skip-client-san-verification', to: 'peer-skip-client-san-verification', warned: false },
  // The YAML key differs from the flag name (json tag `experimental-snapshot-catch-up-entries`).
  { old: 'experimental-snapshot-catchup-entries', to: 'snapshot-catchup-entries', warned: true, yamlKey: 'experimental-snapshot-catch-up-entries' },
  { old: 'experimental-warning-apply-duration', to: 'warning-apply-duration', warned: true },
  { old: 'experimental-warning-unary-request-duration', to: 'warning-unary-request-duration', warned: false },
  { old: 'experimental-watch-progress-notify-interval', to: 'watch-progress-notify-interval', warned: true },
];

/** 3.6: boolean --experimental-* flags replaced by feature gates (etcd@v3.6.14:server/features/etcd_features.go:92-99). */
const featureGates36: readonly { old: string; gate: string; warned: boolean }[] = [
  { old: 'experimental-compact-hash-check-enabled', gate: 'CompactHashCheck=true', warned: true },
  { old: 'experimental-initial-corrupt-check', gate: 'InitialCorruptCheck=true', warned: false },
  { old: 'experimental-enable-lease-checkpoint', gate: 'LeaseCheckpoint=true', warned: false },
  { old: 'experimental-enable-lease-checkpoint-persist', gate: 'LeaseCheckpointPersist=true', warned: false },
  { old: 'experimental-stop-grpc-service-on-defrag', gate: 'StopGRPCServiceOnDefrag=true', warned: false },
  { old: 'experimental-txn-mode-write-with-shared-buffer', gate: 'TxnModeWriteWithSharedBuffer=<value>', warned: true },
];

const deprecatedIn36 = (warned: boolean): Reaction => (warned ? warns : { cli: 'accepted', yaml: 'accepted', env: 'accepted' });

const curated: FlagRule[] = [
  // ---- 3.3
  {
    flag: 'auto-compaction-retention', since: '3.3', kind: 'behavior',
    detail: 'type changed from int hours to a string: "24" (hours) or a duration like "24h" (time.ParseDuration when --auto-compaction-mode=periodic)',
    action: 'keep numeric hours or use a duration string; quote the value in YAML', reaction: stillAccepted,
    source: 'web:content/en/docs/v3.3/upgrades/upgrade_3_3.md:19-29 (PR #8563)',
  },
  // ---- 3.4
  {
    flag: 'ca-file', since: '3.4', kind: 'removed', replacement: 'trusted-ca-file',
    detail: 'removed in code (the 3.4 docs call it deprecated): 3.4 does not define --ca-file; --ca-file also implied --client-cert-auth',
    action: 'use --trusted-ca-file and --client-cert-auth', reaction: removed,
    source: 'etcd@v3.4.0:etcdmain/config.go (flag not defined); web:content/en/docs/v3.6/upgrades/upgrade_3_4.md',
  },
  {
    flag: 'peer-ca-file', since: '3.4', kind: 'removed', replacement: 'peer-trusted-ca-file',
    detail: 'removed in code (the 3.4 docs call it deprecated); --peer-ca-file also implied --peer-client-cert-auth',
    action: 'use --peer-trusted-ca-file and --peer-client-cert-auth', reaction: removed,
    source: 'etcd@v3.4.0:etcdmain/config.go (flag not defined); web:content/en/docs/v3.6/upgrades/upgrade_3_4.md',
  },
  ...['advertise-client-urls', 'initial-advertise-peer-urls'].map(
    (flag): FlagRule => ({
      flag, valuePattern: '://:\\d', since: '3.4', kind: 'behavior',
      detail: 'an advertise URL with an empty host (e.g. http://:2379) is now a startup error',
      action: 'give every advertise URL an explicit host or IP', reaction: rejectedValue,
      source: 'etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.0 (PR #8786, issue #8379)',
    }),
  ),
  {
    flag: 'enable-v2', since: '3.4', kind: 'default-changed', oldDefault: 'true', newDefault: 'false',
    detail: '3.4 serves the v2 API only with --enable-v2=true',
    action: 'set --enable-v2=true if clients still use /v2; otherwise nothing', reaction: stillAccepted,
    source: 'etcd@v3.3.27:embed/config.go:68 (DefaultEnableV2 = true); etcd@v3.4.0:embed/config.go:74 (= false)',
  },
  {
    flag: 'log-output', since: '3.4', kind: 'deprecated', replacement: 'log-outputs',
    detail: 'renamed to --log-outputs (a list); 3.4 still accepts --log-output',
    action: 'rename to --log-outputs (YAML: log-outputs: [default])', reaction: stillAccepted,
    source: 'etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.0; etcd@v3.4.45:etcdmain/config.go (log-output still defined)',
  },
  {
    flag: 'debug', since: '3.4', kind: 'deprecated', replacement: 'log-level=debug',
    detail: 'deprecated in 3.4 in favour of --log-level=debug (still accepted)',
    action: 'use --log-level=debug', reaction: stillAccepted,
    source: 'etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.0',
  },
  {
    flag: 'logger', since: '3.4', kind: 'added', newDefault: 'capnslog',
    detail: '3.4 adds --logger (capnslog default, zap optional); 3.5 supports zap only',
    action: 'switch to --logger=zap while on 3.4 so log shipping can be checked before 3.5', reaction: stillAccepted,
    source: 'etcd@v3.4.45:embed/config.go:450 (Logger: "capnslog")',
  },
  {
    flag: 'pre-vote', since: '3.4', kind: 'added', newDefault: 'false',
    detail: 'added with default false (3.5 changes the default to true)', action: 'nothing to do', reaction: stillAccepted,
    source: 'etcd@v3.4.45:embed/config.go:446 (PreVote: false)',
  },
  {
    flag: 'next-cluster-version-compatible', since: '3.4.31', kind: 'added',
    detail: '3.4-only flag that lets a 3.4 binary join a 3.5 cluster during the rolling 3.5 -> 3.4 downgrade (3.4.32+ recommended)',
    action: 'use only for a 3.5 -> 3.4 downgrade', reaction: stillAccepted,
    source: 'etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.31, v3.4.32; web:content/en/docs/v3.6/downgrades/downgrade_3_5.md',
  },
  {
    flag: 'listen-client-http-urls', since: '3.4.25', kind: 'added',
    detail: 'serves HTTP on separate URLs (3.4.25+, 3.5.8+); CVE-2026-59818: --client-crl-file is not enforced on the gRPC listener when this is set (fixed 3.5.32, 3.6.13, 3.7.0; never in 3.4)',
    action: 'with --client-crl-file, run 3.5.32+/3.6.13+', reaction: stillAccepted,
    source: 'etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.25; etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.8, v3.5.32 (GHSA-3wh4-j44w-pg92)',
  },
  // ---- 3.5
  {
    flag: 'logger', value: 'capnslog', since: '3.5', kind: 'removed', replacement: 'logger=zap',
    detail: 'etcd 3.5 refuses to start: "--logger=capnslog is removed in v3.5" (zap is the only logger and the default)',
    action: 'remove --logger=capnslog (or set --logger=zap) before switching to 3.5', reaction: rejectedValue,
    source: 'etcd@v3.5.33:server/embed/config_logging.go:48-49',
  },
  {
    flag: 'log-package-levels', since: '3.5', kind: 'removed', replacement: 'log-level',
    detail: 'removed with capnslog (and the /config/local/log endpoint)', action: 'use --log-level', reaction: removed,
    source: 'etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.0; etcd@v3.5.0:server/etcdmain/config.go (flag not defined)',
  },
  {
    flag: 'debug', since: '3.5', kind: 'removed', replacement: 'log-level=debug',
    detail: 'removed in code (only `etcd grpc-proxy --debug` remains)', action: 'use --log-level=debug', reaction: removed,
    source: 'etcd@v3.5.0:server/etcdmain/config.go (flag not defined)',
  },
  {
    flag: 'log-output', since: '3.5', kind: 'removed', replacement: 'log-outputs',
    detail: 'removed in code', action: 'use --log-outputs', reaction: removed,
    source: 'etcd@v3.5.0:server/etcdmain/config.go (flag not defined); etcd:CHANGELOG/CHANGELOG-3.5.md',
  },
  {
    flag: 'log-outputs', value: 'default', since: '3.5', kind: 'behavior',
    detail: '"default" now means stderr; 3.5 no longer falls back to journald automatically',
    action: 'use --log-outputs=systemd/journal explicitly if logs must go to journald', reaction: stillAccepted,
    source: 'etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.0; etcd@v3.5.33:server/embed/config_logging.go',
  },
  {
    flag: 'experimental-backend-bbolt-freelist-type', since: '3.5', kind: 'removed', replacement: 'backend-bbolt-freelist-type',
    detail: 'renamed; the experimental name is no longer defined', action: 'rename to --backend-bbolt-freelist-type', reaction: removed,
    source: 'etcd@v3.5.0:server/etcdmain/config.go:163',
  },
  {
    flag: 'next-cluster-version-compatible', since: '3.5', kind: 'removed',
    detail: '3.4-only downgrade flag; 3.5 does not define it', action: 'remove it before starting 3.5', reaction: removed,
    source: 'etcd@v3.5.0:server/etcdmain/config.go (flag not defined); etcd:CHANGELOG/CHANGELOG-3.4.md v3.4.31',
  },
  {
    flag: 'pre-vote', since: '3.5', kind: 'default-changed', oldDefault: 'false', newDefault: 'true',
    detail: 'pre-vote is on by default', action: 'set --pre-vote explicitly if you rely on the old behaviour or plan a downgrade', reaction: stillAccepted,
    source: 'etcd@v3.5.0:server/embed/config.go:477 (PreVote: true); web:content/en/docs/v3.6/downgrades/downgrade_3_5.md',
  },
  {
    flag: 'enable-v2', since: '3.5', kind: 'deprecated',
    detail: 'the v2 API is deprecated and removed in 3.6', action: 'stop using the v2 API; plan `etcdutl check v2store` before 3.6', reaction: stillAccepted,
    source: 'etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.0',
  },
  {
    flag: 'experimental-enable-v2v3', since: '3.5', kind: 'deprecated',
    detail: 'deprecated with the v2 API; removed in 3.6', action: 'stop using it', reaction: stillAccepted,
    source: 'etcd:CHANGELOG/CHANGELOG-3.5.md v3.5.0',
  },
  {
    flag: 'v2-deprecation', since: '3.5', kind: 'added', newDefault: 'not-yet',
    detail: 'v2store deprecation stage; 3.6 moves the default to write-only', action: 'nothing to do', reaction: stillAccepted,
    source: 'web:content/en/docs/v3.6/upgrades/upgrade_3_6.md',
  },
  // ---- 3.6
  ...['enable-v2', 'experimental-enable-v2v3'].map(
    (flag): FlagRule => ({
      flag, since: '3.6', kind: 'removed',
      detail: 'the v2 API is removed; the flag is no longer defined',
      action: 'remove it (and ETCD_ENABLE_V2), after `etcdutl check v2store` reports no custom content on every member', reaction: removed,
      source: 'web:content/en/docs/v3.6/upgrades/upgrade_3_6.md; etcd@v3.6.0:server/embed/config.go (flag not defined)',
    }),
  ),
  ...['proxy', 'proxy-failure-wait', 'proxy-refresh-interval', 'proxy-dial-timeout', 'proxy-write-timeout', 'proxy-read-timeout'].map(
    (flag): FlagRule => ({
      flag, since: '3.6', kind: 'removed',
      detail: 'the v2 proxy mode is removed; the flag is no longer defined', action: 'remove it (use `etcd grpc-proxy` for a v3 proxy)', reaction: removed,
      source: 'etcd:CHANGELOG/CHANGELOG-3.6.md v3.6.0; etcd@v3.6.0:server/etcdmain/config.go (flag not defined)',
    }),
  ),
  ...experimentalRenames36.map(
    (r): FlagRule => ({
      flag: r.old, ...(r.yamlKey ? { yamlKey: r.yamlKey } : {}), since: '3.6', kind: 'renamed', replacement: r.to,
      detail: `--${r.old} is deprecated in 3.6 (still accepted${r.warned ? ', with a warning' : ''}) and removed in 3.7`,
      action: `rename to --${r.to} (YAML key ${r.to}); setting both fails ("cannot set --${r.old} and --${r.to} at the same time")`,
      reaction: deprecatedIn36(r.warned),
      source: `${R36}; etcd@v3.6.14:server/embed/config.go:150-167`,
    }),
  ),
  ...featureGates36.map(
    (g): FlagRule => ({
      flag: g.old, since: '3.6', kind: 'renamed', replacement: `feature-gates=${g.gate}`,
      detail: `--${g.old} is replaced by the feature gate ${g.gate.split('=')[0]} in 3.6 (old flag still accepted) and removed in 3.7`,
      action: `use --feature-gates=${g.gate}; setting both fails ("cannot specify both flags")`,
      reaction: deprecatedIn36(g.warned),
      source: `${R36}; etcd@v3.6.14:server/features/etcd_features.go:92-99; etcd@v3.6.14:server/embed/config.go:1131-1157`,
    }),
  ),
  {
    flag: 'snapshot-count', since: '3.6', kind: 'default-changed', oldDefault: '100000', newDefault: '10000',
    detail: 'snapshots are taken 10x as often by default (its deprecation was revoked in 3.6.8)',
    action: 'set --snapshot-count explicitly to keep the old behaviour; check memory and IO', reaction: stillAccepted,
    source: 'etcd@v3.5.33:server/etcdserver/server.go:76; etcd@v3.6.0:server/etcdserver/server.go:80; etcd:CHANGELOG/CHANGELOG-3.6.md (PR #15408, PR #21163)',
  },
  {
    flag: 'v2-deprecation', since: '3.6', kind: 'default-changed', oldDefault: 'not-yet', newDefault: 'write-only',
    detail: '3.6 defaults to write-only and refuses to start if the v2 store holds custom data; the flag is deprecated (removal planned for 3.8) and 3.6.14 honours only the default or write-only-skip-check (3.6.13+), ignoring other values',
    action: 'leave it unset; use write-only-skip-check only as a documented last resort', reaction: warns,
    source: 'etcd@v3.6.14:server/etcdmain/config.go:248-252; etcd@v3.6.0:server/config/v2_deprecation.go:60',
  },
  {
    flag: 'discovery-fallback', since: '3.6', kind: 'default-changed', oldDefault: 'proxy', newDefault: 'exit',
    detail: 'v2 proxy fallback is gone; discovery failures exit', action: 'nothing to do unless you relied on proxy fallback', reaction: stillAccepted,
    source: 'etcd@v3.5.33:server/etcdmain/config.go:129-131; etcd@v3.6.0:server/etcdmain/config.go:115-117',
  },
  {
    flag: 'max-snapshots', since: '3.6', kind: 'deprecated',
    detail: 'deprecated in 3.6 (warning); removal moved to 3.8', action: 'plan to drop it', reaction: warns,
    source: 'etcd@v3.6.14:server/etcdmain/config.go:61; etcd:CHANGELOG/CHANGELOG-3.6.md v3.6.8 (PR #21161)',
  },
  // ---- 3.7
  ...['discovery', 'discovery-proxy'].map(
    (flag): FlagRule => ({
      flag, since: '3.7', kind: 'removed',
      detail: 'v2 discovery is removed in 3.7 (the flag is no longer defined although `etcd --help` of 3.7.1 still lists --discovery-proxy)',
      action: 'use v3 discovery (--discovery-endpoints, --discovery-token) or a static --initial-cluster', reaction: removed,
      source: 'etcd:CHANGELOG/CHANGELOG-3.7.md v3.7.0-rc.0 (PR #20109); etcd@v3.7.1:server/embed/config.go (flag not defined)',
    }),
  ),
  ...experimentalRenames36.map(
    (r): FlagRule => ({
      flag: r.old, ...(r.yamlKey ? { yamlKey: r.yamlKey } : {}), since: '3.7', kind: 'removed', replacement: r.to,
      detail: 'all deprecated --experimental-* flags are removed in 3.7; etcd fails to start with the flag, and ignores the YAML key',
      action: `rename to --${r.to} while still on 3.6`, reaction: removed,
      source: 'web:content/en/docs/v3.7/upgrades/upgrade_3_7.md; etcd:CHANGELOG/CHANGELOG-3.7.md (PR #19959)',
    }),
  ),
  ...featureGates36.map(
    (g): FlagRule => ({
      flag: g.old, since: '3.7', kind: 'removed', replacement: `feature-gates=${g.gate}`,
      detail: 'all deprecated --experimental-* flags are removed in 3.7; etcd fails to start with the flag, and ignores the YAML key',
      action: `use --feature-gates=${g.gate} while still on 3.6`, reaction: removed,
      source: 'web:content/en/docs/v3.7/upgrades/upgrade_3_7.md; etcd:CHANGELOG/CHANGELOG-3.7.md (PR #19959)',
    }),
  ),
];

export const flagRules: readonly FlagRule[] = curated;

/** The reaction names, for help text. */
export const reactionText: Readonly<Record<FlagReaction, string>> = {
  exits: 'etcd refuses to start',
  warns: 'etcd starts and logs a warning',
  ignored: 'etcd silently ignores it',
  accepted: 'etcd accepts it',
};

/** How etcd treats a setting the target version does not know, by where it comes from. */
export const unknownSettingReaction = {
  cli: { reaction: 'exits' as FlagReaction, source: 'etcd@v3.5.33:server/etcdmain/config.go:334-343 (flag parse error -> os.Exit(2))' },
  yaml: { reaction: 'ignored' as FlagReaction, source: 'etcd@v3.6.14:server/embed/config.go:981 (non-strict yaml.Unmarshal)' },
  env: { reaction: 'warns' as FlagReaction, source: 'etcd@v3.5.33:pkg/flags/flag.go:93 ("unrecognized environment variable")' },
} as const;
