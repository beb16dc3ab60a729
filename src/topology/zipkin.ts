/**
 * Zipkin v2 JSON (openzipkin/zipkin-api zipkin2-api.yaml: an array of spans with traceId, id, parentId,
 * kind, localEndpoint, remoteEndpoint, timestamp and duration in microseconds, tags, shared) to spans.
 * Error is the `error` tag (an annotation named "error" does not count: DependencyLinkerTest
 * annotationNamedErrorDoesntIncrementErrorCount). Tags are read like OTLP attributes for the peer hints
 * (OTel's Zipkin exporter writes attributes as tags).
 */
import { UsageError } from '../core/errors.js';
import { callFacts, type PeerOptions } from './peer.js';
import { normalizeId, type Span, type SpanKind } from './span.js';
import type { OtlpReadStats } from './otlp.js';

type Obj = Record<string, unknown>;

const KINDS = new Set(['CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER']);

function endpointKey(e: Obj | undefined): string | undefined {
  if (!e) return undefined;
  return [e.serviceName ?? '', e.ipv4 ?? '', e.ipv6 ?? '', e.port ?? ''].join('|');
}

export function readZipkinSpans(doc: unknown, opts: PeerOptions, emit: (s: Span) => void, stats: OtlpReadStats, where = 'Zipkin spans'): void {
  if (!Array.isArray(doc)) throw new UsageError(`${where}: not Zipkin v2 JSON (expected an array of spans)`);
  for (const raw of doc as Obj[]) {
    if (!raw || typeof raw !== 'object') {
      stats.invalid++;
      continue;
    }
    const traceId = normalizeId(raw.traceId, 16);
    const id = normalizeId(raw.id, 8);
    if (!traceId || !id) {
      stats.invalid++;
      continue;
    }
    const kind = typeof raw.kind === 'string' && KINDS.has(raw.kind.toUpperCase()) ? (raw.kind.toUpperCase() as SpanKind) : undefined;
    const local = raw.localEndpoint as Obj | undefined;
    const remote = raw.remoteEndpoint as Obj | undefined;
    const tags = (raw.tags && typeof raw.tags === 'object' ? raw.tags : {}) as Record<string, string>;
    const remoteName = typeof remote?.serviceName === 'string' && remote.serviceName ? remote.serviceName : undefined;
    // Zipkin's own peer is the remote endpoint; OTel-style tags fill in when it has no name (not for
    // kind-less spans: Zipkin treats those as calls only when both names are given).
    const attrs: Record<string, string | number | undefined> = { ...tags };
    if (remote && attrs['server.address'] === undefined) {
      const ip = (remote.ipv4 ?? remote.ipv6) as string | undefined;
      if (ip) attrs['server.address'] = ip;
      if (remote.port !== undefined) attrs['server.port'] = Number(remote.port);
    }
    const facts = callFacts(kind, attrs, opts);
    const remoteService = remoteName ?? (kind ? facts.remoteService : undefined);
    stats.spans++;
    emit({
      traceId,
      id,
      parentId: normalizeId(raw.parentId, 8),
      kind,
      shared: raw.shared === true ? true : undefined,
      localService: typeof local?.serviceName === 'string' && local.serviceName ? local.serviceName : undefined,
      localEndpoint: endpointKey(local),
      remoteService,
      remoteBy: remoteName ? 'remoteEndpoint' : remoteService ? facts.remoteBy : undefined,
      error: Object.prototype.hasOwnProperty.call(tags, 'error'),
      startUs: Number(raw.timestamp ?? 0) || 0,
      durationUs: Number(raw.duration ?? 0) || 0,
      name: typeof raw.name === 'string' ? raw.name : undefined,
      op: facts.op,
      connection: facts.connection,
    });
  }
}
