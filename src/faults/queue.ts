/**
 * An ordered release queue: items leave in the order they arrived, each no earlier than its own release
 * time. Latency ± jitter, bandwidth and delayed watch responses all go through it, so a jittered delay
 * never reorders bytes of a TCP stream or messages of a gRPC stream (etcd's own test proxy delays the same
 * way: pkg/proxy/server.go DelayTx/DelayRx). `hold()` stops releasing (a blackhole) without losing
 * anything; `release()` lets the backlog go.
 */

export class OrderedReleaseQueue<T> {
  private readonly items: { at: number; item: T }[] = [];
  private last = 0;
  private timer: NodeJS.Timeout | undefined;
  private held = false;
  private closed = false;

  constructor(
    private readonly deliver: (item: T) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.items.length;
  }

  get isHeld(): boolean {
    return this.held;
  }

  /**
   * Queue `item` to leave `delayMs` from now, but never before the item ahead of it; `occupyMs` keeps
   * the line busy after it (bandwidth: the time the item takes on the wire).
   */
  push(item: T, delayMs: number, occupyMs = 0): void {
    if (this.closed) return;
    const at = Math.max(this.now() + delayMs, this.last);
    this.last = at + occupyMs;
    // Nothing to wait for: deliver at once (keeps the no-fault path free of timers).
    if (this.items.length === 0 && !this.held && at <= this.now()) {
      this.deliver(item);
      return;
    }
    this.items.push({ at, item });
    this.schedule();
  }

  hold(): void {
    this.held = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Resume releasing; items whose time passed while held leave at once, in order. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    this.drain();
  }

  /** Drop everything queued and stop (the connection is gone). */
  close(): void {
    this.closed = true;
    this.items.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.held || this.timer || this.items.length === 0) return;
    const wait = Math.max(0, this.items[0]!.at - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, wait);
  }

  private drain(): void {
    while (!this.held && !this.closed && this.items.length > 0 && this.items[0]!.at <= this.now() + 0.5) {
      this.deliver(this.items.shift()!.item);
    }
    this.schedule();
  }
}
