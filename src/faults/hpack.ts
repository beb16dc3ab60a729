/**
 * HPACK (RFC 7541) for the L7 fault proxy's HTTP/2 frame relay: a decoder that follows one peer's encoder
 * (dynamic table included), and an encoder that never uses the dynamic table, so every header block the
 * relay emits stands alone and can be dropped, injected or sent late without desynchronising anyone.
 * Hand-written because the relay needs exactly this pair over raw frames: node:http2 exposes no HPACK,
 * and the npm packages (hpack.js) are stream-based and unmaintained.
 * Header names and values are kept as latin1 strings: one char per octet, so bytes round-trip unchanged.
 */
import { HUFFMAN_CODES, HUFFMAN_LENGTHS, STATIC_TABLE } from './hpack-tables.js';

export class HpackError extends Error {}

/** One header field; `sensitive`: it came as "never indexed" (RFC 7541 §6.2.3) and leaves the same way. */
export interface HeaderField {
  name: string;
  value: string;
  sensitive?: boolean;
}

/** The Huffman code as a binary tree in two arrays: node n's children at [2n] (bit 0) and [2n+1]; leaves are -(sym+1). */
const TREE = buildTree();

function buildTree(): Int32Array {
  const t = new Int32Array(2 * 600);
  let nodes = 1;
  for (let sym = 0; sym < 256; sym++) {
    const code = HUFFMAN_CODES[sym]!;
    const len = HUFFMAN_LENGTHS[sym]!;
    let n = 0;
    for (let i = len - 1; i >= 0; i--) {
      const bit = (code >>> i) & 1;
      const slot = 2 * n + bit;
      if (i === 0) t[slot] = -(sym + 1);
      else {
        if (t[slot] === 0) t[slot] = nodes++;
        n = t[slot]!;
      }
    }
  }
  return t;
}

/** Decoded octets land here, then become one string (no string per symbol). Huffman codes are >= 5 bits: 8/5 octets out per octet in. */
let scratch = Buffer.allocUnsafe(4096);

function huffmanDecode(b: Buffer, start: number, end: number): string {
  const need = Math.ceil(((end - start) * 8) / 5);
  if (scratch.length < need) scratch = Buffer.allocUnsafe(need);
  const out = scratch;
  let o = 0;
  let n = 0;
  // Bits read since the last symbol, and whether all were ones: the padding must be a prefix of EOS (all ones), < 8 bits.
  let pending = 0;
  let allOnes = true;
  for (let i = start; i < end; i++) {
    const byte = b[i]!;
    for (let s = 7; s >= 0; s--) {
      const bit = (byte >>> s) & 1;
      const next = TREE[2 * n + bit]!;
      pending++;
      if (bit === 0) allOnes = false;
      if (next < 0) {
        out[o++] = -next - 1;
        n = 0;
        pending = 0;
        allOnes = true;
      } else if (next === 0) {
        throw new HpackError('invalid Huffman code (EOS or unassigned)');
      } else n = next;
    }
  }
  if (pending > 7 || !allOnes) throw new HpackError('invalid Huffman padding');
  return out.toString('latin1', 0, o);
}

/** Size of an entry in the dynamic table (RFC 7541 §4.1). */
const entrySize = (name: string, value: string): number => name.length + value.length + 32;

export class HpackDecoder {
  /** The dynamic table as a ring (an entry is inserted per indexed literal, e.g. every grpc-timeout): `count` entries, the newest at `head - 1`. */
  private ring: ([string, string] | undefined)[] = new Array(64);
  private head = 0;
  private count = 0;
  private size = 0;

  constructor(private maxSize = 4096) {}

  private entry(index: number): [string, string] {
    if (index >= 1 && index <= STATIC_TABLE.length) return STATIC_TABLE[index - 1] as [string, string];
    const i = index - STATIC_TABLE.length;
    if (i > this.count) throw new HpackError(`index ${index} is not in the table`);
    return this.ring[(this.head - i + this.ring.length) % this.ring.length]!;
  }

  private add(name: string, value: string): void {
    this.size += entrySize(name, value);
    if (this.count === this.ring.length) {
      // Full: unroll oldest..newest into a ring twice the size.
      const old = this.ring;
      const next: ([string, string] | undefined)[] = new Array(old.length * 2);
      for (let k = 0; k < this.count; k++) next[k] = old[(this.head - this.count + k + old.length) % old.length];
      this.ring = next;
      this.head = this.count;
    }
    this.ring[this.head] = [name, value];
    this.head = (this.head + 1) % this.ring.length;
    this.count++;
    this.evict();
  }

  private evict(): void {
    while (this.size > this.maxSize && this.count > 0) {
      const k = (this.head - this.count + this.ring.length) % this.ring.length;
      const [n, v] = this.ring[k]!;
      this.ring[k] = undefined;
      this.count--;
      this.size -= entrySize(n, v);
    }
  }

  /** The block being decoded and the position in it (fields, not closures: this runs for every header block). */
  private b: Buffer = Buffer.alloc(0);
  private p = 0;

  private int(prefixBits: number): number {
    const b = this.b;
    const mask = (1 << prefixBits) - 1;
    let v = b[this.p++]! & mask;
    if (v < mask) return v;
    let m = 0;
    for (;;) {
      if (this.p >= b.length) throw new HpackError('truncated integer');
      const c = b[this.p++]!;
      v += (c & 0x7f) * 2 ** m;
      m += 7;
      if ((c & 0x80) === 0) return v;
      if (m > 28) throw new HpackError('integer too large');
    }
  }

  private str(): string {
    const b = this.b;
    if (this.p >= b.length) throw new HpackError('truncated string');
    const huff = (b[this.p]! & 0x80) !== 0;
    const len = this.int(7);
    const start = this.p;
    if (start + len > b.length) throw new HpackError('truncated string');
    this.p += len;
    return huff ? huffmanDecode(b, start, start + len) : b.toString('latin1', start, start + len);
  }

  decode(b: Buffer): HeaderField[] {
    const out: HeaderField[] = [];
    this.b = b;
    this.p = 0;
    while (this.p < b.length) {
      const c = b[this.p]!;
      if (c & 0x80) {
        const i = this.int(7);
        if (i === 0) throw new HpackError('index 0');
        const e = this.entry(i);
        out.push({ name: e[0], value: e[1] });
      } else if (c & 0x40) {
        const i = this.int(6);
        const name = i ? this.entry(i)[0] : this.str();
        const value = this.str();
        this.add(name, value);
        out.push({ name, value });
      } else if (c & 0x20) {
        // Dynamic table size update (only the peer's SETTINGS bound it; the relay trusts the encoder's choice).
        this.maxSize = this.int(5);
        this.evict();
      } else {
        const sensitive = (c & 0x10) !== 0;
        const i = this.int(4);
        const name = i ? this.entry(i)[0] : this.str();
        const value = this.str();
        out.push(sensitive ? { name, value, sensitive } : { name, value });
      }
    }
    this.b = EMPTY;
    return out;
  }
}

const EMPTY = Buffer.alloc(0);

/** Static-table index of an exact (name, value) match, by name then value, and of the name alone. */
const STATIC_EXACT = new Map<string, Map<string, number>>();
const STATIC_NAME = new Map<string, number>();
STATIC_TABLE.forEach(([n, v], i) => {
  const byValue = STATIC_EXACT.get(n) ?? new Map<string, number>();
  if (!byValue.has(v)) byValue.set(v, i + 1);
  STATIC_EXACT.set(n, byValue);
  if (!STATIC_NAME.has(n)) STATIC_NAME.set(n, i + 1);
});

function putInt(b: Buffer, p: number, first: number, prefixBits: number, v: number): number {
  const max = (1 << prefixBits) - 1;
  if (v < max) {
    b[p++] = first | v;
    return p;
  }
  b[p++] = first | max;
  v -= max;
  while (v >= 0x80) {
    b[p++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 0x80);
  }
  b[p++] = v;
  return p;
}

function putStr(b: Buffer, p: number, s: string): number {
  p = putInt(b, p, 0, 7, s.length);
  return p + b.write(s, p, 'latin1');
}

/**
 * Encode without touching the dynamic table: static-table references and literals "without indexing" (or
 * "never indexed"), strings as raw octets. `headroom` bytes are left free in front (a frame header).
 */
export function encodeHeaders(fields: readonly HeaderField[], headroom = 0): Buffer {
  let size = headroom;
  for (const f of fields) size += f.name.length + f.value.length + 12;
  const b = Buffer.allocUnsafe(size);
  let p = headroom;
  for (const f of fields) {
    const exact = f.sensitive ? undefined : STATIC_EXACT.get(f.name)?.get(f.value);
    if (exact !== undefined) {
      p = putInt(b, p, 0x80, 7, exact);
      continue;
    }
    const ni = STATIC_NAME.get(f.name);
    p = putInt(b, p, f.sensitive ? 0x10 : 0x00, 4, ni ?? 0);
    if (ni === undefined) p = putStr(b, p, f.name);
    p = putStr(b, p, f.value);
  }
  return b.subarray(0, p);
}
