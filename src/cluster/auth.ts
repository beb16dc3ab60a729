/** Turning on auth for a fresh local cluster. */
import { writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ProblemError } from '../core/errors.js';
import type { LocalCluster } from './model.js';
import { atLeast } from './args.js';
import { httpRequest } from './http.js';

/** The gRPC-gateway prefix of a version: /v3beta in 3.3, /v3 since 3.4 (web: dev-guide/api_grpc_gateway.md). */
function gatewayPrefix(version: string): string {
  return atLeast(version, 3, 4) ? '/v3' : '/v3beta';
}

/**
 * Create user root (role root) with a random password and enable auth, through etcd's JSON gateway so
 * the password is never on a command line. These are writes: each is sent once; a failure fails `up`.
 */
export async function enableRootAuth(cluster: LocalCluster): Promise<void> {
  const password = randomBytes(18).toString('base64url');
  const passwordFile = join(cluster.dir, 'root.password');
  await writeFile(passwordFile, password + '\n', { mode: 0o600, flag: 'wx' });
  await chmod(passwordFile, 0o600);
  const m = cluster.members[0];
  const prefix = gatewayPrefix(m.version);
  const tls = cluster.tls ? { cacert: cluster.tls.caCert, cert: cluster.tls.clientCert, key: cluster.tls.clientKey } : undefined;
  const call = async (path: string, body: unknown, what: string): Promise<void> => {
    const res = await httpRequest(`${m.clientURL}${prefix}${path}`, { method: 'POST', body, timeoutMs: 10_000, ...(tls ? { tls } : {}) });
    if (res.status !== 200) {
      throw new ProblemError('auth-setup-failed', `enabling auth: ${what} failed: HTTP ${res.status} ${res.body.trim().slice(0, 300)}`);
    }
  };
  await call('/auth/role/add', { name: 'root' }, 'adding role root');
  await call('/auth/user/add', { name: 'root', password }, 'adding user root');
  await call('/auth/user/grant', { user: 'root', role: 'root' }, 'granting role root to user root');
  await call('/auth/enable', {}, 'auth enable');
  cluster.auth = { user: 'root', passwordFile };
}
