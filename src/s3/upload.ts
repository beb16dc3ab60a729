/**
 * A streaming upload whose completion the caller decides: bytes are pushed as they arrive (multipart through
 * @aws-sdk/lib-storage, a single PUT when they fit in one part), and the upload is only completed by
 * `finish()` — so a snapshot whose sha256 trailer or bbolt checks fail is aborted and never becomes an
 * object. After completion the stored object is verified (size, and the ETag against MD5s computed on the
 * way, or a read-back with sha256) before `finish` resolves; an object that fails is deleted.
 *
 * Memory: pushed bytes are copied into 1 MiB batches (not queued as views of the caller's buffers, which
 * would pin the HTTP/2 receive chunks they point into); lib-storage holds at most `queueSize` parts in flight
 * plus the one it assembles.
 */
import { PassThrough } from 'node:stream';
import { createHash, type Hash } from 'node:crypto';
import { Upload } from '@aws-sdk/lib-storage';
import { ProblemError, errorMessage } from '../core/errors.js';
import { toS3Error } from './errors.js';
import type { ObjectStore } from './store.js';

const BATCH = 1 << 20;
/** Parts uploaded concurrently: two keep the link busy while one is assembled. */
const QUEUE_SIZE = 2;

export interface UploadOutcome {
  bucket: string;
  key: string;
  size: number;
  etag: string | undefined;
  /** How the stored object was checked: its ETag matched the MD5s computed on the way, or it was read back. */
  verifiedBy: 'etag' | 'read-back';
  storageClass: string | undefined;
  lockUntil: string | undefined;
}

export class StreamingUpload {
  /** Called when a `push` that returned false may be followed by more. */
  onDrain: () => void = () => undefined;
  /** Called when a part has been sent (progress that is not a drain). */
  onActivity: () => void = () => undefined;
  /** Called once if the upload fails while bytes are still being pushed. */
  onError: (e: Error) => void = () => undefined;
  bytes = 0;
  private readonly body = new PassThrough({ highWaterMark: 2 * BATCH });
  private readonly upload: Upload;
  private readonly settled: Promise<{ ok: true } | { ok: false; error: unknown }>;
  private batch = Buffer.allocUnsafe(BATCH);
  private filled = 0;
  private md5: Hash = createHash('md5');
  private partFill = 0;
  private readonly partMd5s: Buffer[] = [];
  private failed: unknown;
  private ended = false;

  constructor(
    private readonly store: ObjectStore,
    readonly bucket: string,
    readonly key: string,
    now: Date,
  ) {
    this.upload = new Upload({
      client: store.client,
      params: { Bucket: bucket, Key: key, Body: this.body, ContentType: 'application/octet-stream', ...store.writeParams(now, { storageClass: true }) },
      partSize: store.settings.partSizeBytes,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    this.body.on('drain', () => this.onDrain());
    this.upload.on('httpUploadProgress', () => this.onActivity());
    this.settled = this.upload.done().then(
      () => ({ ok: true as const }),
      (error: unknown) => {
        this.failed ??= error;
        if (!this.ended) this.onError(toS3Error(error, this.ctx('upload')));
        return { ok: false as const, error };
      },
    );
  }

  private ctx(op: string): { op: string; bucket: string; key: string; endpoint: string | undefined } {
    return { op, bucket: this.bucket, key: this.key, endpoint: this.store.settings.endpoint };
  }

  /** Take a copy of `chunk`; false when the caller should wait for `onDrain`. */
  push(chunk: Buffer): boolean {
    if (this.failed !== undefined) return true; // the error reaches the caller through onError / finish
    this.bytes += chunk.length;
    this.hashParts(chunk);
    let at = 0;
    let ok = true;
    while (at < chunk.length) {
      const n = Math.min(chunk.length - at, BATCH - this.filled);
      chunk.copy(this.batch, this.filled, at, at + n);
      this.filled += n;
      at += n;
      if (this.filled === BATCH) ok = this.flush() && ok;
    }
    return ok && !this.body.writableNeedDrain;
  }

  /** MD5 of each part as lib-storage will cut them (every partSize bytes), for the multipart ETag. */
  private hashParts(chunk: Buffer): void {
    const size = this.store.settings.partSizeBytes;
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(chunk.length - at, size - this.partFill);
      this.md5.update(at === 0 && n === chunk.length ? chunk : chunk.subarray(at, at + n));
      this.partFill += n;
      at += n;
      if (this.partFill === size) {
        this.partMd5s.push(this.md5.digest());
        this.md5 = createHash('md5');
        this.partFill = 0;
      }
    }
  }

  private flush(): boolean {
    if (this.filled === 0) return true;
    const full = this.batch.subarray(0, this.filled);
    this.batch = Buffer.allocUnsafe(BATCH);
    this.filled = 0;
    return this.body.write(full);
  }

  /** The ETag S3 gives an unencrypted (or SSE-S3) object uploaded in these parts. */
  expectedEtag(): string {
    const md5s = [...this.partMd5s];
    if (this.partFill > 0 || md5s.length === 0) md5s.push(this.md5.copy().digest());
    if (md5s.length === 1) return md5s[0]!.toString('hex');
    return `${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${md5s.length}`;
  }

  /**
   * Complete the upload, then check the stored object: size, and ETag or a read-back against `sha256` (of
   * every byte pushed). Throws (and leaves no object behind) when the store does not hold exactly those bytes.
   */
  async finish(sha256: string, signal?: AbortSignal): Promise<UploadOutcome> {
    if (this.failed === undefined) this.flush();
    const expectedEtag = this.expectedEtag();
    this.ended = true;
    this.body.end();
    const r = await this.settled;
    if (!r.ok) {
      await this.cleanUp();
      throw toS3Error(r.error, this.ctx('upload'));
    }
    const head = await this.store.head(this.bucket, this.key, signal);
    const problem = async (message: string): Promise<never> => {
      await this.store.delete(this.bucket, this.key).catch(() => undefined);
      throw new ProblemError('s3-verify-failed', `${message}; the object was deleted`, { hint: 'retry the save; if it repeats, check the store (and any proxy in between)' });
    };
    if (head.size !== this.bytes) await problem(`s3://${this.bucket}/${this.key} holds ${head.size} bytes after the upload, ${this.bytes} were sent`);
    const etag = head.etag?.replace(/"/g, '');
    let verifiedBy: UploadOutcome['verifiedBy'] = 'etag';
    // SSE-KMS objects (and some stores) have ETags that are not MD5s: read back and compare sha256 instead.
    if (this.store.settings.verify === 'read-back' || etag !== expectedEtag) {
      const h = createHash('sha256');
      const n = await this.store.readThrough(this.bucket, this.key, (b) => h.update(b), signal);
      const got = h.digest('hex');
      if (n !== this.bytes || got !== sha256) await problem(`s3://${this.bucket}/${this.key} read back as ${n} bytes with sha256 ${got.slice(0, 16)}…, sent ${this.bytes} bytes with sha256 ${sha256.slice(0, 16)}…`);
      verifiedBy = 'read-back';
    }
    return { bucket: this.bucket, key: this.key, size: head.size, etag, verifiedBy, storageClass: head.storageClass, lockUntil: head.lockUntil?.toISOString() };
  }

  /**
   * Stop: no object appears. Ending the body with an error makes lib-storage abort its multipart upload once
   * the parts in flight settle; the upload id is then aborted once more here in case that request failed.
   */
  async abort(reason: Error): Promise<void> {
    this.ended = true;
    this.failed ??= reason;
    this.body.destroy(reason);
    await this.settled;
    await this.cleanUp();
  }

  private async cleanUp(): Promise<void> {
    const id = (this.upload as unknown as { uploadId?: string }).uploadId;
    if (id) {
      try {
        await this.store.abortUpload(this.bucket, this.key, id);
      } catch (e) {
        throw new ProblemError('s3-abort-failed', `the multipart upload of s3://${this.bucket}/${this.key} could not be aborted: ${errorMessage(e)}`, {
          hint: 'it is invisible but its parts are stored: `upshift backup prune --dir s3://...` aborts stale uploads, or set an AbortIncompleteMultipartUpload lifecycle rule',
        });
      }
    }
  }
}
