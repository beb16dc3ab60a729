/**
 * The transport interface of the load generator (Channel), gRPC status codes, and the node:http2
 * implementation (`--transport node-http2`): sessions carrying pre-encoded protobuf (wire.ts). The default
 * is the raw HTTP/2 client in h2raw.ts, ~3-4x cheaper per call; this one stays as a reference point for
 * measurements (grpc-js costs 2-2.5x more again; see wire.ts). Both implement just what the benchmark
 * needs: unary calls, bidi streams (watch, lease keepalive), deadlines, status/message from headers or
 * trailers. No retries: a failed call is reported to the caller once, with its gRPC status.
 * gRPC over HTTP/2: https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md
 */
import http2 from 'node:http2';
import type { SecureContextOptions } from 'node:tls';
import { frame } from './wire.js';

/** gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
const statusNames = Object.fromEntries(Object.entries(GrpcStatus).map(([k, v]) => [v, k])) as Record<number, string>;
export const statusName = (code: number): string => statusNames[code] ?? `CODE_${code}`;

export type UnaryCallback = (status: number, message: string, body: Buffer | undefined) => void;

export interface ChannelOptions {
  /** http://host:port or https://host:port */
  url: string;
  tls?: SecureContextOptions & { rejectUnauthorized?: boolean };
  /** etcd auth token (metadata "token"), when auth is on. */
  token?: string;
  dialTimeoutMs: number;
}

/** What the workloads need from a connection; implemented by RawH2Channel (default) and H2Channel. */
export interface Channel {
  readonly opts: ChannelOptions;
  token: string | undefined;
  /**
   * Re-authenticate after the server rejected the token (simple tokens die with a member restart).
   * Set by the worker when auth is on; the rejected call itself stays failed (no resend).
   */
  reauth?: (() => Promise<string>) | undefined;
  connect(): Promise<void>;
  /** Connected and not going away: new calls can be sent now. */
  readonly ready: boolean;
  /** Start reconnecting in the background (respecting the reconnect backoff). */
  ensureConnecting(): void;
  unary(path: string, msg: Uint8Array, timeoutMs: number, cb: UnaryCallback): void;
  unaryFramed(path: string, framed: Buffer, timeoutMs: number, cb: UnaryCallback): void;
  bidi(path: string, onMessage: (body: Buffer) => void, onEnd: (status: number, message: string) => void): BidiHandle;
  sweep(now: number): void;
  close(): void;
}

export interface BidiHandle {
  write(msg: Uint8Array): boolean;
  writeFramed(framed: Buffer): boolean;
  close(): void;
}

interface Pending {
  deadline: number;
  stream: http2.ClientHttp2Stream;
  cb: UnaryCallback;
  done: boolean;
}

const { NGHTTP2_CANCEL } = http2.constants;

import { decodeGrpcMessage } from '../client/errors.js';

export { decodeGrpcMessage };

/**
 * End a unary call: an error status as it is, else the one length-prefixed gRPC message of the response body
 * (`first` chunk alone, or all chunks in `more` when there were several). Shared by both transports.
 */
export function completeUnary(cb: UnaryCallback, status: number, message: string, first: Buffer | undefined, more: Buffer[] | undefined): void {
  if (status !== GrpcStatus.OK) {
    cb(status, message, undefined);
    return;
  }
  const data = more ? Buffer.concat(more) : first;
  if (!data || data.length < 5) {
    cb(GrpcStatus.INTERNAL, 'response without a message', undefined);
    return;
  }
  const len = data.readUInt32BE(1);
  cb(GrpcStatus.OK, '', data.subarray(5, 5 + len));
}

/** One HTTP/2 connection (one TCP connection) to one etcd member. */
/** The same over node:http2 (kept for comparison: `--transport node-http2`). */
export class H2Channel implements Channel {
  private session: http2.ClientHttp2Session | undefined;
  private connecting: Promise<void> | undefined;
  private readonly pending = new Set<Pending>();
  private headerCache = new Map<string, http2.OutgoingHttpHeaders>();
  token: string | undefined;
  closed = false;

  constructor(readonly opts: ChannelOptions) {
    this.token = opts.token;
  }

  get ready(): boolean {
    return Boolean(this.session && !this.session.destroyed && !this.session.closed);
  }

  ensureConnecting(): void {
    if (!this.ready) this.connect().catch(() => undefined);
  }

  /** Open the connection (and wait for the HTTP/2 handshake), within the dial timeout. */
  connect(): Promise<void> {
    if (this.session && !this.session.destroyed && !this.session.closed) return Promise.resolve();
    if (this.connecting) return this.connecting;
    this.connecting = new Promise<void>((resolve, reject) => {
      const s = http2.connect(this.opts.url, {
        ...(this.opts.tls ?? {}),
        // Plenty of session memory: hundreds of in-flight streams per connection are normal here.
        maxSessionMemory: 64,
        settings: { enablePush: false, initialWindowSize: 4 << 20 },
      });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`connect ${this.opts.url}: no HTTP/2 handshake within ${this.opts.dialTimeoutMs} ms`));
      }, this.opts.dialTimeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        this.session = s;
        this.connecting = undefined;
        // A bigger connection window so large range responses are not throttled by flow control.
        try {
          s.setLocalWindowSize(16 << 20);
        } catch {
          /* not fatal */
        }
        resolve();
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        this.connecting = undefined;
        if (this.session === s) this.session = undefined;
        reject(new Error(`connect ${this.opts.url}: ${e.message}`));
      });
      s.on('error', () => {
        /* reported per stream */
      });
      s.once('close', () => {
        if (this.session === s) this.session = undefined;
      });
      s.on('goaway', () => {
        if (this.session === s) this.session = undefined;
      });
    });
    return this.connecting;
  }

  private headers(path: string, timeoutMs: number): http2.OutgoingHttpHeaders {
    let h = this.headerCache.get(path);
    if (!h) {
      h = {
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
        // The server enforces the same deadline, so it stops working on a request we gave up on.
        'grpc-timeout': `${Math.max(1, Math.round(timeoutMs))}m`,
        ...(this.token ? { token: this.token } : {}),
      };
      this.headerCache.set(path, h);
    }
    return h;
  }

  /** Start a unary call. `cb` runs exactly once: with the response body, or with a non-OK status. */
  unary(path: string, msg: Uint8Array, timeoutMs: number, cb: UnaryCallback): void {
    this.unaryFramed(path, frame(msg), timeoutMs, cb);
  }

  /**
   * Like unary, with the gRPC length prefix already in `framed`. The buffer is only read, so a constant
   * request (same key every time) can be passed again and again without a copy.
   */
  unaryFramed(path: string, framed: Buffer, timeoutMs: number, cb: UnaryCallback): void {
    const s = this.session;
    if (!s || s.destroyed || s.closed) {
      // Not connected (or the server sent GOAWAY): reconnect for later calls; this one fails now.
      this.connect().catch(() => undefined);
      cb(GrpcStatus.UNAVAILABLE, `not connected to ${this.opts.url}`, undefined);
      return;
    }
    let stream: http2.ClientHttp2Stream;
    try {
      stream = s.request(this.headers(path, timeoutMs), { endStream: false });
    } catch (e) {
      cb(GrpcStatus.UNAVAILABLE, (e as Error).message, undefined);
      return;
    }
    const p: Pending = { deadline: performance.now() + timeoutMs, stream, cb, done: false };
    this.pending.add(p);
    let status = -1;
    let message = '';
    let first: Buffer | undefined;
    let more: Buffer[] | undefined;
    stream.on('response', (h) => {
      if (h['grpc-status'] !== undefined) {
        status = Number(h['grpc-status']);
        message = decodeGrpcMessage(h['grpc-message']);
      } else if (h[':status'] !== 200) {
        status = GrpcStatus.UNAVAILABLE;
        message = `HTTP status ${String(h[':status'])}`;
      }
    });
    stream.on('data', (chunk: Buffer) => {
      if (!first) first = chunk;
      else (more ??= [first]).push(chunk);
    });
    stream.on('trailers', (h) => {
      status = Number(h['grpc-status'] ?? GrpcStatus.UNKNOWN);
      message = decodeGrpcMessage(h['grpc-message']);
    });
    stream.on('error', (e) => {
      if (status < 0) {
        status = GrpcStatus.UNAVAILABLE;
        message = e.message;
      }
    });
    stream.on('close', () => {
      if (p.done) return;
      p.done = true;
      this.pending.delete(p);
      if (status < 0) {
        status = GrpcStatus.UNAVAILABLE;
        message = `stream closed without status (rst code ${stream.rstCode ?? 'none'})`;
      }
      completeUnary(cb, status, message, first, more);
    });
    stream.end(framed);
  }

  /** Fail calls whose deadline passed (cheaper than a timer per call). Called by the worker's sweeper. */
  sweep(now: number): void {
    for (const p of this.pending) {
      if (now > p.deadline && !p.done) {
        p.done = true;
        this.pending.delete(p);
        p.stream.close(NGHTTP2_CANCEL);
        p.cb(GrpcStatus.DEADLINE_EXCEEDED, 'client deadline exceeded', undefined);
      }
    }
  }

  /** A bidi stream of length-prefixed messages (Watch, LeaseKeepAlive); no deadline, closed by the caller. */
  bidi(path: string, onMessage: (body: Buffer) => void, onEnd: (status: number, message: string) => void): BidiStream {
    const s = this.session;
    if (!s || s.destroyed || s.closed) throw new Error(`not connected to ${this.opts.url}`);
    const headers: http2.OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...(this.token ? { token: this.token } : {}),
    };
    const stream = s.request(headers, { endStream: false });
    return new BidiStream(stream, onMessage, onEnd);
  }

  close(): void {
    this.closed = true;
    for (const p of this.pending) {
      if (!p.done) {
        p.done = true;
        p.stream.close(NGHTTP2_CANCEL);
        p.cb(GrpcStatus.CANCELLED, 'channel closed', undefined);
      }
    }
    this.pending.clear();
    this.session?.close();
    this.session = undefined;
  }

  destroy(): void {
    this.close();
  }
}

export class BidiStream implements BidiHandle {
  private buf: Buffer = Buffer.alloc(0);
  private ended = false;
  constructor(
    private readonly stream: http2.ClientHttp2Stream,
    onMessage: (body: Buffer) => void,
    onEnd: (status: number, message: string) => void,
  ) {
    let status = -1;
    let message = '';
    stream.on('response', (h) => {
      if (h['grpc-status'] !== undefined) {
        status = Number(h['grpc-status']);
        message = decodeGrpcMessage(h['grpc-message']);
      }
    });
    stream.on('trailers', (h) => {
      status = Number(h['grpc-status'] ?? GrpcStatus.UNKNOWN);
      message = decodeGrpcMessage(h['grpc-message']);
    });
    stream.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      // Split into gRPC messages; keep a partial one for the next chunk.
      while (this.buf.length >= 5) {
        const len = this.buf.readUInt32BE(1);
        if (this.buf.length < 5 + len) break;
        const body = this.buf.subarray(5, 5 + len);
        this.buf = this.buf.subarray(5 + len);
        onMessage(body);
      }
    });
    stream.on('error', (e) => {
      if (status < 0) {
        status = GrpcStatus.UNAVAILABLE;
        message = e.message;
      }
    });
    stream.on('close', () => {
      if (this.ended) return;
      this.ended = true;
      onEnd(status < 0 ? GrpcStatus.UNAVAILABLE : status, message);
    });
  }

  write(msg: Uint8Array): boolean {
    return this.stream.write(frame(msg));
  }

  /** Write a message that already carries the gRPC length prefix (only read, so it may be reused). */
  writeFramed(framed: Buffer): boolean {
    return this.stream.write(framed);
  }

  close(): void {
    if (!this.stream.closed) {
      this.stream.end();
      this.stream.close(NGHTTP2_CANCEL);
    }
  }
}
