/**
 * Spans arrive in any order and a trace is only linked once it is complete, so spans wait here grouped
 * by trace. Memory is bounded: a trace with no new span for a while is taken as complete and linked —
 * `idleMs` for a live receiver (the servicegraph connector's store.ttl), `idleSpans` for files (a TTL
 * counted in spans read, so memory follows the traces in flight, not the file's length) — and at most
 * `maxOpenTraces` are open: past that the least recently touched one is linked as it is (store.max_items).
 * A span that arrives for a trace already linked is counted as late (bounded memory of recently closed
 * traces), so data-quality problems are visible instead of silently changing the graph.
 *
 * Touch order is a doubly linked list of the open traces, most recently touched last: touching a trace
 * moves it to the end (a few pointer writes), so the first one is the least recently touched. (A Map
 * re-inserted on every span keeps the order too, but leaves a deleted slot per span that iteration from
 * the front has to walk: seconds per million spans; a queue with an entry per span costs an array
 * write per span into a long-lived array.)
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

interface OpenTrace {
  key: string;
  spans: Span[];
  /** Sequence number of its latest span. */
  seq: number;
  /** When its latest span came (live receiver; 0 when idleness is counted in spans). */
  time: number;
  prev: OpenTrace | undefined;
  next: OpenTrace | undefined;
}

export class TraceAssembler {
  private readonly open = new Map<string, OpenTrace>();
  private readonly closed = new Set<string>();
  private readonly maxOpen: number;
  private readonly idleMs: number;
  private readonly idleSpans: number | undefined;
  private readonly now: () => number;
  private seq = 0;
  // The touch order: first = least recently touched.
  private first: OpenTrace | undefined;
  private last: OpenTrace | undefined;
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
      t = { key, spans: [], seq: 0, time: 0, prev: undefined, next: undefined };
      this.open.set(key, t);
      this.append(t);
    } else if (t !== this.last) {
      this.unlink(t);
      this.append(t);
    }
    t.spans.push(span);
    t.seq = ++this.seq;
    t.time = this.idleSpans === undefined ? this.now() : 0;
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
  }

  /**
   * Close the least recently touched traces while their latest span's sequence number is below
   * `seqBelow` and its time below `timeBelow`; stop after `limit` closes. Returns how many were closed.
   */
  private closeWhile(seqBelow: number, timeBelow: number, limit: number): number {
    let n = 0;
    for (let t = this.first; t && n < limit && t.seq < seqBelow && t.time < timeBelow; t = this.first) {
      this.close(t);
      n++;
    }
    return n;
  }

  private append(t: OpenTrace): void {
    t.prev = this.last;
    t.next = undefined;
    if (this.last) this.last.next = t;
    else this.first = t;
    this.last = t;
  }

  private unlink(t: OpenTrace): void {
    if (t.prev) t.prev.next = t.next;
    else this.first = t.next;
    if (t.next) t.next.prev = t.prev;
    else this.last = t.prev;
    t.prev = t.next = undefined;
  }

  private close(t: OpenTrace): void {
    const key = t.key;
    this.unlink(t);
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
