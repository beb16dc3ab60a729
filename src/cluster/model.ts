/**
 * A local cluster as data (`$UPSHIFT_HOME/clusters/NAME/cluster.json`). Member launch configuration
 * (binary version, flags, data dir) is kept as data so that later steps (upgrade, rollback, restore)
 * can restart a member with another binary without re-deriving its configuration.
 */

/** TLS files of one member (absolute paths). */
export interface MemberTlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
  peerCertFile: string;
  peerKeyFile: string;
}

/**
 * What a member is, independent of the etcd version that runs it. `memberArgs(spec, version)` turns it
 * into the command line of a given version (flag names differ between 3.3, 3.4 and 3.5+).
 */
export interface MemberSpec {
  name: string;
  host: string;
  clientPort: number;
  peerPort: number;
  /** Plain-http listener for /metrics and /health (etcd 3.3+), so scraping works even when the client port is TLS. */
  metricsPort: number;
  dataDir: string;
  /** `name=peerURL,...` of the members the cluster was bootstrapped with. */
  initialCluster: string;
  /** Ignored by etcd once the data dir holds a member (restart, restored snapshot). */
  initialClusterState: 'new' | 'existing';
  initialClusterToken: string;
  tls?: MemberTlsFiles;
  /** Flags appended verbatim for every version (e.g. `--snapshot-count=1000`). */
  extraArgs?: string[];
  /**
   * URLs the member advertises instead of the ones it listens on (`--advertise-client-urls`,
   * `--initial-advertise-peer-urls`, and its entry of `--initial-cluster`): a rehearsal puts a fault
   * proxy in front of every member, so clients and peers reach it only through the proxies.
   */
  advertise?: { clientURL: string; peerURL: string } | undefined;
}

export interface MemberLaunch {
  /** etcd --name */
  name: string;
  /** The etcd version whose binary runs this member (a key of $UPSHIFT_HOME/etcd/). */
  version: string;
  clientURL: string;
  peerURL: string;
  /** Separate metrics listener (http), when configured. */
  metricsURL?: string;
  dataDir: string;
  logFile: string;
  /** The version-independent description the args are generated from. */
  spec: MemberSpec;
  /**
   * The full etcd command line after the binary, as a list of `--flag=value` strings. Generated from
   * the member spec for the member's version (3.3 takes v2-era flags) and stored, so a restart with the
   * same configuration is exact.
   */
  args: string[];
  /** Extra environment (ETCD_* variables). Never secrets. */
  env?: Record<string, string>;
}

export interface MemberState extends MemberLaunch {
  /** PID of the running etcd, if started by upshift. */
  pid?: number;
  /** When the current process was started (ISO time). */
  startedAt?: string;
  /** etcd's member id (hex), once known. */
  memberId?: string;
}

export interface ClusterTls {
  caCert: string;
  /** Client certificate and key for tools (etcdctl --cert/--key). */
  clientCert: string;
  clientKey: string;
  /** Server/peer certificates are per member, under the cluster dir. */
  dir: string;
}

export interface ClusterAuth {
  user: string;
  /** File holding the password (mode 0600). The password itself is never in cluster.json. */
  passwordFile: string;
}

export interface LocalCluster {
  name: string;
  /** The version the cluster was created with (members may differ during an upgrade). */
  version: string;
  dir: string;
  createdAt: string;
  token: string;
  tls?: ClusterTls;
  auth?: ClusterAuth;
  members: MemberState[];
}

/** How to reach a cluster: etcdctl's connection settings. `password` is read from the 0600 file on demand. */
export interface ClusterConnection {
  endpoints: string[];
  cacert?: string;
  cert?: string;
  key?: string;
  user?: string;
  password?: string;
}
