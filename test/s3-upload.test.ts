/**
 * StreamingUpload against a real S3-compatible server (moto, test/support/s3.ts), without etcd: the part
 * size follows the expected size, `end()` sends the last part and lets go of the part buffers (also when
 * bytes were held back while every buffer was in flight), and the completed object holds exactly the bytes
 * pushed (checked by ETag on the way and by reading it back here). Then the store over HTTPS with a
 * self-signed CA (made here with openssl): `--s3-ca-bundle` makes it trusted, without it the TLS error is
 * named; and SSE-KMS with a key id: the headers sent (captured in the SDK's middleware) and what the store
 * reports back. moto does not encrypt with KMS, it records the headers: that the key is used is S3's part.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { motoAvailable, startTestS3, type TestS3 } from './support/s3.js';
import { runCliInProcess } from './support/cli.js';
import { ObjectStore } from '../src/s3/store.js';
import { StreamingUpload } from '../src/s3/upload.js';
import { resolveS3Settings } from '../src/s3/options.js';

const skip = motoAvailable() ? false : 'moto_server is not installed (pip install "moto[server]")';
const BUCKET = 'uploads';
const MiB = 2 ** 20;

/** White-box view of what the upload holds. */
interface Held {
  partSize: number;
  free: Buffer[];
  current: Buffer | undefined;
}

describe('StreamingUpload', { skip }, () => {
  let s3: TestS3;
  let store: ObjectStore;
  before(async () => {
    s3 = await startTestS3();
    await s3.createBucket(BUCKET);
    store = new ObjectStore(resolveS3Settings({}, s3.env));
  });
  after(async () => {
    store?.client.destroy();
    await s3?.stop();
  });

  async function stored(key: string): Promise<Buffer> {
    const r = await store.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from(await r.Body!.transformToByteArray());
  }

  /** Push `data` in 64 KiB chunks; with `respectDrain` wait for onDrain whenever push says so. */
  async function pushAll(u: StreamingUpload, data: Buffer, respectDrain: boolean): Promise<void> {
    for (let at = 0; at < data.length; at += 64 << 10) {
      if (!u.push(data.subarray(at, at + (64 << 10))) && respectDrain) await new Promise<void>((r) => (u.onDrain = r));
    }
  }

  for (const respectDrain of [true, false]) {
    test(`multipart, ${respectDrain ? 'paced by onDrain' : 'bytes held while every part is in flight'}: end() sends the last part and drops the buffers`, async () => {
      const data = randomBytes(17 * MiB + 12345);
      const key = `multi-${respectDrain}.db`;
      const u = new StreamingUpload(store, BUCKET, key, new Date());
      u.expect(data.length);
      await pushAll(u, data, respectDrain);
      const held = u as unknown as Held;
      assert.equal(held.partSize, 5 * MiB, 'S3 minimum part size for a small expected size');
      await u.end();
      assert.equal(held.free.length, 0, 'no spare part buffer after end()');
      assert.equal(held.current, undefined, 'no current part buffer after end()');
      const out = await u.finish(createHash('sha256').update(data).digest('hex'));
      assert.equal(out.size, data.length);
      assert.equal(out.verifiedBy, 'etag');
      assert.match(out.etag ?? '', /-4$/, '4 parts: three of 5 MiB and the rest');
      assert.ok((await stored(key)).equals(data), 'the object holds exactly the bytes pushed');
    });
  }

  test('smaller than one part: a single PUT in finish(), after end()', async () => {
    const data = randomBytes(MiB + 7);
    const u = new StreamingUpload(store, BUCKET, 'single.db', new Date());
    u.expect(data.length);
    await pushAll(u, data, true);
    await u.end();
    const out = await u.finish(createHash('sha256').update(data).digest('hex'));
    assert.equal(out.size, data.length);
    assert.doesNotMatch(out.etag ?? '', /-/, 'not a multipart upload');
    assert.ok((await stored('single.db')).equals(data));
  });
});

/** A CA and a server certificate for 127.0.0.1 signed by it, in `dir`. */
function makeCa(dir: string): { caFile: string; certFile: string; keyFile: string } {
  const f = (n: string): string => join(dir, n);
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=upshift test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n');
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '2', '-extfile', f('ext.cnf'));
  return { caFile: f('ca.pem'), certFile: f('server.pem'), keyFile: f('server.key') };
}

describe('a store over HTTPS with a private CA; SSE-KMS', { skip }, () => {
  let s3: TestS3;
  let dir: string;
  let caFile: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'upshift-s3-tls-'));
    const made = makeCa(dir);
    caFile = made.caFile;
    s3 = await startTestS3({ tls: { certFile: made.certFile, keyFile: made.keyFile, ca: readFileSync(caFile, 'utf8') } });
    await s3.createBucket(BUCKET);
  });
  after(async () => {
    await s3?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('--s3-ca-bundle trusts the store; without it the TLS failure is named (exit 3)', async () => {
    assert.match(s3.endpoint, /^https:/);
    const env: NodeJS.ProcessEnv = { ...process.env, ...s3.env, UPSHIFT_HOME: dir };
    delete env.AWS_CA_BUNDLE;
    delete env.NODE_EXTRA_CA_CERTS;
    const ok = await runCliInProcess(['backup', 'ls', '--dir', `s3://${BUCKET}/`, '--s3-ca-bundle', caFile, '-o', 'json'], env);
    assert.equal(ok.code, 0, ok.stderr);
    const viaEnv = await runCliInProcess(['backup', 'ls', '--dir', `s3://${BUCKET}/`, '-o', 'json'], { ...env, AWS_CA_BUNDLE: caFile });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    const untrusted = await runCliInProcess(['backup', 'ls', '--dir', `s3://${BUCKET}/`, '-o', 'json'], env);
    assert.equal(untrusted.code, 3, untrusted.stderr);
    assert.match(untrusted.stderr, /TLS failed/);
    assert.match(untrusted.stderr, /--s3-ca-bundle/);
  });

  test('SSE-KMS with a key id: sent with the multipart upload and with a single PUT, reported back by the store', async () => {
    const keyId = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const store = new ObjectStore(resolveS3Settings({ s3CaBundle: caFile, s3Sse: 'aws:kms', s3SseKmsKeyId: keyId }, s3.env));
    const sent: { op: string; headers: Record<string, string> }[] = [];
    store.client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push({ op: context.commandName ?? '', headers: { ...(args.request as { headers: Record<string, string> }).headers } });
        return next(args);
      },
      { step: 'finalizeRequest', name: 'captureHeaders' },
    );
    try {
      for (const [key, size] of [
        ['kms-multi.db', 6 * MiB],
        ['kms-single.db', 1000],
      ] as const) {
        const data = randomBytes(size);
        const u = new StreamingUpload(store, BUCKET, key, new Date());
        u.expect(size);
        u.push(data);
        await u.end();
        const out = await u.finish(createHash('sha256').update(data).digest('hex'));
        assert.equal(out.size, size);
        const head = await store.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
        assert.equal(head.ServerSideEncryption, 'aws:kms', key);
        assert.equal(head.SSEKMSKeyId, keyId, key);
      }
      const writes = sent.filter((r) => r.op === 'CreateMultipartUploadCommand' || r.op === 'PutObjectCommand');
      assert.deepEqual(writes.map((r) => r.op), ['CreateMultipartUploadCommand', 'PutObjectCommand']);
      for (const w of writes) {
        assert.equal(w.headers['x-amz-server-side-encryption'], 'aws:kms', w.op);
        assert.equal(w.headers['x-amz-server-side-encryption-aws-kms-key-id'], keyId, w.op);
      }
    } finally {
      store.client.destroy();
    }
  });
});
