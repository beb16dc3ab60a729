/**
 * Service topology from traces: span readers (OTLP JSON/protobuf, Zipkin v2), the Zipkin-style linker, the
 * graph and its etcd analysis (callers, RPCs, blast radius), the impact of a target release, the OTLP receiver.
 *
 * @example
 * ```ts
 * import { topology } from 'upshift';
 * const g = new topology.GraphBuilder();
 * const asm = new topology.TraceAssembler(g);
 * topology.readOtlpRequest(otlpJson, topology.DEFAULT_PEER_OPTIONS, asm.add, { spans: 0, invalid: 0 });
 * asm.closeAll();
 * const report = topology.analyzeGraph(g, { etcdService: 'etcd' }); // report.etcdCallers, report.blastRadius
 * ```
 */
export { linkTrace, buildTree, mergeTrace, type LinkEvent, type LinkSink, type SkipReason } from './linker.js';
export { TraceAssembler, type AssemblerOptions } from './assembler.js';
export { GraphBuilder, isSnapshot, type TopologySnapshot } from './graph.js';
export { analyzeGraph } from './analyze.js';
export { impactOf } from './impact.js';
export { readOtlpRequest } from './otlp.js';
export { readZipkinSpans } from './zipkin.js';
export { buildFromFiles } from './pipeline.js';
export { callFacts, endpointKeys, DEFAULT_PEER_OPTIONS, type PeerOptions } from './peer.js';
export { OtlpReceiver, decodeExportRequest, encodeExportRequest, type ReceiverOptions } from './receiver.js';
export { normalizeId, type Span, type SpanKind } from './span.js';
export type * from './model.js';
