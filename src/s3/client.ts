/** The one place an S3Client is made from S3Settings. */
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import { S3Client } from '@aws-sdk/client-s3';
import { UsageError } from '../core/errors.js';
import type { S3Settings } from './options.js';

/** Connect deadline: an unreachable endpoint fails within a few seconds (the SDK makes 3 attempts). */
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * Socket inactivity deadline per request: a store that sends nothing for this long fails the request instead of
 * hanging. Generous because CompleteMultipartUpload may stay silent while the store assembles the parts (S3 itself
 * sends keep-alive whitespace; some S3-compatible servers do not). The SDK's `requestTimeout` is not used: in
 * @smithy/node-http-handler 4.x it only logs a warning unless `throwOnRequestTimeout` is set, and a total-time
 * limit would cut a slow but progressing upload.
 */
const SOCKET_IDLE_TIMEOUT_MS = 600_000;

export function createS3Client(s: S3Settings): S3Client {
  // The SDK warns on every Node 20 process that *future* SDK releases (2027) will need Node 22. upshift pins
  // a major that supports Node 20 (engines >=20), so the warning says nothing actionable and would clutter
  // every command's stderr. The SDK reads this documented variable once.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let ca: Buffer | undefined;
  if (s.caBundle) {
    try {
      ca = readFileSync(s.caBundle);
    } catch (e) {
      throw new UsageError(`--s3-ca-bundle: cannot read ${s.caBundle}: ${(e as Error).message}`, { hint: 'give a PEM file with the CA certificates of the store' });
    }
  }
  const mode = s.checksum === 'when-supported' ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED';
  return new S3Client({
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    ...(s.region ? { region: s.region } : {}),
    ...(s.profile ? { profile: s.profile } : {}),
    ...(s.credentials ? { credentials: s.credentials } : {}),
    forcePathStyle: s.forcePathStyle,
    requestChecksumCalculation: mode,
    responseChecksumValidation: mode,
    // The SDK's standard retry (3 attempts, backoff) covers throttling and 5xx. Every request upshift sends
    // is idempotent (a part re-sent under its number replaces itself; complete and abort name the upload).
    maxAttempts: 3,
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      socketTimeout: SOCKET_IDLE_TIMEOUT_MS,
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 8, ...(ca ? { ca } : {}) }),
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 8 }),
    },
  });
}
