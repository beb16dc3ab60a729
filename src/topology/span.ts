/**
 * The one span shape the linker works on, whatever the input was (OTLP JSON, OTLP protobuf, Zipkin v2):
 * Zipkin's model (local/remote service, kind, shared), because Zipkin's DependencyLinker is the reference
 * the linker follows (governance.md §1.1), plus what an etcd upgrade needs to know about a call: the RPC
 * or HTTP operation, the peer address, the latency.
 */

export type SpanKind = 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';

export interface Span {
  /** Lowercase hex, 16 or 32 characters as sent. */
  traceId: string;
  /** Lowercase hex, 16 characters. */
  id: string;
  parentId?: string | undefined;
  /** Undefined: a local span (OTLP INTERNAL or UNSPECIFIED, Zipkin without kind). */
  kind?: SpanKind | undefined;
  /** Zipkin/B3: a server half reusing its client's span ID. */
  shared?: boolean | undefined;
  localService?: string | undefined;
  /** The local endpoint as Zipkin keys shared spans by it (service, ip, port), '' when unknown. */
  localEndpoint?: string | undefined;
  /** The other side's service, when the span names it (Zipkin remoteEndpoint, OTLP peer hints). */
  remoteService?: string | undefined;
  /** How the remote name was found, for data-quality notes (`peer.service`, `rpc.service`, `endpoint` ...). */
  remoteBy?: string | undefined;
  error: boolean;
  /** Epoch microseconds (0 when unknown). */
  startUs: number;
  durationUs: number;
  name?: string | undefined;
  /** The operation: `/etcdserverpb.KV/Range` for gRPC, `POST /v3/kv/range` or `GET /v2/keys` for HTTP. */
  op?: string | undefined;
  /** A database or messaging call (OTel servicegraph's connection_type). */
  connection?: 'database' | 'messaging' | undefined;
}

const HEX = /^[0-9a-fA-F]+$/;

/**
 * OTLP/JSON ids are case-insensitive hex, but some exporters send base64 (the protobuf JSON mapping of
 * bytes): opentelemetry-proto-go #106, grafana#66001 (governance.md §1.2). Returns lowercase hex, or
 * undefined for an empty / all-zero / unreadable id (an absent parent is sent all three ways).
 */
export function normalizeId(raw: unknown, bytes: 8 | 16): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw === 'string' && (raw.length === 16 || raw.length === 32) && raw.length <= bytes * 2) {
    // Fast path (every span has two or three ids): already lowercase hex of full length, kept as is.
    const r = lowerHex(raw);
    if (r !== NOT_LOWER_HEX) return r === 1 ? raw : undefined;
  }
  let hex: string | undefined;
  if (typeof raw === 'string') {
    // Hex ids are 16 or 32 characters (Zipkin also accepts shorter ones, left-padded); base64 of 8 or 16
    // bytes (the proto3 JSON mapping) is padded with '=', so it never passes for hex.
    if (HEX.test(raw) && raw.length <= bytes * 2) {
      hex = raw.toLowerCase().padStart(raw.length <= 16 ? 16 : 32, '0');
    } else {
      const b = Buffer.from(raw, 'base64');
      if (b.length === bytes || (bytes === 16 && b.length === 8)) hex = b.toString('hex');
    }
  } else if (raw instanceof Uint8Array) {
    if (raw.length === 0) return undefined;
    hex = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex');
  }
  if (!hex || /^0+$/.test(hex)) return undefined;
  return hex;
}

const NOT_LOWER_HEX = -1;

/** 1: lowercase hex, not all zeros; 0: all zeros; NOT_LOWER_HEX: anything else. */
function lowerHex(s: string): number {
  let nonZero = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x30) continue;
    if ((c > 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)) nonZero = 1;
    else return NOT_LOWER_HEX;
  }
  return nonZero;
}

/** Traces are grouped by the low 64 bits, so a trace half-reported with 64-bit ids still comes together (Zipkin Trace.merge picks the longest id). */
export function traceKey(traceId: string): string {
  return traceId.length > 16 ? traceId.slice(-16) : traceId;
}

/** The packages of etcd's gRPC services (api/etcdserverpb, and the lock and election services of server/etcdserver/api/v3lock|v3election). */
const ETCD_RPC_PACKAGES = ['etcdserverpb.', 'v3lockpb.', 'v3electionpb.'] as const;

/** An etcd gRPC service (`etcdserverpb.KV`). */
export function isEtcdRpcService(service: string): boolean {
  return startsWithEtcdPackage(service, 0);
}

/** isEtcdRpcService of a gRPC path's service (`/etcdserverpb.KV/Range`), without slicing it off. */
export function isEtcdRpcPath(op: string): boolean {
  return op.charCodeAt(0) === 0x2f /* / */ && startsWithEtcdPackage(op, 1);
}

function startsWithEtcdPackage(s: string, at: number): boolean {
  for (const p of ETCD_RPC_PACKAGES) if (s.startsWith(p, at)) return true;
  return false;
}

/** etcd's HTTP surface: the gRPC gateway (/v3, /v3beta, /v3alpha) and the v2 API (/v2/keys, /v2/members ...). */
export function isEtcdHttpPath(path: string): boolean {
  return /^\/v3(beta|alpha)?\/(kv|watch|lease|cluster|maintenance|auth|lock|election)\//.test(path) || /^\/v2\/(keys|members|stats|machines|auth)(\/|$)/.test(path);
}

/**
 * An HTTP operation key with bounded cardinality: etcd's own paths are kept to their API form (v2 keys
 * collapse to `/v2/keys`), others use the route when the span has one, else the first two path segments.
 */
export function httpOp(method: string | undefined, path: string | undefined, route?: string): string | undefined {
  if (!path && !route) return undefined;
  const m = (method ?? 'HTTP').toUpperCase();
  const p = (path ?? route ?? '').replace(/[?#].*$/, '');
  if (/^\/v2\/(keys|members|stats|machines|auth)(\/|$)/.test(p)) return `${m} /v2/${p.split('/')[2]}`;
  if (isEtcdHttpPath(p)) return `${m} ${p}`;
  if (route) return `${m} ${route}`;
  const segs = p.split('/').filter(Boolean).slice(0, 2);
  return `${m} /${segs.join('/')}${p.split('/').filter(Boolean).length > 2 ? '/…' : ''}`;
}
