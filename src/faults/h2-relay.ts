/**
 * One client connection of the L7 fault proxy, relayed frame by frame to its own upstream connection.
 * Frames pass through as they arrived (stream ids rewritten in place) except header blocks, which are
 * decoded (to learn each request's method) and re-encoded without HPACK's dynamic table: so a request
 * can be answered here (abort), opened upstream later (delay, hold) or never (the skipped stream id is
 * legal: RFC 9113 §5.1.1), and a response can be delayed per stream, without either side's HPACK state
 * going out of step. Node's http2 module did this before at two full HTTP/2 stacks per RPC (about twice
 * the CPU of a direct call and most of the proxy's added P99: bench/faults-proxy-overhead.ts).
 *
 * Flow control stays end to end: WINDOW_UPDATE and SETTINGS pass through, so both ends see each other's
 * windows; the relay credits a window itself only for bytes it drops (DATA of an aborted or unknown
 * stream) and holds back the client's credit for bytes it injected (the body of an aborted plain HTTP
 * request). Request bytes of a held RPC count against the client's connection window while held, as they
 * would against a stalled server's.
 * GOAWAY from upstream is translated to the client's stream ids; streams it did not take are refused
 * (REFUSED_STREAM: never processed), so a client never retries a request the member may have executed.
 */
import type { Socket } from 'node:net';
import { FrameReader, FRAME, FLAG, SETTING, H2_ERROR, HEADER_LEN, frame, headerFrames, withStream, windowUpdate, rstStream, goaway, headersFragment, settingsOf, type Frame } from './h2-frames.js';
import { HpackDecoder, encodeHeaders, type HeaderField } from './hpack.js';
import { OrderedReleaseQueue } from './queue.js';
import type { Rng } from './rng.js';
import { isGrpcContentType } from './rpc-rules.js';

/** A request as the proxy's rules see it. */
export interface RelayRequest {
  path: string;
  grpc: boolean;
  /** The decision's delay of response messages (watch lag), set when forwarded. */
  streamDelay?: { ms: number; jitterMs: number } | undefined;
  /** The proxy's random stream for this request's response delays (its own to create). */
  rng?: Rng | undefined;
}

/** What the proxy may do with one new request: exactly one of forward/abortGrpc/answerHttp/refuse, now or later. */
export interface RequestControl {
  /** Open it upstream; false when it cannot be any more (client gone, upstream going away: then refused). */
  forward(streamDelay?: { ms: number; jitterMs: number }): boolean;
  /** Answer trailers-only with a gRPC status (gRPC PROTOCOL-HTTP2 "Trailers-Only"): a definite failure. */
  abortGrpc(code: number, message: string): void;
  answerHttp(status: number, body: string): void;
  /** RST_STREAM REFUSED_STREAM: the client knows it was never processed. */
  refuse(): void;
  /** Still waiting for one of the above (the client has not reset it, the connection is up). */
  readonly waiting: boolean;
  /** Called once if the request goes away while waiting. */
  onClose(f: () => void): void;
}

export interface RelayOwner {
  onRequest(req: RelayRequest, ctl: RequestControl): void;
  /** Hold an open stream's responses (a blackhole covering its method). */
  responseHold(req: RelayRequest): boolean;
  /** The delay of the next response frame of an open stream, ms (0: none). */
  responseDelay(req: RelayRequest): number;
}

interface RStream {
  cid: number;
  uid: number;
  req: RelayRequest;
  state: 'waiting' | 'open' | 'answered';
  fields: HeaderField[];
  headersEnd: boolean;
  /** Client frames that arrived while waiting: raw DATA frames, or trailers. */
  pending?: (Buffer | { fields: HeaderField[]; end: boolean })[] | undefined;
  pendingData: number;
  pendingWindow: number;
  reqEnded: boolean;
  respEnded: boolean;
  closeFns?: (() => void)[] | undefined;
  q?: OrderedReleaseQueue<Buffer> | undefined;
}

interface HeaderBlock {
  stream: number;
  flags: number;
  parts: Buffer[];
  promised?: number | undefined;
}

const MAX_STREAM = 0x7fffffff;
const DEFAULT_MAX_FRAME = 16384;

export class H2Relay {
  private readonly byC = new Map<number, RStream>();
  private readonly byU = new Map<number, RStream>();
  private readonly decC = new HpackDecoder();
  private readonly decU = new HpackDecoder();
  private readonly blocksC = new HeaderBlocks((b) => this.clientHeaders(b));
  private readonly blocksU = new HeaderBlocks((b) => this.upHeaders(b));
  private lastCid = 0;
  private nextUid = 1;
  /** Upstream's GOAWAY: no stream above this upstream id is processed. */
  private upLast = MAX_STREAM;
  private upMaxFrame = DEFAULT_MAX_FRAME;
  private downMaxFrame = DEFAULT_MAX_FRAME;
  /** Connection-window credit the client owes back for bytes injected here: not passed on upstream. */
  private owedByClient = 0;
  private closed = false;
  /** Frames of our own for the client wait until the member's SETTINGS (its connection preface) went first. */
  private downBacklog: Buffer[] | undefined = [];
  private readonly closeFns: (() => void)[] = [];

  constructor(
    private readonly down: Socket,
    private readonly up: Socket,
    private readonly owner: RelayOwner,
  ) {
    const fromClient = new FrameReader(
      (f) => this.fromClient(f),
      (preface) => this.up.write(preface),
    );
    const fromUp = new FrameReader((f) => this.fromUp(f));
    this.pump(down, up, fromClient);
    this.pump(up, down, fromUp);
    down.once('close', () => this.close());
    up.once('end', () => {
      if (!down.destroyed) down.end();
    });
    up.once('close', (hadError: boolean) => {
      // The member's connection died: the client's goes too (as it would without the proxy).
      if (hadError) down.destroy();
      else if (!down.destroyed) down.end();
      this.close();
    });
  }

  onClose(f: () => void): void {
    this.closeFns.push(f);
  }

  /** TCP reset of both connections (the `reset` fault). */
  reset(): void {
    if (!this.down.destroyed) this.down.resetAndDestroy();
    if (!this.up.destroyed) this.up.resetAndDestroy();
    this.close();
  }

  destroy(): void {
    this.down.destroy();
    this.up.destroy();
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.up.destroyed) this.up.destroy();
    for (const s of this.byC.values()) this.dispose(s);
    for (const s of this.byU.values()) this.dispose(s);
    this.byC.clear();
    this.byU.clear();
    for (const f of this.closeFns.splice(0)) f();
  }

  /** Read `from`, frames to the reader, writes batched (cork) per chunk, backpressure by pausing the reader. */
  private pump(from: Socket, to: Socket, reader: FrameReader): void {
    from.on('data', (chunk: Buffer) => {
      to.cork();
      try {
        reader.push(chunk);
      } catch {
        // A malformed frame or header block: a connection error, both sides go.
        this.destroy();
        return;
      } finally {
        to.uncork();
      }
      if (to.writableNeedDrain) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    });
    from.resume();
  }

  private toUp(b: Buffer): void {
    if (!this.up.destroyed) this.up.write(b);
  }

  private toDown(b: Buffer | Buffer[]): void {
    if (this.down.destroyed) return;
    if (this.downBacklog) {
      if (Array.isArray(b)) this.downBacklog.push(...b);
      else this.downBacklog.push(b);
      return;
    }
    if (Array.isArray(b)) for (const x of b) this.down.write(x);
    else this.down.write(b);
  }

  // ------------------------------------------------------------------ client -> upstream

  private fromClient(f: Frame): void {
    if (this.blocksC.pending && f.type !== FRAME.CONTINUATION) throw new Error('expected CONTINUATION');
    switch (f.type) {
      case FRAME.DATA: {
        const s = this.byC.get(f.stream);
        const end = (f.flags & FLAG.END_STREAM) !== 0;
        if (s?.state === 'open') {
          this.toUp(withStream(f.raw, s.uid));
        } else if (s?.state === 'waiting') {
          (s.pending ??= []).push(f.raw);
          s.pendingData += f.len;
        } else if (f.len > 0) this.toDown(windowUpdate(0, f.len)); // dropped: credit the client
        if (end && s) {
          s.reqEnded = true;
          if (s.state !== 'waiting') this.maybeDone(s);
        }
        return;
      }
      case FRAME.HEADERS:
        return this.blocksC.start(f, headersFragment(f));
      case FRAME.CONTINUATION:
        return this.blocksC.continuation(f);
      case FRAME.RST_STREAM: {
        const s = this.byC.get(f.stream);
        if (!s) return;
        if (s.state === 'open') {
          this.toUp(withStream(f.raw, s.uid));
        }
        this.creditPending(s);
        this.remove(s);
        return;
      }
      case FRAME.WINDOW_UPDATE: {
        if (f.stream === 0) {
          const inc = f.raw.readUInt32BE(HEADER_LEN) & MAX_STREAM;
          const owed = Math.min(this.owedByClient, inc);
          this.owedByClient -= owed;
          if (owed === 0) this.toUp(f.raw);
          else if (inc > owed) this.toUp(windowUpdate(0, inc - owed));
          return;
        }
        const s = this.byC.get(f.stream);
        if (s?.state === 'open') {
          this.toUp(withStream(f.raw, s.uid));
        } else if (s?.state === 'waiting') s.pendingWindow += f.raw.readUInt32BE(HEADER_LEN) & MAX_STREAM;
        return;
      }
      case FRAME.SETTINGS:
        if (!(f.flags & FLAG.ACK)) this.downMaxFrame = settingsOf(f).get(SETTING.MAX_FRAME_SIZE) ?? this.downMaxFrame;
        this.toUp(f.raw);
        return;
      case FRAME.PING:
      case FRAME.GOAWAY:
        this.toUp(f.raw);
        return;
      default:
        // PRIORITY (advisory, deprecated by RFC 9113), PUSH_PROMISE (clients never send it), unknown types: dropped.
        return;
    }
  }

  private clientHeaders(b: HeaderBlock): void {
    const fields = this.decC.decode(b.parts.length === 1 ? b.parts[0]! : Buffer.concat(b.parts));
    const end = (b.flags & FLAG.END_STREAM) !== 0;
    const known = this.byC.get(b.stream);
    if (known) {
      // Trailers of a request.
      if (known.state === 'open') this.toUp(headersOut(known.uid, fields, end, this.upMaxFrame));
      else if (known.state === 'waiting') (known.pending ??= []).push({ fields, end });
      if (end) {
        known.reqEnded = true;
        if (known.state !== 'waiting') this.maybeDone(known);
      }
      return;
    }
    if (b.stream % 2 === 0 || b.stream <= this.lastCid) return; // a stream already closed here: ignored
    this.lastCid = b.stream;
    let path = '';
    let ct = '';
    for (const h of fields) {
      if (h.name === ':path') path = h.value;
      else if (h.name === 'content-type') ct = h.value;
    }
    const s: RStream = {
      cid: b.stream,
      uid: 0,
      req: { path, grpc: isGrpcContentType(ct) },
      state: 'waiting',
      fields,
      headersEnd: end,
      pendingData: 0,
      pendingWindow: 0,
      reqEnded: end,
      respEnded: false,
    };
    this.byC.set(s.cid, s);
    this.owner.onRequest(s.req, new Control(this, s));
  }

  abortGrpc(s: RStream, code: number, message: string): void {
    if (s.state !== 'waiting') return;
    this.answer(s, [
      { name: ':status', value: '200' },
      { name: 'content-type', value: 'application/grpc' },
      { name: 'grpc-status', value: String(code) },
      { name: 'grpc-message', value: encodeGrpcMessage(message) },
    ]);
  }

  answerHttp(s: RStream, status: number, body: string): void {
    if (s.state !== 'waiting') return;
    const b = Buffer.from(body, 'utf8');
    this.answer(s, [{ name: ':status', value: String(status) }, { name: 'content-type', value: 'text/plain; charset=utf-8' }, { name: 'content-length', value: String(b.length) }], b);
  }

  refuse(s: RStream): void {
    if (s.state === 'waiting') this.refuseStream(s);
  }

  /** RST_STREAM REFUSED_STREAM to the client (never processed), what it sent meanwhile credited back. */
  private refuseStream(s: RStream): void {
    this.toDown(rstStream(s.cid, H2_ERROR.REFUSED_STREAM));
    this.creditPending(s);
    this.remove(s);
  }

  /** Request bytes the relay held and will never forward: back to the client's connection window. */
  private creditPending(s: RStream): void {
    if (s.pendingData > 0) this.toDown(windowUpdate(0, s.pendingData));
    s.pending = undefined;
    s.pendingData = 0;
  }

  isWaiting(s: RStream): boolean {
    return s.state === 'waiting' && !this.closed && this.byC.get(s.cid) === s;
  }

  /** Open a waiting stream upstream: its headers re-encoded, then what the client sent meanwhile. */
  forward(s: RStream, streamDelay?: { ms: number; jitterMs: number }): boolean {
    if (s.state !== 'waiting' || this.closed || this.byC.get(s.cid) !== s) return false;
    if (this.up.destroyed || this.nextUid > this.upLast) {
      this.refuseStream(s);
      return false;
    }
    s.uid = this.nextUid;
    this.nextUid += 2;
    s.state = 'open';
    s.req.streamDelay = streamDelay;
    this.byU.set(s.uid, s);
    this.up.cork();
    this.toUp(headersOut(s.uid, s.fields, s.headersEnd, this.upMaxFrame));
    for (const p of s.pending ?? []) {
      this.toUp(Buffer.isBuffer(p) ? withStream(p, s.uid) : headersOut(s.uid, p.fields, p.end, this.upMaxFrame));
    }
    if (s.pendingWindow > 0) this.toUp(windowUpdate(s.uid, s.pendingWindow));
    this.up.uncork();
    s.pending = undefined;
    s.pendingData = 0;
    this.reevaluate(s);
    return true;
  }

  private answer(s: RStream, fields: HeaderField[], body?: Buffer): void {
    s.state = 'answered';
    const withBody = body !== undefined && body.length > 0;
    this.toDown(headersOut(s.cid, fields, !withBody, this.downMaxFrame));
    if (withBody) {
      this.owedByClient += body.length;
      this.toDown(frame(FRAME.DATA, FLAG.END_STREAM, s.cid, body));
    }
    this.creditPending(s);
    s.respEnded = true;
    if (!s.reqEnded) {
      // The client is still sending the body: ask it to stop, without error (RFC 9113 §8.1); DATA already
      // on the way are dropped and credited like any for an unknown stream.
      this.toDown(rstStream(s.cid, H2_ERROR.NO_ERROR));
      s.reqEnded = true;
    }
    this.maybeDone(s);
  }

  // ------------------------------------------------------------------ upstream -> client

  private fromUp(f: Frame): void {
    if (this.blocksU.pending && f.type !== FRAME.CONTINUATION) throw new Error('expected CONTINUATION');
    switch (f.type) {
      case FRAME.DATA: {
        const s = this.byU.get(f.stream);
        if (!s) {
          if (f.len > 0) this.toUp(windowUpdate(0, f.len));
          return;
        }
        this.toClient(s, withStream(f.raw, s.cid));
        if (f.flags & FLAG.END_STREAM) {
          s.respEnded = true;
          this.maybeDone(s);
        }
        return;
      }
      case FRAME.HEADERS:
        return this.blocksU.start(f, headersFragment(f));
      case FRAME.PUSH_PROMISE: {
        // Clients of etcd disable push; a promise is decoded (HPACK state) and refused.
        let p = f.payload;
        const pad = f.flags & FLAG.PADDED ? p[0]! : 0;
        if (f.flags & FLAG.PADDED) p = p.subarray(1);
        return this.blocksU.start(f, p.subarray(4, p.length - pad), p.readUInt32BE(0) & MAX_STREAM);
      }
      case FRAME.CONTINUATION:
        return this.blocksU.continuation(f);
      case FRAME.RST_STREAM: {
        const s = this.byU.get(f.stream);
        if (!s) return;
        // After whatever response frames are still queued for the client.
        this.toClient(s, withStream(f.raw, s.cid));
        this.remove(s);
        return;
      }
      case FRAME.WINDOW_UPDATE: {
        if (f.stream === 0) return this.toDown(f.raw);
        const s = this.byU.get(f.stream);
        if (!s) return;
        this.toDown(withStream(f.raw, s.cid));
        return;
      }
      case FRAME.SETTINGS: {
        if (!(f.flags & FLAG.ACK)) this.upMaxFrame = settingsOf(f).get(SETTING.MAX_FRAME_SIZE) ?? this.upMaxFrame;
        const backlog = this.downBacklog;
        this.downBacklog = undefined;
        this.toDown(f.raw);
        if (backlog) this.toDown(backlog);
        return;
      }
      case FRAME.PING:
        this.toDown(f.raw);
        return;
      case FRAME.GOAWAY:
        this.upGoaway(f);
        return;
      default:
        return;
    }
  }

  private upHeaders(b: HeaderBlock): void {
    const fields = this.decU.decode(b.parts.length === 1 ? b.parts[0]! : Buffer.concat(b.parts));
    if (b.promised !== undefined) {
      this.toUp(rstStream(b.promised, H2_ERROR.REFUSED_STREAM));
      return;
    }
    const s = this.byU.get(b.stream);
    if (!s) return; // a stream reset here: decoded for the table's sake, dropped
    const end = (b.flags & FLAG.END_STREAM) !== 0;
    this.toClient(s, headersOut(s.cid, fields, end, this.downMaxFrame));
    if (end) {
      s.respEnded = true;
      this.maybeDone(s);
    }
  }

  /** Straight to the client, or through the stream's queue once a rule has delayed or held its responses. */
  private toClient(s: RStream, b: Buffer): void {
    if (!s.q) {
      const delay = this.owner.responseDelay(s.req);
      if (delay <= 0) return this.toDown(b);
      s.q = this.queue();
      s.q.push(b, delay);
      return;
    }
    s.q.push(b, this.owner.responseDelay(s.req));
  }

  private queue(): OrderedReleaseQueue<Buffer> {
    return new OrderedReleaseQueue<Buffer>((b) => this.toDown(b));
  }

  /** The rules changed: hold or release the responses of every open stream. */
  rulesChanged(): void {
    for (const s of this.byU.values()) this.reevaluate(s);
  }

  private reevaluate(s: RStream): void {
    if (this.owner.responseHold(s.req)) (s.q ??= this.queue()).hold();
    else s.q?.release();
  }

  private upGoaway(f: Frame): void {
    const last = f.raw.readUInt32BE(HEADER_LEN) & MAX_STREAM;
    const code = f.payload.readUInt32BE(4);
    this.upLast = Math.min(this.upLast, last);
    if (last === MAX_STREAM) {
      // "Going away soon" (graceful shutdown's first GOAWAY): everything may still be processed.
      this.toDown(goaway(MAX_STREAM, code, f.payload.subarray(8)));
      return;
    }
    let lastC = 0;
    for (const s of this.byU.values()) if (s.uid <= last) lastC = Math.max(lastC, s.cid);
    this.toDown(goaway(lastC, code, f.payload.subarray(8)));
    // Streams the member will never process: refused, so the client knows (waiting ones included).
    for (const s of [...this.byC.values()]) {
      if (s.state === 'answered' || (s.state === 'open' && s.uid <= last)) continue;
      this.refuseStream(s);
    }
  }

  // ------------------------------------------------------------------ bookkeeping

  private maybeDone(s: RStream): void {
    if (s.reqEnded && s.respEnded) this.remove(s);
  }

  private remove(s: RStream): void {
    if (this.byC.get(s.cid) === s) this.byC.delete(s.cid);
    if (s.uid && this.byU.get(s.uid) === s) this.byU.delete(s.uid);
    this.dispose(s);
  }

  private dispose(s: RStream): void {
    if (s.state === 'waiting') {
      s.state = 'answered';
      for (const f of s.closeFns?.splice(0) ?? []) f();
    }
    if (this.closed) s.q?.close();
  }
}

/** HEADERS (or PUSH_PROMISE) then CONTINUATION frames of one direction, as whole header blocks. */
class HeaderBlocks {
  /** A block that spans frames, until its END_HEADERS. */
  pending: HeaderBlock | undefined;

  constructor(private readonly onBlock: (b: HeaderBlock) => void) {}

  start(f: Frame, fragment: Buffer, promised?: number): void {
    const block: HeaderBlock = { stream: f.stream, flags: f.flags, parts: [fragment], promised };
    if (f.flags & FLAG.END_HEADERS) this.onBlock(block);
    else this.pending = block;
  }

  continuation(f: Frame): void {
    const c = this.pending;
    if (!c || c.stream !== f.stream) throw new Error('unexpected CONTINUATION');
    c.parts.push(f.payload);
    if (f.flags & FLAG.END_HEADERS) {
      this.pending = undefined;
      this.onBlock(c);
    }
  }
}

/** One request's handle for the proxy (a class: one object per request, no closures). */
class Control implements RequestControl {
  constructor(
    private readonly relay: H2Relay,
    private readonly s: RStream,
  ) {}

  forward(streamDelay?: { ms: number; jitterMs: number }): boolean {
    return this.relay.forward(this.s, streamDelay);
  }

  abortGrpc(code: number, message: string): void {
    this.relay.abortGrpc(this.s, code, message);
  }

  answerHttp(status: number, body: string): void {
    this.relay.answerHttp(this.s, status, body);
  }

  refuse(): void {
    this.relay.refuse(this.s);
  }

  get waiting(): boolean {
    return this.relay.isWaiting(this.s);
  }

  onClose(f: () => void): void {
    (this.s.closeFns ??= []).push(f);
  }
}

/** A header block of ours (re-encoded, stand-alone) as frames, in one buffer. */
function headersOut(stream: number, fields: readonly HeaderField[], endStream: boolean, maxFrame: number): Buffer {
  return headerFrames(stream, encodeHeaders(fields, HEADER_LEN), endStream, maxFrame, HEADER_LEN);
}

/** gRPC PROTOCOL-HTTP2: percent-encode bytes outside printable ASCII (0x20-0x7E) and '%' itself, nothing else. */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const b of Buffer.from(message, 'utf8')) out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}
