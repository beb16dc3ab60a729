/**
 * Certificates for a local TLS cluster, made with the openssl CLI: node's crypto can generate keys
 * but has no API to issue X.509 certificates, and openssl is on every Debian machine. One CA per
 * cluster; per member a server cert (client port) and a peer cert (peer port), both with
 * SAN 127.0.0.1 + localhost and serverAuth+clientAuth (peers are clients of each other); one
 * client cert for tools. Private keys are 0600 in a 0700 directory.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmod, mkdir, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { EnvironmentError } from '../core/errors.js';
import type { ClusterTls, MemberTlsFiles } from './model.js';

const run = promisify(execFile);
const DEADLINE_MS = 30_000;

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd, timeout: DEADLINE_MS });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') {
      throw new EnvironmentError('openssl-missing', '--tls needs the openssl command, which is not on PATH', {
        hint: 'install it (Debian/Ubuntu: apt-get install openssl) or create the cluster without --tls',
      });
    }
    throw new EnvironmentError('openssl-failed', `openssl ${args[0]} failed: ${(err.stderr ?? err.message).trim()}`, { cause: e });
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function issue(dir: string, base: string, cn: string, ext: string): Promise<{ cert: string; key: string }> {
  const key = join(dir, `${base}.key`);
  const csr = join(dir, `${base}.csr`);
  const cert = join(dir, `${base}.crt`);
  const extFile = join(dir, `${base}.ext`);
  await writeFile(extFile, ext);
  await openssl(['req', '-new', ...EC, '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`], dir);
  await chmod(key, 0o600);
  await openssl(
    ['x509', '-req', '-in', csr, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '3650', '-sha256', '-out', cert, '-extfile', extFile],
    dir,
  );
  await rm(csr, { force: true });
  await rm(extFile, { force: true });
  return { cert, key };
}

const leafExt =
  'basicConstraints=critical,CA:FALSE\n' +
  'keyUsage=critical,digitalSignature,keyEncipherment\n' +
  'extendedKeyUsage=serverAuth,clientAuth\n' +
  'subjectAltName=IP:127.0.0.1,DNS:localhost\n';

const clientExt = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n';

export interface GeneratedTls {
  cluster: ClusterTls;
  members: Record<string, MemberTlsFiles>;
}

/** Make a CA, per-member server and peer certs, and a client cert under `dir`. */
export async function generateClusterTls(dir: string, clusterName: string, memberNames: string[]): Promise<GeneratedTls> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  await openssl(
    [
      'req', '-x509', '-new', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650', '-sha256',
      '-subj', `/CN=upshift local CA (${clusterName})`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  await chmod(join(dir, 'ca.key'), 0o600);
  const caFile = join(dir, 'ca.crt');
  const members: Record<string, MemberTlsFiles> = {};
  for (const m of memberNames) {
    const server = await issue(dir, `${m}-server`, `${m}`, leafExt);
    const peer = await issue(dir, `${m}-peer`, `${m}`, leafExt);
    members[m] = { caFile, certFile: server.cert, keyFile: server.key, peerCertFile: peer.cert, peerKeyFile: peer.key };
  }
  // The client cert's CN is deliberately not a user name: with --client-cert-auth etcd would otherwise
  // authenticate the CN as that user without a password.
  const client = await issue(dir, 'client', 'upshift-client', clientExt);
  return { cluster: { caCert: caFile, clientCert: client.cert, clientKey: client.key, dir }, members };
}
