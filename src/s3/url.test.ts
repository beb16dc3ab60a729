import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isS3Url, parseS3Location, parseS3Object, s3Url } from './url.js';

test('s3 locations: bucket only, prefix with and without a trailing slash', () => {
  assert.deepEqual(parseS3Location('s3://b'), { bucket: 'b', prefix: '' });
  assert.deepEqual(parseS3Location('s3://b/'), { bucket: 'b', prefix: '' });
  assert.deepEqual(parseS3Location('s3://b/etcd/prod'), { bucket: 'b', prefix: 'etcd/prod/' });
  assert.deepEqual(parseS3Location('S3://b/etcd/prod/'), { bucket: 'b', prefix: 'etcd/prod/' });
  assert.ok(isS3Url('s3://x') && !isS3Url('/tmp/x') && !isS3Url(undefined));
});

test('s3 locations: malformed ones are usage errors naming the input', () => {
  for (const bad of ['s3://', 's3:///x', 'http://b/x', 's3://b//x/', 's3://b/../x/', 's3://b c/x']) {
    assert.throws(() => parseS3Location(bad, '--to'), (e: Error & { exitCode?: number }) => e.exitCode === 2 && e.message.startsWith('--to:'), bad);
  }
});

test('s3 objects: key, name and the location they sit in', () => {
  assert.deepEqual(parseS3Object('s3://b/p/q/snap.db'), { bucket: 'b', prefix: 'p/q/', key: 'p/q/snap.db', name: 'snap.db' });
  assert.deepEqual(parseS3Object('s3://b/snap.db'), { bucket: 'b', prefix: '', key: 'snap.db', name: 'snap.db' });
  assert.throws(() => parseS3Object('s3://b/p/'));
  assert.throws(() => parseS3Object('s3://b'));
  assert.equal(s3Url('b', 'p/x.db'), 's3://b/p/x.db');
});
