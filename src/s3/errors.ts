/**
 * S3 failures as upshift's typed errors, mapped once where a store call settles. Wrong or missing
 * credentials and refused access are environment problems (exit 3), as is an unreachable endpoint; a bucket
 * or object that does not exist is bad input (exit 2: the URL names it). `details.transient` tells the
 * scheduler what is worth retrying. Messages carry the operation, the bucket/key and the store's error code,
 * never credentials or signed URLs (the SDK's messages hold neither; request URLs are not echoed).
 */
import { EnvironmentError, UpshiftError, UsageError, errorMessage } from '../core/errors.js';

export interface S3ErrorContext {
  op: string;
  bucket: string;
  key?: string | undefined;
  endpoint?: string | undefined;
}

const CREDENTIAL_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired', 'CredentialsProviderError', 'InvalidClientTokenId', 'AuthorizationHeaderMalformed']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'TimeoutError', 'RequestTimeout', 'RequestTimeTooSkewed']);
const TLS_CODES = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
}

function where(c: S3ErrorContext): string {
  return `s3://${c.bucket}/${c.key ?? ''}`;
}

export function toS3Error(e: unknown, c: S3ErrorContext): UpshiftError {
  if (e instanceof UpshiftError) return e;
  const err = (e ?? {}) as SdkErrorShape;
  const status = err.$metadata?.httpStatusCode;
  const code = err.Code ?? err.code ?? err.name ?? 'Error';
  const msg = errorMessage(e);
  const at = c.endpoint ? ` at ${c.endpoint}` : '';
  const details = (transient: boolean): Record<string, unknown> => ({ s3Code: code, httpStatus: status ?? null, op: c.op, transient });
  if (CREDENTIAL_CODES.has(code) || /Could not load credentials|credential/i.test(code) || /Could not load credentials from any providers/i.test(msg)) {
    return new EnvironmentError('s3-credentials', `${c.op} ${where(c)}: the store rejected the credentials (${code})${at}`, {
      hint: 'check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), AWS_PROFILE or --s3-profile, and the shared credentials file',
      details: details(false),
    });
  }
  if (code === 'NoSuchBucket' || (c.op === 'check bucket' && status === 404)) {
    return new UsageError(`${c.op} ${where(c)}: no bucket "${c.bucket}"${at}`, { code: 's3-no-such-bucket', hint: 'create the bucket first, or fix the bucket name (and --s3-endpoint / --s3-region)', details: details(false) });
  }
  if (code === 'NoSuchKey' || code === 'NotFound' || status === 404) {
    return new UsageError(`${c.op} ${where(c)}: no such object${at}`, { code: 's3-no-such-object', hint: 'see the objects with upshift backup ls --dir s3://BUCKET/PREFIX/', details: details(false) });
  }
  if (code === 'AccessDenied' || code === 'AllAccessDisabled' || code === 'Forbidden' || status === 403) {
    return new EnvironmentError('s3-access-denied', `${c.op} ${where(c)}: access denied (${code})${at}`, {
      hint: 'the credentials work but lack a permission for this operation (s3:PutObject, s3:GetObject, s3:ListBucket, s3:DeleteObject, s3:AbortMultipartUpload)',
      details: details(false),
    });
  }
  if (code === 'PermanentRedirect' || code === 'AuthorizationHeaderMalformed' || code === 'IllegalLocationConstraintException' || /Region is missing/i.test(msg)) {
    return new UsageError(`${c.op} ${where(c)}: wrong or missing region (${code}: ${msg})`, { code: 's3-region', hint: 'set --s3-region or AWS_REGION to the bucket\'s region', details: details(false) });
  }
  if (['InvalidArgument', 'InvalidRequest', 'InvalidStorageClass', 'InvalidBucketState', 'KMS.NotFoundException', 'KMS.DisabledException', 'InvalidEncryptionAlgorithmError', 'XAmzContentSHA256Mismatch', 'BadDigest', 'InvalidDigest', 'NotImplemented'].includes(code)) {
    const checksumHint = /checksum|sha256|digest|chunk|trailer/i.test(`${code} ${msg}`) ? '; if the store does not support the SDK\'s checksums, use --s3-checksum when-required (the default)' : '';
    return new UsageError(`${c.op} ${where(c)}: the store refused the request (${code}: ${msg})`, { code: 's3-refused', hint: `check --s3-sse, --s3-storage-class and the object-lock flags against what the bucket supports${checksumHint}`, details: details(false) });
  }
  const sysCode = (e as NodeJS.ErrnoException)?.code ?? (e as { cause?: NodeJS.ErrnoException })?.cause?.code ?? '';
  if (TLS_CODES.has(sysCode) || TLS_CODES.has(code) || /certificate/i.test(msg)) {
    return new EnvironmentError('s3-tls', `${c.op} ${where(c)}: TLS failed${at}: ${msg}`, { hint: 'give the store\'s CA with --s3-ca-bundle FILE (or AWS_CA_BUNDLE)', details: details(false) });
  }
  if (NETWORK_CODES.has(sysCode) || NETWORK_CODES.has(code) || /socket hang up|connect|timed? ?out|ECONN/i.test(msg)) {
    return new EnvironmentError('s3-unreachable', `${c.op} ${where(c)}: cannot reach the store${at}: ${msg}`, { hint: 'check --s3-endpoint (or AWS_ENDPOINT_URL_S3), the network and the proxy settings', details: details(true) });
  }
  const transient = (status !== undefined && status >= 500) || err.$fault === 'server' || /Throttl|SlowDown|ServiceUnavailable|InternalError/.test(code);
  return new EnvironmentError('s3-error', `${c.op} ${where(c)}: ${code}${status ? ` (HTTP ${status})` : ''}: ${msg}${at}`, { details: details(transient) });
}

/** True when the error is worth retrying later (network, timeouts, the store's 5xx or throttling). */
export function isTransient(e: unknown): boolean {
  return e instanceof UpshiftError && e.details?.transient === true;
}
