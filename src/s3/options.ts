/**
 * S3 settings as the AWS CLI takes them: flags first, then the AWS environment variables, then the SDK's
 * own defaults (shared config/credentials files, profile, web identity, container and instance roles).
 * Pure: no client is made here. Credentials are never flags (they would show in `ps` and shell history);
 * they come from the standard chain only.
 */
import { UsageError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';

/** The flags, as commander hands them over (camelCased). */
export interface S3Flags {
  s3Endpoint?: string;
  s3Region?: string;
  s3Profile?: string;
  s3AddressingStyle?: string;
  s3CaBundle?: string;
  s3Sse?: string;
  s3SseKmsKeyId?: string;
  s3StorageClass?: string;
  s3ObjectLockMode?: string;
  s3ObjectLockRetain?: string;
  s3Checksum?: string;
  s3PartSize?: string;
  s3Verify?: string;
}

export type ChecksumMode = 'when-required' | 'when-supported';

export interface S3Settings {
  endpoint: string | undefined;
  /** undefined: the SDK reads it from the profile's config (and fails clearly without one). */
  region: string | undefined;
  profile: string | undefined;
  forcePathStyle: boolean;
  caBundle: string | undefined;
  sse: { mode: 'AES256' } | { mode: 'aws:kms'; kmsKeyId: string | undefined } | undefined;
  storageClass: string | undefined;
  objectLock: { mode: 'GOVERNANCE' | 'COMPLIANCE'; retainMs: number } | undefined;
  /**
   * Request checksums and response validation. Default `when-required`: SDK releases since early 2025
   * send CRC32 checksums in aws-chunked trailers on every upload, which many S3-compatible stores reject
   * or store wrongly (aws-sdk-js-v3#6819; the SDK's WHEN_REQUIRED setting restores the old behaviour).
   * upshift verifies the stored object itself (ETag or read-back), so nothing is lost.
   */
  checksum: ChecksumMode;
  /** undefined: chosen per upload from the expected size (`partSizeFor`). */
  partSizeBytes: number | undefined;
  /** `auto`: compare the store's ETag with the MD5s computed on the way, read back when it is not comparable. */
  verify: 'auto' | 'read-back';
  /** Static keys from the command's environment (AWS_ACCESS_KEY_ID, ...); undefined: the SDK's chain. */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
}

/** S3's minimum part size (all but the last part) and its maximum part count. */
export const MIN_PART_BYTES = 5 << 20;
export const MAX_PARTS = 10_000;
/** Without a size estimate: 8 MiB parts reach 78 GiB, beyond any etcd db. */
export const UNKNOWN_SIZE_PART_BYTES = 8 << 20;

/**
 * The part size for an upload of about `expectedBytes`: the smallest whole MiB, at least S3's 5 MiB minimum,
 * that fits twice the estimate in 10,000 parts (the db may grow between the estimate and the snapshot).
 * Part buffers are what the upload holds in memory, so smaller is better: 5 MiB up to a 24 GiB db.
 */
export function partSizeFor(expectedBytes: number | undefined): number {
  if (expectedBytes === undefined || !Number.isFinite(expectedBytes) || expectedBytes < 0) return UNKNOWN_SIZE_PART_BYTES;
  const mib = Math.ceil((expectedBytes * 2) / MAX_PARTS / 2 ** 20);
  return Math.max(MIN_PART_BYTES, mib * 2 ** 20);
}
const STORAGE_CLASSES = ['STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER', 'DEEP_ARCHIVE', 'GLACIER_IR', 'OUTPOSTS', 'SNOW', 'EXPRESS_ONEZONE'];

export function resolveS3Settings(flags: S3Flags, env: NodeJS.ProcessEnv): S3Settings {
  const endpoint = flags.s3Endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (endpoint !== undefined) {
    let u: URL;
    try {
      u = new URL(endpoint);
    } catch {
      throw new UsageError(`--s3-endpoint: "${endpoint}" is not a URL`, { hint: 'e.g. --s3-endpoint https://minio.example:9000' });
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--s3-endpoint: "${endpoint}" must be http:// or https://`);
    if (u.username || u.password) throw new UsageError('--s3-endpoint: credentials in the URL are not accepted', { hint: 'use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile' });
  }
  // A custom endpoint without a region: S3-compatible stores accept us-east-1 for SigV4.
  const region = flags.s3Region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (endpoint ? 'us-east-1' : undefined);
  const style = (flags.s3AddressingStyle ?? 'auto').toLowerCase();
  if (!['auto', 'path', 'virtual'].includes(style)) throw new UsageError(`--s3-addressing-style: "${flags.s3AddressingStyle}" is not auto, path or virtual`);
  // auto: path style for a custom endpoint (what MinIO, Ceph RGW, Garage and most others need), virtual-hosted for AWS.
  const forcePathStyle = style === 'path' || (style === 'auto' && endpoint !== undefined);

  let sse: S3Settings['sse'];
  const sseIn = flags.s3Sse?.trim();
  if (sseIn !== undefined) {
    const s = sseIn.toLowerCase();
    if (s === 'aes256' || s === 'sse-s3') sse = { mode: 'AES256' };
    else if (s === 'aws:kms' || s === 'sse-kms' || s === 'kms') sse = { mode: 'aws:kms', kmsKeyId: flags.s3SseKmsKeyId };
    else throw new UsageError(`--s3-sse: "${sseIn}" is not AES256 (SSE-S3) or aws:kms (SSE-KMS)`, { hint: 'e.g. --s3-sse aws:kms --s3-sse-kms-key-id alias/etcd-backups' });
  } else if (flags.s3SseKmsKeyId !== undefined) {
    sse = { mode: 'aws:kms', kmsKeyId: flags.s3SseKmsKeyId };
  }

  let storageClass: string | undefined;
  if (flags.s3StorageClass !== undefined) {
    storageClass = flags.s3StorageClass.toUpperCase();
    if (!STORAGE_CLASSES.includes(storageClass)) throw new UsageError(`--s3-storage-class: unknown class "${flags.s3StorageClass}"`, { hint: `one of ${STORAGE_CLASSES.join(', ')}` });
  }

  let objectLock: S3Settings['objectLock'];
  if (flags.s3ObjectLockMode !== undefined || flags.s3ObjectLockRetain !== undefined) {
    const mode = (flags.s3ObjectLockMode ?? 'GOVERNANCE').toUpperCase();
    if (mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE') throw new UsageError(`--s3-object-lock-mode: "${flags.s3ObjectLockMode}" is not GOVERNANCE or COMPLIANCE`);
    if (flags.s3ObjectLockRetain === undefined) throw new UsageError('--s3-object-lock-mode needs --s3-object-lock-retain DURATION', { hint: 'e.g. --s3-object-lock-retain 30d' });
    const retainMs = parseDuration(flags.s3ObjectLockRetain, '--s3-object-lock-retain');
    if (retainMs < 86_400_000) throw new UsageError('--s3-object-lock-retain: at least 1d', { hint: 'S3 retention is kept in days; e.g. 7d' });
    objectLock = { mode, retainMs };
  }

  const checksumIn = (flags.s3Checksum ?? fromSdkEnv(env.AWS_REQUEST_CHECKSUM_CALCULATION) ?? 'when-required').toLowerCase();
  if (checksumIn !== 'when-required' && checksumIn !== 'when-supported') {
    throw new UsageError(`--s3-checksum: "${flags.s3Checksum}" is not when-required or when-supported`, { hint: 'when-supported sends CRC32 checksums with every part; some S3-compatible stores reject them' });
  }

  let partSizeBytes: number | undefined;
  if (flags.s3PartSize !== undefined) {
    const mib = Number(flags.s3PartSize.replace(/mib?$/i, ''));
    if (!Number.isInteger(mib) || mib < 5 || mib > 5120) throw new UsageError(`--s3-part-size: "${flags.s3PartSize}" is not a whole number of MiB between 5 and 5120`, { hint: 'e.g. --s3-part-size 16 (memory grows with it: 3 parts are held; by default 5 MiB up to a 24 GiB db)' });
    partSizeBytes = mib << 20;
  }

  const verify = (flags.s3Verify ?? 'auto').toLowerCase();
  if (verify !== 'auto' && verify !== 'read-back') throw new UsageError(`--s3-verify: "${flags.s3Verify}" is not auto or read-back`);

  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  const credentials = accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) } : undefined;

  return {
    endpoint,
    region,
    profile: flags.s3Profile ?? env.AWS_PROFILE,
    forcePathStyle,
    caBundle: flags.s3CaBundle ?? env.AWS_CA_BUNDLE,
    sse,
    storageClass,
    objectLock,
    checksum: checksumIn,
    partSizeBytes,
    verify,
    credentials,
  };
}

/** The SDK's own variable spells the modes WHEN_REQUIRED / WHEN_SUPPORTED. */
function fromSdkEnv(v: string | undefined): string | undefined {
  return v ? v.toLowerCase().replace(/_/g, '-') : undefined;
}

/** The settings without anything secret, for logs and JSON (the keys' presence, never their values). */
export function describeS3Settings(s: S3Settings): Record<string, unknown> {
  return {
    endpoint: s.endpoint ?? 'AWS',
    region: s.region ?? '(from profile)',
    pathStyle: s.forcePathStyle,
    credentials: s.credentials ? 'environment' : s.profile ? `profile ${s.profile}` : 'default chain',
    sse: s.sse?.mode ?? 'none',
    storageClass: s.storageClass ?? 'default',
    objectLock: s.objectLock ? `${s.objectLock.mode} ${Math.round(s.objectLock.retainMs / 86_400_000)}d` : 'none',
    checksum: s.checksum,
  };
}
