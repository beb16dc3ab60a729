import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeS3Settings, partSizeFor, resolveS3Settings } from './options.js';

test('defaults: AWS endpoint, virtual-hosted style, checksums only when required', () => {
  const s = resolveS3Settings({}, {});
  assert.equal(s.endpoint, undefined);
  assert.equal(s.region, undefined);
  assert.equal(s.forcePathStyle, false);
  assert.equal(s.checksum, 'when-required');
  assert.equal(s.partSizeBytes, undefined, 'chosen per upload from the db size');
  assert.equal(s.credentials, undefined);
});

test('a custom endpoint defaults to path style and us-east-1; flags beat the environment', () => {
  const env = { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000', AWS_REGION: 'eu-west-1' };
  assert.equal(resolveS3Settings({}, env).forcePathStyle, true);
  assert.equal(resolveS3Settings({}, env).region, 'eu-west-1');
  assert.equal(resolveS3Settings({ s3Endpoint: 'https://s3.example' }, {}).region, 'us-east-1');
  assert.equal(resolveS3Settings({ s3Endpoint: 'https://s3.example', s3AddressingStyle: 'virtual' }, {}).forcePathStyle, false);
  assert.equal(resolveS3Settings({ s3Region: 'ap-south-1' }, env).region, 'ap-south-1');
});

test('checksum mode: flag, then the SDK variable', () => {
  assert.equal(resolveS3Settings({}, { AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_SUPPORTED' }).checksum, 'when-supported');
  assert.equal(resolveS3Settings({ s3Checksum: 'when-required' }, { AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_SUPPORTED' }).checksum, 'when-required');
  assert.throws(() => resolveS3Settings({ s3Checksum: 'crc32' }, {}), /--s3-checksum/);
});

test('encryption, storage class, object lock', () => {
  assert.deepEqual(resolveS3Settings({ s3Sse: 'AES256' }, {}).sse, { mode: 'AES256' });
  assert.deepEqual(resolveS3Settings({ s3Sse: 'aws:kms', s3SseKmsKeyId: 'alias/k' }, {}).sse, { mode: 'aws:kms', kmsKeyId: 'alias/k' });
  assert.deepEqual(resolveS3Settings({ s3SseKmsKeyId: 'alias/k' }, {}).sse, { mode: 'aws:kms', kmsKeyId: 'alias/k' });
  assert.equal(resolveS3Settings({ s3StorageClass: 'standard_ia' }, {}).storageClass, 'STANDARD_IA');
  assert.deepEqual(resolveS3Settings({ s3ObjectLockMode: 'compliance', s3ObjectLockRetain: '7d' }, {}).objectLock, { mode: 'COMPLIANCE', retainMs: 7 * 86_400_000 });
  for (const bad of [{ s3Sse: 'rot13' }, { s3StorageClass: 'COLD' }, { s3ObjectLockMode: 'GOVERNANCE' }, { s3ObjectLockRetain: '1h' }, { s3PartSize: '4' }, { s3Endpoint: 'ftp://x' }, { s3Endpoint: 'http://k:s@x' }, { s3Verify: 'never' }]) {
    assert.throws(() => resolveS3Settings(bad, {}), (e: Error & { exitCode?: number }) => e.exitCode === 2, JSON.stringify(bad));
  }
});

test('credentials come from the environment only and are never described', () => {
  const s = resolveS3Settings({}, { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 's3cr3t-value', AWS_SESSION_TOKEN: 'tok-value' });
  assert.deepEqual(s.credentials, { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's3cr3t-value', sessionToken: 'tok-value' });
  const d = JSON.stringify(describeS3Settings(s));
  assert.ok(!d.includes('s3cr3t') && !d.includes('tok-value') && !d.includes('AKIAEXAMPLE'), d);
});

test("part size: S3's 5 MiB minimum until twice the expected size needs more than 10,000 parts", () => {
  const MiB = 2 ** 20;
  const GiB = 2 ** 30;
  for (const [expected, part] of [
    [undefined, 8 * MiB],
    [0, 5 * MiB],
    [1 * GiB, 5 * MiB],
    [8 * GiB, 5 * MiB],
    [24 * GiB, 5 * MiB],
    [25 * GiB, 6 * MiB],
    [100 * GiB, 21 * MiB],
  ] as const) {
    const got = partSizeFor(expected);
    assert.equal(got, part, `${expected}`);
    if (expected !== undefined) assert.ok(got * 10_000 >= expected * 2, `${expected}: room for twice the size`);
  }
  assert.equal(resolveS3Settings({ s3PartSize: '16' }, {}).partSizeBytes, 16 * MiB);
});
