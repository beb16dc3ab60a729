/** `s3://BUCKET/PREFIX/` locations: parsing and key arithmetic (pure). */
import { UsageError } from '../core/errors.js';

export interface S3Location {
  bucket: string;
  /** Key prefix, '' or ending in '/'. */
  prefix: string;
}

export function isS3Url(s: string | undefined): s is string {
  return typeof s === 'string' && /^s3:\/\//i.test(s);
}

/**
 * `s3://bucket`, `s3://bucket/`, `s3://bucket/a/b` and `s3://bucket/a/b/` all name a prefix (the last two
 * the same one: a location is a folder, as `aws s3 ls` treats it). Bucket names follow S3's rules loosely
 * (3-63 of [a-z0-9.-]); stores that allow more (upper case, underscores) are accepted too.
 */
export function parseS3Location(url: string, what = 'URL'): S3Location {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/i.exec(url.trim());
  if (!m || !/^[A-Za-z0-9._-]{1,255}$/.test(m[1]!)) {
    throw new UsageError(`${what}: "${url}" is not an s3://BUCKET/PREFIX/ URL`, { hint: 'e.g. s3://my-backups/etcd/prod/' });
  }
  let prefix = m[2] ?? '';
  if (prefix.length > 0 && !prefix.endsWith('/')) prefix += '/';
  if (prefix.split('/').some((seg, i, all) => seg === '' && i < all.length - 1) || prefix.includes('/../') || prefix.startsWith('../')) {
    throw new UsageError(`${what}: "${url}" has an empty or relative path segment`, { hint: 'write the prefix like s3://bucket/etcd/prod/' });
  }
  return { bucket: m[1]!, prefix };
}

/** `s3://bucket/prefix/name.db` as a location (the prefix) and an object name. */
export function parseS3Object(url: string, what = 'URL'): S3Location & { key: string; name: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/i.exec(url.trim());
  if (!m || m[2]!.endsWith('/')) {
    throw new UsageError(`${what}: "${url}" does not name an object`, { hint: 'e.g. s3://my-backups/etcd/snapshot-20261121T111643.123Z-m1.db (see upshift backup ls --dir s3://...)' });
  }
  const key = m[2]!;
  const slash = key.lastIndexOf('/');
  const loc = parseS3Location(`s3://${m[1]}/${slash >= 0 ? key.slice(0, slash + 1) : ''}`, what);
  return { ...loc, key, name: key.slice(slash + 1) };
}

export function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
