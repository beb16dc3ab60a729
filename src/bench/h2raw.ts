/**
 * A minimal HTTP/2 client for gRPC, written directly on a TCP (or TLS) socket — the load generator's
 * default transport.
 *
 * Why hand-written (measured on the 2-core box, 3-member 3.5.30, put 64 clients / 8 conns): grpc-js costs
 * ~200-230 us of client CPU per put, node:http2 with pre-encoded messages (transport.ts) ~85-110 us, most
 * of it in node:http2's per-stream objects (a Duplex stream, listeners, header objects, async-hooks
 * bookkeeping per request). etcd's Go benchmark spends 40-80 us. A request here is three writes into a
 * batch (frame header + a constant header block + the gRPC message) and a response is parsed in place,
 * so the per-op cost is a few microseconds of framing. Only what gRPC-to-etcd needs is implemented:
 *
 * - RFC 9113 framing: HEADERS/CONTINUATION, DATA, RST_STREAM, SETTINGS (+ACK), PING (+ACK), GOAWAY,
 *   WINDOW_UPDATE; flow control both ways (a big receive window, and send windows honoured, with
 *   queued DATA, so 1.5 MB values work); MAX_CONCURRENT_STREAMS honoured (etcd advertises MaxUint32 by
 *   default, etcd@v3.5.30:server/embed/config.go:60, but a proxy in between may not); MAX_FRAME_SIZE.
 * - An auth token rejected with Unauthenticated (etcd@v3.5.30:api/v3rpc/rpctypes/error.go:67, e.g. after
 *   a member restart) makes the channel fetch a new one; the rejected call is not resent.
 * - Request headers: constant per path, inserted into the server's HPACK table once and referenced by
 *   index afterwards (see Conn.encodeHeaders). Response headers are decoded with hpack.js (the dynamic table needs a real
 *   decoder); blocks made only of indexed fields — every steady-state response — are cached, since
 *   their meaning can only change when a block that adds to the table is decoded.
 * - No retries, no server push (disabled in SETTINGS), no priorities.
 * gRPC over HTTP/2: https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md
 */
import net from 'node:net';
import tls from 'node:tls';
import hpack from 'hpack.js';
import { frame } from './wire.js';
import { GrpcStatus, completeUnary, decodeGrpcMessage, type UnaryCallback, type ChannelOptions, type Channel, type BidiHandle } from './transport.js';

const enum T {
  DATA = 0,
  HEADERS = 1,
  PRIORITY = 2,
  RST_STREAM = 3,
  SETTINGS = 4,
  PUSH_PROMISE = 5,
  PING = 6,
  GOAWAY = 7,
  WINDOW_UPDATE = 8,
  CONTINUATION = 9,
}
const END_STREAM = 0x1;
const ACK = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY_FLAG = 0x20;

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** Our receive windows: big, so the server never waits for us. */
const STREAM_WINDOW = 1 << 30;
const CONN_WINDOW = 0x7fffffff;
const CANCEL = 0x8;

function frameHeader(len: number, type: number, flags: number, stream: number): Buffer {
  const h = Buffer.allocUnsafe(9);
  h.writeUIntBE(len, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream & 0x7fffffff, 5);
  return h;
}

/** HPACK integer with an N-bit prefix (RFC 7541 §5.1). */
function hpackInt(value: number, prefixBits: number, firstByte: number): number[] {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [firstByte | value];
  const out = [firstByte | max];
  value -= max;
  while (value >= 128) {
    out.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  out.push(value);
  return out;
}
function hpackString(s: string): number[] {
  const b = Buffer.from(s, 'latin1');
  return [...hpackInt(b.length, 7, 0), ...b];
}
/** A request header field; `nameIndex` is its name's index in the HPACK static table (0: none). */
interface Field {
  nameIndex: number;
  name: string;
  value: string;
}

interface Headers {
  status?: string;
  grpcStatus?: string;
  grpcMessage?: string;
}

interface Stream {
  id: number;
  conn: Conn;
  /** Unary callback, or undefined for a bidi stream. */
  cb: UnaryCallback | undefined;
  bidi: RawBidi | undefined;
  deadline: number;
  sendWindow: number;
  recvConsumed: number;
  headersSeen: boolean;
  status: number;
  message: string;
  first: Buffer | undefined;
  more: Buffer[] | undefined;
  /** Header block being assembled from HEADERS + CONTINUATION. */
  block: Buffer[] | undefined;
  blockEndsStream: boolean;
  done: boolean;
}

interface QueuedData {
  stream: Stream;
  data: Buffer;
  endStream: boolean;
}

/**
 * One TCP connection and its HTTP/2 state. A channel replaces its connection when the server sends
 * GOAWAY or the socket dies; a replaced connection keeps serving the streams it already carries until
 * they finish (GOAWAY) or fails them (socket lost) — never mixing them with the new connection's.
 */
class Conn {
  socket: net.Socket | undefined;
  readonly streams = new Map<number, Stream>();
  private nextId = 1;
  private out: Buffer[] = [];
  private flushScheduled = false;
  private inbuf: Buffer | undefined;
  private connSendWindow = 65535;
  private peerInitialWindow = 65535;
  private peerMaxFrame = 16384;
  peerMaxStreams = Infinity;
  private connRecvConsumed = 0;
  private readonly dataQueue: QueuedData[] = [];
  /** Calls waiting for a free stream slot (peer's MAX_CONCURRENT_STREAMS); never sent yet. */
  readonly waiting: (() => void)[] = [];
  private readonly decoder = hpack.decompressor.create({ table: { size: 4096 } });
  private readonly blockCache = new Map<string, Headers>();
  private orphanBlock: Buffer[] | undefined;
  /** No new streams: GOAWAY received, stream ids exhausted, or the socket is gone. */
  draining = false;
  closed = false;
  failure = '';
  private onPeerSettings: (() => void) | undefined;
  // HPACK encoder state (our view of the server's dynamic table).
  private readonly encIndex = new Map<string, number>();
  private encInserted = 0;
  private encSize = 0;
  private peerTableSize = 4096;
  private tableResetPending = false;
  private settingsSeen = false;
  private readonly encCache = new Map<string, { at: number; buf: Buffer }>();

  constructor(
    private readonly url: string,
    private readonly onClosed: (c: Conn) => void,
  ) {}

  /** Connect and finish the HTTP/2 handshake (our preface + SETTINGS, the server's SETTINGS). */
  open(tlsOpts: ChannelOptions['tls'], dialTimeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const u = new URL(this.url);
      const port = Number(u.port || 2379);
      const host = u.hostname.replace(/^\[|\]$/g, '');
      const https = u.protocol === 'https:';
      const sock = https
        ? tls.connect({ host, port, ...(tlsOpts ?? {}), ALPNProtocols: ['h2'], ...(net.isIP(host) ? {} : { servername: host }) })
        : net.connect({ host, port });
      sock.setNoDelay(true);
      this.socket = sock;
      let settled = false;
      const settle = (err?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => {
        settle(new Error(`connect ${this.url}: no HTTP/2 handshake within ${dialTimeoutMs} ms`));
        this.fail(`connect ${this.url}: timed out`);
      }, dialTimeoutMs);
      sock.once(https ? 'secureConnect' : 'connect', () => {
        // Preface, our SETTINGS (no push, big stream window), and a big connection window.
        const settings = Buffer.alloc(12);
        settings.writeUInt16BE(0x2, 0); // ENABLE_PUSH = 0
        settings.writeUInt32BE(0, 2);
        settings.writeUInt16BE(0x4, 6); // INITIAL_WINDOW_SIZE
        settings.writeUInt32BE(STREAM_WINDOW, 8);
        const wu = Buffer.allocUnsafe(4);
        wu.writeUInt32BE(CONN_WINDOW - 65535, 0);
        sock.write(Buffer.concat([PREFACE, frameHeader(12, T.SETTINGS, 0, 0), settings, frameHeader(4, T.WINDOW_UPDATE, 0, 0), wu]));
        // Ready once the server's SETTINGS arrived: before that, its stream limit is unknown.
        this.onPeerSettings = () => settle();
      });
      sock.on('data', (chunk: Buffer) => this.onData(chunk));
      sock.once('error', (e) => {
        settle(new Error(`connect ${this.url}: ${e.message}`));
        this.fail(`connection to ${this.url} failed: ${e.message}`);
      });
      sock.once('close', () => {
        settle(new Error(`connect ${this.url}: connection closed during the HTTP/2 handshake`));
        this.fail(`connection to ${this.url} closed`);
      });
    });
  }

  /** Fail every open stream (connection lost: their outcome is unknown) and drop the socket. */
  fail(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.draining = true;
    this.failure = reason;
    const sock = this.socket;
    this.socket = undefined;
    sock?.destroy();
    const streams = [...this.streams.values()];
    this.streams.clear();
    this.dataQueue.length = 0;
    for (const s of streams) this.finish(s, GrpcStatus.UNAVAILABLE, reason);
    for (const w of this.waiting.splice(0)) w();
    this.onClosed(this);
  }

  private write(b: Buffer): void {
    this.out.push(b);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // One socket write per turn of the event loop for everything queued in it.
      process.nextTick(() => this.flush());
    }
  }

  flush(): void {
    this.flushScheduled = false;
    const out = this.out;
    if (out.length === 0) return;
    this.out = [];
    const sock = this.socket;
    if (!sock || sock.destroyed) return;
    sock.write(out.length === 1 ? out[0]! : Buffer.concat(out));
  }

  /**
   * The HPACK block of a request. The constant fields are inserted into the server's dynamic table the
   * first time ("literal with incremental indexing", RFC 7541 §6.2.1) and referenced by index after that
   * (§6.1), so the server decodes a handful of one-byte references per request instead of strings —
   * measured: literal-only headers cost the servers ~10-15% more CPU per put than Go's client.
   * Insertions stay within the server's table size, so nothing is ever evicted and indices are exact.
   */
  encodeHeaders(key: string, scheme: number, fields: Field[]): Buffer {
    const hit = this.encCache.get(key);
    if (hit && hit.at === this.encInserted && !this.tableResetPending) return hit.buf;
    const bytes: number[] = [];
    if (this.tableResetPending) {
      // The server changed its table size: empty the table (size 0), then allow the new size.
      bytes.push(...hpackInt(0, 5, 0x20), ...hpackInt(this.peerTableSize, 5, 0x20));
      this.tableResetPending = false;
      this.encIndex.clear();
      this.encSize = 0;
      this.encInserted = 0;
      this.encCache.clear();
    }
    bytes.push(0x83, scheme); // :method POST (static 3), :scheme http (6) / https (7)
    let inserted = false;
    for (const f of fields) {
      const k = `${f.name}\0${f.value}`;
      const seq = this.encIndex.get(k);
      if (seq !== undefined) {
        bytes.push(...hpackInt(62 + (this.encInserted - seq), 7, 0x80));
        continue;
      }
      const size = Buffer.byteLength(f.name, 'latin1') + Buffer.byteLength(f.value, 'latin1') + 32;
      if (this.encSize + size <= this.peerTableSize) {
        bytes.push(...(f.nameIndex ? hpackInt(f.nameIndex, 6, 0x40) : [0x40, ...hpackString(f.name)]), ...hpackString(f.value));
        this.encInserted++;
        this.encSize += size;
        this.encIndex.set(k, this.encInserted);
        inserted = true;
      } else {
        // No room: literal without indexing (§6.2.2).
        bytes.push(...(f.nameIndex ? hpackInt(f.nameIndex, 4, 0) : [0, ...hpackString(f.name)]), ...hpackString(f.value));
      }
    }
    const buf = Buffer.from(bytes);
    if (!inserted) this.encCache.set(key, { at: this.encInserted, buf });
    return buf;
  }

  openStream(block: Buffer, timeoutMs: number | undefined, cb: UnaryCallback | undefined, bidi: RawBidi | undefined): Stream {
    const id = this.nextId;
    this.nextId += 2;
    if (this.nextId > 0x7fffff00) this.draining = true; // out of stream ids: the channel opens a new connection
    const s: Stream = {
      id,
      conn: this,
      cb,
      bidi,
      deadline: timeoutMs !== undefined ? performance.now() + timeoutMs : Infinity,
      sendWindow: this.peerInitialWindow,
      recvConsumed: 0,
      headersSeen: false,
      status: -1,
      message: '',
      first: undefined,
      more: undefined,
      block: undefined,
      blockEndsStream: false,
      done: false,
    };
    this.streams.set(id, s);
    this.write(frameHeader(block.length, T.HEADERS, END_HEADERS, id));
    this.write(block);
    return s;
  }

  /** Send DATA within the flow-control windows; the rest waits for WINDOW_UPDATE. */
  sendData(s: Stream, data: Buffer, endStream: boolean): void {
    if (s.done || this.closed) return;
    if (this.dataQueue.length > 0) {
      this.dataQueue.push({ stream: s, data, endStream });
      return;
    }
    const rest = this.trySend(s, data, endStream);
    if (rest) this.dataQueue.push({ stream: s, data: rest, endStream });
  }

  /** Sends what the windows allow; returns the unsent remainder (or undefined when all went out). */
  private trySend(s: Stream, data: Buffer, endStream: boolean): Buffer | undefined {
    let off = 0;
    do {
      const n = Math.min(data.length - off, this.peerMaxFrame, this.connSendWindow, s.sendWindow);
      if (n <= 0 && data.length > 0) return data.subarray(off);
      const last = off + n >= data.length;
      this.write(frameHeader(n, T.DATA, last && endStream ? END_STREAM : 0, s.id));
      if (n > 0) this.write(off === 0 && n === data.length ? data : data.subarray(off, off + n));
      this.connSendWindow -= n;
      s.sendWindow -= n;
      off += n;
    } while (off < data.length);
    return undefined;
  }

  private drainQueue(): void {
    while (this.dataQueue.length > 0) {
      const q = this.dataQueue[0]!;
      if (q.stream.done) {
        this.dataQueue.shift();
        continue;
      }
      const rest = this.trySend(q.stream, q.data, q.endStream);
      if (rest) {
        q.data = rest;
        return;
      }
      this.dataQueue.shift();
    }
  }

  cancelStream(s: Stream): void {
    if (s.done) return;
    s.done = true;
    this.streams.delete(s.id);
    if (!this.closed) {
      const code = Buffer.allocUnsafe(4);
      code.writeUInt32BE(CANCEL, 0);
      this.write(frameHeader(4, T.RST_STREAM, 0, s.id));
      this.write(code);
    }
    this.released();
  }

  private released(): void {
    if (this.waiting.length > 0 && this.streams.size < this.peerMaxStreams) this.waiting.shift()!();
    if (this.draining && this.streams.size === 0 && !this.closed) this.shutdown();
  }

  sweep(now: number): void {
    for (const s of this.streams.values()) {
      if (now > s.deadline && !s.done) {
        this.cancelStream(s);
        s.cb?.(GrpcStatus.DEADLINE_EXCEEDED, 'client deadline exceeded', undefined);
      }
    }
  }

  /** Graceful end: GOAWAY (no error), then close the socket. */
  shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    this.draining = true;
    this.flush();
    const sock = this.socket;
    this.socket = undefined;
    if (sock && !sock.destroyed) {
      sock.end(Buffer.concat([frameHeader(8, T.GOAWAY, 0, 0), Buffer.alloc(8)]));
      setTimeout(() => sock.destroy(), 1000).unref();
    }
    this.onClosed(this);
  }

  // ---- receiving ------------------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    const buf = this.inbuf ? Buffer.concat([this.inbuf, chunk]) : chunk;
    let off = 0;
    while (buf.length - off >= 9) {
      const len = buf.readUIntBE(off, 3);
      if (buf.length - off < 9 + len) break;
      const type = buf[off + 3]!;
      const flags = buf[off + 4]!;
      const id = buf.readUInt32BE(off + 5) & 0x7fffffff;
      const payload = buf.subarray(off + 9, off + 9 + len);
      off += 9 + len;
      this.onFrame(type, flags, id, payload);
      if (this.closed && !this.socket) return; // failed while handling
    }
    this.inbuf = off < buf.length ? buf.subarray(off) : undefined;
  }

  private onFrame(type: number, flags: number, id: number, p: Buffer): void {
    switch (type) {
      case T.DATA: {
        this.connRecvConsumed += p.length;
        if (this.connRecvConsumed > CONN_WINDOW / 2) {
          this.windowUpdate(0, this.connRecvConsumed);
          this.connRecvConsumed = 0;
        }
        const s = this.streams.get(id);
        if (!s) return;
        let data = p;
        if (flags & PADDED) data = p.subarray(1, p.length - p[0]!);
        s.recvConsumed += p.length;
        if (s.recvConsumed > STREAM_WINDOW / 2) {
          this.windowUpdate(s.id, s.recvConsumed);
          s.recvConsumed = 0;
        }
        if (s.bidi) s.bidi.onData(data);
        else if (data.length > 0) {
          if (!s.first) s.first = data;
          else (s.more ??= [s.first]).push(data);
        }
        if (flags & END_STREAM) this.endOfStream(s);
        return;
      }
      case T.HEADERS: {
        const s = this.streams.get(id);
        let block = p;
        if (flags & PADDED) block = block.subarray(1, block.length - p[0]!);
        if (flags & PRIORITY_FLAG) block = block.subarray(5);
        if (!(flags & END_HEADERS)) {
          // The block continues in CONTINUATION frames (HPACK state is per connection: decode in order).
          if (s) {
            s.block = [block];
            s.blockEndsStream = (flags & END_STREAM) !== 0;
          } else this.orphanBlock = [block];
          return;
        }
        this.onHeaderBlock(s, block, (flags & END_STREAM) !== 0);
        return;
      }
      case T.CONTINUATION: {
        const s = this.streams.get(id);
        const parts = s?.block ?? this.orphanBlock ?? [];
        parts.push(p);
        if (flags & END_HEADERS) {
          if (s) s.block = undefined;
          this.orphanBlock = undefined;
          this.onHeaderBlock(s, Buffer.concat(parts), s?.blockEndsStream ?? false);
        }
        return;
      }
      case T.RST_STREAM: {
        const s = this.streams.get(id);
        if (!s) return;
        const code = p.length >= 4 ? p.readUInt32BE(0) : 0;
        // REFUSED_STREAM (7): the server did not process it.
        this.finish(s, code === 7 ? GrpcStatus.UNAVAILABLE : code === CANCEL ? GrpcStatus.CANCELLED : GrpcStatus.INTERNAL, `stream reset by server (HTTP/2 error ${code})`);
        return;
      }
      case T.SETTINGS: {
        if (flags & ACK) return;
        for (let i = 0; i + 6 <= p.length; i += 6) {
          const key = p.readUInt16BE(i);
          const val = p.readUInt32BE(i + 2);
          if (key === 0x3) this.peerMaxStreams = val;
          else if (key === 0x4) {
            const delta = val - this.peerInitialWindow;
            this.peerInitialWindow = val;
            for (const s of this.streams.values()) s.sendWindow += delta;
          } else if (key === 0x5) this.peerMaxFrame = val;
          else if (key === 0x1 && val !== this.peerTableSize) {
            // The size of the table our encoder fills. Before our first request it simply applies;
            // later, the next header block must announce the change (handled in encodeHeaders).
            const target = Math.min(val, 4096);
            if (this.encInserted > 0 || this.settingsSeen) this.tableResetPending = true;
            this.peerTableSize = target;
          }
        }
        this.settingsSeen = true;
        this.write(frameHeader(0, T.SETTINGS, ACK, 0));
        this.drainQueue();
        const ready = this.onPeerSettings;
        this.onPeerSettings = undefined;
        ready?.();
        return;
      }
      case T.PING: {
        if (flags & ACK) return;
        this.write(frameHeader(8, T.PING, ACK, 0));
        this.write(Buffer.from(p));
        return;
      }
      case T.GOAWAY: {
        const last = p.readUInt32BE(0) & 0x7fffffff;
        const code = p.readUInt32BE(4);
        this.draining = true;
        this.failure = `server sent GOAWAY (HTTP/2 error ${code})`;
        // Streams above `last` were never processed: fail them now; the others may still complete here.
        for (const s of [...this.streams.values()]) if (s.id > last) this.finish(s, GrpcStatus.UNAVAILABLE, `${this.failure}; request not processed`);
        for (const w of this.waiting.splice(0)) w();
        this.onClosed(this);
        if (this.streams.size === 0) this.shutdown();
        return;
      }
      case T.WINDOW_UPDATE: {
        const inc = p.readUInt32BE(0) & 0x7fffffff;
        if (id === 0) this.connSendWindow += inc;
        else {
          const s = this.streams.get(id);
          if (s) s.sendWindow += inc;
        }
        this.drainQueue();
        return;
      }
      default:
        return; // PRIORITY, PUSH_PROMISE (disabled), unknown: ignore
    }
  }

  private windowUpdate(id: number, inc: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(inc, 0);
    this.write(frameHeader(4, T.WINDOW_UPDATE, 0, id));
    this.write(b);
  }

  /** Decode a header block (always, to keep the HPACK table in step) and apply it to its stream. */
  private onHeaderBlock(s: Stream | undefined, block: Buffer, endStream: boolean): void {
    let h: Headers;
    try {
      h = this.decodeBlock(block);
    } catch (e) {
      this.fail(`cannot decode response headers from ${this.url}: ${(e as Error).message}`);
      return;
    }
    if (!s) return;
    if (h.grpcStatus !== undefined) {
      s.status = Number(h.grpcStatus);
      s.message = h.grpcMessage ? decodeGrpcMessage(h.grpcMessage) : '';
    } else if (!s.headersSeen && h.status !== undefined && h.status !== '200') {
      s.status = GrpcStatus.UNAVAILABLE;
      s.message = `HTTP status ${h.status}`;
    }
    s.headersSeen = true;
    if (endStream) this.endOfStream(s);
  }

  private decodeBlock(block: Buffer): Headers {
    if (allIndexed(block)) {
      const key = block.toString('latin1');
      const hit = this.blockCache.get(key);
      if (hit) return hit;
      const h = this.runDecoder(block);
      this.blockCache.set(key, h);
      return h;
    }
    // This block may add to the dynamic table: cached meanings of indexed blocks may change.
    this.blockCache.clear();
    return this.runDecoder(block);
  }

  private runDecoder(block: Buffer): Headers {
    const d = this.decoder;
    d.write(block);
    let err: Error | null = null;
    d.execute((e) => (err = e));
    const h: Headers = {};
    for (let f = d.read(); f; f = d.read()) {
      if (f.name === ':status') h.status = f.value;
      else if (f.name === 'grpc-status') h.grpcStatus = f.value;
      else if (f.name === 'grpc-message') h.grpcMessage = f.value;
    }
    if (err) throw err;
    return h;
  }

  private endOfStream(s: Stream): void {
    if (s.done) return;
    if (s.status < 0) {
      s.status = GrpcStatus.INTERNAL;
      s.message = 'stream ended without grpc-status';
    }
    this.finish(s, s.status, s.message);
  }

  finish(s: Stream, status: number, message: string): void {
    if (s.done) return;
    s.done = true;
    this.streams.delete(s.id);
    this.released();
    finishCallbacks(s, status, message);
  }
}

function finishCallbacks(s: Stream, status: number, message: string): void {
  if (s.bidi) {
    s.bidi.onEnd(status, message);
    return;
  }
  completeUnary(s.cb!, status, message, s.first, s.more);
}

/** A logical channel to one member: one live connection at a time (plus old ones finishing their streams). */
export class RawH2Channel implements Channel {
  token: string | undefined;
  private conn: Conn | undefined;
  private connecting: Promise<Conn> | undefined;
  /** Replaced connections still finishing streams (swept for deadlines until they close). */
  private readonly old = new Set<Conn>();
  private readonly fieldsCache = new Map<string, { key: string; fields: Field[] }>();
  private backoffMs = 0;
  private nextAttemptAt = 0;

  constructor(readonly opts: ChannelOptions) {
    this.token = opts.token;
  }

  private onClosed = (c: Conn): void => {
    if (this.conn === c) this.conn = undefined;
    if (c.closed) this.old.delete(c);
    else this.old.add(c); // draining after GOAWAY: still answering its streams
  };

  connect(): Promise<void> {
    return this.live().then(() => undefined);
  }

  get ready(): boolean {
    return this.conn !== undefined && !this.conn.draining;
  }

  ensureConnecting(): void {
    if (!this.ready) this.live().catch(() => undefined);
  }

  /**
   * The live connection, connecting if needed. After a failed attempt the next one waits (100 ms,
   * doubling to 2 s), so calls to a member that is down wait for that instead of failing in a loop.
   */
  private live(): Promise<Conn> {
    if (this.conn && !this.conn.draining) return Promise.resolve(this.conn);
    if (this.connecting) return this.connecting;
    const wait = this.nextAttemptAt - performance.now();
    if (wait > 0) {
      this.connecting = new Promise<void>((r) => setTimeout(r, wait)).then(() => {
        this.connecting = undefined;
        return this.live();
      });
      return this.connecting;
    }
    const c = new Conn(this.opts.url, this.onClosed);
    this.connecting = c.open(this.opts.tls, this.opts.dialTimeoutMs).then(
      () => {
        this.connecting = undefined;
        this.backoffMs = 0;
        if (this.conn && this.conn !== c && !this.conn.closed) this.old.add(this.conn);
        this.conn = c;
        return c;
      },
      (e: unknown) => {
        this.connecting = undefined;
        this.backoffMs = Math.min(2000, Math.max(100, this.backoffMs * 2));
        this.nextAttemptAt = performance.now() + this.backoffMs;
        throw e;
      },
    );
    return this.connecting;
  }

  private headerFields(path: string, timeoutMs: number | undefined): { key: string; fields: Field[] } {
    const key = `${path}|${timeoutMs ?? ''}|${this.token ?? ''}`;
    let f = this.fieldsCache.get(key);
    if (!f) {
      const u = new URL(this.opts.url);
      const fields: Field[] = [
        { nameIndex: 4, name: ':path', value: path },
        { nameIndex: 1, name: ':authority', value: u.host },
        { nameIndex: 31, name: 'content-type', value: 'application/grpc' },
        { nameIndex: 0, name: 'te', value: 'trailers' },
      ];
      // The server enforces the same deadline, so it stops working on a request we gave up on.
      if (timeoutMs !== undefined) fields.push({ nameIndex: 0, name: 'grpc-timeout', value: `${Math.max(1, Math.round(timeoutMs))}m` });
      if (this.token) fields.push({ nameIndex: 0, name: 'token', value: this.token });
      f = { key, fields };
      this.fieldsCache.set(key, f);
    }
    return f;
  }

  private block(c: Conn, path: string, timeoutMs: number | undefined): Buffer {
    const { key, fields } = this.headerFields(path, timeoutMs);
    return c.encodeHeaders(key, this.opts.url.startsWith('https:') ? 0x87 : 0x86, fields);
  }

  unary(path: string, msg: Uint8Array, timeoutMs: number, cb: UnaryCallback): void {
    this.unaryFramed(path, frame(msg), timeoutMs, cb);
  }

  reauth: (() => Promise<string>) | undefined;
  private reauthing = false;

  /** Watch for a rejected token (etcd: Unauthenticated "invalid auth token") and fetch a new one once. */
  private authWatch(cb: UnaryCallback): UnaryCallback {
    return (status, message, body) => {
      if (status === GrpcStatus.UNAUTHENTICATED && this.reauth && !this.reauthing) {
        this.reauthing = true;
        this.reauth().then(
          (t) => {
            this.token = t;
            this.reauthing = false;
          },
          () => {
            this.reauthing = false;
          },
        );
      }
      cb(status, message, body);
    };
  }

  /** A unary call; `framed` (gRPC length prefix included) is only read, so constant requests may be reused. */
  unaryFramed(path: string, framed: Buffer, timeoutMs: number, cb0: UnaryCallback): void {
    const cb = this.reauth ? this.authWatch(cb0) : cb0;
    const c = this.conn;
    if (!c || c.draining) {
      // No usable connection (lost, or the server is going away): connect, then send. Nothing was sent
      // yet, so this is not a retry; if no connection can be made, the call fails with the reason.
      this.live().then(
        () => this.unaryFramed(path, framed, timeoutMs, cb0),
        (e: Error) => cb0(GrpcStatus.UNAVAILABLE, e.message, undefined),
      );
      return;
    }
    if (c.streams.size >= c.peerMaxStreams) {
      c.waiting.push(() => this.unaryFramed(path, framed, timeoutMs, cb0));
      return;
    }
    const s = c.openStream(this.block(c, path, timeoutMs), timeoutMs, cb, undefined);
    c.sendData(s, framed, true);
  }

  bidi(path: string, onMessage: (body: Buffer) => void, onEnd: (status: number, message: string) => void): BidiHandle {
    const c = this.conn;
    if (!c || c.draining) throw new Error(`not connected to ${this.opts.url}`);
    const b = new RawBidi(onMessage, onEnd);
    b.stream = c.openStream(this.block(c, path, undefined), undefined, undefined, b);
    return b;
  }

  sweep(now: number): void {
    this.conn?.sweep(now);
    for (const c of this.old) c.sweep(now);
  }

  close(): void {
    for (const c of [this.conn, ...this.old]) {
      if (!c) continue;
      for (const s of [...c.streams.values()]) {
        c.cancelStream(s);
        finishCallbacks(s, GrpcStatus.CANCELLED, 'channel closed');
      }
      c.shutdown();
    }
    this.conn = undefined;
    this.old.clear();
  }
}

/** True when every field of the block is an indexed representation (RFC 7541 §6.1). */
function allIndexed(b: Buffer): boolean {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if ((c & 0x80) === 0) return false;
    i++;
    if ((c & 0x7f) === 0x7f) {
      while (i < b.length && b[i]! & 0x80) i++;
      i++;
    }
  }
  return true;
}

class RawBidi implements BidiHandle {
  stream!: Stream;
  private buf: Buffer | undefined;
  private ended = false;
  constructor(
    private readonly onMessage: (body: Buffer) => void,
    private readonly endCb: (status: number, message: string) => void,
  ) {}

  onData(chunk: Buffer): void {
    let buf = this.buf ? Buffer.concat([this.buf, chunk]) : chunk;
    while (buf.length >= 5) {
      const len = buf.readUInt32BE(1);
      if (buf.length < 5 + len) break;
      const body = buf.subarray(5, 5 + len);
      buf = buf.subarray(5 + len);
      this.onMessage(body);
    }
    this.buf = buf.length ? buf : undefined;
  }

  onEnd(status: number, message: string): void {
    if (this.ended) return;
    this.ended = true;
    this.endCb(status, message);
  }

  write(msg: Uint8Array): boolean {
    this.stream.conn.sendData(this.stream, frame(msg), false);
    return true;
  }

  writeFramed(framed: Buffer): boolean {
    this.stream.conn.sendData(this.stream, framed, false);
    return true;
  }

  close(): void {
    this.ended = true;
    this.stream.conn.cancelStream(this.stream);
  }
}
