import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTransient, toS3Error } from './errors.js';

const sdk = (name: string, status?: number, extra: Record<string, unknown> = {}): Error => Object.assign(new Error(`${name} message`), { name, Code: name, $metadata: { httpStatusCode: status }, ...extra });
const ctx = { op: 'upload', bucket: 'b', key: 'p/x.db', endpoint: 'http://127.0.0.1:9000' };

test('S3 errors map to codes and exit codes; transient ones are marked', () => {
  const table: [unknown, string, number, boolean][] = [
    [sdk('InvalidAccessKeyId', 403), 's3-credentials', 3, false],
    [sdk('SignatureDoesNotMatch', 403), 's3-credentials', 3, false],
    [sdk('ExpiredToken', 400), 's3-credentials', 3, false],
    [Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 's3-credentials', 3, false],
    [sdk('NoSuchBucket', 404), 's3-no-such-bucket', 2, false],
    [sdk('NoSuchKey', 404), 's3-no-such-object', 2, false],
    [sdk('AccessDenied', 403), 's3-access-denied', 3, false],
    [sdk('PermanentRedirect', 301), 's3-region', 2, false],
    [sdk('InvalidStorageClass', 400), 's3-refused', 2, false],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9000'), { code: 'ECONNREFUSED' }), 's3-unreachable', 3, true],
    [Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 's3-tls', 3, false],
    [sdk('SlowDown', 503, { $fault: 'server' }), 's3-error', 3, true],
    [sdk('InternalError', 500, { $fault: 'server' }), 's3-error', 3, true],
  ];
  for (const [e, code, exit, transient] of table) {
    const m = toS3Error(e, ctx);
    assert.equal(m.code, code, (e as Error).name);
    assert.equal(m.exitCode, exit, (e as Error).name);
    assert.equal(isTransient(m), transient, (e as Error).name);
    assert.match(m.message, /^upload s3:\/\/b\/p\/x\.db: /);
  }
  const hint = toS3Error(sdk('InvalidRequest', 400), ctx).hint ?? '';
  assert.ok(!/when-required/.test(hint));
  assert.match(toS3Error(Object.assign(sdk('InvalidRequest', 400), { message: 'x-amz-checksum-crc32 not supported' }), ctx).hint ?? '', /--s3-checksum when-required/);
});
