import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConnection, parseEndpoints, splitUser } from './connection.js';
import { UsageError } from '../core/errors.js';

let dir: string;
let pem: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'upshift-conn-'));
  pem = join(dir, 'ca.pem');
  writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const usage = (fn: () => unknown, re: RegExp): void => {
  assert.throws(fn, (e: unknown) => e instanceof UsageError && e.exitCode === 2 && re.test(e.message));
};

test('defaults: etcdctl default endpoint and timeouts', () => {
  const c = resolveConnection({ dialTimeout: '2s', commandTimeout: '5s' }, {}, dir);
  assert.deepEqual(c.endpoints, ['http://127.0.0.1:2379']);
  assert.equal(c.dialTimeoutMs, 2000);
  assert.equal(c.commandTimeoutMs, 5000);
  assert.equal(c.tls, undefined);
  assert.equal(c.auth, undefined);
});

test('flags win over env; env fills what flags leave out', () => {
  const env = { ETCDCTL_ENDPOINTS: 'http://10.0.0.1:2379', ETCDCTL_USER: 'alice:envpw', ETCDCTL_DIAL_TIMEOUT: '7s', ETCDCTL_COMMAND_TIMEOUT: '9s' };
  const fromEnv = resolveConnection({ dialTimeout: '2s', commandTimeout: '5s' }, env, dir);
  assert.deepEqual(fromEnv.endpoints, ['http://10.0.0.1:2379']);
  assert.deepEqual(fromEnv.auth, { user: 'alice', password: 'envpw' });
  assert.equal(fromEnv.dialTimeoutMs, 7000);
  assert.equal(fromEnv.commandTimeoutMs, 9000);
  const fromFlags = resolveConnection({ endpoints: 'http://10.0.0.2:2379,10.0.0.3:2379', user: 'bob', password: 'pw', dialTimeout: '3s', commandTimeout: '500ms' }, env, dir);
  assert.deepEqual(fromFlags.endpoints, ['http://10.0.0.2:2379', 'http://10.0.0.3:2379']);
  assert.deepEqual(fromFlags.auth, { user: 'bob', password: 'pw' });
  assert.equal(fromFlags.dialTimeoutMs, 3000);
  assert.equal(fromFlags.commandTimeoutMs, 500);
});

test('ETCDCTL_PASSWORD completes --user NAME', () => {
  const c = resolveConnection({ user: 'root' }, { ETCDCTL_PASSWORD: 'secret' }, dir);
  assert.deepEqual(c.auth, { user: 'root', password: 'secret' });
});

test('--user name:password splits at the first colon', () => {
  assert.deepEqual(splitUser('root:pa:ss'), { user: 'root', password: 'pa:ss' });
  assert.deepEqual(splitUser('root'), { user: 'root' });
});

test('TLS: files read, bare host:port becomes https, env cacert', () => {
  const c = resolveConnection({ endpoints: '127.0.0.1:2379', cacert: pem }, {}, dir);
  assert.deepEqual(c.endpoints, ['https://127.0.0.1:2379']);
  assert.ok(c.tls?.ca?.toString().includes('BEGIN CERTIFICATE'));
  assert.equal(c.tls?.insecureSkipVerify, false);
  const e = resolveConnection({ endpoints: 'https://h:2379' }, { ETCDCTL_CACERT: pem, ETCDCTL_INSECURE_SKIP_TLS_VERIFY: 'true' }, dir);
  assert.equal(e.tls?.files.ca, pem);
  assert.equal(e.tls?.insecureSkipVerify, true);
});

test('bad inputs are usage errors naming the flag', () => {
  usage(() => resolveConnection({ endpoints: 'ftp://x:1' }, {}, dir), /--endpoints.*ftp/);
  usage(() => resolveConnection({ endpoints: 'http://[bad' }, {}, dir), /--endpoints.*not a URL/);
  usage(() => resolveConnection({ endpoints: 'http://a:1,https://b:2' }, {}, dir), /--endpoints: endpoints mix http and https/);
  usage(() => resolveConnection({}, { ETCDCTL_ENDPOINTS: 'http://a:1/path' }, dir), /ETCDCTL_ENDPOINTS/);
  usage(() => resolveConnection({ endpoints: 'https://a:1', cacert: join(dir, 'missing.pem') }, {}, dir), /--cacert: file not found/);
  usage(() => resolveConnection({ endpoints: 'https://a:1', cert: pem }, {}, dir), /--cert given without --key/);
  usage(() => resolveConnection({ endpoints: 'https://a:1' }, { ETCDCTL_KEY: pem, ETCDCTL_CERT: join(dir, 'nope') }, dir), /ETCDCTL_CERT: file not found/);
  usage(() => resolveConnection({ user: 'root' }, {}, dir), /--user: no password/);
  usage(() => resolveConnection({ user: 'root:a', password: 'b' }, {}, dir), /both give a password/);
  usage(() => resolveConnection({ password: 'b' }, {}, dir), /--password given without --user/);
  usage(() => resolveConnection({ dialTimeout: 'soon' }, {}, dir), /--dial-timeout/);
  usage(() => resolveConnection({ commandTimeout: '0s' }, {}, dir), /--command-timeout: must be positive/);
  usage(() => resolveConnection({ cluster: 'nope' }, {}, dir), /--cluster: no local cluster named "nope"/);
  usage(() => resolveConnection({ cluster: 'x', endpoints: 'http://a:1' }, {}, dir), /--cluster and --endpoints/);
});

test('--cluster reads cluster.json, the CA/client cert and the password file', () => {
  const cdir = join(dir, 'clusters', 'c1');
  mkdirSync(cdir, { recursive: true });
  const pw = join(cdir, 'root.password');
  writeFileSync(pw, 's3cret\n', { mode: 0o600 });
  writeFileSync(
    join(cdir, 'cluster.json'),
    JSON.stringify({
      name: 'c1',
      version: '3.5.30',
      dir: cdir,
      createdAt: '',
      token: 't',
      tls: { caCert: pem, clientCert: pem, clientKey: pem, dir: cdir },
      auth: { user: 'root', passwordFile: pw },
      members: [{ name: 'm1', version: '3.5.30', clientURL: 'https://127.0.0.1:1', peerURL: 'https://127.0.0.1:2', dataDir: '', logFile: '', args: [] }],
    }),
  );
  const c = resolveConnection({ cluster: 'c1', dialTimeout: '2s', commandTimeout: '5s' }, { ETCDCTL_ENDPOINTS: 'http://ignored:1' }, dir);
  assert.deepEqual(c.endpoints, ['https://127.0.0.1:1']);
  assert.deepEqual(c.auth, { user: 'root', password: 's3cret' });
  assert.equal(c.clusterName, 'c1');
  assert.equal(c.tls?.files.cert, pem);
});
