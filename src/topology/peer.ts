/**
 * What a span's attributes (OTLP) or tags (Zipkin) say about the call: the peer's name when the peer
 * sent no spans of its own (an uninstrumented leaf, such as etcd without tracing), the operation, the
 * connection type and whether it failed. Shared by every input format.
 *
 * Peer naming follows the OTel servicegraph connector's virtual-node attributes (`peer.service`,
 * `db.name`, `db.system`; governance.md §1.1) with etcd recognised first: by its gRPC services
 * (`rpc.service = etcdserverpb.*`, otelgrpc on etcd's clients), by its HTTP paths, and by the endpoints
 * the user names (`--endpoints` / `--cluster`), so every way of reaching etcd ends at one node.
 */
import { httpOp, isEtcdHttpPath, isEtcdRpcService, type SpanKind } from './span.js';

export type Attrs = Readonly<Record<string, string | number | boolean | undefined>>;

export interface PeerOptions {
  /** The node name etcd gets (its spans carry `--distributed-tracing-service-name`, default "etcd"). */
  etcdService: string;
  /** etcd client endpoints as `host:port`, lowercase. */
  etcdEndpoints: ReadonlySet<string>;
}

export const DEFAULT_PEER_OPTIONS: PeerOptions = { etcdService: 'etcd', etcdEndpoints: new Set() };

/** `http://127.0.0.1:2379` / `127.0.0.1:2379` -> `127.0.0.1:2379`; `localhost` and `127.0.0.1` are the same place. */
export function endpointKeys(urls: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const u of urls) {
    const s = u.trim();
    if (!s) continue;
    let host: string;
    let port: string;
    try {
      const url = new URL(s.includes('://') ? s : `http://${s}`);
      host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
      port = url.port || (url.protocol === 'https:' ? '443' : '2379');
    } catch {
      continue;
    }
    out.add(`${host}:${port}`);
    if (host === 'localhost') out.add(`127.0.0.1:${port}`);
    if (host === '127.0.0.1') out.add(`localhost:${port}`);
  }
  return out;
}

const str = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : String(v));

function peerAddress(a: Attrs): { host?: string | undefined; port?: string | undefined } {
  const host = str(a['server.address']) ?? str(a['net.peer.name']) ?? str(a['network.peer.address']) ?? str(a['net.sock.peer.addr']) ?? str(a['net.peer.ip']);
  const port = str(a['server.port']) ?? str(a['net.peer.port']) ?? str(a['network.peer.port']) ?? str(a['net.sock.peer.port']);
  return { host: host?.replace(/^\[|\]$/g, '').toLowerCase(), port };
}

export interface CallFacts {
  remoteService?: string | undefined;
  remoteBy?: string | undefined;
  op?: string | undefined;
  connection?: 'database' | 'messaging' | undefined;
  /** The attributes say the call failed (gRPC status, HTTP 5xx); OTLP status and Zipkin's error tag are read by the parsers. */
  failed: boolean;
}

/** The operation of a span: gRPC path, or HTTP method and path (bounded). */
export function operationOf(a: Attrs): string | undefined {
  const svc = str(a['rpc.service']);
  const method = str(a['rpc.method']);
  if (svc && method) return `/${svc}/${method}`;
  const path = str(a['url.path']) ?? pathOfUrl(str(a['http.target']) ?? str(a['url.full']) ?? str(a['http.url']));
  return httpOp(str(a['http.request.method']) ?? str(a['http.method']), path, str(a['http.route']));
}

function pathOfUrl(u: string | undefined): string | undefined {
  if (!u) return undefined;
  if (u.startsWith('/')) return u;
  try {
    return new URL(u).pathname;
  } catch {
    return undefined;
  }
}

/**
 * Facts of one span. The remote name is only looked for where Zipkin's linker uses it: on the calling
 * side (CLIENT, PRODUCER, and kind-less spans), and on CONSUMER spans (the broker).
 */
export function callFacts(kind: SpanKind | undefined, a: Attrs, opts: PeerOptions): CallFacts {
  const op = operationOf(a);
  const grpcStatus = a['rpc.grpc.status_code'];
  const httpStatus = Number(a['http.response.status_code'] ?? a['http.status_code'] ?? 0);
  // gRPC codes that mean the server failed (otelgrpc marks server spans ERROR for these; a client span
  // carries the code it got). NOT_FOUND / ALREADY_EXISTS / FAILED_PRECONDITION are answers, not failures.
  const failedGrpc = grpcStatus !== undefined && [2, 4, 8, 12, 13, 14, 15].includes(Number(grpcStatus));
  const facts: CallFacts = { op, failed: failedGrpc || httpStatus >= 500 };
  const messaging = str(a['messaging.system']);
  const dbSystem = str(a['db.system.name']) ?? str(a['db.system']);
  if (messaging) facts.connection = 'messaging';
  else if (dbSystem && dbSystem !== 'etcd') facts.connection = 'database';
  if (kind === 'SERVER') return facts;
  if (kind === 'CONSUMER' || kind === 'PRODUCER') {
    // The broker, as Zipkin's remoteServiceName for messaging (messaging.system names the broker product).
    const broker = str(a['peer.service']) ?? messaging;
    if (broker) Object.assign(facts, { remoteService: broker, remoteBy: str(a['peer.service']) ? 'peer.service' : 'messaging.system' });
    return facts;
  }
  const named = (name: string, by: string): CallFacts => Object.assign(facts, { remoteService: name, remoteBy: by });
  const peerService = str(a['peer.service']);
  if (peerService) return named(peerService, 'peer.service');
  const rpcService = str(a['rpc.service']);
  if (rpcService && isEtcdRpcService(rpcService)) return named(opts.etcdService, 'rpc.service');
  const { host, port } = peerAddress(a);
  if (host && port && opts.etcdEndpoints.has(`${host}:${port}`)) return named(opts.etcdService, 'endpoint');
  if (dbSystem === 'etcd') return named(opts.etcdService, 'db.system');
  if (op && /^[A-Z]+ \//.test(op) && isEtcdHttpPath(op.slice(op.indexOf(' ') + 1)) && (!host || opts.etcdEndpoints.size === 0)) return named(opts.etcdService, 'http.path');
  const dbName = str(a['db.namespace']) ?? str(a['db.name']);
  if (dbName) return named(dbName, 'db.name');
  if (dbSystem) return named(dbSystem, 'db.system');
  if (host && kind === 'CLIENT') return named(port ? `${host}:${port}` : host, 'server.address');
  return facts;
}
