/**
 * Reading and writing histories as JSONL. The writer appends one line per record with a single write
 * so a crash leaves at most a torn last line, which the reader reports (or tolerates with `lenient`).
 */
import { openSync, writeSync, fsyncSync, closeSync } from 'node:fs';
import type { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { readInputFile } from '../core/files.js';
import {
  headerSchema,
  opSchema,
  watchRecordSchema,
  readbackSchema,
  type History,
  type HistoryRecord,
  type Operation,
} from './model.js';

/** Dotted path of a zod issue, e.g. `entries.3.modRevision`. */
function issuePath(issue: z.core.$ZodIssue): string {
  return issue.path.map(String).join('.') || '(record)';
}

export class HistoryParseError extends UsageError {
  constructor(source: string, line: number, what: string) {
    super(`${source}:${line}: ${what}`, {
      code: 'history-invalid',
      hint: 'a history is JSONL written by `upshift upgrade` (runs/<id>/history.jsonl): a header line, then op/watch/readback records',
    });
  }
}

/** Parse one record; throws HistoryParseError naming the line and the field. */
function parseRecord(raw: unknown, source: string, line: number): HistoryRecord {
  if (typeof raw !== 'object' || raw === null || !('type' in raw)) throw new HistoryParseError(source, line, 'record has no "type"');
  const type = (raw as { type: unknown }).type;
  const schema = type === 'header' ? headerSchema : type === 'op' ? opSchema : type === 'watch' ? watchRecordSchema : type === 'readback' ? readbackSchema : undefined;
  if (!schema) throw new HistoryParseError(source, line, `unknown record type ${JSON.stringify(type)} (header, op, watch, readback)`);
  const r = schema.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues[0]!;
    throw new HistoryParseError(source, line, `${issuePath(first)}: ${first.message}`);
  }
  return r.data as HistoryRecord;
}

export interface ParseOptions {
  /** Accept a torn (unparsable) last line, as a crash while appending leaves. */
  lenient?: boolean;
}

export function parseHistory(text: string, source = 'history', opts: ParseOptions = {}): History {
  const lines = text.split('\n');
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const history: Partial<History> & { ops: Operation[]; watch: History['watch'] } = { ops: [], watch: [] };
  const byId = new Map<number, number>();
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!.trim();
    if (text === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      if (opts.lenient && i === lines.length - 1) break;
      throw new HistoryParseError(source, i + 1, 'not valid JSON');
    }
    const rec = parseRecord(raw, source, i + 1);
    switch (rec.type) {
      case 'header':
        if (history.header) throw new HistoryParseError(source, i + 1, 'a second header');
        if (i !== 0) throw new HistoryParseError(source, i + 1, 'the header must be the first line');
        history.header = rec;
        break;
      case 'op': {
        // An op may be recorded twice: at invocation (no `end`, indeterminate) and at completion. The
        // completion replaces the invocation; an invocation alone is an op cut short by a crash.
        const at = byId.get(rec.id);
        if (at !== undefined) history.ops[at] = rec;
        else {
          byId.set(rec.id, history.ops.length);
          history.ops.push(rec);
        }
        break;
      }
      case 'watch':
        history.watch.push(rec);
        break;
      case 'readback':
        if (history.readback) throw new HistoryParseError(source, i + 1, 'a second readback');
        history.readback = rec;
        break;
    }
  }
  if (!history.header) throw new HistoryParseError(source, 1, 'no header line (is this an upshift history?)');
  return history as History;
}

export async function readHistory(file: string, opts: ParseOptions = {}): Promise<History> {
  const text = await readInputFile(file, 'HISTORY', { code: 'history-unreadable', hint: 'pass the path of a history.jsonl file' });
  return parseHistory(text, file, opts);
}

export function serializeHistory(h: History): string {
  const recs: HistoryRecord[] = [h.header, ...h.ops, ...h.watch];
  if (h.readback) recs.push(h.readback);
  return recs.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

/**
 * Appends records to a history file as they happen. Lines are written with one write(2) each; fsync
 * happens on `flush()` and `close()` (every op fsynced would cost more than the load it measures).
 */
export class HistoryWriter {
  private fd: number;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'a', 0o600);
  }
  append(rec: HistoryRecord): void {
    if (this.fd < 0) return;
    writeSync(this.fd, JSON.stringify(rec) + '\n');
  }
  flush(): void {
    if (this.fd >= 0) fsyncSync(this.fd);
  }
  close(): void {
    if (this.fd >= 0) {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}
