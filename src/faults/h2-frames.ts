/**
 * HTTP/2 framing (RFC 9113 §4, §6) for the L7 fault proxy's frame relay: a reader that cuts a byte stream
 * into frames without copying whole frames, and builders for the few frames the relay writes itself.
 */
export const FRAME = { DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 } as const;
export const FLAG = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;
export const SETTING = { HEADER_TABLE_SIZE: 0x1, MAX_FRAME_SIZE: 0x5 } as const;
export const H2_ERROR = { NO_ERROR: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2, REFUSED_STREAM: 7, CANCEL: 8 } as const;
export const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
export const HEADER_LEN = 9;

export class Frame {
  constructor(
    readonly type: number,
    readonly flags: number,
    readonly stream: number,
    /** The whole frame, header included (a view into the chunk it arrived in: forwarded as is). */
    readonly raw: Buffer,
  ) {}

  /** Payload length (flow control counts all of it, padding included: RFC 9113 §6.9.1). */
  get len(): number {
    return this.raw.length - HEADER_LEN;
  }

  /** The payload, a view into `raw` (made on demand: most frames are forwarded without looking at it). */
  get payload(): Buffer {
    return this.raw.subarray(HEADER_LEN);
  }
}

/** Cuts frames out of a byte stream; partial frames wait for the next chunk. */
export class FrameReader {
  private rest: Buffer | undefined;
  private prefaceLeft: number;

  constructor(
    private readonly onFrame: (f: Frame) => void,
    /** The client side starts with the 24-octet preface, handed to `onPreface` as is. */
    private readonly onPreface?: (b: Buffer) => void,
  ) {
    this.prefaceLeft = onPreface ? CLIENT_PREFACE.length : 0;
  }

  push(chunk: Buffer): void {
    let b = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = undefined;
    if (this.prefaceLeft > 0) {
      if (b.length < this.prefaceLeft) {
        this.rest = b;
        return;
      }
      const pre = b.subarray(0, this.prefaceLeft);
      if (!pre.equals(CLIENT_PREFACE)) throw new Error('not an HTTP/2 client preface');
      this.prefaceLeft = 0;
      this.onPreface!(pre);
      b = b.subarray(CLIENT_PREFACE.length);
    }
    let off = 0;
    while (b.length - off >= HEADER_LEN) {
      const len = (b[off]! << 16) | (b[off + 1]! << 8) | b[off + 2]!;
      const end = off + HEADER_LEN + len;
      if (end > b.length) break;
      this.onFrame(new Frame(b[off + 3]!, b[off + 4]!, b.readUInt32BE(off + 5) & 0x7fffffff, b.subarray(off, end)));
      off = end;
    }
    if (off < b.length) this.rest = b.subarray(off);
  }
}

export function frame(type: number, flags: number, stream: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.allocUnsafe(HEADER_LEN + payload.length);
  b.writeUIntBE(payload.length, 0, 3);
  b[3] = type;
  b[4] = flags;
  b.writeUInt32BE(stream & 0x7fffffff, 5);
  payload.copy(b, HEADER_LEN);
  return b;
}

/**
 * A header block as HEADERS plus CONTINUATION frames no larger than `maxFrame`. `block` may start with
 * HEADER_LEN bytes of headroom (`headroom`): a block that fits one frame then gets its header written there, no copy.
 */
export function headerFrames(stream: number, block: Buffer, endStream: boolean, maxFrame: number, headroom = 0): Buffer {
  const len = block.length - headroom;
  if (headroom === HEADER_LEN && len <= maxFrame) {
    block.writeUIntBE(len, 0, 3);
    block[3] = FRAME.HEADERS;
    block[4] = FLAG.END_HEADERS | (endStream ? FLAG.END_STREAM : 0);
    block.writeUInt32BE(stream & 0x7fffffff, 5);
    return block;
  }
  const body = block.subarray(headroom);
  const out: Buffer[] = [];
  let off = 0;
  do {
    const part = body.subarray(off, off + maxFrame);
    off += part.length;
    const last = off >= body.length;
    const first = out.length === 0;
    out.push(frame(first ? FRAME.HEADERS : FRAME.CONTINUATION, (last ? FLAG.END_HEADERS : 0) | (first && endStream ? FLAG.END_STREAM : 0), stream, part));
  } while (off < body.length);
  return Buffer.concat(out);
}

/** The frame `raw` (a whole frame, header included) re-addressed to stream `id`, in place. */
export function withStream(raw: Buffer, id: number): Buffer {
  raw.writeUInt32BE(id & 0x7fffffff, 5);
  return raw;
}

export function windowUpdate(stream: number, increment: number): Buffer {
  const p = Buffer.allocUnsafe(4);
  p.writeUInt32BE(increment & 0x7fffffff, 0);
  return frame(FRAME.WINDOW_UPDATE, 0, stream, p);
}

export function rstStream(stream: number, code: number): Buffer {
  const p = Buffer.allocUnsafe(4);
  p.writeUInt32BE(code >>> 0, 0);
  return frame(FRAME.RST_STREAM, 0, stream, p);
}

export function goaway(lastStream: number, code: number, debug: Buffer = Buffer.alloc(0)): Buffer {
  const p = Buffer.allocUnsafe(8 + debug.length);
  p.writeUInt32BE(lastStream & 0x7fffffff, 0);
  p.writeUInt32BE(code >>> 0, 4);
  debug.copy(p, 8);
  return frame(FRAME.GOAWAY, 0, 0, p);
}

/** The header block fragment of a HEADERS frame: padding and priority fields stripped. */
export function headersFragment(f: Frame): Buffer {
  let p = f.payload;
  let pad = 0;
  if (f.flags & FLAG.PADDED) {
    pad = p[0]!;
    p = p.subarray(1);
  }
  if (f.flags & FLAG.PRIORITY) p = p.subarray(5);
  if (pad > p.length) throw new Error('HEADERS padding longer than the frame');
  return p.subarray(0, p.length - pad);
}

/** A SETTINGS frame's parameters, identifier -> value. */
export function settingsOf(f: Frame): Map<number, number> {
  const m = new Map<number, number>();
  for (let o = 0; o + 6 <= f.payload.length; o += 6) m.set(f.payload.readUInt16BE(o), f.payload.readUInt32BE(o + 2));
  return m;
}
