/**
 * Spans arrive in any order and a trace is only linked once it is complete, so spans wait here grouped
 * by trace. Memory is bounded: at most `maxOpenTraces` traces are open; past that the least recently
 * touched one is linked as it is (the servicegraph connector's store.max_items), and a live receiver
 * also closes traces idle for `idleMs` (its store.ttl). A span that arrives for a trace already linked
 * is counted as late (bounded memory of recently closed traces), so data-quality problems are visible
 * instead of silently changing the graph.
 */
import { linkTrace, type LinkSink } from './linker.js';
import { traceKey, type Span } from './span.js';

export interface AssemblerOptions {
  maxOpenTraces?: number;
  /** Close traces with no new span for this long (live receiver); files close everything at the end. */
  idleMs?: number;
  now?: () => number;
}

interface OpenTrace {
  spans: Span[];
  touched: number;
}

export class TraceAssembler {
  private readonly open = new Map<string, OpenTrace>();
  private readonly closed = new Set<string>();
  private readonly maxOpen: number;
  private readonly idleMs: number;
  private readonly now: () => number;
  evictedTraces = 0;
  lateSpans = 0;
  invalidSpans = 0;

  constructor(
    private readonly sink: LinkSink & { countTrace(): void },
    opts: AssemblerOptions = {},
  ) {
    this.maxOpen = opts.maxOpenTraces ?? 100_000;
    this.idleMs = opts.idleMs ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  get openTraces(): number {
    return this.open.size;
  }

  add = (span: Span): void => {
    const key = traceKey(span.traceId);
    let t = this.open.get(key);
    if (t) {
      // Re-insert: Map order is then least recently touched first.
      this.open.delete(key);
    } else {
      if (this.closed.has(key)) this.lateSpans++;
      t = { spans: [], touched: 0 };
    }
    t.spans.push(span);
    t.touched = this.now();
    this.open.set(key, t);
    if (this.open.size > this.maxOpen) {
      const [oldest] = this.open.keys();
      this.evictedTraces++;
      this.close(oldest!);
    }
  };

  /** Link traces idle for longer than idleMs (call periodically from a live receiver). */
  closeIdle(): number {
    const cutoff = this.now() - this.idleMs;
    let n = 0;
    for (const [key, t] of this.open) {
      if (t.touched > cutoff) break; // the rest were touched later
      this.close(key);
      n++;
    }
    return n;
  }

  closeAll(): void {
    for (const key of [...this.open.keys()]) this.close(key);
  }

  private close(key: string): void {
    const t = this.open.get(key);
    if (!t) return;
    this.open.delete(key);
    this.sink.countTrace();
    linkTrace(t.spans, this.sink);
    this.closed.add(key);
    if (this.closed.size > this.maxOpen * 2) {
      const [first] = this.closed;
      this.closed.delete(first!);
    }
  }
}
