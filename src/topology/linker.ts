/**
 * The dependency linker: one trace in, parent -> child service calls out. It follows Zipkin's
 * DependencyLinker (zipkin2/internal/DependencyLinker.java, SpanNode.java, Trace.java @878ce2a;
 * governance.md §1.1, §1.3), whose behaviour its test cases pin down (linker.test.ts re-states them):
 *   - Trace.merge: fragments of one span reported separately are merged; a SERVER span reusing its
 *     CLIENT's id is marked shared; a shared server that lost its parent id gets the client's.
 *   - The tree: spans indexed by (id, shared, local endpoint); spans whose parent is missing hang under
 *     the first root, or a synthetic root when there is none (headless traces); children by timestamp.
 *   - The walk, breadth first: a CLIENT with children is skipped (the server names itself); kind-less
 *     spans with both names are calls; SERVER/CONSUMER link remote -> local, CLIENT/PRODUCER local ->
 *     remote (uninstrumented leaves); messaging links only to a named broker; the parent of a server is
 *     its nearest remote ancestor (through local spans); a missing client link is back-filled; an RPC
 *     split over two spans inherits its client's error.
 * Beyond Zipkin, each call carries its operation (gRPC method, HTTP path), latency and connection type,
 * servers called from outside the traced system are counted as entry calls (the servicegraph
 * connector's "user" virtual node), and every span that could not be placed is counted by reason
 * instead of vanishing: self-parented and cyclic spans, clients whose peer has no name.
 */
import type { Span, SpanKind } from './span.js';

export interface LinkEvent {
  parent: string;
  child: string;
  error: boolean;
  /** Latency of the call as the caller saw it when known (the client span), else the server's; -1 unknown. */
  durationUs: number;
  startUs: number;
  op?: string | undefined;
  connection?: 'database' | 'messaging' | undefined;
  /** The child was named by the caller only (it sent no spans for this call). */
  virtual: boolean;
}

export type SkipReason = 'client-without-peer' | 'no-local-service' | 'messaging-without-broker' | 'no-remote-ancestor' | 'self-parent' | 'cycle';

export interface LinkSink {
  link(e: LinkEvent): void;
  /** A root server span whose caller is unknown: a call into `service` from outside the traces. */
  entry(service: string, op: string | undefined, error: boolean, durationUs: number, startUs: number): void;
  skip(reason: SkipReason, span: Span): void;
  /** Every span of the trace with a local service (for node statistics). */
  span?(s: Span): void;
}

// ---------------------------------------------------------------- Trace.merge

function sharedOf(s: Span): boolean {
  return s.shared === true;
}

function compareShared(a: Span, b: Span): number {
  const as = sharedOf(a);
  const bs = sharedOf(b);
  if (as && bs) return 0;
  if (as) return 1;
  if (bs) return -1;
  const ac = a.kind === 'CLIENT';
  const bc = b.kind === 'CLIENT';
  if (ac && bc) return 0;
  if (ac) return -1;
  if (bc) return 1;
  return 0;
}

function cmp(a: string | undefined, b: string | undefined): number {
  if (a === undefined) return b === undefined ? 0 : 1;
  if (b === undefined) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Endpoints merge when no field conflicts (Trace.EndpointTracker): here the endpoint key and the service. */
class EndpointTracker {
  service: string | undefined;
  endpoint: string | undefined;
  tryMerge(s: Span): boolean {
    if (this.service !== undefined && s.localService !== undefined && this.service !== s.localService) return false;
    if (this.endpoint !== undefined && s.localEndpoint !== undefined && this.endpoint !== s.localEndpoint) return false;
    this.service ??= s.localService;
    this.endpoint ??= s.localEndpoint;
    return true;
  }
}

function mergeInto(a: Span, b: Span): Span {
  // Span.Builder.merge: fill what the first fragment lacks; an error on either is an error.
  return {
    ...a,
    parentId: a.parentId ?? b.parentId,
    kind: a.kind ?? b.kind,
    localService: a.localService ?? b.localService,
    localEndpoint: a.localEndpoint ?? b.localEndpoint,
    remoteService: a.remoteService ?? b.remoteService,
    remoteBy: a.remoteBy ?? b.remoteBy,
    error: a.error || b.error,
    startUs: a.startUs && b.startUs ? Math.min(a.startUs, b.startUs) : a.startUs || b.startUs,
    durationUs: Math.max(a.durationUs, b.durationUs),
    name: a.name ?? b.name,
    op: a.op ?? b.op,
    connection: a.connection ?? b.connection,
  };
}

/** The merge order: by id (always set, compared first without a call), then shared, service, endpoint. */
function compareSpans(l: Span, r: Span): number {
  const a = l.id;
  const b = r.id;
  if (a !== b) return a < b ? -1 : a > b ? 1 : 0;
  return compareShared(l, r) || cmp(l.localService, r.localService) || cmp(l.localEndpoint, r.localEndpoint);
}

/**
 * Stable sort by compareSpans. Traces are mostly a handful of spans, where an insertion sort with the
 * comparison inlined beats Array.prototype.sort calling back into JS; both are stable, so the order
 * is the same.
 */
function sortSpans(a: Span[]): Span[] {
  if (a.length > 24) return a.sort(compareSpans);
  for (let i = 1; i < a.length; i++) {
    const x = a[i]!;
    let j = i - 1;
    while (j >= 0 && compareSpans(a[j]!, x) > 0) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
  return a;
}

/** Zipkin's Trace.merge, on spans of one trace. */
export function mergeTrace(spans: readonly Span[]): Span[] {
  if (spans.length <= 1) return [...spans];
  const result = sortSpans([...spans]);
  // Choose the longest trace id (64-bit and 128-bit ids mixed).
  let traceId = result[0]!.traceId;
  for (const s of result) if (traceId.length !== 32) traceId = s.traceId;
  let last: Span | undefined;
  for (let i = 0; i < result.length; i++) {
    let span = result[i]!;
    const spanShared = sharedOf(span);
    if (span.traceId !== traceId) span = { ...span, traceId };
    let tracker: EndpointTracker | undefined;
    while (i + 1 < result.length) {
      const next = result[i + 1]!;
      if (next.id !== span.id) break;
      if (!tracker) {
        tracker = new EndpointTracker();
        tracker.tryMerge(span);
      }
      if (spanShared === sharedOf(next) && tracker.tryMerge(next)) {
        span = mergeInto(span, next);
        result.splice(i + 1, 1);
        continue;
      }
      break;
    }
    if (last && last.id === span.id) {
      // Backfill a missing shared flag (instrumentation that reuses the client's id without saying so).
      let shared = spanShared;
      if (last.kind === 'CLIENT' && span.kind === 'SERVER' && !shared) {
        shared = true;
        span = { ...span, shared: true };
      }
      // A shared server span that was not propagated its parent id.
      if (shared && span.parentId === undefined && last.parentId !== undefined) span = { ...span, parentId: last.parentId };
    }
    result[i] = span;
    last = span;
  }
  return result;
}

// ---------------------------------------------------------------- SpanNode

export class SpanNode {
  parent: SpanNode | undefined;
  children: SpanNode[] = [];
  /** Reached from the root while the tree is built (nodes in a parent cycle are not). */
  reached = false;
  constructor(readonly span: Span | undefined) {}
}

const sharedKey = (id: string, endpoint: string | undefined): string => `${id}\u0000s\u0000${endpoint ?? ''}`;
const keyOf = (id: string, shared: boolean, endpoint: string | undefined): string => (shared ? sharedKey(id, endpoint) : id);

export interface TreeResult {
  root: SpanNode;
  /** Spans that could not be placed in the tree (self-parented, or in a parent cycle). */
  dropped: { span: Span; reason: 'self-parent' | 'cycle' }[];
}

/** SpanNode.Builder.build: the trace tree, with a synthetic root for headless traces. */
export function buildTree(spans: readonly Span[]): TreeResult {
  const cleaned = mergeTrace(spans);
  const keyToNode = new Map<string, SpanNode>();
  const spanToParent = new Map<string, string | undefined>();
  const dropped: TreeResult['dropped'] = [];
  let rootSpan: SpanNode | undefined;
  let anyShared = false;
  for (const s of cleaned) {
    if (sharedOf(s)) {
      anyShared = true;
      spanToParent.set(keyOf(s.id, true, s.localEndpoint), s.id);
    } else spanToParent.set(s.id, s.parentId);
  }
  for (const s of cleaned) {
    const shared = sharedOf(s);
    const key = keyOf(s.id, shared, s.localEndpoint);
    const noEndpointKey = s.localEndpoint !== undefined ? keyOf(s.id, shared, undefined) : key;
    let parent: string | undefined;
    if (shared) {
      parent = s.id;
    } else if (s.parentId !== undefined) {
      // The child of a shared server span on the same endpoint is the most specific case (only shared
      // spans have such keys: without any, no key string is built per span).
      const sharedParent = anyShared ? sharedKey(s.parentId, s.localEndpoint) : undefined;
      if (sharedParent !== undefined && spanToParent.has(sharedParent)) {
        spanToParent.set(noEndpointKey, sharedParent);
        parent = sharedParent;
      } else {
        parent = s.parentId;
      }
    }
    const node = new SpanNode(s);
    if (parent === undefined && rootSpan === undefined) {
      rootSpan = node;
      spanToParent.delete(noEndpointKey);
    } else if (shared) {
      keyToNode.set(key, node);
      keyToNode.set(noEndpointKey, node);
    } else {
      keyToNode.set(noEndpointKey, node);
    }
  }
  const root = rootSpan ?? new SpanNode(undefined);
  for (const [childKey, parentKey] of spanToParent) {
    const child = keyToNode.get(childKey);
    if (!child || child === root) continue;
    if (child.parent) continue; // a shared span is registered under two keys
    const parent = parentKey === undefined ? undefined : keyToNode.get(parentKey);
    if (parent === child) {
      // Zipkin refuses a node as its own child ("circular dependency"); count it rather than fail the trace.
      dropped.push({ span: child.span!, reason: 'self-parent' });
      continue;
    }
    const p = parent ?? root;
    child.parent = p;
    p.children.push(child);
  }
  // Nodes in a parent cycle are unreachable from the root: find and report them.
  const reached: SpanNode[] = [];
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (!n.reached) {
      n.reached = true;
      reached.push(n);
    }
    for (const c of n.children) stack.push(c);
  }
  let unreached = false;
  for (const n of keyToNode.values()) {
    if (!n.reached) {
      unreached = true;
      break;
    }
  }
  if (unreached) {
    const dropSet = new Set(dropped.map((d) => d.span));
    for (const n of new Set(keyToNode.values())) if (!n.reached && n.span && !dropSet.has(n.span)) dropped.push({ span: n.span, reason: 'cycle' });
  }
  // Children by timestamp (stable for equal ones).
  for (const n of reached) if (n.children.length > 1) n.children.sort(byStart);
  return { root, dropped };
}

const byStart = (a: SpanNode, b: SpanNode): number => (a.span?.startUs ?? 0) - (b.span?.startUs ?? 0);

// ---------------------------------------------------------------- the walk

/** A child naming this span as its parent, or the shared server half of it. */
function hasRealChild(node: SpanNode, span: Span): boolean {
  for (const c of node.children) if (c.span && (c.span.parentId === span.id || (c.span.shared === true && c.span.id === span.id))) return true;
  return false;
}

function firstRemoteAncestor(node: SpanNode): Span | undefined {
  let a = node.parent;
  while (a) {
    if (a.span && a.span.kind !== undefined) return a.span;
    a = a.parent;
  }
  return undefined;
}

/** DependencyLinker.putTrace, for the spans of one trace. */
export function linkTrace(spans: readonly Span[], sink: LinkSink): void {
  if (spans.length === 0) return;
  const { root, dropped } = buildTree(spans);
  for (const d of dropped) sink.skip(d.reason, d.span);
  const queue: SpanNode[] = root.span ? [root] : [...root.children];
  for (let qi = 0; qi < queue.length; qi++) {
    const current = queue[qi]!;
    for (const c of current.children) queue.push(c);
    const span = current.span!;
    if (sink.span && span.localService) sink.span(span);
    let kind: SpanKind | undefined = span.kind;
    // A client with children: the server's own spans name the callee. Only real children count (a span
    // naming this one as parent, or the shared server half): Zipkin also counts orphans it hung under
    // the first root, which would drop a root client call of a trace with a second root.
    if (kind === 'CLIENT' && current.children.length > 0 && hasRealChild(current, span)) continue;
    const serviceName = span.localService;
    const remoteServiceName = span.remoteService;
    if (kind === undefined) {
      if (serviceName !== undefined && remoteServiceName !== undefined) kind = 'CLIENT';
      else continue; // a local span
    }
    let child: string | undefined;
    let parent: string | undefined;
    if (kind === 'SERVER' || kind === 'CONSUMER') {
      child = serviceName;
      parent = remoteServiceName;
      if (current === root && parent === undefined) {
        if (kind === 'SERVER' && serviceName !== undefined) sink.entry(serviceName, span.op, span.error, span.durationUs, span.startUs);
        else sink.skip('messaging-without-broker', span);
        continue;
      }
    } else {
      parent = serviceName;
      child = remoteServiceName;
    }
    let isError = span.error;
    if (kind === 'PRODUCER' || kind === 'CONSUMER') {
      if (parent === undefined || child === undefined) sink.skip('messaging-without-broker', span);
      else sink.link({ parent, child, error: isError, durationUs: span.durationUs, startUs: span.startUs, op: span.op, connection: 'messaging', virtual: kind === 'PRODUCER' });
      continue;
    }
    let durationUs = span.durationUs;
    let op = span.op;
    const remoteAncestor = firstRemoteAncestor(current);
    const remoteAncestorName = remoteAncestor?.localService;
    if (remoteAncestor && remoteAncestorName !== undefined) {
      if (kind === 'CLIENT' && serviceName !== undefined && remoteAncestorName !== serviceName) {
        // Some put the remote service name on client spans: back-fill the link from the nearest remote.
        sink.link({ parent: remoteAncestorName, child: serviceName, error: false, durationUs: -1, startUs: span.startUs, op: undefined, virtual: false });
      }
      if (kind === 'SERVER' || parent === undefined) parent = remoteAncestorName;
      // An RPC split over a client and a server span: inherit the client's error, take its latency
      // (what the caller waited) and its operation when the server has none.
      if (remoteAncestor.kind === 'CLIENT' && span.parentId !== undefined && span.parentId === remoteAncestor.id) {
        if (!isError) isError = remoteAncestor.error;
        if (remoteAncestor.durationUs > 0) durationUs = remoteAncestor.durationUs;
        op ??= remoteAncestor.op;
      } else if (remoteAncestor.kind === 'CLIENT' && sharedOf(span) && span.id === remoteAncestor.id) {
        if (!isError) isError = remoteAncestor.error;
        if (remoteAncestor.durationUs > 0) durationUs = remoteAncestor.durationUs;
        op ??= remoteAncestor.op;
      }
    }
    if (parent === undefined && child !== undefined && kind === 'SERVER') {
      // A server whose caller is not in the traces (headless trace): an entry call, as at the root.
      sink.entry(child, op, isError, durationUs, span.startUs);
      continue;
    }
    if (parent === undefined || child === undefined) {
      sink.skip(child === undefined && kind === 'CLIENT' ? 'client-without-peer' : parent === undefined && kind === 'CLIENT' ? 'no-local-service' : 'no-remote-ancestor', span);
      continue;
    }
    sink.link({ parent, child, error: isError, durationUs, startUs: span.startUs, op, connection: span.connection, virtual: kind === 'CLIENT' });
  }
}
