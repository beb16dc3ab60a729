/**
 * Package moves of etcd's Go packages across releases: knowledge as data, with sources.
 *
 * Derived from the etcd git trees (etcd-io/etcd tags v3.3.27, v3.4.0, v3.4.27, v3.4.45, v3.5.0, v3.5.33,
 * v3.6.0, v3.6.14, v3.7.1: every directory with non-test .go files, import path from the nearest go.mod,
 * matched by package clause and file names, reviewed against CHANGELOG-3.4/3.5/3.6) as recorded in
 * /work/shared/reference/go-modules.md §1.6 and Appendix A. Package *names* do not change with the moves
 * (client/v3 is still `package clientv3`, client/v2 is `package client`).
 */

export type MoveKind =
  /** Same package, new import path: rewrite mechanically. */
  | 'rename'
  /** The package changed API: flag for manual work, never auto-rewrite (e.g. clientv3/naming). */
  | 'api-change'
  /** The package's symbols went to several packages (clientv3/snapshot): symbol-level work. */
  | 'split'
  /** Gone without a public replacement. */
  | 'removed'
  /** Moved under internal/: not importable any more. */
  | 'internal'
  /** A `package main` (binary), not something to import. */
  | 'binary';

export interface PackageMove {
  from: string;
  to?: string;
  /** Module to `go get` for the new path. */
  module?: string;
  kind: MoveKind;
  note?: string;
  /** Tags the old package was seen in (for 3.4 rows). */
  seenIn?: string;
}

/**
 * ≤3.3 `github.com/coreos/etcd/X` → 3.4 `go.etcd.io/etcd/X`, except these (CHANGELOG-3.4 "Move internal
 * packages to etcdserver" + tree diff v3.3.27 → v3.4.0; reference §1.6.1).
 */
export const MOVES_33_TO_34: readonly PackageMove[] = [
  { from: 'github.com/coreos/etcd/alarm', to: 'go.etcd.io/etcd/etcdserver/api/v3alarm', kind: 'rename' },
  { from: 'github.com/coreos/etcd/compactor', to: 'go.etcd.io/etcd/etcdserver/api/v3compactor', kind: 'rename' },
  { from: 'github.com/coreos/etcd/contrib/systemd/etcd2-backup-coreos', kind: 'removed', note: 'removed in 3.4' },
  { from: 'github.com/coreos/etcd/discovery', to: 'go.etcd.io/etcd/etcdserver/api/v2discovery', kind: 'rename' },
  { from: 'github.com/coreos/etcd/error', to: 'go.etcd.io/etcd/etcdserver/api/v2error', kind: 'rename' },
  { from: 'github.com/coreos/etcd/etcdserver/auth', to: 'go.etcd.io/etcd/etcdserver/api/v2auth', kind: 'rename' },
  { from: 'github.com/coreos/etcd/etcdserver/membership', to: 'go.etcd.io/etcd/etcdserver/api/membership', kind: 'rename' },
  { from: 'github.com/coreos/etcd/etcdserver/stats', to: 'go.etcd.io/etcd/etcdserver/api/v2stats', kind: 'rename' },
  { from: 'github.com/coreos/etcd/pkg/cors', kind: 'removed', note: 'removed in 3.4' },
  { from: 'github.com/coreos/etcd/rafthttp', to: 'go.etcd.io/etcd/etcdserver/api/rafthttp', kind: 'rename' },
  { from: 'github.com/coreos/etcd/snap', to: 'go.etcd.io/etcd/etcdserver/api/snap', kind: 'rename' },
  { from: 'github.com/coreos/etcd/snap/snappb', to: 'go.etcd.io/etcd/etcdserver/api/snap/snappb', kind: 'rename' },
  { from: 'github.com/coreos/etcd/snapshot', to: 'go.etcd.io/etcd/clientv3/snapshot', kind: 'rename' },
  { from: 'github.com/coreos/etcd/store', to: 'go.etcd.io/etcd/etcdserver/api/v2store', kind: 'rename' },
];

/**
 * 3.4 `go.etcd.io/etcd/...` → 3.5 split modules: the full table (reference Appendix A, 134 rows). Re-checked
 * against etcd-io/etcd @c34dc7ee0048: every old package exists in v3.4.0/v3.4.27/v3.4.45 and every renamed
 * package's new directory exists in v3.5.0 or v3.5.33.
 */
export const MOVES_34_TO_35: readonly PackageMove[] = [
  { from: 'go.etcd.io/etcd', to: 'go.etcd.io/etcd/server/v3', module: 'go.etcd.io/etcd/server/v3', kind: 'binary', note: 'package main; etcd binary moved to server/main.go; root module go.etcd.io/etcd/v3 only holds tools/contrib + dummy.go', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/auth', to: 'go.etcd.io/etcd/server/v3/auth', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/auth/authpb', to: 'go.etcd.io/etcd/api/v3/authpb', module: 'go.etcd.io/etcd/api/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/client', to: 'go.etcd.io/etcd/client/v2', module: 'go.etcd.io/etcd/client/v2', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/client/integration', to: 'go.etcd.io/etcd/tests/v3/integration/client', module: 'go.etcd.io/etcd/tests/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/clientv3', to: 'go.etcd.io/etcd/client/v3', module: 'go.etcd.io/etcd/client/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/clientv3/balancer', kind: 'removed', note: 'REMOVED (replaced by grpc round_robin + go.etcd.io/etcd/client/v3/internal/resolver; not importable)', seenIn: 'v3.4.0,v3.4.27' },
  { from: 'go.etcd.io/etcd/clientv3/balancer/connectivity', kind: 'removed', note: 'REMOVED', seenIn: 'v3.4.0,v3.4.27' },
  { from: 'go.etcd.io/etcd/clientv3/balancer/picker', kind: 'removed', note: 'REMOVED', seenIn: 'v3.4.0,v3.4.27' },
  { from: 'go.etcd.io/etcd/clientv3/balancer/resolver/endpoint', to: 'go.etcd.io/etcd/client/v3/internal/endpoint', module: 'go.etcd.io/etcd/client/v3', kind: 'internal', note: 'internal, not importable', seenIn: 'v3.4.0,v3.4.27' },
  { from: 'go.etcd.io/etcd/clientv3/clientv3util', to: 'go.etcd.io/etcd/client/v3/clientv3util', module: 'go.etcd.io/etcd/client/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/clientv3/concurrency', to: 'go.etcd.io/etcd/client/v3/concurrency', module: 'go.etcd.io/etcd/client/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/clientv3/credentials', to: 'go.etcd.io/etcd/client/v3/credentials', module: 'go.etcd.io/etcd/client/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/clientv3/integration', to: 'go.etcd.io/etcd/tests/v3/integration/clientv3', module: 'go.etcd.io/etcd/tests/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/clientv3/internal/endpoint', to: 'go.etcd.io/etcd/client/v3/internal/endpoint', module: 'go.etcd.io/etcd/client/v3', kind: 'internal', note: 'internal', seenIn: 'v3.4.45' },
  { from: 'go.etcd.io/etcd/clientv3/internal/resolver', to: 'go.etcd.io/etcd/client/v3/internal/resolver', module: 'go.etcd.io/etcd/client/v3', kind: 'internal', note: 'internal', seenIn: 'v3.4.45' },
  { from: 'go.etcd.io/etcd/clientv3/leasing', to: 'go.etcd.io/etcd/client/v3/leasing', module: 'go.etcd.io/etcd/client/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/clientv3/mirror', to: 'go.etcd.io/etcd/client/v3/mirror', module: 'go.etcd.io/etcd/client/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/clientv3/namespace', to: 'go.etcd.io/etcd/client/v3/namespace', module: 'go.etcd.io/etcd/client/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/clientv3/naming', to: 'go.etcd.io/etcd/client/v3/naming', module: 'go.etcd.io/etcd/client/v3', kind: 'api-change', note: 'GRPCResolver was removed (CHANGELOG-3.5 "Previously supported GRPCResolver was decomissioned"); port to go.etcd.io/etcd/client/v3/naming/resolver + go.etcd.io/etcd/client/v3/naming/endpoints', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/clientv3/naming/endpoints', to: 'go.etcd.io/etcd/client/v3/naming/endpoints', module: 'go.etcd.io/etcd/client/v3', kind: 'rename', seenIn: 'v3.4.45' },
  { from: 'go.etcd.io/etcd/clientv3/naming/endpoints/internal', to: 'go.etcd.io/etcd/client/v3/naming/endpoints/internal', module: 'go.etcd.io/etcd/client/v3', kind: 'rename', seenIn: 'v3.4.45' },
  { from: 'go.etcd.io/etcd/clientv3/naming/resolver', to: 'go.etcd.io/etcd/client/v3/naming/resolver', module: 'go.etcd.io/etcd/client/v3', kind: 'rename', seenIn: 'v3.4.45' },
  { from: 'go.etcd.io/etcd/clientv3/ordering', to: 'go.etcd.io/etcd/client/v3/ordering', module: 'go.etcd.io/etcd/client/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/clientv3/snapshot', kind: 'split', note: 'SPLIT: Save -> go.etcd.io/etcd/client/v3/snapshot ; Manager/Restore/Status -> go.etcd.io/etcd/etcdutl/v3/snapshot', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/clientv3/yaml', to: 'go.etcd.io/etcd/client/v3/yaml', module: 'go.etcd.io/etcd/client/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/contrib/raftexample', to: 'go.etcd.io/etcd/v3/contrib/raftexample', module: 'go.etcd.io/etcd/v3', kind: 'binary', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/contrib/recipes', to: 'go.etcd.io/etcd/client/v3/experimental/recipes', module: 'go.etcd.io/etcd/client/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/embed', to: 'go.etcd.io/etcd/server/v3/embed', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdctl', to: 'go.etcd.io/etcd/etcdctl/v3', module: 'go.etcd.io/etcd/etcdctl/v3', kind: 'binary', note: 'package main', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdctl/ctlv2', to: 'go.etcd.io/etcd/etcdctl/v3/ctlv2', module: 'go.etcd.io/etcd/etcdctl/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdctl/ctlv2/command', to: 'go.etcd.io/etcd/etcdctl/v3/ctlv2/command', module: 'go.etcd.io/etcd/etcdctl/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdctl/ctlv3', to: 'go.etcd.io/etcd/etcdctl/v3/ctlv3', module: 'go.etcd.io/etcd/etcdctl/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdctl/ctlv3/command', to: 'go.etcd.io/etcd/etcdctl/v3/ctlv3/command', module: 'go.etcd.io/etcd/etcdctl/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdmain', to: 'go.etcd.io/etcd/server/v3/etcdmain', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver', to: 'go.etcd.io/etcd/server/v3/etcdserver', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api', to: 'go.etcd.io/etcd/server/v3/etcdserver/api', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/etcdhttp', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/etcdhttp', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/membership', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/membership', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/rafthttp', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/rafthttp', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/snap', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/snap', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/snap/snappb', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/snap/snappb', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/v2auth', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/v2auth', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/v2discovery', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/v2discovery', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/v2error', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/v2error', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/v2http', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/v2http', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/v2http/httptypes', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/v2http/httptypes', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/v2stats', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/v2stats', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/v2store', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/v2store', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/v2v3', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/v2v3', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/v3alarm', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/v3alarm', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/v3client', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/v3client', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/v3compactor', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/v3compactor', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/v3election', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/v3election', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/v3election/v3electionpb', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/v3election/v3electionpb', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/v3election/v3electionpb/gw', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/v3election/v3electionpb/gw', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/v3lock', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/v3lock', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/v3lock/v3lockpb', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/v3lock/v3lockpb', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/v3lock/v3lockpb/gw', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/v3lock/v3lockpb/gw', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/v3rpc', to: 'go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/api/v3rpc/rpctypes', to: 'go.etcd.io/etcd/api/v3/v3rpc/rpctypes', module: 'go.etcd.io/etcd/api/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/etcdserverpb', to: 'go.etcd.io/etcd/api/v3/etcdserverpb', module: 'go.etcd.io/etcd/api/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/etcdserverpb/gw', to: 'go.etcd.io/etcd/api/v3/etcdserverpb/gw', module: 'go.etcd.io/etcd/api/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/etcdserver/verify', to: 'go.etcd.io/etcd/server/v3/verify', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.45' },
  { from: 'go.etcd.io/etcd/functional/agent', to: 'go.etcd.io/etcd/tests/v3/functional/agent', module: 'go.etcd.io/etcd/tests/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/functional/cmd/etcd-agent', to: 'go.etcd.io/etcd/tests/v3/functional/cmd/etcd-agent', module: 'go.etcd.io/etcd/tests/v3', kind: 'binary', note: 'package main (functional/cmd/etcd-agent/main.go at v3.3.27 and v3.4.13)', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/functional/cmd/etcd-proxy', to: 'go.etcd.io/etcd/tests/v3/functional/cmd/etcd-proxy', module: 'go.etcd.io/etcd/tests/v3', kind: 'binary', note: 'package main (functional/cmd/etcd-proxy/main.go at v3.3.27 and v3.4.13)', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/functional/cmd/etcd-runner', to: 'go.etcd.io/etcd/tests/v3/functional/cmd/etcd-runner', module: 'go.etcd.io/etcd/tests/v3', kind: 'binary', note: 'package main (functional/cmd/etcd-runner/main.go at v3.3.27 and v3.4.13)', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/functional/cmd/etcd-tester', to: 'go.etcd.io/etcd/tests/v3/functional/cmd/etcd-tester', module: 'go.etcd.io/etcd/tests/v3', kind: 'binary', note: 'package main (functional/cmd/etcd-tester/main.go at v3.3.27 and v3.4.13)', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/functional/rpcpb', to: 'go.etcd.io/etcd/tests/v3/functional/rpcpb', module: 'go.etcd.io/etcd/tests/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/functional/runner', to: 'go.etcd.io/etcd/tests/v3/functional/runner', module: 'go.etcd.io/etcd/tests/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/functional/tester', to: 'go.etcd.io/etcd/tests/v3/functional/tester', module: 'go.etcd.io/etcd/tests/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/integration', to: 'go.etcd.io/etcd/tests/v3/integration', module: 'go.etcd.io/etcd/tests/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/lease', to: 'go.etcd.io/etcd/server/v3/lease', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/lease/leasehttp', to: 'go.etcd.io/etcd/server/v3/lease/leasehttp', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/lease/leasepb', to: 'go.etcd.io/etcd/server/v3/lease/leasepb', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/mvcc', to: 'go.etcd.io/etcd/server/v3/mvcc', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/mvcc/backend', to: 'go.etcd.io/etcd/server/v3/mvcc/backend', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/mvcc/mvccpb', to: 'go.etcd.io/etcd/api/v3/mvccpb', module: 'go.etcd.io/etcd/api/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/adt', to: 'go.etcd.io/etcd/pkg/v3/adt', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/contention', to: 'go.etcd.io/etcd/pkg/v3/contention', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/cpuutil', to: 'go.etcd.io/etcd/pkg/v3/cpuutil', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/crc', to: 'go.etcd.io/etcd/pkg/v3/crc', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/debugutil', to: 'go.etcd.io/etcd/pkg/v3/debugutil', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/expect', to: 'go.etcd.io/etcd/pkg/v3/expect', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/fileutil', to: 'go.etcd.io/etcd/client/pkg/v3/fileutil', module: 'go.etcd.io/etcd/client/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/flags', to: 'go.etcd.io/etcd/pkg/v3/flags', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/grpc_testing', to: 'go.etcd.io/etcd/pkg/v3/grpc_testing', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/httputil', to: 'go.etcd.io/etcd/pkg/v3/httputil', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/idutil', to: 'go.etcd.io/etcd/pkg/v3/idutil', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/ioutil', to: 'go.etcd.io/etcd/pkg/v3/ioutil', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/mock/mockserver', to: 'go.etcd.io/etcd/client/v3/mock/mockserver', module: 'go.etcd.io/etcd/client/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/mock/mockstorage', to: 'go.etcd.io/etcd/server/v3/mock/mockstorage', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/mock/mockstore', to: 'go.etcd.io/etcd/server/v3/mock/mockstore', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/mock/mockwait', to: 'go.etcd.io/etcd/server/v3/mock/mockwait', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/netutil', to: 'go.etcd.io/etcd/pkg/v3/netutil', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/osutil', to: 'go.etcd.io/etcd/pkg/v3/osutil', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/pathutil', to: 'go.etcd.io/etcd/client/pkg/v3/pathutil', module: 'go.etcd.io/etcd/client/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/pbutil', to: 'go.etcd.io/etcd/pkg/v3/pbutil', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/proxy', to: 'go.etcd.io/etcd/pkg/v3/proxy', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/report', to: 'go.etcd.io/etcd/pkg/v3/report', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/runtime', to: 'go.etcd.io/etcd/pkg/v3/runtime', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/schedule', to: 'go.etcd.io/etcd/pkg/v3/schedule', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/srv', to: 'go.etcd.io/etcd/client/pkg/v3/srv', module: 'go.etcd.io/etcd/client/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/stringutil', to: 'go.etcd.io/etcd/pkg/v3/stringutil', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/systemd', to: 'go.etcd.io/etcd/client/pkg/v3/systemd', module: 'go.etcd.io/etcd/client/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/testutil', to: 'go.etcd.io/etcd/client/pkg/v3/testutil', module: 'go.etcd.io/etcd/client/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/tlsutil', to: 'go.etcd.io/etcd/client/pkg/v3/tlsutil', module: 'go.etcd.io/etcd/client/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/traceutil', to: 'go.etcd.io/etcd/pkg/v3/traceutil', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/transport', to: 'go.etcd.io/etcd/client/pkg/v3/transport', module: 'go.etcd.io/etcd/client/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/types', to: 'go.etcd.io/etcd/client/pkg/v3/types', module: 'go.etcd.io/etcd/client/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/pkg/wait', to: 'go.etcd.io/etcd/pkg/v3/wait', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/proxy/grpcproxy', to: 'go.etcd.io/etcd/server/v3/proxy/grpcproxy', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/proxy/grpcproxy/adapter', to: 'go.etcd.io/etcd/server/v3/proxy/grpcproxy/adapter', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/proxy/grpcproxy/cache', to: 'go.etcd.io/etcd/server/v3/proxy/grpcproxy/cache', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/proxy/httpproxy', to: 'go.etcd.io/etcd/server/v3/proxy/httpproxy', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/proxy/tcpproxy', to: 'go.etcd.io/etcd/server/v3/proxy/tcpproxy', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/raft', to: 'go.etcd.io/etcd/raft/v3', module: 'go.etcd.io/etcd/raft/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/raft/confchange', to: 'go.etcd.io/etcd/raft/v3/confchange', module: 'go.etcd.io/etcd/raft/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/raft/quorum', to: 'go.etcd.io/etcd/raft/v3/quorum', module: 'go.etcd.io/etcd/raft/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/raft/raftpb', to: 'go.etcd.io/etcd/raft/v3/raftpb', module: 'go.etcd.io/etcd/raft/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/raft/rafttest', to: 'go.etcd.io/etcd/raft/v3/rafttest', module: 'go.etcd.io/etcd/raft/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/raft/tracker', to: 'go.etcd.io/etcd/raft/v3/tracker', module: 'go.etcd.io/etcd/raft/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/tests/e2e', to: 'go.etcd.io/etcd/tests/v3/e2e', module: 'go.etcd.io/etcd/tests/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/tools/benchmark', to: 'go.etcd.io/etcd/v3/tools/benchmark', module: 'go.etcd.io/etcd/v3', kind: 'binary', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/tools/benchmark/cmd', to: 'go.etcd.io/etcd/v3/tools/benchmark/cmd', module: 'go.etcd.io/etcd/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/tools/etcd-dump-db', to: 'go.etcd.io/etcd/v3/tools/etcd-dump-db', module: 'go.etcd.io/etcd/v3', kind: 'binary', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/tools/etcd-dump-logs', to: 'go.etcd.io/etcd/v3/tools/etcd-dump-logs', module: 'go.etcd.io/etcd/v3', kind: 'binary', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/tools/etcd-dump-metrics', to: 'go.etcd.io/etcd/v3/tools/etcd-dump-metrics', module: 'go.etcd.io/etcd/v3', kind: 'binary', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/tools/local-tester/bridge', to: 'go.etcd.io/etcd/v3/tools/local-tester/bridge', module: 'go.etcd.io/etcd/v3', kind: 'binary', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/tools/v3', to: 'go.etcd.io/etcd/tools/v3', module: 'go.etcd.io/etcd/tools/v3', kind: 'rename', note: 'tools/mod module', seenIn: 'v3.4.45' },
  { from: 'go.etcd.io/etcd/version', to: 'go.etcd.io/etcd/api/v3/version', module: 'go.etcd.io/etcd/api/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/wal', to: 'go.etcd.io/etcd/server/v3/wal', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
  { from: 'go.etcd.io/etcd/wal/walpb', to: 'go.etcd.io/etcd/server/v3/wal/walpb', module: 'go.etcd.io/etcd/server/v3', kind: 'rename', seenIn: 'v3.4.0,v3.4.27,v3.4.45' },
];

/** 3.5 → 3.6 changes; everything else is identical (CHANGELOG-3.6 "Package raft", "Package server"; reference §1.6.3). */
export const MOVES_35_TO_36: readonly PackageMove[] = [
  { from: 'go.etcd.io/etcd/raft/v3', to: 'go.etcd.io/raft/v3', module: 'go.etcd.io/raft/v3', kind: 'rename', note: 'raft moved to its own repository etcd-io/raft (CHANGELOG-3.6)' },
  { from: 'go.etcd.io/etcd/client/v2', kind: 'removed', note: 'not published for 3.6 (moved to the internal go.etcd.io/etcd/server/v3/internal/clientv2); keep go.etcd.io/etcd/client/v2 v2.305.x or port to client/v3' },
  { from: 'go.etcd.io/etcd/server/v3/mvcc/backend', to: 'go.etcd.io/etcd/server/v3/storage/backend', module: 'go.etcd.io/etcd/server/v3', kind: 'rename' },
  { from: 'go.etcd.io/etcd/server/v3/mvcc/buckets', to: 'go.etcd.io/etcd/server/v3/storage/schema', module: 'go.etcd.io/etcd/server/v3', kind: 'api-change', note: 'content reorganized into storage/schema' },
  { from: 'go.etcd.io/etcd/server/v3/mvcc', to: 'go.etcd.io/etcd/server/v3/storage/mvcc', module: 'go.etcd.io/etcd/server/v3', kind: 'rename' },
  { from: 'go.etcd.io/etcd/server/v3/wal', to: 'go.etcd.io/etcd/server/v3/storage/wal', module: 'go.etcd.io/etcd/server/v3', kind: 'rename' },
  { from: 'go.etcd.io/etcd/server/v3/datadir', to: 'go.etcd.io/etcd/server/v3/storage/datadir', module: 'go.etcd.io/etcd/server/v3', kind: 'rename' },
  { from: 'go.etcd.io/etcd/server/v3/etcdserver/api/v2http/httptypes', kind: 'api-change', note: 'HTTPError moved to go.etcd.io/etcd/server/v3/etcdserver/api/etcdhttp/types; Member* types removed' },
  { from: 'go.etcd.io/etcd/server/v3/etcdserver/api/v2auth', kind: 'removed' },
  { from: 'go.etcd.io/etcd/server/v3/etcdserver/api/v2http', kind: 'removed' },
  { from: 'go.etcd.io/etcd/server/v3/etcdserver/api/v2v3', kind: 'removed' },
  { from: 'go.etcd.io/etcd/server/v3/proxy/httpproxy', kind: 'removed', note: 'the v2 HTTP proxy (--proxy* flags) was removed in 3.6' },
  { from: 'go.etcd.io/etcd/etcdctl/v3/ctlv2', kind: 'removed' },
  { from: 'go.etcd.io/etcd/pkg/v3/grpc_testing', to: 'go.etcd.io/etcd/pkg/v3/grpctesting', module: 'go.etcd.io/etcd/pkg/v3', kind: 'rename' },
];

/**
 * 3.6 → 3.7 (tree diff v3.6.14 → v3.7.1 of non-internal, non-test packages: only v2discovery disappears;
 * new: cache, server/etcdserver/read). client/v2 and v2discovery are gone; API protos are generated by protoc-gen-go (gogo
 * removed), so code using gogo-specific generated methods needs work (CHANGELOG-3.7 rc.0).
 */
export const MOVES_36_TO_37: readonly PackageMove[] = [
  { from: 'go.etcd.io/etcd/server/v3/etcdserver/api/v2discovery', kind: 'removed', note: 'removed in 3.7 (CHANGELOG-3.7)' },
];
