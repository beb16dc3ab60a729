/**
 * The object-store operations backups need, over one S3Client, each mapped to a typed error (errors.ts).
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createS3Client } from './client.js';
import { toS3Error } from './errors.js';
import type { S3Settings } from './options.js';
import type { S3Location } from './url.js';

export interface StoredObject {
  key: string;
  size: number;
  lastModified: Date | undefined;
  etag: string | undefined;
  storageClass: string | undefined;
}

export interface PendingUpload {
  key: string;
  uploadId: string;
  initiated: Date | undefined;
}

export class ObjectStore {
  readonly client: S3Client;

  constructor(readonly settings: S3Settings) {
    this.client = createS3Client(settings);
  }

  close(): void {
    this.client.destroy();
  }

  private fail(e: unknown, op: string, bucket: string, key?: string): never {
    throw toS3Error(e, { op, bucket, key, endpoint: this.settings.endpoint });
  }

  /**
   * Prove the location is usable before any work: a one-key listing answers with an error *code* (unlike
   * HeadBucket, whose 403/404 have no body), so wrong credentials, a missing bucket and refused access are
   * told apart.
   */
  async checkAccess(loc: S3Location, signal?: AbortSignal): Promise<void> {
    try {
      await this.client.send(new ListObjectsV2Command({ Bucket: loc.bucket, Prefix: loc.prefix, MaxKeys: 1 }), { abortSignal: signal });
    } catch (e) {
      this.fail(e, 'check bucket', loc.bucket, loc.prefix);
    }
  }

  /** Every object directly under the prefix (not in deeper "folders"). */
  async list(loc: S3Location, signal?: AbortSignal): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    let token: string | undefined;
    try {
      do {
        const r = await this.client.send(new ListObjectsV2Command({ Bucket: loc.bucket, Prefix: loc.prefix, Delimiter: '/', ContinuationToken: token }), { abortSignal: signal });
        for (const o of r.Contents ?? []) {
          if (!o.Key) continue;
          out.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified, etag: o.ETag, storageClass: o.StorageClass });
        }
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
    } catch (e) {
      this.fail(e, 'list', loc.bucket, loc.prefix);
    }
    return out;
  }

  /** Multipart uploads started under the prefix and neither completed nor aborted (invisible, but billed). */
  async listPendingUploads(loc: S3Location, signal?: AbortSignal): Promise<PendingUpload[]> {
    const out: PendingUpload[] = [];
    let keyMarker: string | undefined;
    let idMarker: string | undefined;
    try {
      do {
        const r = await this.client.send(new ListMultipartUploadsCommand({ Bucket: loc.bucket, Prefix: loc.prefix, KeyMarker: keyMarker, UploadIdMarker: idMarker }), { abortSignal: signal });
        for (const u of r.Uploads ?? []) if (u.Key && u.UploadId) out.push({ key: u.Key, uploadId: u.UploadId, initiated: u.Initiated });
        keyMarker = r.IsTruncated ? r.NextKeyMarker : undefined;
        idMarker = r.IsTruncated ? r.NextUploadIdMarker : undefined;
      } while (keyMarker);
    } catch (e) {
      this.fail(e, 'list uploads', loc.bucket, loc.prefix);
    }
    return out;
  }

  async abortUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    } catch (e) {
      if ((e as { name?: string }).name === 'NoSuchUpload') return; // already gone
      this.fail(e, 'abort upload', bucket, key);
    }
  }

  async head(bucket: string, key: string, signal?: AbortSignal): Promise<{ size: number; etag: string | undefined; sse: string | undefined; storageClass: string | undefined; lockUntil: Date | undefined }> {
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      return { size: r.ContentLength ?? 0, etag: r.ETag, sse: r.ServerSideEncryption, storageClass: r.StorageClass, lockUntil: r.ObjectLockRetainUntilDate };
    } catch (e) {
      this.fail(e, 'head', bucket, key);
    }
  }

  /** Small objects (manifests) as text. */
  async getText(bucket: string, key: string, signal?: AbortSignal): Promise<string> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      return await r.Body!.transformToString('utf8');
    } catch (e) {
      this.fail(e, 'get', bucket, key);
    }
  }

  /** Stream an object's bytes through `onChunk` (hashing) into `file`, in constant memory. Returns the byte count. */
  async download(bucket: string, key: string, file: string, opts: { signal?: AbortSignal; onChunk?: (b: Buffer) => void } = {}): Promise<number> {
    let bytes = 0;
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: opts.signal });
      const tap = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          opts.onChunk?.(chunk);
          cb(null, chunk);
        },
      });
      await pipeline(r.Body as Readable, tap, createWriteStream(file, { mode: 0o600, flags: 'wx' }), { signal: opts.signal });
    } catch (e) {
      this.fail(e, 'download', bucket, key);
    }
    return bytes;
  }

  /** Read an object through `onChunk` without keeping it (read-back verification). */
  async readThrough(bucket: string, key: string, onChunk: (b: Buffer) => void, signal?: AbortSignal): Promise<number> {
    let bytes = 0;
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      for await (const chunk of r.Body as Readable) {
        bytes += (chunk as Buffer).length;
        onChunk(chunk as Buffer);
      }
    } catch (e) {
      this.fail(e, 'read back', bucket, key);
    }
    return bytes;
  }

  async putText(bucket: string, key: string, text: string, extra: Partial<PutObjectCommandInput> = {}, signal?: AbortSignal): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ ...extra, Bucket: bucket, Key: key, Body: text, ContentType: 'application/json' }), { abortSignal: signal });
    } catch (e) {
      this.fail(e, 'put', bucket, key);
    }
  }

  async delete(bucket: string, key: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    } catch (e) {
      this.fail(e, 'delete', bucket, key);
    }
  }

  /** Parameters every object upshift writes carries: encryption, and the lock if asked. */
  writeParams(now: Date, opts: { storageClass?: boolean } = {}): Partial<PutObjectCommandInput> {
    const s = this.settings;
    const p: Partial<PutObjectCommandInput> = {};
    if (s.sse?.mode === 'AES256') p.ServerSideEncryption = 'AES256';
    if (s.sse?.mode === 'aws:kms') {
      p.ServerSideEncryption = 'aws:kms';
      if (s.sse.kmsKeyId) p.SSEKMSKeyId = s.sse.kmsKeyId;
    }
    if (opts.storageClass && s.storageClass) p.StorageClass = s.storageClass as PutObjectCommandInput['StorageClass'];
    if (s.objectLock) {
      p.ObjectLockMode = s.objectLock.mode;
      p.ObjectLockRetainUntilDate = new Date(now.getTime() + s.objectLock.retainMs);
      // S3 refuses a write with lock retention that carries neither Content-MD5 nor an SDK checksum
      // (MissingUploadObjectWithObjectLockHeaders), whatever --s3-checksum says: ask for CRC32 here.
      p.ChecksumAlgorithm = 'CRC32';
    }
    return p;
  }
}
