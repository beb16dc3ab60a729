/**
 * The L4 fault proxy: a TCP relay for any link (client ports with TLS passed through, raft peer links)
 * with faults in user space, because these machines have no `tc netem`:
 * - latency ± jitter per chunk (order kept: queue.ts), bandwidth (bytes/s, the line stays busy),
 * - blackhole: nothing is forwarded, sockets stay open, sources are paused (TCP backpressure, nothing
 *   lost) — a network partition as TCP sees it; lifting it lets the backlog through,
 * - reset: TCP RST on both sides (`resetAndDestroy`, SO_LINGER 0 as toxiproxy's reset_peer), and
 *   new connections reset while the fault lasts,
 * - slow close: a FIN or a close reaches the other side only after a delay.
 * Faults are rules added and removed at run time, each optionally scoped to connections from named
 * sources (`from`, told by `identify`, e.g. the member that dialed a peer link: awaited at accept while a
 * rule is scoped that way, else learned while the connection already flows) and
 * to a direction (`up`: client -> target, `down`: target -> client). With no rule, bytes are written
 * straight through. Toxiproxy (governance.md §3) does the same per connection; its `toxicity` rolls once
 * per connection, which is why per-RPC faults live in the L7 proxy (l7-proxy.ts).
 */
import { connect, type Socket } from 'node:net';
import { ProxyListener } from './listener.js';
import { OrderedReleaseQueue } from './queue.js';
import { jittered, seededRng, type Rng } from './rng.js';

export type Direction = 'up' | 'down' | 'both';

export interface L4Rule {
  id: string;
  /** Only connections identified as coming from one of these sources (undefined: every connection). */
  from?: string[] | undefined;
  /** Which way the bytes must flow for latency/bandwidth (default: down, once per round trip, as toxiproxy). */
  direction?: Direction | undefined;
  latencyMs?: number | undefined;
  jitterMs?: number | undefined;
  /** Bytes per second. */
  bandwidth?: number | undefined;
  blackhole?: boolean | undefined;
  reset?: boolean | undefined;
  slowCloseMs?: number | undefined;
}

export interface L4ProxyOptions {
  listen: { host: string; port: number };
  target: { host: string; port: number };
  /** Who opened this connection (a member name), looked up before anything is forwarded. */
  identify?: ((remote: { address: string; port: number }, listenPort: number) => Promise<string | undefined>) | undefined;
  seed?: string | number | undefined;
  name?: string | undefined;
}

export interface L4Stats {
  connections: number;
  active: number;
  bytesUp: number;
  bytesDown: number;
  resets: number;
  refused: number;
  identified: Record<string, number>;
}

type Item = { kind: 'data'; chunk: Buffer } | { kind: 'end' };

interface Pipe {
  src: Socket;
  dst: Socket;
  queue: OrderedReleaseQueue<Item>;
  dir: 'up' | 'down';
  ended: boolean;
}

interface Conn {
  id: number;
  from: string | undefined;
  client: Socket;
  upstream: Socket;
  pipes: [Pipe, Pipe];
  closed: boolean;
}

export class L4FaultProxy extends ProxyListener {
  private readonly conns = new Set<Conn>();
  private readonly rules = new Map<string, L4Rule>();
  private readonly rng: Rng;
  private nextId = 0;
  readonly stats: L4Stats = { connections: 0, active: 0, bytesUp: 0, bytesDown: 0, resets: 0, refused: 0, identified: {} };

  constructor(private readonly opts: L4ProxyOptions) {
    super(opts.listen, opts.target, true);
    this.rng = seededRng(opts.seed ?? 0).fork(`l4/${opts.name ?? 'proxy'}`);
  }

  get activeRules(): L4Rule[] {
    return [...this.rules.values()];
  }

  addRule(rule: L4Rule): void {
    this.rules.set(rule.id, { ...rule });
    for (const c of this.conns) {
      if (rule.reset && this.matches(rule, c)) this.reset(c);
    }
    this.reevaluate();
  }

  removeRule(id: string): void {
    if (!this.rules.delete(id)) return;
    this.reevaluate();
  }

  clearRules(): void {
    this.rules.clear();
    this.reevaluate();
  }

  /** Stop accepting and drop every connection. */
  async close(): Promise<void> {
    for (const c of this.conns) this.destroy(c);
    await this.stopListening();
  }

  // ------------------------------------------------------------------ connections

  protected accept(client: Socket): void {
    void this.acceptAsync(client);
  }

  private async acceptAsync(client: Socket): Promise<void> {
    this.stats.connections++;
    client.on('error', () => undefined);
    let from: string | undefined;
    const identifying =
      this.opts.identify && client.remoteAddress && client.remotePort ? this.opts.identify({ address: client.remoteAddress, port: client.remotePort }, this.address.port).catch(() => undefined) : undefined;
    // Who dialed is read from /proc, which takes a while on a busy machine (every process's argv, every fd
    // of the candidates): waited for only while a rule is scoped by it (a partition being cut), else the
    // connection goes through at once and is identified on the side. Waiting always made TLS peer dials
    // (handshake inside etcd's dial timeout) fail over and over under load: a restarted member then never
    // caught up.
    let identified = false;
    const noteFrom = (f: string | undefined): void => {
      identified = true;
      if (f) this.stats.identified[f] = (this.stats.identified[f] ?? 0) + 1;
    };
    if (identifying && [...this.rules.values()].some((r) => r.from)) {
      from = await identifying;
      noteFrom(from);
    }
    if (this.effective(from).reset) {
      this.stats.resets++;
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: this.target.host, port: this.target.port, noDelay: true, allowHalfOpen: true });
    upstream.on('error', () => undefined);
    upstream.once('error', () => {
      // Nothing listens there (the member is stopped): the client sees its connection reset at once,
      // the closest a relay gets to "connection refused".
      if (!conn) {
        this.stats.refused++;
        client.resetAndDestroy();
      }
    });
    let conn: Conn | undefined;
    upstream.once('connect', () => {
      if (client.destroyed) {
        upstream.destroy();
        return;
      }
      const c = { id: ++this.nextId, from, client, upstream, closed: false } as Conn;
      c.pipes = [this.pipe(c, client, upstream, 'up'), this.pipe(c, upstream, client, 'down')];
      conn = c;
      this.conns.add(c);
      this.stats.active++;
      const onClose = (): void => this.onSocketClosed(c);
      client.once('close', onClose);
      upstream.once('close', onClose);
      this.apply(c);
      client.resume();
      if (identifying && !identified)
        void identifying.then((f) => {
          noteFrom(f);
          c.from = f;
          if (!c.closed && f) this.apply(c);
        });
    });
  }

  private pipe(c: Conn, src: Socket, dst: Socket, dir: 'up' | 'down'): Pipe {
    const p: Pipe = {
      src,
      dst,
      dir,
      ended: false,
      queue: new OrderedReleaseQueue<Item>((item) => {
        if (dst.destroyed) return;
        if (item.kind === 'end') dst.end();
        else if (!dst.write(item.chunk)) {
          // Backpressure from the receiver: stop reading the sender until it drains.
          src.pause();
          dst.once('drain', () => {
            if (!p.queue.isHeld) src.resume();
          });
        }
      }),
    };
    src.on('data', (chunk: Buffer) => {
      if (dir === 'up') this.stats.bytesUp += chunk.length;
      else this.stats.bytesDown += chunk.length;
      const f = this.effectiveFor(c, dir);
      const delay = f.latencyMs ? jittered(this.rng, f.latencyMs, f.jitterMs ?? 0) : 0;
      const occupy = f.bandwidth ? (chunk.length * 1000) / f.bandwidth : 0;
      p.queue.push({ kind: 'data', chunk }, delay, occupy);
    });
    src.on('end', () => {
      p.ended = true;
      const f = this.effectiveFor(c, dir);
      p.queue.push({ kind: 'end' }, Math.max(f.slowCloseMs ?? 0, f.latencyMs ?? 0));
    });
    return p;
  }

  /** One side closed (after its FIN went through, or an error): close the other after any slow-close delay. */
  private onSocketClosed(c: Conn): void {
    if (c.closed) return;
    const f = this.effective(c.from);
    const other = c.client.destroyed ? c.upstream : c.client;
    if (f.blackhole) {
      // A partition swallows the close too; it reaches the other side when the partition lifts.
      return;
    }
    const finish = (): void => this.destroy(c);
    if (f.slowCloseMs && !other.destroyed) setTimeout(finish, f.slowCloseMs).unref();
    else {
      // Let queued bytes (latency) leave before the other side is closed.
      const waitQueued = (): void => {
        if (c.pipes.every((p) => p.queue.size === 0) || other.destroyed) finish();
        else setTimeout(waitQueued, 5).unref();
      };
      waitQueued();
    }
  }

  private destroy(c: Conn): void {
    if (c.closed) return;
    c.closed = true;
    this.conns.delete(c);
    this.stats.active--;
    for (const p of c.pipes) p.queue.close();
    c.client.destroy();
    c.upstream.destroy();
  }

  private reset(c: Conn): void {
    if (c.closed) return;
    this.stats.resets++;
    c.closed = true;
    this.conns.delete(c);
    this.stats.active--;
    for (const p of c.pipes) p.queue.close();
    if (!c.client.destroyed) c.client.resetAndDestroy();
    if (!c.upstream.destroyed) c.upstream.resetAndDestroy();
  }

  private reevaluate(): void {
    for (const c of [...this.conns]) this.apply(c);
  }

  /** Blackhole on/off for one connection: hold or release both queues, pause or resume the sources. */
  private apply(c: Conn): void {
    const f = this.effective(c.from);
    for (const p of c.pipes) {
      if (f.blackhole) {
        p.queue.hold();
        p.src.pause();
      } else if (p.queue.isHeld) {
        p.queue.release();
        p.src.resume();
      }
    }
    if (!f.blackhole && (c.client.destroyed || c.upstream.destroyed)) this.onSocketClosed(c);
  }

  private matches(r: L4Rule, c: { from: string | undefined }): boolean {
    return !r.from || (c.from !== undefined && r.from.includes(c.from));
  }

  /** The faults in force for a connection: latencies add up, the tightest bandwidth wins, any blackhole/reset holds. */
  private effective(from: string | undefined): Omit<L4Rule, 'id' | 'from'> {
    const out: Omit<L4Rule, 'id' | 'from'> = {};
    for (const r of this.rules.values()) {
      if (!this.matches(r, { from })) continue;
      if (r.blackhole) out.blackhole = true;
      if (r.reset) out.reset = true;
      if (r.slowCloseMs) out.slowCloseMs = Math.max(out.slowCloseMs ?? 0, r.slowCloseMs);
    }
    return out;
  }

  private effectiveFor(c: Conn, dir: 'up' | 'down'): Omit<L4Rule, 'id' | 'from'> {
    const out: Omit<L4Rule, 'id' | 'from'> = {};
    if (this.rules.size === 0) return out;
    for (const r of this.rules.values()) {
      if (!this.matches(r, c)) continue;
      const d = r.direction ?? 'down';
      const onThisWay = d === 'both' || d === dir;
      if (onThisWay && r.latencyMs) {
        out.latencyMs = (out.latencyMs ?? 0) + r.latencyMs;
        out.jitterMs = Math.max(out.jitterMs ?? 0, r.jitterMs ?? 0);
      }
      if (onThisWay && r.bandwidth) out.bandwidth = Math.min(out.bandwidth ?? Infinity, r.bandwidth);
      if (r.slowCloseMs) out.slowCloseMs = Math.max(out.slowCloseMs ?? 0, r.slowCloseMs);
    }
    return out;
  }
}
