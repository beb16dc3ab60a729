/**
 * Reading a run directory ($UPSHIFT_HOME/runs/<id>/: journal.jsonl, history-<n>.jsonl) into a RunView,
 * incrementally: each `read()` parses only what was appended since the last one (a line without its
 * newline yet waits for the next read), so one reader serves a finished run (report) and a live one
 * (dashboard, /metrics) alike.
 */
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalRecord } from '../upgrade/journal.js';
import { CanaryAggregator, type OpLike } from './canary.js';
import { buildRunView, applyUpdate, type RunUpdate, type RunView } from './model.js';

const CHUNK = 1 << 20;

/** Appended complete lines of a file since the last call. */
class LineTail {
  private offset = 0;
  private rest = '';
  constructor(readonly path: string) {}

  async read(): Promise<string[]> {
    let fh;
    try {
      fh = await open(this.path, 'r');
    } catch {
      return [];
    }
    const lines: string[] = [];
    try {
      const buf = Buffer.allocUnsafe(CHUNK);
      while (true) {
        const { bytesRead } = await fh.read(buf, 0, CHUNK, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        const text = this.rest + buf.toString('utf8', 0, bytesRead);
        const parts = text.split('\n');
        this.rest = parts.pop()!;
        for (const p of parts) if (p.trim() !== '') lines.push(p);
      }
    } finally {
      await fh.close();
    }
    return lines;
  }
}

/** A completed canary op, as /metrics counts them. */
export interface OpEvent {
  kind: string;
  latencyMs: number;
  error: boolean;
}

export interface RunRead extends RunUpdate {
  ops: OpEvent[];
}

const parse = <T>(line: string): T | undefined => {
  try {
    return JSON.parse(line) as T;
  } catch {
    return undefined;
  }
};

/** history-<n>.jsonl files of a run directory, in segment order. */
async function historyFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => /^history-\d+\.jsonl$/.test(n)).sort((a, b) => Number(a.slice(8, -6)) - Number(b.slice(8, -6)));
  } catch {
    return [];
  }
}

export class RunFiles {
  private readonly journal: LineTail;
  private readonly histories = new Map<string, LineTail>();
  private readonly canary = new CanaryAggregator();
  private readonly pending: JournalRecord[] = [];
  view: RunView | undefined;

  /** `canary: false`: the journal only (run lists), not the histories. */
  constructor(
    readonly dir: string,
    private readonly opts: { canary?: boolean } = {},
  ) {
    this.journal = new LineTail(join(dir, 'journal.jsonl'));
  }

  get runId(): string {
    return this.dir.split('/').pop()!;
  }

  /** What was appended since the last read, applied to `view` (built on the first read that finds the run-begin). */
  async read(): Promise<RunRead> {
    const records = (await this.journal.read()).map((l) => parse<JournalRecord>(l)).filter((r): r is JournalRecord => r !== undefined && typeof r.type === 'string');
    const ops: OpEvent[] = [];
    const names = this.opts.canary === false ? [] : await historyFiles(this.dir);
    for (const n of names) {
      let t = this.histories.get(n);
      if (!t) this.histories.set(n, (t = new LineTail(join(this.dir, n))));
      for (const l of await t.read()) {
        // Only op lines matter here; skip the big read-back and watch records without parsing them fully.
        if (!l.startsWith('{"type":"op"')) continue;
        const op = parse<OpLike>(l);
        if (!op) continue;
        const e = this.canary.add(op);
        if (e) ops.push(e);
      }
    }
    const canary = this.canary.takeChanged();
    if (!this.view) {
      this.pending.push(...records);
      this.view = buildRunView(this.pending, this.canary.all());
      if (this.view) this.pending.length = 0;
      return { records, canary, ops };
    }
    const update: RunUpdate = { records, canary };
    applyUpdate(this.view, update);
    return { records, canary, ops };
  }
}

/** The view of a run directory as it is now (undefined when it holds no run). */
export async function loadRunView(dir: string): Promise<RunView | undefined> {
  const f = new RunFiles(dir);
  await f.read();
  return f.view;
}
