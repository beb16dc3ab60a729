/**
 * The L7 fault proxy: HTTP/2-aware, between gRPC clients and one etcd member, with faults per RPC (rules
 * in rpc-rules.ts): abort with a gRPC status, answered trailers-only (`:status 200`, `grpc-status`,
 * `grpc-message` in one HEADERS frame with END_STREAM), so each aborted RPC fails on its own with a
 * definite status while the connection and every other RPC on it go on; delay an RPC; delay the response
 * messages of streams (watch), in order; hold RPCs (blackhole); reset connections.
 * Measured in governance.md §3: an L4 proxy with toxiproxy semantics fails all RPCs of a connection or
 * none; this one fails 10% of them at 10%.
 *
 * Connection topology is mirrored: one upstream connection per client connection, opened before the
 * client's HTTP/2 preface is read, so a member that is down resets the client's connection at once (as
 * close to "connection refused" as a relay gets, and a gRPC client reports it as never sent). An upstream
 * GOAWAY (a graceful stop) becomes a GOAWAY to the client; an upstream connection that dies takes the
 * client's connection with it; a reset upstream stream resets the client's stream with the same code
 * (REFUSED_STREAM stays REFUSED_STREAM). With no rule an RPC is forwarded frame for frame.
 *
 * TLS: with `tls.listen` (the member's server certificate and key) the proxy terminates TLS and talks TLS
 * upstream with `tls.upstream` (CA, client cert); without certificates a TLS member can only get the L4
 * proxy (l4-proxy.ts), and the fault layer says so.
 */
import { connect as netConnect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import http2, { constants as h2c, type ClientHttp2Session, type ClientHttp2Stream, type Http2Server, type Http2SecureServer, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import { OrderedReleaseQueue } from './queue.js';
import { seededRng, jittered, type Rng } from './rng.js';
import { decideRpc, grpcCodeName, type RpcRule } from './rpc-rules.js';

export interface L7TlsOptions {
  /** Terminate TLS for clients with this certificate and key (PEM); `ca` set: clients must present a cert it signed. */
  listen?: { cert: Buffer; key: Buffer; ca?: Buffer | undefined } | undefined;
  /** Talk TLS to the member: its CA, and the client certificate it wants (etcd --client-cert-auth). */
  upstream?: { ca?: Buffer | undefined; cert?: Buffer | undefined; key?: Buffer | undefined; insecureSkipVerify?: boolean | undefined } | undefined;
}

export interface L7ProxyOptions {
  listen: { host: string; port: number };
  target: { host: string; port: number };
  tls?: L7TlsOptions | undefined;
  seed?: string | number | undefined;
  name?: string | undefined;
}

export interface L7Stats {
  connections: number;
  active: number;
  refused: number;
  resets: number;
  rpcs: number;
  forwarded: number;
  aborted: Record<string, number>;
  delayed: number;
  held: number;
  /** Per method: RPCs seen and aborted. */
  methods: Record<string, { rpcs: number; aborted: number }>;
}

interface Pair {
  up: ClientHttp2Session;
  down?: ServerHttp2Session | undefined;
}

const HOP_HEADERS = new Set([':scheme', ':authority', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

export class L7FaultProxy {
  private tcp: NetServer | undefined;
  private h2: Http2Server | Http2SecureServer | undefined;
  private port = 0;
  private readonly rules = new Map<string, RpcRule>();
  private readonly rngs = new Map<string, Rng>();
  private readonly seedRng: Rng;
  /** Upstream sessions waiting for their client session, by the client socket's remote port. */
  private readonly pending = new Map<string, ClientHttp2Session>();
  private readonly pairs = new Set<Pair>();
  private readonly held = new Set<() => void>();
  /** Open streams' hold/release re-evaluation, run when the rules change. */
  private readonly liveStreams = new Set<() => void>();
  private readonly sockets = new Set<Socket>();
  private target: { host: string; port: number };
  readonly stats: L7Stats = { connections: 0, active: 0, refused: 0, resets: 0, rpcs: 0, forwarded: 0, aborted: {}, delayed: 0, held: 0, methods: {} };

  constructor(private readonly opts: L7ProxyOptions) {
    this.target = { ...opts.target };
    this.seedRng = seededRng(opts.seed ?? 0).fork(`l7/${opts.name ?? 'proxy'}`);
  }

  get tlsTerminated(): boolean {
    return this.opts.tls?.listen !== undefined;
  }

  async start(): Promise<number> {
    const l = this.opts.tls?.listen;
    this.h2 = l
      ? http2.createSecureServer({ cert: l.cert, key: l.key, ...(l.ca ? { ca: l.ca, requestCert: true, rejectUnauthorized: true } : {}), allowHTTP1: false })
      : http2.createServer();
    this.h2.on('session', (s: ServerHttp2Session) => this.onSession(s));
    this.h2.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => this.onStream(stream, headers));
    this.h2.on('sessionError', () => undefined);
    this.h2.on('tlsClientError', () => undefined);
    const tcp = createNetServer({ pauseOnConnect: true, noDelay: true }, (s) => this.accept(s));
    this.tcp = tcp;
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen({ host: this.opts.listen.host, port: this.opts.listen.port, exclusive: true }, () => resolve());
    });
    tcp.on('error', () => undefined);
    const a = tcp.address();
    this.port = typeof a === 'object' && a ? a.port : 0;
    return this.port;
  }

  get address(): { host: string; port: number } {
    return { host: this.opts.listen.host, port: this.port };
  }

  retarget(target: { host: string; port: number }): void {
    this.target = { ...target };
  }

  get currentTarget(): { host: string; port: number } {
    return { ...this.target };
  }

  get activeRules(): RpcRule[] {
    return [...this.rules.values()];
  }

  addRule(rule: RpcRule): void {
    this.rules.set(rule.id, { ...rule });
    if (rule.reset) this.resetAll();
    this.rulesChanged();
  }

  removeRule(id: string): void {
    if (!this.rules.delete(id)) return;
    this.rulesChanged();
  }

  clearRules(): void {
    this.rules.clear();
    this.rulesChanged();
  }

  private rulesChanged(): void {
    for (const f of [...this.liveStreams]) f();
    if (![...this.rules.values()].some((r) => r.blackhole)) for (const f of [...this.held]) f();
  }

  async close(): Promise<void> {
    for (const p of this.pairs) this.teardown(p);
    for (const s of this.sockets) s.destroy();
    for (const up of this.pending.values()) up.destroy();
    this.pending.clear();
    const tcp = this.tcp;
    this.tcp = undefined;
    if (tcp) await new Promise<void>((r) => tcp.close(() => r()));
    this.h2?.close();
  }

  // ------------------------------------------------------------------ connections

  private rngOf = (ruleId: string): Rng => {
    let r = this.rngs.get(ruleId);
    if (!r) this.rngs.set(ruleId, (r = this.seedRng.fork(ruleId)));
    return r;
  };

  private accept(client: Socket): void {
    this.stats.connections++;
    client.on('error', () => undefined);
    if ([...this.rules.values()].some((r) => r.reset)) {
      this.stats.resets++;
      client.resetAndDestroy();
      return;
    }
    const upTls = this.opts.tls?.upstream;
    const t = this.target;
    let raw: Socket | TLSSocket;
    if (upTls) {
      raw = tlsConnect({ host: t.host, port: t.port, ALPNProtocols: ['h2'], ca: upTls.ca, cert: upTls.cert, key: upTls.key, rejectUnauthorized: !upTls.insecureSkipVerify, servername: isIp(t.host) ? undefined : t.host });
    } else {
      raw = netConnect({ host: t.host, port: t.port, noDelay: true });
    }
    const ready = upTls ? 'secureConnect' : 'connect';
    raw.once('error', () => {
      // Nothing listens upstream (the member is stopped) or TLS failed: reset the client's connection
      // before it sent anything, which a gRPC client reports as "not sent".
      this.stats.refused++;
      client.resetAndDestroy();
    });
    raw.once(ready, () => {
      if (client.destroyed) {
        raw.destroy();
        return;
      }
      raw.removeAllListeners('error');
      raw.on('error', () => undefined);
      const up = http2.connect(`${upTls ? 'https' : 'http'}://${t.host}:${t.port}`, { createConnection: () => raw });
      up.on('error', () => undefined);
      const key = `${client.remoteAddress}:${client.remotePort}`;
      this.pending.set(key, up);
      this.sockets.add(client);
      client.once('close', () => {
        this.sockets.delete(client);
        const p = this.pending.get(key);
        if (p === up) {
          this.pending.delete(key);
          up.destroy();
        }
      });
      this.h2!.emit('connection', client);
      client.resume();
    });
  }

  private onSession(down: ServerHttp2Session): void {
    const sock = down.socket;
    const key = `${sock.remoteAddress}:${sock.remotePort}`;
    const up = this.pending.get(key);
    if (!up) {
      down.destroy();
      return;
    }
    this.pending.delete(key);
    const pair: Pair = { up, down };
    this.pairs.add(pair);
    this.stats.active++;
    (down as unknown as { upstream: ClientHttp2Session }).upstream = up;
    down.on('error', () => undefined);
    down.once('close', () => this.teardown(pair));
    // The member is going away gracefully: tell the client the same, let in-flight RPCs finish.
    up.once('goaway', () => {
      if (!down.closed && !down.destroyed) down.close();
    });
    up.once('close', () => this.teardown(pair));
  }

  private teardown(p: Pair): void {
    if (!this.pairs.delete(p)) return;
    this.stats.active--;
    if (p.down && !p.down.destroyed) p.down.destroy();
    if (!p.up.destroyed) p.up.destroy();
  }

  private resetAll(): void {
    for (const p of [...this.pairs]) {
      this.stats.resets++;
      const s = p.down?.socket as Socket | undefined;
      this.teardown(p);
      if (s && !s.destroyed && typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
    }
  }

  // ------------------------------------------------------------------ RPCs

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on('error', () => undefined);
    const method = String(headers[':path'] ?? '');
    const up = (stream.session as unknown as { upstream?: ClientHttp2Session } | undefined)?.upstream;
    this.stats.rpcs++;
    const m = (this.stats.methods[method] ??= { rpcs: 0, aborted: 0 });
    m.rpcs++;
    const d = this.rules.size > 0 ? decideRpc([...this.rules.values()], method, this.rngOf) : undefined;
    if (d?.abort) {
      m.aborted++;
      const name = grpcCodeName(d.abort.code);
      this.stats.aborted[name] = (this.stats.aborted[name] ?? 0) + 1;
      answerTrailersOnly(stream, d.abort.code, d.abort.message);
      return;
    }
    if (!up || up.destroyed || up.closed) {
      stream.close(h2c.NGHTTP2_REFUSED_STREAM);
      return;
    }
    const go = (): void => this.forward(stream, headers, up, d?.streamDelay);
    const afterDelay = (): void => {
      if (d?.delayMs) {
        this.stats.delayed++;
        const t = setTimeout(go, d.delayMs);
        stream.once('close', () => clearTimeout(t));
      } else go();
    };
    if (d?.hold) {
      this.stats.held++;
      const release = (): void => {
        this.held.delete(release);
        if (!stream.closed && !stream.destroyed) afterDelay();
      };
      this.held.add(release);
      stream.once('close', () => this.held.delete(release));
      return;
    }
    afterDelay();
  }

  private forward(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, up: ClientHttp2Session, streamDelay: { ms: number; jitterMs: number } | undefined): void {
    if (stream.closed || stream.destroyed) return;
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_HEADERS.has(k)) out[k] = v as string | string[];
    let us: ClientHttp2Stream;
    try {
      us = up.request(out, { endStream: false });
    } catch {
      // The upstream connection is going away (GOAWAY) and takes no new streams: never sent, say so.
      stream.close(h2c.NGHTTP2_REFUSED_STREAM);
      return;
    }
    this.stats.forwarded++;
    us.on('error', () => undefined);
    stream.pipe(us);
    let trailers: OutgoingHttpHeaders | undefined;
    let upEnded = false;
    us.on('trailers', (t: IncomingHttpHeaders) => {
      trailers = plain(t);
    });
    us.once('response', (h: IncomingHttpHeaders, flags: number) => {
      if (stream.closed || stream.destroyed) return;
      if (flags & h2c.NGHTTP2_FLAG_END_STREAM) {
        upEnded = true;
        stream.respond(plain(h), { endStream: true });
        return;
      }
      stream.respond(plain(h), { waitForTrailers: true });
      stream.once('wantTrailers', () => {
        if (!stream.closed && !stream.destroyed) stream.sendTrailers(trailers ?? {});
      });
      // Response data through an ordered queue: straight through without rules, delayed in order by a
      // stream delay (watch), held while a blackhole rule covers the method.
      const path = String(headers[':path']);
      const rng = this.seedRng.fork(`stream/${path}`);
      const q = new OrderedReleaseQueue<Buffer | null>((chunk) => {
        if (stream.closed || stream.destroyed) return;
        if (chunk === null) stream.end();
        else if (!stream.write(chunk)) {
          us.pause();
          stream.once('drain', () => us.resume());
        }
      });
      const reevaluate = (): void => {
        if (this.rules.size > 0 && decideRpc(this.activeRules, path, this.rngOf).hold) q.hold();
        else q.release();
      };
      reevaluate();
      this.liveStreams.add(reevaluate);
      const delayOf = (): number => {
        if (this.rules.size === 0 && !streamDelay) return 0;
        const sd = decideRpc(this.activeRules, path, this.rngOf).streamDelay ?? streamDelay;
        return sd ? jittered(rng, sd.ms, sd.jitterMs) : 0;
      };
      us.on('data', (chunk: Buffer) => q.push(chunk, delayOf()));
      us.once('end', () => {
        upEnded = true;
        q.push(null, delayOf());
      });
      stream.once('close', () => {
        this.liveStreams.delete(reevaluate);
        q.close();
      });
    });
    // Either side going away early: pass the reset on with its code.
    stream.once('close', () => {
      if (!us.closed && !us.destroyed) us.close(stream.rstCode || h2c.NGHTTP2_CANCEL);
    });
    us.once('close', () => {
      if (upEnded || stream.closed || stream.destroyed) return;
      if (up.destroyed || up.closed) {
        // The member's connection died: the client's connection dies too (as without the proxy).
        const sess = stream.session;
        if (sess && !sess.destroyed) sess.destroy();
        return;
      }
      stream.close(us.rstCode || h2c.NGHTTP2_INTERNAL_ERROR);
    });
  }
}

/** A gRPC error answered in one HEADERS frame with END_STREAM (gRPC PROTOCOL-HTTP2 "Trailers-Only"). */
export function answerTrailersOnly(stream: ServerHttp2Stream, code: number, message: string): void {
  if (stream.closed || stream.destroyed) return;
  stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': encodeGrpcMessage(message) }, { endStream: true });
  // The request body may still be arriving: read and drop it.
  stream.resume();
}

/** gRPC PROTOCOL-HTTP2: percent-encode bytes outside printable ASCII (0x20-0x7E) and '%' itself, nothing else. */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const b of Buffer.from(message, 'utf8')) out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

function plain(h: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = v;
  return out;
}

function isIp(h: string): boolean {
  return /^[\d.]+$/.test(h) || h.includes(':');
}
