/**
 * A read-only bbolt reader, written by hand because no maintained JavaScript library reads bbolt
 * (etcd's storage format), and etcdutl is not always installed (3.3/3.4 ship none; etcdctl 3.4's
 * `snapshot status` differs). It reads pages with positional reads only — never the whole file — so
 * memory stays constant whatever the db size (a bitmap of one bit per page is the only thing that
 * grows, and only in `check`).
 *
 * Format (bbolt v1.3.x, the versions etcd 3.3-3.6 vendor; go.etcd.io/bbolt page.go, db.go, node.go):
 *   page header (16 B): id u64, flags u16, count u16, overflow u32; data follows.
 *   flags: branch 0x01, leaf 0x02, meta 0x04, freelist 0x10.
 *   meta (at page offset 16): magic u32 (0xED0CDAED), version u32 (2), pageSize u32, flags u32,
 *     root bucket {root pgid u64, sequence u64}, freelist pgid u64, pgid (high water mark) u64,
 *     txid u64, checksum u64 = FNV-1a 64 of the preceding 56 bytes.
 *   branch element (16 B): pos u32, ksize u32, pgid u64 — key at element address + pos.
 *   leaf element (16 B): flags u32 (0x01 = sub-bucket), pos u32, ksize u32, vsize u32.
 *   bucket value: {root pgid u64, sequence u64}; root 0 = inline bucket, its page follows in the value.
 * All integers little-endian (bbolt writes native order; every etcd release platform is little-endian).
 */
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { errorMessage } from '../core/errors.js';

export const BOLT_MAGIC = 0xed0cdaed;
export const BOLT_VERSION = 2;
const PAGE_HEADER = 16;
const ELEMENT = 16;
const META_CHECKSUM_SPAN = 56;
const FLAG_BRANCH = 0x01;
const FLAG_LEAF = 0x02;
const FLAG_META = 0x04;
const FLAG_FREELIST = 0x10;
const LEAF_BUCKET = 0x01;
/** bbolt's pgidNoFreelist: the freelist was not synced (NoFreelistSync) and is rebuilt on open. */
const NO_FREELIST = 0xffffffffffffffffn;
/** Page sizes to probe when meta page 0 is unreadable (bbolt's getPageSize does the same idea). */
const PROBE_PAGE_SIZES = [4096, 8192, 16384, 32768, 65536, 1024, 2048];
/** Refuse absurd structures instead of looping or allocating without bound. */
const MAX_DEPTH = 64;
const MAX_PAGE_BYTES = 256 * 1024 * 1024;
const CACHE_BLOCK = 256 * 1024;
const CACHE_BLOCKS = 8;

export class BoltError extends Error {
  constructor(
    readonly code: 'not-bolt' | 'bad-meta' | 'bad-page' | 'short-read',
    message: string,
  ) {
    super(message);
    this.name = 'BoltError';
  }
}

export interface BoltMeta {
  /** 0 or 1: which meta page. */
  index: number;
  magic: number;
  version: number;
  pageSize: number;
  flags: number;
  root: bigint;
  sequence: bigint;
  freelist: bigint;
  /** High water mark: pages [0, pgid) are in use or free. */
  pgid: bigint;
  txid: bigint;
  checksum: bigint;
  /** null when valid, otherwise why not. */
  invalid: string | null;
}

/** FNV-1a 64 (bbolt meta.sum64). */
export function fnv1a64(buf: Uint8Array): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of buf) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

export function parseMeta(page: Buffer, index: number): BoltMeta {
  const m = page.subarray(PAGE_HEADER);
  if (m.length < 64) throw new BoltError('short-read', `meta page ${index} is truncated`);
  const meta: BoltMeta = {
    index,
    magic: m.readUInt32LE(0),
    version: m.readUInt32LE(4),
    pageSize: m.readUInt32LE(8),
    flags: m.readUInt32LE(12),
    root: m.readBigUInt64LE(16),
    sequence: m.readBigUInt64LE(24),
    freelist: m.readBigUInt64LE(32),
    pgid: m.readBigUInt64LE(40),
    txid: m.readBigUInt64LE(48),
    checksum: m.readBigUInt64LE(56),
    invalid: null,
  };
  const flags = page.readUInt16LE(8);
  if (meta.magic !== BOLT_MAGIC) meta.invalid = `bad magic 0x${meta.magic.toString(16)} (want 0x${BOLT_MAGIC.toString(16)})`;
  else if (meta.version !== BOLT_VERSION) meta.invalid = `unsupported bbolt version ${meta.version} (want ${BOLT_VERSION})`;
  else if ((flags & FLAG_META) === 0) meta.invalid = `page ${index} is not a meta page (flags 0x${flags.toString(16)})`;
  else if (fnv1a64(m.subarray(0, META_CHECKSUM_SPAN)) !== meta.checksum) meta.invalid = `meta page ${index} checksum mismatch`;
  return meta;
}

/** A page as read from disk: header fields plus its bytes (header included, overflow pages included). */
export interface Page {
  id: bigint;
  flags: number;
  count: number;
  overflow: number;
  buf: Buffer;
}

export interface LeafElement {
  flags: number;
  key: Buffer;
  value: Buffer;
}

export interface BucketRef {
  /** 0n for an inline bucket. */
  root: bigint;
  /** The inline page's bytes (only when root is 0n). */
  inline?: Buffer;
}

export interface BoltFileOptions {
  /** Treat only the first `limit` bytes as the db (a snapshot's sha256 trailer is not part of it). */
  limit?: number;
}

/** A bbolt file opened for positional reads. Call `close()` when done. */
export class BoltFile {
  readonly fd: number;
  readonly size: number;
  readonly metas: BoltMeta[];
  /** The valid meta page with the highest txid: the state a reader sees. */
  readonly meta: BoltMeta;
  readonly pageSize: number;

  private constructor(fd: number, size: number, metas: BoltMeta[], meta: BoltMeta) {
    this.fd = fd;
    this.size = size;
    this.metas = metas;
    this.meta = meta;
    this.pageSize = meta.pageSize;
  }

  static open(path: string, opts: BoltFileOptions = {}): BoltFile {
    const fd = openSync(path, 'r');
    try {
      const fileSize = fstatSync(fd).size;
      const size = Math.min(opts.limit ?? fileSize, fileSize);
      if (size < PAGE_HEADER + 64) throw new BoltError('not-bolt', `file is ${size} bytes, too small to be a bbolt database`);
      const first = readExact(fd, 0, Math.min(4096, size));
      const meta0 = parseMeta(first, 0);
      if (meta0.magic !== BOLT_MAGIC) {
        throw new BoltError('not-bolt', `no bbolt magic at offset ${PAGE_HEADER} (found 0x${meta0.magic.toString(16)}): not an etcd snapshot or db`);
      }
      const metas: BoltMeta[] = [meta0];
      const sizes = meta0.invalid === null ? [meta0.pageSize] : [meta0.pageSize, ...PROBE_PAGE_SIZES];
      for (const ps of sizes) {
        if (!isPlausiblePageSize(ps) || ps + PAGE_HEADER + 64 > size) continue;
        const m1 = parseMeta(readExact(fd, ps, Math.min(ps, 4096)), 1);
        if (m1.invalid === null && m1.pageSize !== ps) m1.invalid = `meta page 1 found at offset ${ps} but claims page size ${m1.pageSize}`;
        metas.push(m1);
        if (m1.invalid === null || meta0.invalid === null) break;
        metas.pop();
      }
      if (metas.length === 1) metas.push({ ...meta0, index: 1, invalid: 'meta page 1 could not be located' });
      const valid = metas.filter((m) => m.invalid === null);
      if (valid.length === 0) {
        throw new BoltError('bad-meta', `both meta pages are invalid: ${metas.map((m) => m.invalid).join('; ')}`);
      }
      const meta = valid.reduce((a, b) => (b.txid > a.txid ? b : a));
      if (!isPlausiblePageSize(meta.pageSize)) throw new BoltError('bad-meta', `implausible page size ${meta.pageSize}`);
      return new BoltFile(fd, size, metas, meta);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  close(): void {
    closeSync(this.fd);
    this.blocks.clear();
  }

  /**
   * Small reads go through a little cache of aligned blocks: a tree walk reads one 16-byte header per
   * page, and leaves lie mostly in file order, so 256 KiB blocks turn ~100k syscalls per GiB into ~4k.
   * The block buffers are allocated once and reused, and callers get a copy of their bytes: fresh
   * 256 KiB buffers per block made RSS grow by 25-60 MiB while a 500 MiB snapshot was walked (V8 frees
   * such external memory late), and a shared slice could change under a caller when its block is reused.
   */
  private readonly blocks = new Map<number, { buf: Buffer; len: number }>();
  private read(pos: number, len: number): Buffer {
    const b = Math.floor(pos / CACHE_BLOCK);
    const start = b * CACHE_BLOCK;
    if (len > CACHE_BLOCK || pos + len > start + CACHE_BLOCK) return readExact(this.fd, pos, len);
    let block = this.blocks.get(b);
    if (block) {
      this.blocks.delete(b);
      this.blocks.set(b, block); // most recently used last
    } else {
      let buf: Buffer;
      if (this.blocks.size >= CACHE_BLOCKS) {
        const oldest = this.blocks.keys().next().value!;
        buf = this.blocks.get(oldest)!.buf;
        this.blocks.delete(oldest);
      } else {
        buf = Buffer.allocUnsafe(CACHE_BLOCK);
      }
      const want = Math.min(CACHE_BLOCK, this.size - start);
      let done = 0;
      while (done < want) {
        const n = readSync(this.fd, buf, done, want - done, start + done);
        if (n === 0) break;
        done += n;
      }
      block = { buf, len: done };
      this.blocks.set(b, block);
    }
    if (pos + len - start > block.len) throw new BoltError('short-read', `unexpected end of file at offset ${start + block.len} (wanted ${len} bytes at ${pos}): truncated`);
    return Buffer.from(block.buf.subarray(pos - start, pos + len - start));
  }

  /** Bytes the meta says the db occupies (bbolt tx.Size()). */
  get dbSize(): number {
    return Number(this.meta.pgid) * this.pageSize;
  }

  private pageOffset(id: bigint): number {
    if (id >= this.meta.pgid) throw new BoltError('bad-page', `page ${id} is beyond the high water mark ${this.meta.pgid}`);
    const off = Number(id) * this.pageSize;
    if (off + this.pageSize > this.size) throw new BoltError('short-read', `page ${id} lies beyond the end of the file (${this.size} bytes): truncated`);
    return off;
  }

  /** Only the header of a page (16 bytes). */
  pageHeader(id: bigint): Omit<Page, 'buf'> {
    const h = this.read(this.pageOffset(id), PAGE_HEADER);
    return { id: h.readBigUInt64LE(0), flags: h.readUInt16LE(8), count: h.readUInt16LE(10), overflow: h.readUInt32LE(12) };
  }

  /** The whole page including its overflow pages. */
  page(id: bigint): Page {
    const h = this.pageHeader(id);
    const len = (h.overflow + 1) * this.pageSize;
    if (len > MAX_PAGE_BYTES) throw new BoltError('bad-page', `page ${id} claims ${h.overflow} overflow pages`);
    if (id + BigInt(h.overflow) >= this.meta.pgid) throw new BoltError('bad-page', `page ${id} overflows past the high water mark`);
    const off = this.pageOffset(id);
    if (off + len > this.size) throw new BoltError('short-read', `page ${id} (+${h.overflow} overflow) lies beyond the end of the file: truncated`);
    const buf = this.read(off, len);
    if (h.id !== id) throw new BoltError('bad-page', `page ${id} has id ${h.id} in its header`);
    return { ...h, buf };
  }

  /** Read `len` bytes at `pos` inside page `id` without reading the whole (possibly huge) page. */
  pageBytes(id: bigint, pos: number, len: number): Buffer {
    return this.read(this.pageOffset(id) + pos, len);
  }

  /** The root bucket (the one holding etcd's top-level buckets). */
  rootBucket(): BucketRef {
    return { root: this.meta.root };
  }

  /** A top-level bucket by name, or undefined. */
  bucket(name: string, parent: BucketRef = this.rootBucket()): BucketRef | undefined {
    const want = Buffer.from(name);
    for (const e of this.leafElements(parent)) {
      if ((e.flags & LEAF_BUCKET) !== 0 && e.key.equals(want)) return bucketRefOf(e.value);
    }
    return undefined;
  }

  /** Every leaf element of a bucket, in key order (values included). */
  *leafElements(b: BucketRef): Generator<LeafElement> {
    if (b.root === 0n) {
      if (!b.inline) throw new BoltError('bad-page', 'inline bucket without its page');
      yield* leafElementsOf(b.inline, 0);
      return;
    }
    yield* this.walkLeaves(b.root, 0);
  }

  private *walkLeaves(id: bigint, depth: number): Generator<LeafElement> {
    if (depth > MAX_DEPTH) throw new BoltError('bad-page', `b+tree deeper than ${MAX_DEPTH} at page ${id}: cycle?`);
    const p = this.page(id);
    if (p.flags & FLAG_LEAF) {
      yield* leafElementsOf(p.buf, 0);
    } else if (p.flags & FLAG_BRANCH) {
      for (const child of branchChildren(p.buf, p.count)) yield* this.walkLeaves(child, depth + 1);
    } else {
      throw new BoltError('bad-page', `page ${id} has flags 0x${p.flags.toString(16)}, want a branch or leaf page`);
    }
  }

  /**
   * Count the elements of a bucket without reading values: only page headers of leaves and the
   * element tables of branches are read (values of a few KiB live in overflow pages that are skipped).
   */
  countKeys(b: BucketRef): number {
    if (b.root === 0n) return b.inline ? b.inline.readUInt16LE(10) : 0;
    return this.countFrom(b.root, 0);
  }

  private countFrom(id: bigint, depth: number): number {
    if (depth > MAX_DEPTH) throw new BoltError('bad-page', `b+tree deeper than ${MAX_DEPTH} at page ${id}: cycle?`);
    const h = this.pageHeader(id);
    if (h.id !== id) throw new BoltError('bad-page', `page ${id} has id ${h.id} in its header`);
    if (h.flags & FLAG_LEAF) return h.count;
    if (!(h.flags & FLAG_BRANCH)) throw new BoltError('bad-page', `page ${id} has flags 0x${h.flags.toString(16)}, want a branch or leaf page`);
    const table = this.pageBytes(id, 0, PAGE_HEADER + h.count * ELEMENT);
    let n = 0;
    for (const child of branchChildren(table, h.count)) n += this.countFrom(child, depth + 1);
    return n;
  }

  /** The last key of a bucket (rightmost leaf), reading only the pages on that path. */
  lastKey(b: BucketRef): Buffer | undefined {
    if (b.root === 0n) {
      if (!b.inline) return undefined;
      let last: Buffer | undefined;
      for (const e of leafElementsOf(b.inline, 0)) last = e.key;
      return last;
    }
    let id = b.root;
    for (let depth = 0; depth <= MAX_DEPTH; depth++) {
      const h = this.pageHeader(id);
      if (h.count === 0) return undefined;
      const i = h.count - 1;
      const el = this.pageBytes(id, PAGE_HEADER + i * ELEMENT, ELEMENT);
      const elemAddr = PAGE_HEADER + i * ELEMENT;
      if (h.flags & FLAG_BRANCH) {
        id = el.readBigUInt64LE(8);
      } else if (h.flags & FLAG_LEAF) {
        const pos = el.readUInt32LE(4);
        const ksize = el.readUInt32LE(8);
        return this.pageBytes(id, elemAddr + pos, ksize);
      } else {
        throw new BoltError('bad-page', `page ${id} has flags 0x${h.flags.toString(16)}, want a branch or leaf page`);
      }
    }
    throw new BoltError('bad-page', `b+tree deeper than ${MAX_DEPTH}: cycle?`);
  }

  /**
   * Structural check after bbolt's tx.Check: every reachable page is below the high water mark, is
   * referenced once, has the right type, is not also free; branch keys are ordered; and (when the
   * freelist is synced) every page below the high water mark is reachable or free. Returns problems.
   */
  check(maxProblems = 20): string[] {
    const problems: string[] = [];
    const hwm = Number(this.meta.pgid);
    const seen = new Uint8Array(Math.ceil(hwm / 8));
    const mark = (id: bigint, n: number, what: string): boolean => {
      for (let k = 0; k <= n; k++) {
        const i = Number(id) + k;
        if (i >= hwm) {
          problems.push(`page ${i} (${what}) is beyond the high water mark ${hwm}`);
          return false;
        }
        if (seen[i >> 3]! & (1 << (i & 7))) {
          problems.push(`page ${i} (${what}) is referenced twice`);
          return false;
        }
        seen[i >> 3]! |= 1 << (i & 7);
      }
      return true;
    };
    mark(0n, 1, 'meta');
    const synced = this.meta.freelist !== NO_FREELIST;
    try {
      if (synced) {
        const fl = this.page(this.meta.freelist);
        if (!(fl.flags & FLAG_FREELIST)) problems.push(`freelist page ${this.meta.freelist} has flags 0x${fl.flags.toString(16)}`);
        else {
          mark(this.meta.freelist, fl.overflow, 'freelist');
          for (const id of freelistIds(fl)) mark(id, 0, 'free');
        }
      }
      this.checkBucket(this.rootBucket(), mark, problems, maxProblems, 0);
    } catch (e) {
      problems.push(errorMessage(e));
    }
    if (synced && problems.length === 0) {
      for (let i = 0; i < hwm && problems.length < maxProblems; i++) {
        if (!(seen[i >> 3]! & (1 << (i & 7)))) problems.push(`page ${i} is neither reachable nor free`);
      }
    }
    return problems.slice(0, maxProblems);
  }

  private checkBucket(
    b: BucketRef,
    mark: (id: bigint, n: number, what: string) => boolean,
    problems: string[],
    max: number,
    depth: number,
  ): void {
    if (b.root === 0n) {
      if (!b.inline) return;
      for (const e of leafElementsOf(b.inline, 0)) {
        if (e.flags & LEAF_BUCKET) this.checkBucket(bucketRefOf(e.value), mark, problems, max, depth + 1);
      }
      return;
    }
    this.checkPage(b.root, mark, problems, max, depth);
  }

  private checkPage(
    id: bigint,
    mark: (id: bigint, n: number, what: string) => boolean,
    problems: string[],
    max: number,
    depth: number,
  ): void {
    if (problems.length >= max) return;
    if (depth > MAX_DEPTH) throw new BoltError('bad-page', `b+tree deeper than ${MAX_DEPTH} at page ${id}: cycle?`);
    const h = this.pageHeader(id);
    if (h.id !== id) {
      problems.push(`page ${id} has id ${h.id} in its header`);
      return;
    }
    if (!(h.flags & (FLAG_BRANCH | FLAG_LEAF))) {
      problems.push(`page ${id} has flags 0x${h.flags.toString(16)}, want a branch or leaf page`);
      return;
    }
    if (!mark(id, h.overflow, h.flags & FLAG_LEAF ? 'leaf' : 'branch')) return;
    if (h.flags & FLAG_BRANCH) {
      const table = this.pageBytes(id, 0, PAGE_HEADER + h.count * ELEMENT);
      for (const child of branchChildren(table, h.count)) this.checkPage(child, mark, problems, max, depth + 1);
      return;
    }
    // A leaf: only sub-bucket elements need their values; read the page only if it holds some.
    const table = this.pageBytes(id, 0, PAGE_HEADER + h.count * ELEMENT);
    let hasBucket = false;
    for (let i = 0; i < h.count; i++) if (table.readUInt32LE(PAGE_HEADER + i * ELEMENT) & LEAF_BUCKET) hasBucket = true;
    if (!hasBucket) return;
    const p = this.page(id);
    for (const e of leafElementsOf(p.buf, 0)) {
      if (e.flags & LEAF_BUCKET) this.checkBucket(bucketRefOf(e.value), mark, problems, max, depth + 1);
    }
  }
}

function isPlausiblePageSize(ps: number): boolean {
  return ps >= 512 && ps <= 1 << 20 && (ps & (ps - 1)) === 0;
}

function readExact(fd: number, pos: number, len: number): Buffer {
  const buf = Buffer.allocUnsafe(len);
  let done = 0;
  while (done < len) {
    const n = readSync(fd, buf, done, len - done, pos + done);
    if (n === 0) throw new BoltError('short-read', `unexpected end of file at offset ${pos + done} (wanted ${len} bytes at ${pos}): truncated`);
    done += n;
  }
  return buf;
}

export function bucketRefOf(value: Buffer): BucketRef {
  if (value.length < 16) throw new BoltError('bad-page', `bucket header is ${value.length} bytes, want 16`);
  const root = value.readBigUInt64LE(0);
  if (root === 0n) return { root, inline: value.subarray(16) };
  return { root };
}

function* branchChildren(buf: Buffer, count: number): Generator<bigint> {
  for (let i = 0; i < count; i++) yield buf.readBigUInt64LE(PAGE_HEADER + i * ELEMENT + 8);
}

/** Leaf elements of the page whose header starts at `base` in `buf`. */
function* leafElementsOf(buf: Buffer, base: number): Generator<LeafElement> {
  if (buf.length < base + PAGE_HEADER) throw new BoltError('bad-page', 'leaf page shorter than its header');
  const flags = buf.readUInt16LE(base + 8);
  const count = buf.readUInt16LE(base + 10);
  if (count > 0 && !(flags & FLAG_LEAF)) throw new BoltError('bad-page', `expected a leaf page, found flags 0x${flags.toString(16)}`);
  for (let i = 0; i < count; i++) {
    const elemAddr = base + PAGE_HEADER + i * ELEMENT;
    if (elemAddr + ELEMENT > buf.length) throw new BoltError('bad-page', `leaf element ${i} lies outside its page`);
    const eflags = buf.readUInt32LE(elemAddr);
    const pos = buf.readUInt32LE(elemAddr + 4);
    const ksize = buf.readUInt32LE(elemAddr + 8);
    const vsize = buf.readUInt32LE(elemAddr + 12);
    const kStart = elemAddr + pos;
    const end = kStart + ksize + vsize;
    if (end > buf.length) throw new BoltError('bad-page', `leaf element ${i} (key ${ksize} B, value ${vsize} B) lies outside its page`);
    yield { flags: eflags, key: buf.subarray(kStart, kStart + ksize), value: buf.subarray(kStart + ksize, end) };
  }
}

function* freelistIds(p: Page): Generator<bigint> {
  let count = p.count;
  let start = PAGE_HEADER;
  // bbolt: a count of 0xFFFF means the real count is the first u64 of the data.
  if (count === 0xffff) {
    count = Number(p.buf.readBigUInt64LE(PAGE_HEADER));
    start += 8;
  }
  if (start + count * 8 > p.buf.length) throw new BoltError('bad-page', `freelist claims ${count} ids, more than its page holds`);
  for (let i = 0; i < count; i++) yield p.buf.readBigUInt64LE(start + i * 8);
}
