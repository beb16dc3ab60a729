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
 * Plain HTTP on the client port (/health, /version, /metrics, the JSON gateway; HTTP/1.1, or HTTP/2
 * without a gRPC content-type) is not an RPC: no per-RPC rule touches it unless the rule's `methods` name
 * its path. HTTP/1.1 connections are relayed as bytes, or request by request (node's HTTP server, so
 * each request can be aborted or delayed) when they open while a rule names an HTTP path.
 *
 * TLS: with `tls.listen` (the member's server certificate and key) the proxy terminates TLS and talks TLS
 * upstream with `tls.upstream` (CA, client cert); without certificates a TLS member can only get the L4
 * proxy (l4-proxy.ts), and the fault layer says so.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { ProxyListener } from './listener.js';
import { connect as tlsConnect, createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import http2, { constants as h2c, type ClientHttp2Session, type ClientHttp2Stream, type Http2Server, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import { OrderedReleaseQueue } from './queue.js';
import { seededRng, jittered, type Rng } from './rng.js';
import { createServer as createHttpServer, request as httpRequest, Agent as HttpAgent, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { decideRpc, grpcCodeName, httpStatusOf, isGrpcContentType, rulesTargetHttp, streamEffects, type RpcDecision, type RpcRule } from './rpc-rules.js';

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
  /** The member serves TLS and its certificate comes later (`useTls`): reset connections until then. */
  awaitTls?: boolean | undefined;
  seed?: string | number | undefined;
  name?: string | undefined;
}

export interface L7Stats {
  connections: number;
  active: number;
  refused: number;
  resets: number;
  /** Connections that spoke HTTP/1.1 (etcd's /version, /health, /metrics on the client port), relayed as bytes. */
  relayed: number;
  /** Plain HTTP requests seen one by one (HTTP/2 without a gRPC content-type, HTTP/1.1 while a rule names an HTTP path); not counted in `rpcs`. */
  http: number;
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

export class L7FaultProxy extends ProxyListener {
  private h2: Http2Server | undefined;
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
  readonly stats: L7Stats = { connections: 0, active: 0, refused: 0, resets: 0, relayed: 0, http: 0, rpcs: 0, forwarded: 0, aborted: {}, delayed: 0, held: 0, methods: {} };

  private awaitingTls: boolean;
  private tlsServer: TlsServer | undefined;
  /** The upstream TCP connection opened for each accepted client socket, by its remote address (TLS path). */
  private readonly upstreamOf = new Map<string, Socket>();
  private http1: HttpServer | undefined;
  private http1Agent: HttpAgent | undefined;

  constructor(private readonly opts: L7ProxyOptions) {
    super(opts.listen, opts.target, false);
    this.awaitingTls = opts.awaitTls === true && !opts.tls?.listen;
    this.seedRng = seededRng(opts.seed ?? 0).fork(`l7/${opts.name ?? 'proxy'}`);
  }

  get tlsTerminated(): boolean {
    return this.opts.tls?.listen !== undefined;
  }

  override async start(): Promise<number> {
    this.h2 = this.makeH2();
    return super.start();
  }

  /** The HTTP/2 server the accepted connections are handed to (plain: TLS is terminated before, in `accept`). */
  private makeH2(): Http2Server {
    const h2 = http2.createServer();
    h2.on('session', (s: ServerHttp2Session) => this.onSession(s));
    h2.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => this.onStream(stream, headers));
    h2.on('sessionError', () => undefined);
    h2.on('tlsClientError', () => undefined);
    return h2;
  }

  /**
   * Terminate TLS from now on with this material (the member's certificate is known only once its
   * cluster's certificates exist; until then a proxy made with `awaitTls` resets every connection).
   */
  useTls(tls: L7TlsOptions): void {
    this.opts.tls = tls;
    this.awaitingTls = false;
    this.tlsServer = undefined;
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
    await this.stopListening();
    this.h2?.close();
    this.http1?.closeAllConnections();
    this.http1Agent?.destroy();
  }

  // ------------------------------------------------------------------ connections

  private rngOf = (ruleId: string): Rng => {
    let r = this.rngs.get(ruleId);
    if (!r) this.rngs.set(ruleId, (r = this.seedRng.fork(ruleId)));
    return r;
  };

  protected accept(client: Socket): void {
    this.stats.connections++;
    client.on('error', () => undefined);
    if (this.awaitingTls || [...this.rules.values()].some((r) => r.reset)) {
      this.stats.resets++;
      client.resetAndDestroy();
      return;
    }
    const t = this.target;
    const up = netConnect({ host: t.host, port: t.port, noDelay: true });
    up.once('error', () => {
      // Nothing listens upstream (the member is stopped): reset the client's connection before it sent
      // anything, which a gRPC client reports as never sent.
      this.stats.refused++;
      client.resetAndDestroy();
    });
    up.once('connect', () => {
      if (client.destroyed) {
        up.destroy();
        return;
      }
      up.removeAllListeners('error');
      up.on('error', () => undefined);
      this.sockets.add(client);
      client.once('close', () => {
        this.sockets.delete(client);
        up.destroy();
      });
      const l = this.opts.tls?.listen;
      if (l) {
        // Terminate TLS here (a tls.Server of our own, fed this socket); ALPN says whether the client
        // speaks HTTP/2 (gRPC) or HTTP/1.1 (/version, /health, /metrics).
        const key = `${client.remoteAddress}:${client.remotePort}`;
        this.upstreamOf.set(key, up);
        client.once('close', () => this.upstreamOf.delete(key));
        this.tlsServer ??= this.makeTlsServer(l);
        this.tlsServer.emit('connection', client);
        client.resume();
      } else {
        peekPreface(client, (isH2) => this.route(client, up, isH2));
      }
    });
  }

  private makeTlsServer(l: NonNullable<L7TlsOptions['listen']>): TlsServer {
    const server = createTlsServer({ cert: l.cert, key: l.key, ALPNProtocols: ['h2', 'http/1.1'], ...(l.ca ? { ca: l.ca, requestCert: true, rejectUnauthorized: true } : {}) });
    server.on('secureConnection', (down: TLSSocket) => {
      const key = `${down.remoteAddress}:${down.remotePort}`;
      const up = this.upstreamOf.get(key);
      this.upstreamOf.delete(key);
      if (!up) {
        down.destroy();
        return;
      }
      down.on('error', () => undefined);
      down.once('close', () => up.destroy());
      this.route(down, up, down.alpnProtocol === 'h2');
    });
    server.on('tlsClientError', () => undefined);
    return server;
  }

  /** gRPC (HTTP/2) goes through the per-RPC machinery; anything else (HTTP/1.1 on etcd's client port) is relayed as bytes. */
  private route(down: Socket, upRaw: Socket, isH2: boolean): void {
    const upTls = this.opts.tls?.upstream;
    const t = this.target;
    const go = (upSock: Socket): void => {
      if (down.destroyed) {
        upSock.destroy();
        return;
      }
      if (!isH2) {
        if (rulesTargetHttp(this.rules.values())) {
          upSock.destroy();
          this.serveHttp1(down);
        } else this.relay(down, upSock);
        return;
      }
      const session = http2.connect(`${upTls ? 'https' : 'http'}://${t.host}:${t.port}`, { createConnection: () => upSock });
      session.on('error', () => undefined);
      const key = `${down.remoteAddress}:${down.remotePort}`;
      this.pending.set(key, session);
      down.once('close', () => {
        if (this.pending.get(key) === session) {
          this.pending.delete(key);
          session.destroy();
        }
      });
      // No resume(): the session takes the socket over, including bytes the preface peek put back.
      this.h2!.emit('connection', down);
    };
    if (!upTls) return go(upRaw);
    const sec = tlsConnect({ socket: upRaw, ALPNProtocols: [isH2 ? 'h2' : 'http/1.1'], ca: upTls.ca, cert: upTls.cert, key: upTls.key, rejectUnauthorized: !upTls.insecureSkipVerify, servername: isIp(t.host) ? undefined : t.host });
    sec.on('error', () => {
      this.stats.refused++;
      down.destroy();
    });
    sec.once('secureConnect', () => go(sec));
  }

  /** Bytes both ways (HTTP/1.1 requests to the member), held by a blackhole rule like RPCs are. */
  private relay(down: Socket, up: Socket): void {
    this.stats.relayed++;
    const start = (): void => {
      down.pipe(up);
      up.pipe(down);
      down.resume();
    };
    up.once('close', () => down.destroy());
    down.once('close', () => up.destroy());
    if ([...this.rules.values()].some((r) => r.blackhole && !r.methods)) {
      const release = (): void => {
        this.held.delete(release);
        if (!down.destroyed) start();
      };
      this.held.add(release);
      return;
    }
    start();
  }

  /** HTTP/1.1 request by request, so a rule naming an HTTP path can abort or delay each (upstream: a keep-alive agent of the proxy's own). */
  private serveHttp1(down: Socket): void {
    this.stats.relayed++;
    if (!this.http1) {
      this.http1 = createHttpServer((req, res) => this.onHttp1Request(req, res));
      this.http1.on('clientError', (_e, s) => s.destroy());
    }
    this.http1.emit('connection', down);
    down.resume();
  }

  private onHttp1Request(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]!;
    this.stats.http++;
    const d = decideRpc(this.activeRules, path, this.rngOf, false);
    const forward = (): void => {
      const upTls = this.opts.tls?.upstream;
      const t = this.target;
      const headers = { ...req.headers };
      delete headers.connection;
      delete headers['keep-alive'];
      this.http1Agent ??= upTls
        ? new HttpsAgent({ keepAlive: true, ca: upTls.ca, cert: upTls.cert, key: upTls.key, rejectUnauthorized: !upTls.insecureSkipVerify })
        : new HttpAgent({ keepAlive: true });
      const o = { host: t.host, port: t.port, method: req.method, path: req.url, headers, agent: this.http1Agent };
      const ur = (upTls ? httpsRequest : httpRequest)(o, (ures) => {
        const h = { ...ures.headers };
        delete h.connection;
        delete h['keep-alive'];
        res.writeHead(ures.statusCode ?? 502, ures.statusMessage, h);
        ures.pipe(res);
      });
      ur.on('error', () => {
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
      req.pipe(ur);
    };
    this.applyHttp(d, path, () => !res.destroyed && !res.writableEnded, (status, msg) => res.writeHead(status, { 'content-type': 'text/plain' }).end(msg), forward, (f) => res.once('close', f));
  }

  /** A plain HTTP request (HTTP/1.1 or HTTP/2): counted by path; a link-wide blackhole holds it too; an abort answers with the code's HTTP status. */
  private applyHttp(d: RpcDecision, path: string, open: () => boolean, answer: (status: number, msg: string) => void, forward: () => void, onClose: (f: () => void) => void): void {
    const m = (this.stats.methods[path] ??= { rpcs: 0, aborted: 0 });
    m.rpcs++;
    // A blackhole of the whole link (no methods) is a partition: it holds plain HTTP too, as the byte relay does.
    const hold = d.hold || this.activeRules.some((r) => r.blackhole && !r.methods);
    this.applyDecision(d, m, hold, open, (a) => answer(httpStatusOf(a.code), `${a.message}\n`), forward, onClose);
  }

  /** Abort, hold, delay, then forward one request per its decision: the same for RPCs and plain HTTP. */
  private applyDecision(
    d: RpcDecision,
    m: { aborted: number },
    hold: boolean,
    open: () => boolean,
    abort: (a: NonNullable<RpcDecision['abort']>) => void,
    forward: () => void,
    onClose: (f: () => void) => void,
  ): void {
    if (d.abort) {
      m.aborted++;
      const name = grpcCodeName(d.abort.code);
      this.stats.aborted[name] = (this.stats.aborted[name] ?? 0) + 1;
      abort(d.abort);
      return;
    }
    const afterDelay = (): void => {
      if (!d.delayMs) return forward();
      this.stats.delayed++;
      const t = setTimeout(forward, d.delayMs);
      onClose(() => clearTimeout(t));
    };
    if (!hold) return afterDelay();
    this.stats.held++;
    const release = (): void => {
      this.held.delete(release);
      if (open()) afterDelay();
    };
    this.held.add(release);
    onClose(() => this.held.delete(release));
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
    if (!isGrpcContentType(headers['content-type'])) {
      // Plain HTTP over HTTP/2 (TLS with ALPN h2): only rules naming its path apply.
      this.stats.http++;
      const path = method.split('?')[0]!;
      const d = decideRpc(this.activeRules, path, this.rngOf, false);
      const forward = (): void => {
        if (stream.closed || stream.destroyed) return;
        if (!up || up.destroyed || up.closed) stream.close(h2c.NGHTTP2_REFUSED_STREAM);
        else this.forward(stream, headers, up, undefined, false);
      };
      const answer = (status: number, msg: string): void => {
        if (stream.closed || stream.destroyed) return;
        stream.respond({ ':status': status, 'content-type': 'text/plain' });
        stream.end(msg);
        stream.resume();
      };
      this.applyHttp(d, path, () => !stream.closed && !stream.destroyed, answer, forward, (f) => stream.once('close', f));
      return;
    }
    this.stats.rpcs++;
    const m = (this.stats.methods[method] ??= { rpcs: 0, aborted: 0 });
    m.rpcs++;
    const d = this.rules.size > 0 ? decideRpc([...this.rules.values()], method, this.rngOf) : undefined;
    if (!d?.abort && (!up || up.destroyed || up.closed)) {
      stream.close(h2c.NGHTTP2_REFUSED_STREAM);
      return;
    }
    // No rule: straight through (the hot path when a rehearsal's L7 link has nothing scheduled yet).
    if (!d) return this.forward(stream, headers, up!, undefined);
    this.applyDecision(
      d,
      m,
      d.hold,
      () => !stream.closed && !stream.destroyed,
      (a) => answerTrailersOnly(stream, a.code, a.message),
      () => this.forward(stream, headers, up!, d.streamDelay),
      (f) => stream.once('close', f),
    );
  }

  private forward(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, up: ClientHttp2Session, streamDelay: { ms: number; jitterMs: number } | undefined, grpc = true): void {
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
      let rng: Rng | undefined;
      const q = new OrderedReleaseQueue<Buffer | null>((chunk) => {
        if (stream.closed || stream.destroyed) return;
        if (chunk === null) stream.end();
        else if (!stream.write(chunk)) {
          us.pause();
          stream.once('drain', () => us.resume());
        }
      });
      const reevaluate = (): void => {
        if (this.rules.size > 0 && streamEffects(this.activeRules, path, grpc).hold) q.hold();
        else q.release();
      };
      reevaluate();
      this.liveStreams.add(reevaluate);
      const delayOf = (): number => {
        if (this.rules.size === 0 && !streamDelay) return 0;
        const sd = streamEffects(this.activeRules, path, grpc).streamDelay ?? streamDelay;
        return sd ? jittered((rng ??= this.seedRng.fork(`stream/${path}`)), sd.ms, sd.jitterMs) : 0;
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

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/** Read until the HTTP/2 client preface is seen or ruled out, put the bytes back, and say which it was. */
function peekPreface(sock: Socket, then: (isH2: boolean) => void): void {
  let buf = Buffer.alloc(0);
  const onData = (d: Buffer): void => {
    buf = Buffer.concat([buf, d]);
    if (buf.length < PREFACE.length && PREFACE.subarray(0, buf.length).equals(buf)) return;
    sock.pause();
    sock.removeListener('data', onData);
    sock.unshift(buf);
    then(buf.subarray(0, PREFACE.length).equals(PREFACE));
  };
  sock.on('data', onData);
  sock.resume();
}

function plain(h: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = v;
  return out;
}

function isIp(h: string): boolean {
  return /^[\d.]+$/.test(h) || h.includes(':');
}
