/**
 * Connection settings from etcdctl's flags and environment variables (SPEC "Conventions"), or from a local
 * cluster's cluster.json (`--cluster NAME`). Flags win over the environment. Everything is validated here so
 * that a bad input fails with exit 2 naming the flag, before any network call.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { UsageError, EnvironmentError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { homePaths } from '../core/home.js';
import type { ConnectionFlags } from '../cli/common.js';
import type { LocalCluster } from '../cluster/model.js';

export type { ConnectionFlags };

export interface TlsConfig {
  /** PEM bytes; absent = the system's roots. */
  ca?: Buffer | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  /** Accept any server certificate (etcdctl --insecure-skip-tls-verify). */
  insecureSkipVerify: boolean;
  /** File paths, for messages and for handing to etcdctl (`cluster env`). */
  files: { ca?: string | undefined; cert?: string | undefined; key?: string | undefined };
}

/** Options for node's https/http2/tls clients from a TlsConfig (skip-verify also skips the host-name check, as etcdctl). */
export function nodeTlsOptions(tls: TlsConfig | undefined): Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'checkServerIdentity'> {
  return {
    ca: tls?.ca,
    cert: tls?.cert,
    key: tls?.key,
    rejectUnauthorized: !(tls?.insecureSkipVerify ?? false),
    ...(tls?.insecureSkipVerify ? { checkServerIdentity: () => undefined } : {}),
  };
}

export interface AuthConfig {
  user: string;
  /** Never logged or printed: `describeConnection` leaves it out. */
  password: string;
}

export interface ConnectionConfig {
  /** Normalised client URLs (`http(s)://host:port`), all with the same scheme. */
  endpoints: string[];
  tls?: TlsConfig | undefined;
  auth?: AuthConfig | undefined;
  dialTimeoutMs: number;
  commandTimeoutMs: number;
  /** Set when the settings came from `--cluster NAME`. */
  clusterName?: string | undefined;
}

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:2379';
export const DEFAULT_DIAL_TIMEOUT = '2s';
export const DEFAULT_COMMAND_TIMEOUT = '5s';

/** A loggable description without secrets. */
export function describeConnection(c: ConnectionConfig): Record<string, unknown> {
  return {
    endpoints: c.endpoints,
    tls: c.tls ? { ...c.tls.files, insecureSkipVerify: c.tls.insecureSkipVerify } : undefined,
    user: c.auth?.user,
    dialTimeoutMs: c.dialTimeoutMs,
    commandTimeoutMs: c.commandTimeoutMs,
    cluster: c.clusterName,
  };
}

/**
 * Parse `--endpoints` into normalised URLs. Like etcdctl, a bare `host:port` is accepted; it gets `https://`
 * when TLS material was given and `http://` otherwise.
 */
export function parseEndpoints(value: string, what: string, tlsHinted: boolean): string[] {
  const parts = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length === 0) throw new UsageError(`${what}: no endpoint given`, { hint: 'write e.g. --endpoints http://127.0.0.1:2379' });
  const out: string[] = [];
  for (const raw of parts) {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `${tlsHinted ? 'https' : 'http'}://${raw}`;
    let u: URL;
    try {
      u = new URL(withScheme);
    } catch {
      throw new UsageError(`${what}: "${raw}" is not a URL`, { hint: 'write it like http://127.0.0.1:2379 or https://etcd-1:2379' });
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new UsageError(`${what}: "${raw}" has scheme ${u.protocol.replace(':', '')}; only http and https are supported`, { hint: 'write it like http://127.0.0.1:2379' });
    }
    if (!u.hostname) throw new UsageError(`${what}: "${raw}" has no host`, { hint: 'write it like http://127.0.0.1:2379' });
    if ((u.pathname && u.pathname !== '/') || u.search || u.username) {
      throw new UsageError(`${what}: "${raw}" must be scheme://host:port only`, { hint: 'drop the path, query and credentials from the URL' });
    }
    const port = u.port || '2379';
    out.push(`${u.protocol}//${u.hostname.includes(':') && !u.hostname.startsWith('[') ? `[${u.hostname}]` : u.hostname}:${port}`);
  }
  const schemes = new Set(out.map((e) => new URL(e).protocol));
  if (schemes.size > 1) {
    throw new UsageError(`${what}: endpoints mix http and https (${out.join(', ')})`, { hint: 'use one scheme for all endpoints, as etcd clients require' });
  }
  return out;
}

/** `--user name[:password]` as etcdctl splits it (at the first colon). */
export function splitUser(value: string): { user: string; password?: string } {
  const i = value.indexOf(':');
  if (i < 0) return { user: value };
  return { user: value.slice(0, i), password: value.slice(i + 1) };
}

function readPem(file: string | undefined, flag: string): Buffer | undefined {
  if (file === undefined || file === '') return undefined;
  if (!existsSync(file)) throw new UsageError(`${flag}: file not found: ${file}`, { hint: `pass an existing PEM file to ${flag}` });
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${file}: ${(e as Error).message}`, { hint: `check the permissions of ${file}` });
  }
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}

/** A timeout flag: the flag if it differs from commander's default, else the env var, else the default. */
function timeout(flag: string | undefined, def: string, envValue: string | undefined, name: string): number {
  // Commander always fills the default, so a flag equal to it is treated as "not given" and the env var may
  // override it (etcdctl behaves the same for ETCDCTL_DIAL_TIMEOUT). Passing the default explicitly while the
  // env var is set is the one case this cannot tell apart.
  const chosen = flag !== undefined && flag !== def ? flag : envValue ?? flag ?? def;
  const ms = parseDuration(chosen, name);
  if (ms <= 0) throw new UsageError(`${name}: must be positive, got "${chosen}"`, { hint: 'write e.g. 5s' });
  return ms;
}

/** Read `$UPSHIFT_HOME/clusters/NAME/cluster.json` (the cluster layer owns the format: src/cluster/model.ts). */
export function readLocalCluster(home: string, name: string): LocalCluster {
  const file = join(homePaths.clusterDir(home, name), 'cluster.json');
  if (!existsSync(file)) {
    throw new UsageError(`--cluster: no local cluster named "${name}" (${file} does not exist)`, { hint: 'list local clusters with `upshift cluster ls`' });
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalCluster;
  } catch (e) {
    throw new EnvironmentError('cluster-file-unreadable', `--cluster: cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** Connection settings of a local cluster: its members' client URLs, its CA and client cert, its root user. */
export function clusterToConnection(cluster: LocalCluster): Pick<ConnectionConfig, 'endpoints' | 'tls' | 'auth' | 'clusterName'> {
  const endpoints = cluster.members.map((m) => m.clientURL);
  const tls: TlsConfig | undefined = cluster.tls
    ? {
        ca: readPem(cluster.tls.caCert, '--cluster (tls.caCert)'),
        cert: readPem(cluster.tls.clientCert, '--cluster (tls.clientCert)'),
        key: readPem(cluster.tls.clientKey, '--cluster (tls.clientKey)'),
        insecureSkipVerify: false,
        files: { ca: cluster.tls.caCert, cert: cluster.tls.clientCert, key: cluster.tls.clientKey },
      }
    : undefined;
  let auth: AuthConfig | undefined;
  if (cluster.auth) {
    let password: string;
    try {
      password = readFileSync(cluster.auth.passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new EnvironmentError('cluster-password-unreadable', `--cluster: cannot read the password file ${cluster.auth.passwordFile}: ${(e as Error).message}`, { cause: e });
    }
    auth = { user: cluster.auth.user, password };
  }
  return { endpoints, tls, auth, clusterName: cluster.name };
}

/**
 * Resolve connection settings: `--cluster` or flags, flags over ETCDCTL_* env vars, files read and checked.
 * Throws UsageError (exit 2) naming the flag for every bad input.
 */
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv, home: string): ConnectionConfig {
  const dialTimeoutMs = timeout(flags.dialTimeout, DEFAULT_DIAL_TIMEOUT, env.ETCDCTL_DIAL_TIMEOUT, '--dial-timeout');
  const commandTimeoutMs = timeout(flags.commandTimeout, DEFAULT_COMMAND_TIMEOUT, env.ETCDCTL_COMMAND_TIMEOUT, '--command-timeout');

  if (flags.cluster !== undefined) {
    if (flags.endpoints !== undefined) throw new UsageError('--cluster and --endpoints both given', { hint: 'use --cluster NAME for a local cluster, or --endpoints with TLS/auth flags, not both' });
    if (!/^[a-z0-9][a-z0-9_-]{0,39}$/i.test(flags.cluster)) throw new UsageError(`--cluster: "${flags.cluster}" is not a cluster name`, { hint: 'names are letters, digits, - and _' });
    const fromCluster = clusterToConnection(readLocalCluster(home, flags.cluster));
    // Explicit auth flags still win (e.g. to check what a non-root user sees).
    const explicit = authFrom(flags, {});
    return { ...fromCluster, auth: explicit ?? fromCluster.auth, dialTimeoutMs, commandTimeoutMs };
  }

  const caFile = flags.cacert ?? env.ETCDCTL_CACERT;
  const certFile = flags.cert ?? env.ETCDCTL_CERT;
  const keyFile = flags.key ?? env.ETCDCTL_KEY;
  const caFlag = flags.cacert !== undefined ? '--cacert' : 'ETCDCTL_CACERT';
  const certFlag = flags.cert !== undefined ? '--cert' : 'ETCDCTL_CERT';
  const keyFlag = flags.key !== undefined ? '--key' : 'ETCDCTL_KEY';
  const insecureSkipVerify = flags.insecureSkipTlsVerify === true || truthy(env.ETCDCTL_INSECURE_SKIP_TLS_VERIFY);
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new UsageError(certFile === undefined ? `${keyFlag} given without --cert` : `${certFlag} given without --key`, { hint: 'a client certificate needs both --cert and --key' });
  }
  const tlsHinted = caFile !== undefined || certFile !== undefined || insecureSkipVerify;
  const endpointsValue = flags.endpoints ?? env.ETCDCTL_ENDPOINTS ?? DEFAULT_ENDPOINT;
  const endpoints = parseEndpoints(endpointsValue, flags.endpoints !== undefined ? '--endpoints' : env.ETCDCTL_ENDPOINTS !== undefined ? 'ETCDCTL_ENDPOINTS' : '--endpoints', tlsHinted);
  const https = endpoints[0]!.startsWith('https:');

  let tls: TlsConfig | undefined;
  const ca = readPem(caFile, caFlag);
  const cert = readPem(certFile, certFlag);
  const key = readPem(keyFile, keyFlag);
  if (https) tls = { ca, cert, key, insecureSkipVerify, files: { ca: caFile, cert: certFile, key: keyFile } };

  return { endpoints, tls, auth: authFrom(flags, env), dialTimeoutMs, commandTimeoutMs };
}

function authFrom(flags: ConnectionFlags, env: NodeJS.ProcessEnv): AuthConfig | undefined {
  const userValue = flags.user ?? env.ETCDCTL_USER;
  const userFlag = flags.user !== undefined ? '--user' : 'ETCDCTL_USER';
  if (userValue === undefined) {
    if (flags.password !== undefined) throw new UsageError('--password given without --user', { hint: 'add --user NAME' });
    return undefined;
  }
  const { user, password: inline } = splitUser(userValue);
  if (user === '') throw new UsageError(`${userFlag}: empty user name`, { hint: 'write --user NAME or --user NAME:PASSWORD' });
  if (inline !== undefined && flags.password !== undefined) {
    throw new UsageError('--user NAME:PASSWORD and --password both give a password', { hint: 'give the password once' });
  }
  const password = inline ?? flags.password ?? env.ETCDCTL_PASSWORD;
  if (password === undefined) {
    throw new UsageError(`${userFlag}: no password for user "${user}"`, { hint: 'add --password, write --user NAME:PASSWORD, or set ETCDCTL_PASSWORD' });
  }
  return { user, password };
}
