/**
 * Span files to spans: OTLP JSON (one ExportTraceServiceRequest, or JSONL with one per line as the
 * collector's `file` exporter writes), Zipkin v2 JSON (an array of spans, or JSONL of arrays), and
 * upshift's own topology snapshots (added as they are). The format is detected per document unless
 * given. JSONL is streamed line by line, so a file of millions of spans never sits in memory whole.
 */
import { createReadStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import { isSnapshot, type TopologySnapshot } from './graph.js';
import { readOtlpRequest, type OtlpReadStats } from './otlp.js';
import type { PeerOptions } from './peer.js';
import type { Span } from './span.js';
import { readZipkinSpans } from './zipkin.js';

export type SpanFormat = 'auto' | 'otlp' | 'zipkin';

export interface ReadTarget {
  span: (s: Span) => void;
  snapshot: (s: TopologySnapshot, where: string) => void;
}

/** One parsed JSON document: which format it is and its spans. */
export function readDocument(doc: unknown, format: SpanFormat, peer: PeerOptions, target: ReadTarget, stats: OtlpReadStats, where: string): void {
  if (isSnapshot(doc)) return target.snapshot(doc, where);
  const zipkinLike = Array.isArray(doc);
  if (format === 'zipkin' || (format === 'auto' && zipkinLike)) return readZipkinSpans(doc, peer, target.span, stats, where);
  readOtlpRequest(doc, peer, target.span, stats, where);
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${where}: not JSON (${(e as Error).message})`, { hint: 'pass OTLP JSON, OTLP JSONL, Zipkin v2 JSON or an upshift topology snapshot' });
  }
}

/**
 * Read one file (or `-` for stdin), line by line: when the first line is a complete JSON document the
 * input is JSONL; otherwise the lines are one (pretty-printed) document.
 */
export async function readSpanFile(path: string, format: SpanFormat, peer: PeerOptions, target: ReadTarget, stats: OtlpReadStats, stdin?: NodeJS.ReadableStream): Promise<void> {
  const where = path === '-' ? '<stdin>' : path;
  let input: NodeJS.ReadableStream;
  if (path === '-') {
    input = stdin ?? process.stdin;
  } else {
    try {
      await access(path, constants.R_OK);
    } catch (e) {
      throw new UsageError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { hint: 'pass span files written by an OTLP exporter or Zipkin' });
    }
    input = createReadStream(path, { highWaterMark: 1 << 20 });
  }
  const rl = lineBytes(input);
  let lineNo = 0;
  let whole = '';
  let sawJsonl = false;
  for await (const bytes of rl) {
    lineNo++;
    const parts = format === 'zipkin' ? undefined : otlpParts(bytes);
    if (parts) {
      sawJsonl = true;
      readOtlpRequest({ resourceSpans: parts }, peer, target.span, stats, `${where}:${lineNo}`);
      continue;
    }
    const t = bytes.toString('utf8').trim();
    if (!t) continue;
    let doc: unknown = NOT_JSON;
    if (!sawJsonl && lineNo === 1 && (doc = completeJson(t)) === NOT_JSON) {
      // One pretty-printed document: collect it all.
      whole = t;
      for await (const rest of rl) whole += '\n' + rest.toString('utf8');
      break;
    }
    sawJsonl = true;
    readDocument(doc !== NOT_JSON ? doc : parseJson(t, `${where}:${lineNo}`), format, peer, target, stats, `${where}:${lineNo}`);
  }
  if (whole) readDocument(parseJson(whole, where), format, peer, target, stats, where);
}

const PREFIX = Buffer.from('{"resourceSpans":[');
/** Between two ResourceSpans as exporters write them (resource first). Its quotes cannot be inside a string. */
const SEP = Buffer.from('},{"resource":');
/** Parts stay well below V8's large-object size (128 KB), where a string costs a fresh mapping. */
const PART_BYTES = 48 * 1024;

/**
 * The ResourceSpans of an OTLP JSONL line as the collector's file exporter writes it,
 * `{"resourceSpans":[{"resource":...},{"resource":...}]}`, parsed in groups of about PART_BYTES;
 * undefined when the line has another shape or a group is not JSON (then the whole line is parsed as
 * before, errors included). Why: a line is a whole export batch, often hundreds of KB, and decoding it
 * into one string is a large-object allocation per line in V8, which cost more than parsing it. Each
 * group being valid JSON on its own means the line is valid JSON with the same values.
 */
export function otlpParts(b: Buffer): unknown[] | undefined {
  const end = b.length - 2;
  if (end < PREFIX.length || b[end + 1] !== 0x7d /* } */ || b[end] !== 0x5d /* ] */) return undefined;
  if (b.compare(PREFIX, 0, PREFIX.length, 0, PREFIX.length) !== 0) return undefined;
  const parts: unknown[] = [];
  for (let from = PREFIX.length; from < end; ) {
    let cut = from + PART_BYTES < end ? b.indexOf(SEP, from + PART_BYTES) : -1;
    cut = cut < 0 || cut >= end ? end : cut + 1;
    let group: unknown;
    try {
      group = JSON.parse(`[${b.toString('utf8', from, cut)}]`);
    } catch {
      return undefined;
    }
    for (const r of group as unknown[]) parts.push(r);
    from = cut + 1;
    if (from === end) return undefined; // a trailing comma: not JSON
  }
  return parts;
}

const NOT_JSON = Symbol('not JSON');

/** The first line parsed when it is a whole JSON document (then it is not parsed twice), else NOT_JSON. */
function completeJson(s: string): unknown {
  if (!(s.startsWith('{') || s.startsWith('['))) return NOT_JSON;
  try {
    return JSON.parse(s);
  } catch {
    return NOT_JSON;
  }
}

/**
 * The lines of a stream as bytes, split as readline does with crlfDelay Infinity (\n, \r\n, or a lone
 * \r): readline decodes the whole input and re-joins OTLP JSONL lines of hundreds of KB from its
 * chunks with a regex, a quarter of the CPU of reading a file. Lines are decoded whole or cut at ASCII
 * bytes, so a character split across chunks stays intact.
 */
export async function* lineBytes(input: NodeJS.ReadableStream): AsyncGenerator<Buffer> {
  let carry: Buffer[] = [];
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a, start)) {
      const part = buf.subarray(start, nl);
      yield* splitCr(carry.length ? Buffer.concat([...carry, part]) : part);
      carry = [];
      start = nl + 1;
    }
    if (start < buf.length) carry.push(buf.subarray(start));
  }
  if (carry.length) yield* splitCr(Buffer.concat(carry));
}

/** One line's bytes: a trailing \r belongs to the line break (\r\n), an inner lone \r is a break. */
function* splitCr(bytes: Buffer): Generator<Buffer> {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  let start = 0;
  for (let cr = bytes.indexOf(0x0d); cr >= 0 && cr < end; cr = bytes.indexOf(0x0d, start)) {
    yield bytes.subarray(start, cr);
    start = cr + 1;
  }
  yield bytes.subarray(start, end);
}
