/**
 * etcd/gRPC failures as typed errors, mapped once (`toEtcdError`) where a call settles.
 *
 * Every error carries the gRPC status code, etcd's own message (`etcdserver: ...`) when the server sent one,
 * and the **outcome** of the request: `definite` (it was certainly not applied) or `indeterminate` (it may
 * or may not have been applied; a write must be reported as such, never silently retried).
 *
 * Sources for the classification (etcd v3.6.14; 3.4/3.5 have the same structure):
 * - api/v3rpc/rpctypes/error.go:76-88 — codes and messages of `no leader`, `leader changed`, `request timed out*`,
 *   `server stopped`, `not capable`, `corrupt cluster`, ...
 * - server/etcdserver/v3_server.go:836-893 — a write is authorized (AuthInfoFromCtx, :849) before it is proposed
 *   (`s.r.Propose`, :878). A Propose error (e.g. raft's "raft proposal dropped": no known leader, or a leader
 *   transfer in progress) means the entry never entered the log -> definite. A timeout *after* Propose
 *   (`parseProposeCtxErr`, server.go:2487: `request timed out`, `...due to previous leader failure`,
 *   `...due to connection lost`) or `server stopped` while waiting (:894) means the entry may still commit -> indeterminate.
 * - v3_server.go:958-1003 — `leader changed` is returned by the ReadIndex loop of linearizable reads (and by
 *   LeaseTimeToLive, :441) before anything is applied -> definite.
 * - server/etcdserver/server.go:1414-1439 — `unhealthy cluster` refuses a member change before proposing -> definite.
 * - server/etcdserver/api/v3rpc/interceptor.go:69,240 — `no leader` is returned by the interceptor before the
 *   handler runs (for requests carrying the `hasleader` metadata) -> definite.
 * - client/v3/retry.go:77-97 (isSafeRetryMutableRPC) — the Go client retries a write only when no connection
 *   had been established; upshift's `isSafeToRetry` follows the same rule and is never applied implicitly.
 */
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ExitCode, UpshiftError, errorMessage, type ExitCodeValue, type UpshiftErrorOptions } from '../core/errors.js';

export type RequestOutcome = 'definite' | 'indeterminate';
export type OperationKind = 'read' | 'write';

export interface EtcdErrorInfo {
  /** gRPC status code (numeric) when the failure came from gRPC. */
  grpcCode?: number | undefined;
  /** etcd's message (`etcdserver: ...`) or the transport's details. */
  etcdMessage?: string | undefined;
  outcome: RequestOutcome;
  /** The endpoint the request went to, when known. */
  endpoint?: string | undefined;
  /** The RPC, e.g. `Maintenance.Status`. */
  method?: string | undefined;
}

/** Base of every error from the etcd client layer. */
export class EtcdError extends UpshiftError {
  readonly grpcCode: number | undefined;
  readonly etcdMessage: string | undefined;
  readonly outcome: RequestOutcome;
  readonly endpoint: string | undefined;
  readonly method: string | undefined;

  constructor(code: string, message: string, exitCode: ExitCodeValue, info: EtcdErrorInfo, opts: UpshiftErrorOptions = {}) {
    super(code, message, exitCode, {
      ...opts,
      details: { ...opts.details, grpcCode: info.grpcCode, outcome: info.outcome, endpoint: info.endpoint, method: info.method },
    });
    this.grpcCode = info.grpcCode;
    this.etcdMessage = info.etcdMessage;
    this.outcome = info.outcome;
    this.endpoint = info.endpoint;
    this.method = info.method;
  }

  /** gRPC code name, e.g. `UNAVAILABLE`. */
  get grpcCodeName(): string | undefined {
    return this.grpcCode === undefined ? undefined : (GrpcStatus[this.grpcCode] as string | undefined);
  }
}

/** The endpoint could not be reached, or the connection broke: exit 3. */
export class EtcdUnavailableError extends EtcdError {
  constructor(message: string, info: EtcdErrorInfo, opts: UpshiftErrorOptions = {}) {
    super('etcd-unavailable', message, ExitCode.environment, info, {
      hint: 'check that etcd runs at the endpoint, the URL scheme (http/https) and the TLS flags',
      ...opts,
    });
  }
}

/** The deadline passed (dial or request): exit 3. */
export class EtcdDeadlineError extends EtcdError {
  constructor(message: string, info: EtcdErrorInfo, opts: UpshiftErrorOptions = {}) {
    super('etcd-deadline', message, ExitCode.environment, info, {
      hint: 'raise --command-timeout / --dial-timeout, or check the member and its disk',
      ...opts,
    });
  }
}

/** Wrong user/password, invalid token, permission denied: exit 2 (the input is wrong). */
export class EtcdAuthError extends EtcdError {
  constructor(code: string, message: string, info: EtcdErrorInfo, opts: UpshiftErrorOptions = {}) {
    super(code, message, ExitCode.usage, info, opts);
  }
}

/** etcd refused or failed the request (no leader, compacted, no space, not leader, ...): exit 1. */
export class EtcdServerError extends EtcdError {
  constructor(code: string, message: string, info: EtcdErrorInfo, opts: UpshiftErrorOptions = {}) {
    super(code, message, ExitCode.problem, info, opts);
  }
}

/** The caller's AbortSignal fired. */
export class EtcdCancelledError extends EtcdError {
  constructor(message: string, info: EtcdErrorInfo) {
    super('etcd-cancelled', message, ExitCode.environment, info);
  }
}

/** Messages that prove the request was not applied (see header for sources). */
const DEFINITE_SERVER_MESSAGES = [
  'etcdserver: no leader',
  'etcdserver: leader changed',
  'etcdserver: not leader',
  'etcdserver: not capable',
  // Strict reconfiguration check before a member change is proposed: members must have been connected for
  // HealthInterval (5 s) (etcd@v3.6.14:server/etcdserver/server.go:94,1414-1439 mayAddMember, :1642).
  'etcdserver: unhealthy cluster',
  'raft proposal dropped',
  'etcdserver: request is too large',
  'etcdserver: too many requests',
  'etcdserver: mvcc: database space exceeded',
  'etcdserver: mvcc: required revision has been compacted',
  'etcdserver: mvcc: required revision is a future revision',
  'etcdserver: rpc not supported for learner',
  'etcdserver: invalid auth token',
  'etcdserver: permission denied',
  'etcdserver: authentication failed',
  'etcdserver: user name is empty',
  'etcdserver: user name not found',
  'etcdserver: role is not granted to the user',
  'etcdserver: revision of auth store is old',
];

/**
 * Who-are-you errors (etcd@v3.6.14:api/v3rpc/rpctypes/error.go:60-75). "user name not found" also appears when a TLS
 * client certificate's CN is taken as the user name (etcd's --client-cert-auth) and no such user exists.
 */
const AUTH_MESSAGES = [
  'etcdserver: authentication failed',
  'etcdserver: user name is empty',
  'etcdserver: user name not found',
  'etcdserver: role is not granted to the user',
  'etcdserver: invalid auth token',
  'etcdserver: permission denied',
];

/** Messages after which a write may still commit. */
const INDETERMINATE_SERVER_MESSAGES = ['etcdserver: request timed out', 'etcdserver: server stopped'];

/**
 * Transport details from grpc-js meaning the request never left this process (no connection was ever
 * established for it): connect refused, DNS failure, TLS handshake failure, "No connection established".
 */
const NOT_SENT_PATTERNS = [
  /No connection established/i,
  /ECONNREFUSED/,
  /ENOTFOUND|EAI_AGAIN|Name resolution failed/i,
  /failed to connect to all addresses/i,
  /certificate|SSL|TLS|self[- ]signed|unable to verify|handshake/i,
  /waiting_for_connection|LB pick/i,
  // HTTP/2 REFUSED_STREAM: the server guarantees it did not process the stream (RFC 7540 §8.1.4). Seen
  // on writes that reach a member in the instant it starts a graceful stop.
  /Stream refused by server|REFUSED_STREAM/i,
];

export interface MapContext {
  endpoint?: string | undefined;
  method?: string | undefined;
  /** True when upshift knows the call was never started (e.g. the dial deadline passed first). */
  notSent?: boolean;
}

function isServiceError(e: unknown): e is ServiceError {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'number' && 'details' in (e as object);
}

/** Map any error from a gRPC call once into an EtcdError. Idempotent for EtcdErrors. */
export function toEtcdError(e: unknown, ctx: MapContext = {}): EtcdError {
  if (e instanceof EtcdError) return e;
  const where = ctx.endpoint ? ` (${ctx.endpoint}${ctx.method ? ` ${ctx.method}` : ''})` : '';
  if (!isServiceError(e)) {
    const msg = errorMessage(e);
    return new EtcdUnavailableError(`etcd request failed${where}: ${msg}`, {
      etcdMessage: msg,
      outcome: ctx.notSent ? 'definite' : 'indeterminate',
      endpoint: ctx.endpoint,
      method: ctx.method,
    }, { cause: e });
  }
  const code = e.code;
  // grpc-js appends an empty "Resolution note: " to connection errors; drop the noise.
  const details = (e.details ?? '').replace(/\.?\s*Resolution note:\s*$/, '');
  const info = (outcome: RequestOutcome): EtcdErrorInfo => ({ grpcCode: code, etcdMessage: details, outcome, endpoint: ctx.endpoint, method: ctx.method });
  const text = `${details}${where}`;
  const isServerMessage = details.startsWith('etcdserver:') || details === 'raft proposal dropped';

  if (isServerMessage) {
    const outcome: RequestOutcome = DEFINITE_SERVER_MESSAGES.some((m) => details.startsWith(m))
      ? 'definite'
      : INDETERMINATE_SERVER_MESSAGES.some((m) => details.startsWith(m))
        ? 'indeterminate'
        : // Other server errors are validation or state errors raised before apply (InvalidArgument,
          // FailedPrecondition, NotFound ...); an unknown one is treated as indeterminate to stay safe.
          code === GrpcStatus.INVALID_ARGUMENT || code === GrpcStatus.FAILED_PRECONDITION || code === GrpcStatus.NOT_FOUND || code === GrpcStatus.ALREADY_EXISTS
          ? 'definite'
          : 'indeterminate';
    if (code === GrpcStatus.UNAUTHENTICATED || code === GrpcStatus.PERMISSION_DENIED || AUTH_MESSAGES.some((m) => details.startsWith(m))) {
      const c = details.includes('invalid auth token') ? 'etcd-invalid-token' : details.includes('permission denied') ? 'etcd-permission-denied' : 'etcd-auth-failed';
      return new EtcdAuthError(c, text, info(outcome), {
        cause: e,
        hint: c === 'etcd-permission-denied' ? 'the user lacks the role this request needs (root for maintenance calls on some versions)' : 'check --user/--password (or ETCDCTL_USER/ETCDCTL_PASSWORD)',
      });
    }
    if (outcome === 'indeterminate' && code === GrpcStatus.UNAVAILABLE) return new EtcdDeadlineError(text, info(outcome), { cause: e, hint: undefined });
    return new EtcdServerError(serverCode(details), text, info(outcome), { cause: e });
  }

  switch (code) {
    case GrpcStatus.UNAVAILABLE: {
      const notSent = ctx.notSent || NOT_SENT_PATTERNS.some((p) => p.test(details));
      return new EtcdUnavailableError(`cannot reach etcd${where}: ${details || 'unavailable'}`, info(notSent ? 'definite' : 'indeterminate'), { cause: e });
    }
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new EtcdDeadlineError(`deadline exceeded${where}: ${details}`, info(ctx.notSent ? 'definite' : 'indeterminate'), { cause: e });
    case GrpcStatus.CANCELLED:
      return new EtcdCancelledError(`request cancelled${where}: ${details}`, info(ctx.notSent ? 'definite' : 'indeterminate'));
    case GrpcStatus.UNAUTHENTICATED:
    case GrpcStatus.PERMISSION_DENIED:
      return new EtcdAuthError('etcd-auth-failed', text, info('definite'), { cause: e });
    case GrpcStatus.UNIMPLEMENTED:
      // The server does not know the RPC (e.g. Downgrade on 3.4): rejected before any handler ran.
      return new EtcdServerError('etcd-unimplemented', `the server does not implement ${ctx.method ?? 'this RPC'}${where}: ${details}`, info('definite'), { cause: e, hint: 'this etcd version predates the call' });
    case GrpcStatus.RESOURCE_EXHAUSTED:
      // Client-side message size limits are RESOURCE_EXHAUSTED without an etcd message; the server answered.
      return new EtcdServerError('etcd-resource-exhausted', text, info('definite'), { cause: e });
    default:
      return new EtcdServerError('etcd-error', `${GrpcStatus[code] ?? code}: ${text}`, info('indeterminate'), { cause: e });
  }
}

function serverCode(details: string): string {
  const m = details.replace(/^etcdserver: /, '').replace(/^mvcc: /, '');
  const known: [string, string][] = [
    ['no leader', 'etcd-no-leader'],
    ['leader changed', 'etcd-leader-changed'],
    ['not leader', 'etcd-not-leader'],
    ['database space exceeded', 'etcd-no-space'],
    ['required revision has been compacted', 'etcd-compacted'],
    ['required revision is a future revision', 'etcd-future-revision'],
    ['corrupt cluster', 'etcd-corrupt'],
    ['request is too large', 'etcd-request-too-large'],
    ['too many requests', 'etcd-too-many-requests'],
    ['requested lease not found', 'etcd-lease-not-found'],
    ['bad leader transferee', 'etcd-bad-leader-transferee'],
    ['rpc not supported for learner', 'etcd-learner'],
    ['not capable', 'etcd-not-capable'],
    ['unhealthy cluster', 'etcd-unhealthy-cluster'],
    ['raft proposal dropped', 'etcd-proposal-dropped'],
    ['authentication is not enabled', 'etcd-auth-not-enabled'],
  ];
  for (const [needle, c] of known) if (m.startsWith(needle)) return c;
  return 'etcd-server-error';
}

/** Transient conditions where asking again (possibly another member) can succeed. */
function isTransient(e: EtcdError): boolean {
  if (e instanceof EtcdUnavailableError || e instanceof EtcdDeadlineError) return true;
  if (e.grpcCode === GrpcStatus.UNAVAILABLE) return true;
  return ['etcd-no-leader', 'etcd-leader-changed', 'etcd-proposal-dropped', 'etcd-too-many-requests', 'etcd-unhealthy-cluster'].includes(e.code);
}

/**
 * May the caller send this request again? Reads: on any transient failure (as the Go client's
 * isSafeRetryImmutableRPC, which retries on Unavailable). Writes: only when the outcome is `definite` (the
 * request was certainly not applied) and the failure is transient. upshift never calls this implicitly.
 */
export function isSafeToRetry(err: unknown, op: OperationKind): boolean {
  if (!(err instanceof EtcdError)) return false;
  if (err instanceof EtcdCancelledError) return false;
  if (!isTransient(err)) return false;
  return op === 'read' || err.outcome === 'definite';
}

/**
 * The `grpc-message` trailer is percent-encoded (gRPC PROTOCOL-HTTP2); a malformed escape must not throw
 * while an error is being reported, so it falls back to the raw text.
 */
export function decodeGrpcMessage(v: unknown): string {
  if (typeof v !== 'string' || v === '') return '';
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}
