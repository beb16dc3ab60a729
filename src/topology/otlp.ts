/**
 * OTLP trace requests (ExportTraceServiceRequest) to spans: the JSON encoding (files, the collector's
 * `file` exporter JSONL, OTLP/HTTP JSON bodies) and the protobuf one once decoded (receiver.ts) share
 * this reader. Spec: opentelemetry-proto docs/specification.md "JSON Protobuf Encoding" — ids are hex
 * (base64 tolerated, see span.ts), enums integers (names tolerated), int64 as strings or numbers,
 * unknown fields ignored; lowerCamelCase keys (snake_case tolerated, as protobuf JSON parsers do).
 */
import { UsageError } from '../core/errors.js';
import { callFacts, type Attrs, type PeerOptions } from './peer.js';
import { normalizeId, type Span, type SpanKind } from './span.js';

type Obj = Record<string, unknown>;

const KINDS: (SpanKind | undefined)[] = [undefined, undefined, 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const KIND_NAMES: Record<string, SpanKind | undefined> = {
  SPAN_KIND_SERVER: 'SERVER',
  SPAN_KIND_CLIENT: 'CLIENT',
  SPAN_KIND_PRODUCER: 'PRODUCER',
  SPAN_KIND_CONSUMER: 'CONSUMER',
};

function field(o: Obj, camel: string, snake: string): unknown {
  const v = o[camel];
  return v === undefined ? o[snake] : v;
}

function kindOf(v: unknown): SpanKind | undefined {
  if (typeof v === 'number') return KINDS[v];
  if (typeof v === 'string') return /^\d+$/.test(v) ? KINDS[Number(v)] : KIND_NAMES[v];
  return undefined;
}

/** Nanoseconds (decimal string, number, or protobufjs Long) to microseconds. */
export function nanosToMicros(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return Math.floor(v / 1000);
  const s = typeof v === 'string' ? v : String(v);
  if (s.length <= 3) return 0;
  // Plain digits (what exporters send) summed directly: exact below 2^53 µs, and no substring per field.
  if (s.length <= 18) {
    let us = 0;
    const end = s.length - 3;
    let i = 0;
    for (; i < end; i++) {
      const d = s.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) break;
      us = us * 10 + d;
    }
    if (i === end) return us;
  }
  return Number(s.slice(0, -3)) || 0;
}

function anyValue(v: unknown): string | number | boolean | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Obj;
  const sv = field(o, 'stringValue', 'string_value');
  if (sv !== undefined && sv !== null) return String(sv);
  const iv = field(o, 'intValue', 'int_value');
  if (iv !== undefined && iv !== null) return Number(iv);
  const bv = field(o, 'boolValue', 'bool_value');
  if (bv !== undefined && bv !== null) return Boolean(bv);
  const dv = field(o, 'doubleValue', 'double_value');
  if (dv !== undefined && dv !== null) return Number(dv);
  return undefined;
}

/** OTLP KeyValue list to a flat attribute bag (arrays, maps and bytes are not needed for linking). */
export function attributesOf(list: unknown): Attrs {
  const out: Record<string, string | number | boolean | undefined> = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list as Obj[]) {
    if (kv && typeof kv.key === 'string') out[kv.key] = anyValue(kv.value);
  }
  return out;
}

export interface OtlpReadStats {
  spans: number;
  /** Spans without a usable trace or span id (skipped). */
  invalid: number;
}

/**
 * Every span of one ExportTraceServiceRequest (JSON object or decoded protobuf), handed to `emit`.
 * Throws UsageError when the document is not an OTLP trace request at all.
 */
export function readOtlpRequest(doc: unknown, opts: PeerOptions, emit: (s: Span) => void, stats: OtlpReadStats, where = 'OTLP request'): void {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`${where}: not an OTLP trace request (expected an object with resourceSpans)`);
  const rs = field(doc as Obj, 'resourceSpans', 'resource_spans');
  if (rs === undefined) {
    throw new UsageError(`${where}: not an OTLP trace request (no resourceSpans)`, { hint: 'pass OTLP JSON (ExportTraceServiceRequest, one per line for JSONL) or Zipkin v2 JSON (an array of spans); --format says which' });
  }
  if (!Array.isArray(rs)) return;
  for (const r of rs as Obj[]) {
    const resource = (r?.resource ?? {}) as Obj;
    const rattrs = attributesOf(resource.attributes);
    // service.name lives on the resource; the SDK default when unset is unknown_service[:exe].
    const service = typeof rattrs['service.name'] === 'string' && rattrs['service.name'] ? (rattrs['service.name'] as string) : 'unknown_service';
    const instance = rattrs['service.instance.id'] !== undefined ? String(rattrs['service.instance.id']) : rattrs['host.name'] !== undefined ? String(rattrs['host.name']) : '';
    const scopes = (field(r, 'scopeSpans', 'scope_spans') ?? field(r, 'instrumentationLibrarySpans', 'instrumentation_library_spans')) as Obj[] | undefined;
    if (!Array.isArray(scopes)) continue;
    for (const ss of scopes) {
      const spans = ss?.spans as Obj[] | undefined;
      if (!Array.isArray(spans)) continue;
      for (const sp of spans) readSpan(sp, service, instance, opts, emit, stats);
    }
  }
}

function readSpan(sp: Obj, service: string, instance: string, opts: PeerOptions, emit: (s: Span) => void, stats: OtlpReadStats): void {
  const traceId = normalizeId(field(sp, 'traceId', 'trace_id'), 16);
  const id = normalizeId(field(sp, 'spanId', 'span_id'), 8);
  if (!traceId || !id) {
    stats.invalid++;
    return;
  }
  const parentId = normalizeId(field(sp, 'parentSpanId', 'parent_span_id'), 8);
  const kind = kindOf(sp.kind);
  const attrs = attributesOf(sp.attributes);
  const facts = callFacts(kind, attrs, opts);
  const start = nanosToMicros(field(sp, 'startTimeUnixNano', 'start_time_unix_nano'));
  const end = nanosToMicros(field(sp, 'endTimeUnixNano', 'end_time_unix_nano'));
  const status = sp.status as Obj | undefined;
  const code = status?.code;
  const error = code === 2 || code === '2' || code === 'STATUS_CODE_ERROR' || facts.failed;
  const span: Span = {
    traceId,
    id,
    parentId,
    kind,
    localService: service,
    localEndpoint: instance ? `${service}|${instance}` : service,
    remoteService: facts.remoteService,
    remoteBy: facts.remoteBy,
    error,
    startUs: start,
    durationUs: end > start ? end - start : 0,
    name: typeof sp.name === 'string' ? sp.name : undefined,
    op: facts.op,
    connection: facts.connection,
  };
  stats.spans++;
  emit(span);
}
