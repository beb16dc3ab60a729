/**
 * A local cluster as data (`$UPSHIFT_HOME/clusters/NAME/cluster.json`). Member launch configuration
 * (binary version, flags, data dir) is kept as data so that later steps (upgrade, rollback, restore)
 * can restart a member with another binary without re-deriving its configuration.
 */

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
