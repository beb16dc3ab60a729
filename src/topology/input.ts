/**
 * Span files to spans: OTLP JSON (one ExportTraceServiceRequest, or JSONL with one per line as the
 * collector's `file` exporter writes), Zipkin v2 JSON (an array of spans, or JSONL of arrays), and
 * upshift's own topology snapshots (added as they are). The format is detected per document unless
 * given. JSONL is streamed line by line, so a file of millions of spans never sits in memory whole.
 */
import { createReadStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { createInterface } from 'node:readline';
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
    input = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  }
  const rl = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let whole = '';
  let sawJsonl = false;
  for await (const line of rl) {
    lineNo++;
    const t = line.trim();
    if (!t) continue;
    if (!sawJsonl && lineNo === 1 && !isCompleteJson(t)) {
      // One pretty-printed document: collect it all.
      whole = t;
      for await (const rest of rl) whole += '\n' + rest;
      break;
    }
    sawJsonl = true;
    readDocument(parseJson(t, `${where}:${lineNo}`), format, peer, target, stats, `${where}:${lineNo}`);
  }
  if (whole) readDocument(parseJson(whole, where), format, peer, target, stats, where);
}

function isCompleteJson(s: string): boolean {
  if (!(s.startsWith('{') || s.startsWith('['))) return false;
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}
