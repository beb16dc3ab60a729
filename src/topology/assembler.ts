/**
 * Spans arrive in any order and a trace is only linked once it is complete, so spans wait here grouped
 * by trace. Memory is bounded: a trace with no new span for a while is taken as complete and linked —
 * `idleMs` for a live receiver (the servicegraph connector's store.ttl), `idleSpans` for files (a TTL
 * counted in spans read, so memory follows the traces in flight, not the file's length) — and at most
 * `maxOpenTraces` are open: past that the least recently touched one is linked as it is (store.max_items).
 * A span that arrives for a trace already linked is counted as late (bounded memory of recently closed
 * traces), so data-quality problems are visible instead of silently changing the graph.
 *
 * Touch order is kept in a queue with one entry per span (trace, sequence number, time): the first entry
 * whose sequence number is still its trace's latest is the least recently touched trace. (Re-inserting
 * into a Map on every span would keep the order too, but leaves a deleted slot per span that iteration
 * from the front has to walk: seconds per million spans.)
 */
import { linkTrace, type LinkSink } from './linker.js';
import { traceKey, type Span } from './span.js';

export interface AssemblerOptions {
  maxOpenTraces?: number;
  /** Close traces with no new span for this long (live receiver, checked by closeIdle()). */
  idleMs?: number;
  /** Close traces with no new span among the last this-many spans read (checked on every span). */
  idleSpans?: number;
  now?: () => number;
}

const NO_SPANS: Span[] = [];

interface OpenTrace {
  key: string;
  spans: Span[];
  /** Sequence number of its latest span. */
  seq: number;
  /** Linked already: its queue entries are stale (a late span opens a new OpenTrace). */
  done: boolean;
}

export class TraceAssembler {
  private readonly open = new Map<string, OpenTrace>();
  private readonly closed = new Set<string>();
  private readonly maxOpen: number;
  private readonly idleMs: number;
  private readonly idleSpans: number | undefined;
  private readonly now: () => number;
  private seq = 0;
  // The touch queue (parallel arrays from `head`); entries point at the trace, so no lookup by key per span.
  private qTraces: OpenTrace[] = [];
  private qSeqs: number[] = [];
  private qTimes: number[] = [];
  private head = 0;
  evictedTraces = 0;
  lateSpans = 0;
  invalidSpans = 0;

  constructor(
    private readonly sink: LinkSink & { countTrace(): void },
    opts: AssemblerOptions = {},
  ) {
    this.maxOpen = opts.maxOpenTraces ?? 100_000;
    this.idleMs = opts.idleMs ?? 10_000;
    this.idleSpans = opts.idleSpans;
    this.now = opts.now ?? Date.now;
  }

  get openTraces(): number {
    return this.open.size;
  }

  add = (span: Span): void => {
    const key = traceKey(span.traceId);
    let t = this.open.get(key);
    if (!t) {
      if (this.closed.has(key)) this.lateSpans++;
      t = { key, spans: [], seq: 0, done: false };
      this.open.set(key, t);
    }
    t.spans.push(span);
    t.seq = ++this.seq;
    this.qTraces.push(t);
    this.qSeqs.push(t.seq);
    this.qTimes.push(this.idleSpans === undefined ? this.now() : 0);
    if (this.idleSpans !== undefined) this.closeWhile(this.seq - this.idleSpans, Infinity, Infinity);
    while (this.open.size > this.maxOpen) {
      this.evictedTraces++;
      this.closeWhile(Infinity, Infinity, 1);
    }
  };

  /** Link traces idle for longer than idleMs (call periodically from a live receiver). */
  closeIdle(): number {
    return this.closeWhile(Infinity, this.now() - this.idleMs + 1, Infinity);
  }

  closeAll(): void {
    for (const t of [...this.open.values()]) this.close(t);
    this.qTraces = [];
    this.qSeqs = [];
    this.qTimes = [];
    this.head = 0;
  }

  /**
   * Walk the queue from its oldest entry while the entry's sequence number is below `seqBelow` and its
   * time below `timeBelow`, closing each trace whose latest span that entry is; stop after `limit`
   * closes. Returns how many traces were closed.
   */
  private closeWhile(seqBelow: number, timeBelow: number, limit: number): number {
    let n = 0;
    while (this.head < this.qTraces.length && n < limit) {
      const t = this.qTraces[this.head]!;
      const seq = this.qSeqs[this.head]!;
      if (seq >= seqBelow || this.qTimes[this.head]! >= timeBelow) break;
      this.head++;
      if (!t.done && t.seq === seq) {
        this.close(t);
        n++;
      }
    }
    if (this.head > 65_536 && this.head * 2 > this.qTraces.length) {
      this.qTraces = this.qTraces.slice(this.head);
      this.qSeqs = this.qSeqs.slice(this.head);
      this.qTimes = this.qTimes.slice(this.head);
      this.head = 0;
    }
    return n;
  }

  private close(t: OpenTrace): void {
    const key = t.key;
    t.done = true;
    this.open.delete(key);
    this.sink.countTrace();
    linkTrace(t.spans, this.sink);
    t.spans = NO_SPANS; // the queue may still point at t until it is compacted
    this.closed.add(key);
    if (this.closed.size > this.maxOpen * 2) {
      const [first] = this.closed;
      this.closed.delete(first!);
    }
  }
}
