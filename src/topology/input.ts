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
  const rl = lines(input);
  let lineNo = 0;
  let whole = '';
  let sawJsonl = false;
  for await (const line of rl) {
    lineNo++;
    const t = line.trim();
    if (!t) continue;
    let doc: unknown = NOT_JSON;
    if (!sawJsonl && lineNo === 1 && (doc = completeJson(t)) === NOT_JSON) {
      // One pretty-printed document: collect it all.
      whole = t;
      for await (const rest of rl) whole += '\n' + rest;
      break;
    }
    sawJsonl = true;
    readDocument(doc !== NOT_JSON ? doc : parseJson(t, `${where}:${lineNo}`), format, peer, target, stats, `${where}:${lineNo}`);
  }
  if (whole) readDocument(parseJson(whole, where), format, peer, target, stats, where);
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
 * The lines of a stream, split as readline does with crlfDelay Infinity (\n, \r\n, or a lone \r), but on
 * bytes: readline decodes the whole input and re-joins OTLP JSONL lines of hundreds of KB from its
 * chunks with a regex, a quarter of the CPU of reading a file. A line is decoded once, whole, so a
 * character split across chunks stays intact.
 */
export async function* lines(input: NodeJS.ReadableStream): AsyncGenerator<string> {
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

/** One line's bytes to strings: a trailing \r belongs to the line break (\r\n), an inner lone \r is a break. */
function* splitCr(bytes: Buffer): Generator<string> {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  let start = 0;
  for (let cr = bytes.indexOf(0x0d); cr >= 0 && cr < end; cr = bytes.indexOf(0x0d, start)) {
    yield bytes.toString('utf8', start, cr);
    start = cr + 1;
  }
  yield bytes.toString('utf8', start, end);
}
