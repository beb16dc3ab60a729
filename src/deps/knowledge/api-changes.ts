/**
 * Known API changes behind the compile / `go mod tidy` errors of an etcd migration, as data with sources:
 * each maps an error message (as the go command prints it) to its cause and the fix. The messages were
 * taken from real `go build`, `go vet` and `go mod tidy` runs of 3.4-era code moved to 3.6.17 and 3.7.4
 * with the module proxy (test/deps-verify.test.ts reproduces them).
 */

export interface ApiChange {
  id: string;
  /** Matched against one error message (without the file:line: prefix). */
  pattern: RegExp;
  /** Etcd line (or grpc version) where the change happened. */
  since: string;
  cause: string;
  fix: string;
  source: string;
}

/**
 * 3.6 deprecated the embed.Config Experimental* fields and 3.7 removed them (etcd-io/etcd#19959, CHANGELOG-3.7
 * "Removed all deprecated experimental flags"). Replacements from the Deprecated comments in
 * go.etcd.io/etcd/server/v3@v3.6.17 embed/config.go ("Use X instead" / "Use X Feature Gate").
 */
export const EXPERIMENTAL_FIELDS: Readonly<Record<string, string>> = {
  ExperimentalSnapshotCatchUpEntries: 'SnapshotCatchUpEntries',
  ExperimentalInitialCorruptCheck: 'the InitialCorruptCheck feature gate (cfg.ServerFeatureGate / --feature-gates=InitialCorruptCheck=true)',
  ExperimentalCorruptCheckTime: 'CorruptCheckTime',
  ExperimentalCompactHashCheckEnabled: 'the CompactHashCheck feature gate (--feature-gates=CompactHashCheck=true)',
  ExperimentalCompactHashCheckTime: 'CompactHashCheckTime',
  ExperimentalEnableLeaseCheckpoint: 'the LeaseCheckpoint feature gate',
  ExperimentalEnableLeaseCheckpointPersist: 'the LeaseCheckpointPersist feature gate',
  ExperimentalCompactionBatchLimit: 'CompactionBatchLimit',
  ExperimentalCompactionSleepInterval: 'CompactionSleepInterval',
  ExperimentalWatchProgressNotifyInterval: 'WatchProgressNotifyInterval',
  ExperimentalWarningApplyDuration: 'WarningApplyDuration',
  ExperimentalBootstrapDefragThresholdMegabytes: 'BootstrapDefragThresholdMegabytes',
  ExperimentalWarningUnaryRequestDuration: 'WarningUnaryRequestDuration',
  ExperimentalEnableDistributedTracing: 'EnableDistributedTracing',
  ExperimentalDistributedTracingAddress: 'DistributedTracingAddress',
  ExperimentalDistributedTracingServiceName: 'DistributedTracingServiceName',
  ExperimentalDistributedTracingServiceInstanceID: 'DistributedTracingServiceInstanceID',
  ExperimentalDistributedTracingSamplingRatePerMillion: 'DistributedTracingSamplingRatePerMillion',
  ExperimentalPeerSkipClientSanVerification: 'PeerTLSInfo.SkipClientSANVerify (--peer-skip-client-san-verification)',
  ExperimentalDowngradeCheckTime: 'DowngradeCheckTime',
  ExperimentalMemoryMlock: 'MemoryMlock',
  ExperimentalTxnModeWriteWithSharedBuffer: 'the TxnModeWriteWithSharedBuffer feature gate',
  ExperimentalStopGRPCServiceOnDefrag: 'the StopGRPCServiceOnDefrag feature gate',
};

const PB = '(?:mvccpb|etcdserverpb|authpb|membershippb|versionpb|v3electionpb|v3lockpb|raftpb|walpb|snappb)';

export const API_CHANGES: readonly ApiChange[] = [
  {
    id: 'grpc-naming-removed',
    pattern: /google\.golang\.org\/grpc\/naming|undefined: (?:\w+\.)?GRPCResolver|naming\.GRPCResolver|grpc\.RoundRobin|grpc\.WithBalancer\b/,
    since: 'etcd 3.5 / grpc v1.30.0',
    cause: 'clientv3/naming.GRPCResolver was built on google.golang.org/grpc/naming, which grpc v1.30.0 deleted (grpc-go#3314); etcd 3.5 decommissioned GRPCResolver. An import of the old go.etcd.io/etcd/clientv3/naming also makes the go command fetch etcd 3.3 (+incompatible) for it',
    fix: 'port to go.etcd.io/etcd/client/v3/naming/resolver (resolver.NewBuilder(cli) + grpc.WithResolvers) and client/v3/naming/endpoints (endpoints.NewManager(cli, service).AddEndpoint)',
    source: 'CHANGELOG-3.5 "Previously supported GRPCResolver was decomissioned"; etcd-io/etcd#12124, #12724 (reference §2.2)',
  },
  {
    id: 'grpc-balancer-name-removed',
    pattern: /undefined: grpc\.WithBalancerName/,
    since: 'grpc v1.46.0',
    cause: 'grpc.WithBalancerName was deleted in grpc-go v1.46.0; the target etcd client requires a newer grpc, so MVS selects one without it',
    fix: 'grpc.WithDefaultServiceConfig(`{"loadBalancingConfig": [{"round_robin":{}}]}`)',
    source: 'grpc/grpc-go#5232 (released in v1.46.0)',
  },
  {
    id: 'grpc-legacy-resolver-api',
    pattern: /undefined: (?:resolver\.BuildOption|resolver\.ResolveNowOption|balancer\.PickOptions)/,
    since: 'grpc v1.27.0',
    cause: 'etcd ≤3.4.7 / 3.3 client code (github.com/coreos/etcd, go.etcd.io/etcd +incompatible) compiled against grpc ≥ v1.27.0, which removed these names',
    fix: 'move every import to go.etcd.io/etcd/client/v3 (upshift deps fix); an import left on the old paths keeps the old client in the build',
    source: 'etcd-io/etcd#11563 (reference §2.1)',
  },
  {
    id: 'embed-url-fields-renamed',
    pattern: /\.(?:LCUrls|LPUrls|ACUrls|APUrls) undefined \(type \*?"?go\.etcd\.io\/etcd\/server\/v3\/embed"?\.Config/,
    since: 'etcd 3.5',
    cause: 'embed.Config renamed LCUrls/LPUrls/ACUrls/APUrls to ListenClientUrls/ListenPeerUrls/AdvertiseClientUrls/AdvertisePeerUrls',
    fix: 'LCUrls -> ListenClientUrls, LPUrls -> ListenPeerUrls, ACUrls -> AdvertiseClientUrls, APUrls -> AdvertisePeerUrls',
    source: 'CHANGELOG-3.5 (package embed); go.etcd.io/etcd/server/v3@v3.5.0 embed/config.go',
  },
  {
    id: 'embed-enable-v2-removed',
    pattern: /\.EnableV2 undefined \(type \*?"?go\.etcd\.io\/etcd\/server\/v3\/embed"?\.Config/,
    since: 'etcd 3.6',
    cause: 'the v2 API (and embed.Config.EnableV2, --enable-v2) was removed in etcd 3.6',
    fix: 'delete the assignment; serve v3 only',
    source: 'CHANGELOG-3.6 (v2 store and --enable-v2 removed); go.etcd.io/etcd/server/v3@v3.6.0 embed/config.go',
  },
  {
    id: 'embed-experimental-fields-removed',
    pattern: /\.(Experimental\w+) undefined \(type \*?"?go\.etcd\.io\/etcd\/server\/v3\/embed"?\.Config/,
    since: 'etcd 3.7',
    cause: 'etcd 3.7 removed the Experimental* fields of embed.Config that 3.6 deprecated',
    fix: 'use the field or feature gate named in 3.6 (see EXPERIMENTAL_FIELDS)',
    source: 'etcd-io/etcd#19959 (CHANGELOG-3.7 "Removed all deprecated experimental flags"); server/v3@v3.6.17 embed/config.go Deprecated comments',
  },
  {
    id: 'gogo-methods-removed',
    pattern: new RegExp(`\\.(?:Marshal|Unmarshal|MarshalTo|MarshalToSizedBuffer|Size|XXX_\\w+|Descriptor) undefined \\(type \\*?"?(?:go\\.etcd\\.io/etcd/api/v3/)?${PB}"?\\.\\w+ has no field or method`),
    since: 'etcd 3.7',
    cause: 'etcd 3.7 generates its API types with protoc-gen-go (google.golang.org/protobuf) instead of gogo/protobuf: the gogo methods (Marshal, Unmarshal, Size, ...) are gone',
    fix: 'use google.golang.org/protobuf/proto: proto.Marshal(m), proto.Unmarshal(b, m), proto.Size(m)',
    source: 'CHANGELOG-3.7 rc.0 "Migrate from gogo/protobuf to standard google.golang.org/protobuf" (reference §1.1); go.etcd.io/etcd/api/v3@v3.7.4 mvccpb/kv.pb.go',
  },
  {
    id: 'proto-message-copied',
    pattern: /copies lock value.*go\.etcd\.io\/etcd\/api\/v3\/\w+\.\w+ contains google\.golang\.org\/protobuf/,
    since: 'etcd 3.7',
    cause: 'etcd 3.7 API messages embed protoimpl.MessageState (a sync.Mutex): copying a message by value, fine with gogo types, is what go vet reports',
    fix: 'keep pointers (kv := resp.Kvs[0]), or proto.Clone(m) when a copy is needed',
    source: 'go vet copylocks; go.etcd.io/etcd/api/v3@v3.7.4 mvccpb/kv.pb.go (state protoimpl.MessageState)',
  },
  {
    id: 'client-v2-gone',
    pattern: /go\.etcd\.io\/etcd\/client\/v2|"go\.etcd\.io\/etcd\/client"|undefined: client\.(?:New|Config|KeysAPI|NewKeysAPI)/,
    since: 'etcd 3.6',
    cause: 'the v2 API client is not published for etcd 3.6 and later (client/v2 moved to server/v3/internal in 3.6 rc.3 and was removed in 3.7)',
    fix: 'port to client/v3, or stay on etcd 3.5 (--target 3.5) with go.etcd.io/etcd/client/v2 v2.305.N',
    source: 'CHANGELOG-3.6 rc.3, CHANGELOG-3.7 ("Removed client/v2", etcd-io/etcd#20117)',
  },
  {
    id: 'snapshot-split',
    pattern: /snapshot\.NewV3|snapshot\.Manager|go\.etcd\.io\/etcd\/clientv3\/snapshot/,
    since: 'etcd 3.5',
    cause: 'clientv3/snapshot was split in 3.5: Save went to go.etcd.io/etcd/client/v3/snapshot (snapshot.Save(ctx, lg, cfg, path)), Restore and Status to go.etcd.io/etcd/etcdutl/v3/snapshot',
    fix: 'snapshot.NewV3(lg).Save(ctx, cfg, path) -> snapshot.Save(ctx, lg, cfg, path) from go.etcd.io/etcd/client/v3/snapshot; Restore/Status from go.etcd.io/etcd/etcdutl/v3/snapshot',
    source: 'CHANGELOG-3.5 (clientv3/snapshot split); reference Appendix A',
  },
  {
    id: 'bbolt-path-mismatch',
    pattern: /declares its path as: go\.etcd\.io\/bbolt\s+but was required as: github\.com\/coreos\/bbolt/,
    since: 'bbolt v1.3.4',
    cause: 'etcd ≤3.3 imports github.com/coreos/bbolt, and bbolt ≥ v1.3.4 declares module go.etcd.io/bbolt',
    fix: 'migrate every import off etcd ≤3.3; the stop-gap is replace github.com/coreos/bbolt => go.etcd.io/bbolt v1.3.x',
    source: 'etcd-io/etcd#11739, etcd-io/bbolt#249 (reference §2.5)',
  },
  {
    id: 'coreos-path-mismatch',
    pattern: /declares its path as: go\.etcd\.io\/etcd\s+but was required as: github\.com\/coreos\/etcd/,
    since: 'etcd 3.4',
    cause: 'github.com/coreos/etcd required at a 3.4-era version, whose go.mod declares go.etcd.io/etcd',
    fix: 'require go.etcd.io/etcd/client/v3 (3.5+) instead',
    source: 'google/certificate-transparency-go#677 (reference §2.4)',
  },
  {
    id: 'ambiguous-import',
    pattern: /ambiguous import: found package .* in multiple modules/,
    since: 'go modules',
    cause: 'two modules in the build provide the same package (e.g. grpc replaced by a mono-module version next to google.golang.org/grpc/examples, or cloud.google.com/go next to its split submodules)',
    fix: 'upgrade the older module (or drop the replace that holds it back) so only one provides the package',
    source: 'go.dev/ref/mod#resolve-pkg-mod; etcd-io/etcd#12791, #14226 (reference §2.3)',
  },
];

/** The known change that explains an error message, if any. */
export function explainError(message: string): { change: ApiChange; fix: string } | undefined {
  for (const c of API_CHANGES) {
    const m = c.pattern.exec(message);
    if (!m) continue;
    if (c.id === 'embed-experimental-fields-removed') {
      const to = EXPERIMENTAL_FIELDS[m[1]];
      return { change: c, fix: to ? `${m[1]} -> ${to}` : c.fix };
    }
    return { change: c, fix: c.fix };
  }
  return undefined;
}
