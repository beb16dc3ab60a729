/**
 * One gRPC channel to one etcd endpoint, with the call plumbing every client in this folder shares:
 * deadlines on every call, AbortSignal support, auth token metadata, and errors mapped once (errors.ts).
 * Nothing here retries, except re-sending a request that etcd rejected with `invalid auth token` after
 * fetching a new token (see `unary`).
 */
import * as grpc from '@grpc/grpc-js';
import { etcdServices, type EtcdServices } from './proto.js';
import type { ConnectionConfig } from './connection.js';
import { EtcdAuthError, EtcdCancelledError, EtcdDeadlineError, EtcdError, toEtcdError, type OperationKind } from './errors.js';

export type ServiceName = keyof EtcdServices;

export interface CallOptions {
  /** Per-call deadline; default: the connection's command timeout. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** Keepalive: etcd rejects pings more often than --grpc-keepalive-min-time (default 5 s) with GOAWAY too_many_pings
 *  (etcd@v3.6.14:server/embed/config.go DefaultGRPCKeepAliveMinTime), so ping every 10 s, only during calls. */
export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 0,
  // etcdctl accepts responses up to MaxInt32; grpc-js defaults to 4 MiB, which a large Range exceeds.
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
  // A restarted member must be reachable again quickly (grpc-js' default backoff grows to 120 s).
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 1_000,
  // Own connection per channel: closing one client never affects another, and bench can spread load.
  'grpc.use_local_subchannel_pool': 1,
  // Retries are decided by callers (errors.ts isSafeToRetry), never by the channel.
  'grpc.enable_retries': 0,
};

/**
 * A token shared by every transport of one client/session, so N endpoints cost one Authenticate (a raft
 * proposal plus a bcrypt check on the server) instead of N.
 */
export class TokenSource {
  private token: string | undefined;
  private pending: Promise<string | undefined> | undefined;
  /** Set once the server said auth is not enabled: no token needed. */
  private authDisabled = false;

  constructor(readonly user: string, private readonly password: string) {}

  current(): string | undefined {
    return this.token;
  }

  /** Fetch a token through `transport` (deduplicated across concurrent callers). `stale` = the token just rejected. */
  async fetch(transport: Transport, opts: CallOptions, stale?: string): Promise<string | undefined> {
    if (this.authDisabled) return undefined;
    if (this.token !== undefined && this.token !== stale) return this.token;
    if (!this.pending) {
      this.pending = (async () => {
        try {
          const res = await transport.rawUnary<{ token: string }>('Auth', 'Authenticate', { name: this.user, password: this.password }, opts, undefined);
          this.token = res.token;
          return this.token;
        } catch (e) {
          if (e instanceof EtcdError && e.etcdMessage?.startsWith('etcdserver: authentication is not enabled')) {
            this.authDisabled = true;
            return undefined;
          }
          throw e;
        } finally {
          this.pending = undefined;
        }
      })();
    }
    return this.pending;
  }
}

/** `host:port` for grpc-js from a normalised client URL. */
export function grpcTarget(endpoint: string): string {
  const u = new URL(endpoint);
  return `${u.hostname}:${u.port || '2379'}`;
}

export function channelCredentials(config: Pick<ConnectionConfig, 'tls'>, endpoint: string): grpc.ChannelCredentials {
  if (!endpoint.startsWith('https:')) return grpc.credentials.createInsecure();
  const tls = config.tls;
  const skip = tls?.insecureSkipVerify === true;
  return grpc.credentials.createSsl(tls?.ca ?? null, tls?.key ?? null, tls?.cert ?? null, {
    rejectUnauthorized: !skip,
    ...(skip ? { checkServerIdentity: () => undefined } : {}),
  });
}

export class Transport {
  readonly endpoint: string;
  readonly channel: grpc.Channel;
  private readonly clients = new Map<ServiceName, grpc.Client>();
  private closed = false;

  constructor(
    endpoint: string,
    readonly config: ConnectionConfig,
    readonly tokens: TokenSource | undefined,
    channelOptions: grpc.ChannelOptions = {},
  ) {
    this.endpoint = endpoint;
    this.channel = new grpc.Channel(grpcTarget(endpoint), channelCredentials(config, endpoint), { ...CHANNEL_OPTIONS, ...channelOptions });
  }

  client(service: ServiceName): grpc.Client {
    let c = this.clients.get(service);
    if (!c) {
      const Ctor = etcdServices()[service];
      c = new Ctor(grpcTarget(this.endpoint), grpc.credentials.createInsecure(), { channelOverride: this.channel });
      this.clients.set(service, c);
    }
    return c;
  }

  /**
   * Wait until the channel is connected, at most the dial timeout. A channel that failed to connect is left
   * to the call, which then fails at once with grpc-js' "No connection established. Last error: ..." (definite:
   * nothing was sent). Only a connect attempt still pending at the dial deadline becomes a dial-timeout error.
   */
  async ensureConnected(signal?: AbortSignal): Promise<void> {
    if (this.closed) throw new EtcdCancelledError(`client for ${this.endpoint} is closed`, { outcome: 'definite', endpoint: this.endpoint });
    const S = grpc.connectivityState;
    let state = this.channel.getConnectivityState(true);
    if (state === S.READY) return;
    const deadline = Date.now() + this.config.dialTimeoutMs;
    let attempted = state === S.CONNECTING || state === S.IDLE;
    for (;;) {
      if (state === S.READY) return;
      if (state === S.TRANSIENT_FAILURE && attempted) return;
      if (state === S.SHUTDOWN) throw new EtcdCancelledError(`client for ${this.endpoint} is closed`, { outcome: 'definite', endpoint: this.endpoint });
      if (signal?.aborted) throw new EtcdCancelledError(`cancelled while connecting to ${this.endpoint}`, { outcome: 'definite', endpoint: this.endpoint });
      const changed = await new Promise<boolean>((resolve) => {
        const onAbort = (): void => resolve(false);
        signal?.addEventListener('abort', onAbort, { once: true });
        this.channel.watchConnectivityState(state, deadline, (err) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(!err);
        });
      });
      if (signal?.aborted) throw new EtcdCancelledError(`cancelled while connecting to ${this.endpoint}`, { outcome: 'definite', endpoint: this.endpoint });
      if (!changed) {
        if (state === S.TRANSIENT_FAILURE) return;
        throw new EtcdDeadlineError(`cannot connect to ${this.endpoint} within the dial timeout (${this.config.dialTimeoutMs} ms)`, {
          outcome: 'definite',
          endpoint: this.endpoint,
          etcdMessage: 'dial timeout',
        });
      }
      state = this.channel.getConnectivityState(true);
      if (state === S.CONNECTING) attempted = true;
    }
  }

  metadata(token: string | undefined, extra?: Record<string, string>): grpc.Metadata {
    const md = new grpc.Metadata();
    if (token) md.set('token', token);
    if (extra) for (const [k, v] of Object.entries(extra)) md.set(k, v);
    return md;
  }

  /** One unary call, no token handling. Used for Authenticate itself. */
  rawUnary<Res>(service: ServiceName, method: string, req: unknown, opts: CallOptions, token: string | undefined, extraMd?: Record<string, string>): Promise<Res> {
    const timeoutMs = opts.timeoutMs ?? this.config.commandTimeoutMs;
    const ctx = { endpoint: this.endpoint, method: `${service}.${method}` };
    return (async () => {
      await this.ensureConnected(opts.signal).catch((e: unknown) => {
        throw toEtcdError(e, { ...ctx, notSent: true });
      });
      return await new Promise<Res>((resolve, reject) => {
        if (opts.signal?.aborted) {
          reject(new EtcdCancelledError(`cancelled before ${ctx.method} was sent to ${this.endpoint}`, { outcome: 'definite', ...ctx }));
          return;
        }
        const client = this.client(service) as unknown as Record<string, (req: unknown, md: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: Res) => void) => grpc.ClientUnaryCall>;
        const fn = client[method];
        if (typeof fn !== 'function') {
          reject(new Error(`internal: ${ctx.method} is not in the loaded protos`));
          return;
        }
        const onAbort = (): void => call.cancel();
        const call = fn.call(client, req, this.metadata(token, extraMd), { deadline: Date.now() + timeoutMs }, (err, res) => {
          opts.signal?.removeEventListener('abort', onAbort);
          if (err) reject(toEtcdError(err, ctx));
          else resolve(res);
        });
        opts.signal?.addEventListener('abort', onAbort, { once: true });
      });
    })();
  }

  /**
   * A unary call with auth. When etcd answers `invalid auth token` (the token expired: simple tokens live
   * --auth-token-ttl, 300 s by default), the request is sent once more with a fresh token. That re-send is safe
   * for writes too: etcd checks the token before proposing (etcd@v3.6.14:server/etcdserver/v3_server.go:849
   * AuthInfoFromCtx precedes s.r.Propose at :878), so the rejected request was never applied.
   */
  async unary<Res>(service: ServiceName, method: string, req: unknown, opts: CallOptions & { op?: OperationKind; authBestEffort?: boolean; metadata?: Record<string, string> } = {}): Promise<Res> {
    let token: string | undefined;
    if (this.tokens) {
      try {
        token = await this.tokens.fetch(this, opts);
      } catch (e) {
        // Some reads (Status, health) are allowed without a user on most versions; a member without a leader
        // cannot authenticate anyone (Authenticate is a raft proposal), yet can still say how it is.
        if (!opts.authBestEffort || e instanceof EtcdAuthError) throw e;
      }
    }
    try {
      return await this.rawUnary<Res>(service, method, req, opts, token, opts.metadata);
    } catch (e) {
      if (this.tokens && e instanceof EtcdAuthError && e.code === 'etcd-invalid-token') {
        const fresh = await this.tokens.fetch(this, opts, token);
        return await this.rawUnary<Res>(service, method, req, opts, fresh, opts.metadata);
      }
      throw e;
    }
  }

  /** Token for a stream (streams are not re-sent on token expiry; callers reopen them). */
  async streamToken(opts: CallOptions): Promise<string | undefined> {
    return this.tokens ? this.tokens.fetch(this, opts) : undefined;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.clients.values()) c.close();
    this.channel.close();
  }
}
