/**
 * A protobuf wire-format walker for the few etcd on-disk records the readiness checks read (WAL records,
 * raft entries, v2 snapshot files). Hand-written because these messages live in etcd's data files, not in
 * its gRPC API (proto/ holds only the API), and the checks need a *strict* decode: etcd's gogo-generated
 * `Unmarshal` rejects a field whose wire type does not match its declaration, and upstream's
 * `etcdutl check v2store` relies on that to tell a wrapped v2 request (InternalRaftRequest.v2) from a
 * legacy one (etcd@v3.5.36 etcdutl/etcdutl/check_command.go assertNoCustomV2Request, pbutil.MaybeUnmarshal).
 * Wire format: https://protobuf.dev/programming-guides/encoding/ .
 */

export class WireError extends Error {
  override name = 'WireError';
}

export type WireValue = { wire: 0; value: bigint } | { wire: 1; value: Buffer } | { wire: 2; value: Buffer } | { wire: 5; value: Buffer };

export interface WireField {
  field: number;
  v: WireValue;
}

/** A varint at `pos`: its value and the position after it. */
export function readVarint(buf: Uint8Array, pos: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= buf.length) throw new WireError('truncated varint');
    const b = buf[pos + i]!;
    value |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return { value: value & 0xffffffffffffffffn, next: pos + i + 1 };
    shift += 7n;
  }
  throw new WireError('varint longer than 10 bytes');
}

/** Every field of one message, in order. Groups (wire types 3/4) are refused: etcd's messages have none. */
export function fields(buf: Buffer): WireField[] {
  const out: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const tag = readVarint(buf, pos);
    pos = tag.next;
    const field = Number(tag.value >> 3n);
    const wire = Number(tag.value & 7n);
    if (field === 0) throw new WireError('field number 0');
    switch (wire) {
      case 0: {
        const v = readVarint(buf, pos);
        pos = v.next;
        out.push({ field, v: { wire: 0, value: v.value } });
        break;
      }
      case 1:
        if (pos + 8 > buf.length) throw new WireError('truncated fixed64');
        out.push({ field, v: { wire: 1, value: buf.subarray(pos, pos + 8) } });
        pos += 8;
        break;
      case 2: {
        const len = readVarint(buf, pos);
        pos = len.next;
        const end = pos + Number(len.value);
        if (len.value > BigInt(buf.length) || end > buf.length) throw new WireError('truncated length-delimited field');
        out.push({ field, v: { wire: 2, value: buf.subarray(pos, end) } });
        pos = end;
        break;
      }
      case 5:
        if (pos + 4 > buf.length) throw new WireError('truncated fixed32');
        out.push({ field, v: { wire: 5, value: buf.subarray(pos, pos + 4) } });
        pos += 4;
        break;
      default:
        throw new WireError(`wire type ${wire} (field ${field})`);
    }
  }
  return out;
}

/** The declared wire type of the fields a strict decode checks (0 varint, 2 bytes/string/message). */
export type Schema = Readonly<Record<number, 0 | 2>>;

/** Decode strictly: every declared field must carry its declared wire type (gogo's rule); others are skipped. */
export function decodeStrict(buf: Buffer, schema: Schema): Map<number, WireValue[]> {
  const out = new Map<number, WireValue[]>();
  for (const f of fields(buf)) {
    const want = schema[f.field];
    if (want !== undefined && want !== f.v.wire) throw new WireError(`field ${f.field}: wire type ${f.v.wire}, declared ${want}`);
    const list = out.get(f.field) ?? [];
    list.push(f.v);
    out.set(f.field, list);
  }
  return out;
}

/** Last value of a varint field (proto3/proto2 "last one wins"), as a number; 0 when absent. */
export function uint(m: Map<number, WireValue[]>, field: number): number {
  const v = m.get(field)?.at(-1);
  return v?.wire === 0 ? Number(v.value) : 0;
}

/** Last value of a bytes field; undefined when absent. */
export function bytes(m: Map<number, WireValue[]>, field: number): Buffer | undefined {
  const v = m.get(field)?.at(-1);
  return v?.wire === 2 ? v.value : undefined;
}

export function str(m: Map<number, WireValue[]>, field: number): string {
  return bytes(m, field)?.toString('utf8') ?? '';
}

/** CRC-32C (Castagnoli), as etcd's WAL and snap files use (hash/crc32 MakeTable(Castagnoli)). */
const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** crc32.Update(crc, castagnoli, data). */
export function crc32c(crc: number, data: Uint8Array): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC32C_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
