/**
 * HTTP for the binary sources: every request has a deadline (no request waits forever) and none is
 * retried behind the caller's back. An unreachable host is an EnvironmentError (exit 3) naming the
 * URL and the deadline; a 404 is returned to the caller, which knows what it means (unknown version).
 */
import { createWriteStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EnvironmentError, UpshiftError, ExitCode, errorMessage } from '../core/errors.js';
import { formatBytes, formatDuration } from '../core/output.js';
import type { CommandContext } from '../core/context.js';
import { fetch, EnvHttpProxyAgent, type Dispatcher } from 'undici';

export type HttpContext = Pick<CommandContext, 'signal' | 'stderr' | 'interactive' | 'env'>;

/**
 * Node's built-in fetch ignores http(s)_proxy; undici's EnvHttpProxyAgent honours them (and
 * no_proxy), as apt and curl do, so the Debian probes and GitHub downloads work behind a proxy.
 */
function proxyFor(env: NodeJS.ProcessEnv): Dispatcher | undefined {
  const httpProxy = env.http_proxy ?? env.HTTP_PROXY;
  const httpsProxy = env.https_proxy ?? env.HTTPS_PROXY;
  if (!httpProxy && !httpsProxy) return undefined;
  const noProxy = env.no_proxy ?? env.NO_PROXY;
  return new EnvHttpProxyAgent({ ...(httpProxy ? { httpProxy } : {}), ...(httpsProxy ? { httpsProxy } : {}), ...(noProxy ? { noProxy } : {}) });
}

function requestInit(ctx: HttpContext, signal: AbortSignal): Parameters<typeof fetch>[1] {
  const dispatcher = proxyFor(ctx.env);
  return { signal, redirect: 'follow', ...(dispatcher ? { dispatcher } : {}) };
}

function deadlineSignal(ctx: HttpContext, deadlineMs: number): AbortSignal {
  return AbortSignal.any([ctx.signal, AbortSignal.timeout(deadlineMs)]);
}

function unreachable(url: string, deadlineMs: number, e: unknown, ctx: HttpContext): UpshiftError {
  if (ctx.signal.aborted) return new UpshiftError('interrupted', `interrupted while fetching ${url}`, ExitCode.environment, { cause: e });
  const timedOut = e instanceof Error && (e.name === 'TimeoutError' || /timeout|aborted/i.test(e.message));
  // undici hides the reason (ENOTFOUND, ECONNREFUSED) in `cause`.
  const cause = e instanceof Error && e.cause ? `: ${errorMessage(e.cause)}` : e instanceof Error ? `: ${e.message}` : '';
  return new EnvironmentError(
    'unreachable',
    timedOut ? `${url} did not answer within the ${formatDuration(deadlineMs)} deadline` : `cannot reach ${url}${cause}`,
    { hint: 'check the network or proxy, or use a mirror (--base-url) or --source dir:PATH', cause: e, details: { url, deadlineMs } },
  );
}

/** GET a small document. Returns status and body; throws only when the server cannot be reached in time. */
export async function fetchText(url: string, ctx: HttpContext, deadlineMs: number): Promise<{ status: number; text: string }> {
  try {
    const res = await fetch(url, requestInit(ctx, deadlineSignal(ctx, deadlineMs)));
    const text = res.ok ? await res.text() : '';
    if (!res.ok) await res.body?.cancel();
    return { status: res.status, text };
  } catch (e) {
    throw unreachable(url, deadlineMs, e, ctx);
  }
}

export interface Downloaded {
  status: number;
  sha256?: string;
  size?: number;
}

/**
 * Stream `url` into `path`, hashing on the way. Shows progress on stderr when it is a terminal, a
 * line at start and end otherwise. Non-200 statuses leave no file and are returned.
 */
export async function downloadToFile(url: string, path: string, ctx: HttpContext, deadlineMs: number): Promise<Downloaded> {
  const signal = deadlineSignal(ctx, deadlineMs);
  let res: Awaited<ReturnType<typeof fetch>>;
  try {
    res = await fetch(url, requestInit(ctx, signal));
  } catch (e) {
    throw unreachable(url, deadlineMs, e, ctx);
  }
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel();
    return { status: res.status };
  }
  const total = Number(res.headers.get('content-length') ?? 0);
  const name = url.slice(url.lastIndexOf('/') + 1);
  const hash = createHash('sha256');
  let size = 0;
  let lastDraw = 0;
  const started = Date.now();
  const draw = (final: boolean): void => {
    if (!ctx.interactive) return;
    const pct = total > 0 ? ` ${Math.floor((size / total) * 100)}%` : '';
    ctx.stderr.write(`\r  ${name}  ${formatBytes(size)}${total ? ` / ${formatBytes(total)}` : ''}${pct}   ${final ? '\n' : ''}`);
  };
  if (!ctx.interactive) ctx.stderr.write(`  downloading ${url}${total ? ` (${formatBytes(total)})` : ''}\n`);
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      const now = Date.now();
      if (now - lastDraw > 200) {
        lastDraw = now;
        draw(false);
      }
      cb(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), meter, createWriteStream(path, { mode: 0o600 }), { signal });
  } catch (e) {
    if (ctx.interactive) ctx.stderr.write('\n');
    throw unreachable(url, deadlineMs, e, ctx);
  }
  draw(true);
  if (!ctx.interactive) ctx.stderr.write(`  downloaded ${name}: ${formatBytes(size)} in ${formatDuration(Date.now() - started)}\n`);
  return { status: 200, sha256: hash.digest('hex'), size };
}
