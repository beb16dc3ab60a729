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
 * close to "connection refused" as a relay gets, and a gRPC client reports it as never sent). HTTP/2 is
 * relayed frame by frame (h2-relay.ts): an upstream GOAWAY (a graceful stop) becomes a GOAWAY to the
 * client; an upstream connection that dies takes the client's connection with it; a reset upstream stream
 * resets the client's stream with the same code (REFUSED_STREAM stays REFUSED_STREAM). With no rule an RPC
 * costs little more than a TCP relay: its frames pass as they came, only its header blocks are re-encoded.
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
import { seededRng, jittered, type Rng } from './rng.js';
import { H2Relay, type RelayOwner, type RelayRequest, type RequestControl } from './h2-relay.js';
import { createServer as createHttpServer, request as httpRequest, Agent as HttpAgent, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { decideRpc, grpcCodeName, httpStatusOf, rulesTargetHttp, streamEffects, type RpcDecision, type RpcRule } from './rpc-rules.js';

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

export class L7FaultProxy extends ProxyListener implements RelayOwner {
  private readonly rules = new Map<string, RpcRule>();
  private readonly rngs = new Map<string, Rng>();
  private readonly seedRng: Rng;
  private readonly relays = new Set<H2Relay>();
  private readonly held = new Set<() => void>();
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
    for (const r of this.relays) r.rulesChanged();
    if (![...this.rules.values()].some((r) => r.blackhole)) for (const f of [...this.held]) f();
  }

  async close(): Promise<void> {
    for (const r of [...this.relays]) r.destroy();
    for (const s of this.sockets) s.destroy();
    await this.stopListening();
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
      upSock.setNoDelay(true);
      const relay = new H2Relay(down, upSock, this);
      this.relays.add(relay);
      this.stats.active++;
      relay.onClose(() => {
        this.relays.delete(relay);
        this.stats.active--;
      });
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

  private resetAll(): void {
    for (const r of [...this.relays]) {
      this.stats.resets++;
      r.reset();
    }
  }

  // ------------------------------------------------------------------ RPCs (the relay's owner)

  /** A new request on a relayed HTTP/2 connection: counted, decided by the rules, then forwarded, answered or held. */
  onRequest(req: RelayRequest, ctl: RequestControl): void {
    if (!req.grpc) return this.onHttp2Request(req, ctl);
    this.stats.rpcs++;
    const m = (this.stats.methods[req.path] ??= { rpcs: 0, aborted: 0 });
    m.rpcs++;
    // No rule: straight through (the hot path).
    if (this.rules.size === 0) return this.forwarded(ctl.forward());
    const d = decideRpc([...this.rules.values()], req.path, this.rngOf);
    this.applyDecision(d, m, d.hold, () => ctl.waiting, (a) => ctl.abortGrpc(a.code, a.message), () => this.forwarded(ctl.forward(d.streamDelay)), (f) => ctl.onClose(f));
  }

  /** Plain HTTP over HTTP/2 (TLS with ALPN h2): only rules naming its path apply. */
  private onHttp2Request(req: RelayRequest, ctl: RequestControl): void {
    this.stats.http++;
    const path = req.path.split('?')[0]!;
    const d = decideRpc(this.activeRules, path, this.rngOf, false);
    this.applyHttp(d, path, () => ctl.waiting, (status, msg) => ctl.answerHttp(status, msg), () => this.forwarded(ctl.forward()), (f) => ctl.onClose(f));
  }

  private forwarded(ok: boolean): void {
    if (ok) this.stats.forwarded++;
  }

  responseHold(req: RelayRequest): boolean {
    return this.rules.size > 0 && streamEffects(this.activeRules, req.path, req.grpc).hold;
  }

  responseDelay(req: RelayRequest): number {
    if (this.rules.size === 0 && !req.streamDelay) return 0;
    const sd = streamEffects(this.activeRules, req.path, req.grpc).streamDelay ?? req.streamDelay;
    return sd ? jittered((req.rng ??= this.seedRng.fork(`stream/${req.path}`)), sd.ms, sd.jitterMs) : 0;
  }
}

export { encodeGrpcMessage } from './h2-relay.js';

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

function isIp(h: string): boolean {
  return /^[\d.]+$/.test(h) || h.includes(':');
}
