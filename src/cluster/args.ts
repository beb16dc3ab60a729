/**
 * The etcd command line of a member for a given etcd version (pure). Flag sets were checked against
 * `etcd --help` of 3.3.25, 3.4.23, 3.5.16 and 3.5.30:
 * - 3.3 has no `--logger` (capnslog only) and logs to stderr by default.
 * - 3.4 defaults to capnslog; `--logger=zap --log-outputs=stderr` gives the structured logs 3.5 has.
 * - 3.5 removed `--logger=capnslog` (etcd@v3.5.33:server/embed/config_logging.go:48) and defaults to zap.
 * - `--listen-metrics-urls` exists since 3.3 (CHANGELOG-3.3) and serves /metrics and /health over plain http.
 */
import type { MemberSpec } from './model.js';

export interface ParsedVersion {
  major: number;
  minor: number;
  patch: number;
}

export function parseEtcdVersion(version: string): ParsedVersion {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) throw new Error(`not an etcd version: "${version}"`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/** True when `version` is at least major.minor. */
export function atLeast(version: string, major: number, minor: number): boolean {
  const v = parseEtcdVersion(version);
  return v.major > major || (v.major === major && v.minor >= minor);
}

export function clientURL(spec: Pick<MemberSpec, 'host' | 'clientPort' | 'tls'>): string {
  return `${spec.tls ? 'https' : 'http'}://${spec.host}:${spec.clientPort}`;
}

export function peerURL(spec: Pick<MemberSpec, 'host' | 'peerPort' | 'tls'>): string {
  return `${spec.tls ? 'https' : 'http'}://${spec.host}:${spec.peerPort}`;
}

export function metricsURL(spec: Pick<MemberSpec, 'host' | 'metricsPort'>): string {
  return `http://${spec.host}:${spec.metricsPort}`;
}

/** The etcd arguments (after the binary) that run `spec` with etcd `version`. */
export function memberArgs(spec: MemberSpec, version: string): string[] {
  if (!atLeast(version, 3, 3)) throw new Error(`etcd ${version} is not supported (3.3 or newer is needed)`);
  const c = clientURL(spec);
  const p = peerURL(spec);
  const args = [
    `--name=${spec.name}`,
    `--data-dir=${spec.dataDir}`,
    `--listen-client-urls=${c}`,
    `--advertise-client-urls=${spec.advertise?.clientURL ?? c}`,
    `--listen-peer-urls=${p}`,
    `--initial-advertise-peer-urls=${spec.advertise?.peerURL ?? p}`,
    `--listen-metrics-urls=${metricsURL(spec)}`,
    `--initial-cluster=${spec.initialCluster}`,
    `--initial-cluster-state=${spec.initialClusterState}`,
    `--initial-cluster-token=${spec.initialClusterToken}`,
  ];
  if (atLeast(version, 3, 4)) args.push('--logger=zap', '--log-outputs=stderr');
  if (spec.tls) {
    const t = spec.tls;
    args.push(
      `--cert-file=${t.certFile}`,
      `--key-file=${t.keyFile}`,
      `--trusted-ca-file=${t.caFile}`,
      '--client-cert-auth=true',
      `--peer-cert-file=${t.peerCertFile}`,
      `--peer-key-file=${t.peerKeyFile}`,
      `--peer-trusted-ca-file=${t.caFile}`,
      '--peer-client-cert-auth=true',
    );
  }
  if (spec.extraArgs) args.push(...spec.extraArgs);
  return args;
}

/** The value of `--flag=value` in an argument list (last one wins, as in etcd's flag parsing). */
export function argValue(args: readonly string[], flag: string): string | undefined {
  let v: string | undefined;
  for (const a of args) if (a.startsWith(`--${flag}=`)) v = a.slice(flag.length + 3);
  return v;
}
