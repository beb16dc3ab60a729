/**
 * Fixtures re-stating the cases of Zipkin's DependencyLinkerTest (openzipkin/zipkin@878ce2a,
 * zipkin/src/test/java/zipkin2/internal/DependencyLinkerTest.java) as Zipkin v2 JSON, with the links
 * Zipkin expects. Each case names the Zipkin test it comes from. Written here from the test's intent;
 * the span helper mirrors the test's span(traceId, parentId, id, kind, local, remote, isError).
 */

export interface ZipkinJsonSpan {
  traceId: string;
  parentId?: string;
  id: string;
  kind?: string;
  name?: string;
  timestamp?: number;
  duration?: number;
  localEndpoint?: { serviceName: string };
  remoteEndpoint?: { serviceName: string };
  tags?: Record<string, string>;
  annotations?: { timestamp: number; value: string }[];
  shared?: boolean;
}

export interface LinkerCase {
  zipkinTest: string;
  /** One or more traces, each linked on its own (putTrace per trace). */
  traces: ZipkinJsonSpan[][];
  links: { parent: string; child: string; calls: number; errors: number }[];
}

type Kind = 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER' | null;

export function span(traceId: string, parentId: string | null, id: string, kind: Kind, local: string | null, remote: string | null, isError: boolean, extra: Partial<ZipkinJsonSpan> = {}): ZipkinJsonSpan {
  const s: ZipkinJsonSpan = { traceId, id, ...extra };
  if (parentId !== null) s.parentId = parentId;
  if (kind !== null) s.kind = kind;
  if (local !== null) s.localEndpoint = { serviceName: local };
  if (remote !== null) s.remoteEndpoint = { serviceName: remote };
  if (isError) s.tags = { ...(s.tags ?? {}), error: '' };
  return s;
}

/** In reverse order, as reporting is more likely to occur this way. */
export const TRACE: ZipkinJsonSpan[] = [
  span('a', 'b', 'c', 'CLIENT', 'app', 'db', true),
  span('a', 'a', 'b', 'SERVER', 'app', 'web', false, { shared: true }),
  span('a', 'a', 'b', 'CLIENT', 'web', 'app', false),
  span('a', null, 'a', 'SERVER', 'web', null, false),
];

const link = (parent: string, child: string, calls = 1, errors = 0) => ({ parent, child, calls, errors });
const each = (spans: ZipkinJsonSpan[]) => spans.map((s) => [s]);

export const LINKER_CASES: LinkerCase[] = [
  { zipkinTest: 'linksSpans', traces: [TRACE], links: [link('web', 'app'), link('app', 'db', 1, 1)] },
  { zipkinTest: 'traceIdIsOpaque', traces: [TRACE.map((s) => ({ ...s, traceId: '123' }))], links: [link('web', 'app'), link('app', 'db', 1, 1)] },
  {
    zipkinTest: 'linksSpans_serverMissingParentId',
    traces: [[span('a', null, 'b', 'SERVER', 'link', 'arn', false, { shared: true }), span('a', 'a', 'b', 'CLIENT', 'arn', 'link', false), span('a', null, 'a', 'SERVER', 'arn', null, false)]],
    links: [link('arn', 'link')],
  },
  {
    zipkinTest: 'lateParentIdInSharedSpan',
    traces: [TRACE.map((s, i) => (i === 2 ? { ...s, parentId: undefined } : s)).map(dropUndefined)],
    links: [link('web', 'app'), link('app', 'db', 1, 1)],
  },
  {
    zipkinTest: 'lostChildAndNoParentIdInSharedSpan',
    traces: [TRACE.map((s, i) => (i === 2 ? { ...s, parentId: undefined } : s)).filter((_, i) => i !== 1).map(dropUndefined)],
    links: [link('web', 'app'), link('app', 'db', 1, 1)],
  },
  { zipkinTest: 'messagingSpansDontLinkWithoutBroker_consumer', traces: [[span('a', null, 'a', 'PRODUCER', 'producer', null, false), span('a', 'a', 'b', 'CONSUMER', 'consumer', 'kafka', false)]], links: [link('kafka', 'consumer')] },
  { zipkinTest: 'messagingSpansDontLinkWithoutBroker_producer', traces: [[span('a', null, 'a', 'PRODUCER', 'producer', 'kafka', false), span('a', 'a', 'b', 'CONSUMER', 'consumer', null, false)]], links: [link('producer', 'kafka')] },
  { zipkinTest: 'messagingWithBroker_both_sides_same', traces: [[span('a', null, 'a', 'PRODUCER', 'producer', 'kafka', false), span('a', 'a', 'b', 'CONSUMER', 'consumer', 'kafka', false)]], links: [link('producer', 'kafka'), link('kafka', 'consumer')] },
  { zipkinTest: 'messagingWithBroker_different', traces: [[span('a', null, 'a', 'PRODUCER', 'producer', 'kafka1', false), span('a', 'a', 'b', 'CONSUMER', 'consumer', 'kafka2', false)]], links: [link('producer', 'kafka1'), link('kafka2', 'consumer')] },
  { zipkinTest: 'messagingWithoutBroker_noLinks', traces: [[span('a', null, 'a', 'PRODUCER', 'producer', null, false), span('a', 'a', 'b', 'CONSUMER', 'consumer', null, false)]], links: [] },
  { zipkinTest: 'producerLinksToServer_childSpan', traces: [[span('a', null, 'a', 'PRODUCER', 'producer', null, false), span('a', 'a', 'b', 'SERVER', 'server', null, false)]], links: [link('producer', 'server')] },
  { zipkinTest: 'producerLinksToServer_sameSpan', traces: [[span('a', null, 'a', 'PRODUCER', 'producer', null, false), span('a', null, 'a', 'SERVER', 'server', null, false, { shared: true })]], links: [link('producer', 'server')] },
  { zipkinTest: 'clientDoesntLinkToConsumer_child', traces: [[span('a', null, 'a', 'CLIENT', 'client', null, false), span('a', 'a', 'b', 'CONSUMER', 'consumer', null, false)]], links: [] },
  { zipkinTest: 'linksSpansDirectedByKind (server root)', traces: [[span('a', null, 'a', 'SERVER', 'server', 'client', false)]], links: [link('client', 'server')] },
  { zipkinTest: 'linksSpansDirectedByKind (shared client root)', traces: [[span('a', null, 'a', 'CLIENT', 'client', 'server', false, { shared: true })]], links: [link('client', 'server')] },
  {
    zipkinTest: 'callsAgainstTheSameLinkIncreasesCallCount_span',
    traces: [[span('a', null, 'a', 'SERVER', 'client', null, false), span('a', 'a', 'b', 'CLIENT', null, 'server', false), span('a', 'a', 'c', 'CLIENT', null, 'server', false)]],
    links: [link('client', 'server', 2)],
  },
  {
    zipkinTest: 'callsAgainstTheSameLinkIncreasesCallCount_trace',
    traces: [
      [span('a', null, 'a', 'SERVER', 'client', null, false), span('a', 'a', 'b', 'CLIENT', null, 'server', false)],
      [span('a', null, 'a', 'SERVER', 'client', null, false), span('a', 'a', 'b', 'CLIENT', null, 'server', false)],
    ],
    links: [link('client', 'server', 2)],
  },
  { zipkinTest: 'singleHostSpansResultInASingleCallCount', traces: [[span('a', null, 'a', 'CLIENT', 'client', null, false), span('a', 'a', 'b', 'SERVER', 'server', null, false)]], links: [link('client', 'server')] },
  { zipkinTest: 'singleHostSpansResultInASingleErrorCount', traces: [[span('a', null, 'a', 'CLIENT', 'client', null, true), span('a', 'a', 'b', 'SERVER', 'server', null, true)]], links: [link('client', 'server', 1, 1)] },
  {
    zipkinTest: 'singleHostSpansResultInASingleErrorCount_sameId',
    traces: [[span('a', null, 'a', 'CLIENT', 'client', null, true), span('a', null, 'a', 'SERVER', 'server', null, true, { shared: true })]],
    links: [link('client', 'server', 1, 1)],
  },
  { zipkinTest: 'singleHostSpansResultInASingleCallCount_defersNameToServer', traces: [[span('a', null, 'a', 'CLIENT', 'client', 'server', false), span('a', 'a', 'b', 'SERVER', 'server', null, false)]], links: [link('client', 'server')] },
  {
    zipkinTest: 'singleHostSpans_multipleChildren',
    traces: [[span('a', null, 'a', 'CLIENT', 'client', null, false), span('a', 'a', 'b', 'SERVER', 'server', 'client', true), span('a', 'a', 'c', 'SERVER', 'server', 'client', false)]],
    links: [link('client', 'server', 2, 1)],
  },
  {
    zipkinTest: 'singleHostSpans_multipleChildren_defersNameToServer',
    traces: [[span('a', null, 'a', 'CLIENT', 'client', 'server', false), span('a', 'a', 'b', 'SERVER', 'server', null, false), span('a', 'a', 'c', 'SERVER', 'server', null, false)]],
    links: [link('client', 'server', 2)],
  },
  {
    zipkinTest: 'intermediatedClientSpansMissingLocalServiceNameLinkToNearestServer',
    traces: [[span('a', null, 'a', 'SERVER', 'client', null, false), span('a', 'a', 'b', null, null, null, false), span('a', 'b', 'c', 'CLIENT', 'server', null, false), span('a', 'b', 'd', 'CLIENT', 'server', null, false)]],
    links: [link('client', 'server', 2)],
  },
  {
    zipkinTest: 'errorsOnUninstrumentedLinks',
    traces: [[span('a', null, 'a', 'SERVER', 'client', null, false), span('a', 'a', 'b', null, null, null, false), span('a', 'b', 'c', 'CLIENT', 'server', null, true), span('a', 'b', 'd', 'CLIENT', 'server', null, true)]],
    links: [link('client', 'server', 2)],
  },
  {
    zipkinTest: 'errorsOnInstrumentedLinks',
    traces: [[span('a', null, 'a', 'SERVER', 'foo', null, false), span('a', 'a', 'b', null, null, null, false), span('a', 'b', 'c', 'CLIENT', 'bar', 'baz', true), span('a', 'b', 'd', 'CLIENT', 'bar', 'baz', false)]],
    links: [link('foo', 'bar', 2), link('bar', 'baz', 2, 1)],
  },
  { zipkinTest: 'linkWithErrorIsLogged', traces: [[span('a', 'b', 'c', 'CLIENT', 'foo', 'bar', true)]], links: [link('foo', 'bar', 1, 1)] },
  {
    zipkinTest: 'annotationNamedErrorDoesntIncrementErrorCount',
    traces: [[span('a', 'b', 'c', 'CLIENT', 'foo', 'bar', false, { annotations: [{ timestamp: 1, value: 'error' }] })]],
    links: [link('foo', 'bar')],
  },
  { zipkinTest: 'linksLoopbackSpans (server)', traces: [[span('a', null, 'a', 'SERVER', 'service', 'service', false)]], links: [link('service', 'service')] },
  { zipkinTest: 'linksLoopbackSpans (client)', traces: [[span('b', null, 'b', 'CLIENT', 'service', 'service', false)]], links: [link('service', 'service')] },
  {
    zipkinTest: 'noSpanKindTreatedSameAsClient',
    traces: [[span('a', null, 'a', null, 'some-client', 'web', false), span('a', 'a', 'b', null, 'web', 'app', false), span('a', 'b', 'c', null, 'app', 'db', false)]],
    links: [link('some-client', 'web'), link('web', 'app'), link('app', 'db')],
  },
  {
    zipkinTest: 'noSpanKindWithError',
    traces: [[span('a', null, 'a', null, 'some-client', 'web', false), span('a', 'a', 'b', null, 'web', 'app', true), span('a', 'b', 'c', null, 'app', 'db', false)]],
    links: [link('some-client', 'web'), link('web', 'app', 1, 1), link('app', 'db')],
  },
  {
    zipkinTest: 'cannotLinkSingleSpanWithoutBothServiceNames',
    traces: each([
      span('a', null, 'a', 'SERVER', null, null, false),
      span('a', null, 'a', 'SERVER', 'server', null, false),
      span('a', null, 'a', 'SERVER', null, 'client', false),
      span('a', null, 'a', 'CLIENT', null, null, false),
      span('a', null, 'a', 'CLIENT', 'client', null, false),
      span('a', null, 'a', 'CLIENT', null, 'server', false),
    ]),
    links: [],
  },
  { zipkinTest: 'doesntLinkUnrelatedSpansWhenMissingRootSpan', traces: [[span('a', 'a', 'b', 'SERVER', 'service1', null, false), span('a', 'a', 'c', 'SERVER', 'service2', null, false)]], links: [] },
  { zipkinTest: 'linksRelatedSpansWhenMissingRootSpan', traces: [[span('a', 'a', 'b', 'SERVER', 'service1', null, false), span('a', 'b', 'c', 'SERVER', 'service2', null, false)]], links: [link('service1', 'service2')] },
  { zipkinTest: 'linksSingleHostSpans', traces: [[span('a', null, 'a', 'CLIENT', 'web', null, false), span('a', 'a', 'b', 'SERVER', 'app', null, false)]], links: [link('web', 'app')] },
  { zipkinTest: 'linksSingleHostSpans_errorOnClient', traces: [[span('a', null, 'a', 'CLIENT', 'web', null, true), span('a', 'a', 'b', 'SERVER', 'app', null, false)]], links: [link('web', 'app', 1, 1)] },
  { zipkinTest: 'missingSpan', traces: [[span('a', null, 'a', 'SERVER', 'web', null, false), span('a', 'a', 'b', 'CLIENT', 'app', null, false)]], links: [link('web', 'app')] },
];

function dropUndefined(s: ZipkinJsonSpan): ZipkinJsonSpan {
  return JSON.parse(JSON.stringify(s)) as ZipkinJsonSpan;
}
