/**
 * A live OTLP trace receiver on one address, speaking both transports the OpenTelemetry collector
 * serves (on 4317 and 4318): OTLP/gRPC (`/opentelemetry.proto.collector.trace.v1.TraceService/Export`
 * over h2c, what etcd's --distributed-tracing-address exporter uses) and OTLP/HTTP (`POST /v1/traces`,
 * protobuf or JSON, over HTTP/1.1 or h2c), gzip accepted. The first bytes of each connection say which
 * (the HTTP/2 preface starts "PRI "), so one `--otlp ADDR` takes every sender.
 *
 * Hand-written over node:http and node:http2 because @grpc/grpc-js's server cannot share its port with
 * HTTP/1.1; the gRPC part is a single unary method (length-prefixed message in, empty message and
 * grpc-status in trailers out). Messages are decoded with protobufjs from proto/otlp-trace.proto.
 * Only loopback or explicitly given addresses are listened on; nothing is sent anywhere.
 */
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import http2, { type Http2Server, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { Duplex, PassThrough } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
export const HTTP_PATH = '/v1/traces';
const PROTO_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'proto', 'otlp-trace.proto');
const MAX_BODY = 64 << 20;

let types: { request: protobuf.Type; response: protobuf.Type } | undefined;
function otlpTypes(): { request: protobuf.Type; response: protobuf.Type } {
  if (!types) {
    const root = protobuf.loadSync(PROTO_FILE);
    types = { request: root.lookupType('upshift.otlp.ExportTraceServiceRequest'), response: root.lookupType('upshift.otlp.ExportTraceServiceResponse') };
  }
  return types;
}

/** A protobuf ExportTraceServiceRequest as the plain object the OTLP JSON reader takes (ids stay bytes). */
export function decodeExportRequest(buf: Uint8Array): unknown {
  const t = otlpTypes().request;
  return t.toObject(t.decode(buf), { longs: String, defaults: false, arrays: true });
}

export function encodeExportRequest(doc: object): Uint8Array {
  const t = otlpTypes().request;
  return t.encode(t.fromObject(doc)).finish();
}

export type OtlpProtocol = 'grpc' | 'http/protobuf' | 'http/json';

export interface ReceiverStats {
  requests: Record<OtlpProtocol, number>;
  rejected: number;
}

export interface ReceiverOptions {
  host: string;
  port: number;
  /** Called with each decoded request; a throw answers the sender with an error (and counts as rejected). */
  onRequest: (doc: unknown, protocol: OtlpProtocol) => void;
}

export class OtlpReceiver {
  private net: NetServer | undefined;
  private h1: HttpServer | undefined;
  private h2: Http2Server | undefined;
  private readonly sockets = new Set<Socket>();
  readonly stats: ReceiverStats = { requests: { grpc: 0, 'http/protobuf': 0, 'http/json': 0 }, rejected: 0 };
  private boundPort = 0;

  constructor(private readonly opts: ReceiverOptions) {}

  get address(): { host: string; port: number } {
    return { host: this.opts.host, port: this.boundPort };
  }

  async start(): Promise<number> {
    otlpTypes();
    this.h1 = createHttpServer({ requestTimeout: 60_000 }, (req, res) => void this.onHttp1(req, res));
    this.h2 = http2.createServer();
    this.h2.on('stream', (stream, headers) => void this.onStream(stream, headers));
    this.h2.on('sessionError', () => undefined);
    this.net = createNetServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      this.net!.once('error', reject);
      this.net!.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.boundPort = (this.net.address() as { port: number }).port;
    return this.boundPort;
  }

  /** Stop listening and drop open connections (senders keep theirs open between exports). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => (this.net ? this.net.close(() => resolve()) : resolve()));
    for (const s of this.sockets) s.destroy();
    this.h1?.close();
    this.h2?.close();
    await closed;
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setTimeout(120_000, () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.pause();
      if (first.subarray(0, 4).toString('latin1') === 'PRI ') {
        // node:http2 reads its socket natively and would miss the bytes already read: hand it a stream
        // that replays them, then the rest of the socket.
        const incoming = new PassThrough();
        incoming.write(first);
        socket.pipe(incoming);
        const duplex = Duplex.from({ readable: incoming, writable: socket });
        duplex.on('error', () => socket.destroy());
        socket.once('close', () => duplex.destroy());
        this.h2!.emit('connection', duplex);
      } else {
        socket.unshift(first);
        this.h1!.emit('connection', socket);
      }
      socket.resume();
    });
  }

  /** Decode one OTLP/HTTP body; returns the response body and type. */
  private handleHttpBody(contentType: string, encoding: string | undefined, raw: Buffer): { status: number; type: string; body: Buffer | string } {
    const body = encoding === 'gzip' ? gunzipSync(raw) : raw;
    const json = contentType.startsWith('application/json');
    const protocol: OtlpProtocol = json ? 'http/json' : 'http/protobuf';
    if (!json && !contentType.startsWith('application/x-protobuf') && !contentType.startsWith('application/protobuf')) {
      return { status: 415, type: 'text/plain', body: 'OTLP/HTTP takes application/x-protobuf or application/json' };
    }
    const doc = json ? JSON.parse(body.toString('utf8')) : decodeExportRequest(body);
    this.opts.onRequest(doc, protocol);
    this.stats.requests[protocol]++;
    return json ? { status: 200, type: 'application/json', body: '{}' } : { status: 200, type: 'application/x-protobuf', body: Buffer.alloc(0) };
  }

  private async onHttp1(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== HTTP_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`upshift OTLP receiver: POST ${HTTP_PATH} (or OTLP/gRPC)`);
      return;
    }
    try {
      const raw = await readAll(req);
      const r = this.handleHttpBody(String(req.headers['content-type'] ?? ''), req.headers['content-encoding'] as string | undefined, raw);
      res.writeHead(r.status, { 'content-type': r.type }).end(r.body);
    } catch (e) {
      this.stats.rejected++;
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' }).end(`cannot read the OTLP request: ${(e as Error).message}`);
    }
  }

  private async onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): Promise<void> {
    stream.on('error', () => undefined);
    const path = String(headers[':path'] ?? '');
    const type = String(headers['content-type'] ?? '');
    try {
      if (type.startsWith('application/grpc')) {
        if (path !== EXPORT_PATH) return trailersOnly(stream, 12, `upshift receives ${EXPORT_PATH} only`);
        const raw = await readAll(stream);
        for (const msg of grpcMessages(raw, String(headers['grpc-encoding'] ?? 'identity'))) {
          this.opts.onRequest(decodeExportRequest(msg), 'grpc');
          this.stats.requests.grpc++;
        }
        stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(Buffer.from([0, 0, 0, 0, 0]));
        return;
      }
      if (headers[':method'] !== 'POST' || path.split('?')[0] !== HTTP_PATH) {
        stream.respond({ ':status': 404 });
        stream.end();
        return;
      }
      const r = this.handleHttpBody(type, headers['content-encoding'] as string | undefined, await readAll(stream));
      stream.respond({ ':status': r.status, 'content-type': r.type });
      stream.end(r.body);
    } catch (e) {
      this.stats.rejected++;
      if (type.startsWith('application/grpc')) trailersOnly(stream, 3, `cannot read the OTLP request: ${(e as Error).message}`);
      else if (!stream.headersSent) {
        stream.respond({ ':status': 400 });
        stream.end(`cannot read the OTLP request: ${(e as Error).message}`);
      }
    }
  }
}

function trailersOnly(stream: ServerHttp2Stream, code: number, message: string): void {
  if (stream.headersSent || stream.destroyed) return;
  stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': encodeURIComponent(message) }, { endStream: true });
}

/** The length-prefixed messages of a gRPC request body (1 byte compressed flag, 4 bytes length). */
export function grpcMessages(body: Buffer, encoding: string): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 5 <= body.length) {
    const compressed = body[i] === 1;
    const len = body.readUInt32BE(i + 1);
    if (i + 5 + len > body.length) throw new Error('truncated gRPC message');
    const msg = body.subarray(i + 5, i + 5 + len);
    if (compressed && encoding !== 'gzip') throw new Error(`unsupported grpc-encoding ${encoding}`);
    out.push(compressed ? gunzipSync(msg) : msg);
    i += 5 + len;
  }
  return out;
}

function readAll(s: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    s.on('data', (c: Buffer) => {
      n += c.length;
      if (n > MAX_BODY) {
        reject(new Error(`request body over ${MAX_BODY} bytes`));
        (s as unknown as { destroy?: () => void }).destroy?.();
        return;
      }
      chunks.push(c);
    });
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });
}
