/**
 * Who may use the dashboard: whoever holds this start's random token. A browser brings it once in the URL
 * printed on stderr (`/?token=...`); the server answers with an HttpOnly, SameSite=Strict cookie and a
 * redirect to the same URL without the token (so it stays out of history and Referer). Scripts and
 * Prometheus send `Authorization: Bearer TOKEN`. Everything else gets 401: pages, assets, API, event
 * streams, /metrics.
 *
 * State-changing requests are POST only and must carry `X-Upshift-CSRF: <csrf token>` (given to the page
 * in its HTML): a cross-site form cannot set a header, and a cross-site fetch that tries is stopped by CORS,
 * which this server never grants. A request whose Origin or Sec-Fetch-Site says another site is refused
 * too, and so is a Host header that is not this server's (DNS rebinding).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

export const COOKIE = 'upshift_token';
export const CSRF_HEADER = 'x-upshift-csrf';

export interface Secrets {
  token: string;
  csrf: string;
}

export function newSecrets(): Secrets {
  return { token: randomBytes(32).toString('base64url'), csrf: randomBytes(32).toString('base64url') };
}

export function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function problem(c: Context, status: 401 | 403 | 421, code: string, message: string): Response {
  return c.json({ error: { code, message } }, status);
}

/** Host headers this server answers to: its own address and the loopback names, on its port. */
export function hostCheck(allowed: () => Set<string>): MiddlewareHandler {
  return async (c, next) => {
    const host = (c.req.header('host') ?? '').toLowerCase();
    if (!allowed().has(host)) return problem(c, 421, 'wrong-host', `this server does not answer to Host "${host}"`);
    await next();
  };
}

/** The token check (and the token-in-URL login of a browser). */
export function tokenAuth(secrets: Secrets): MiddlewareHandler {
  return async (c, next) => {
    const q = c.req.query('token');
    if (q !== undefined && c.req.method === 'GET' && sameSecret(q, secrets.token)) {
      setCookie(c, COOKIE, secrets.token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      return c.redirect(url.pathname + (url.search || ''), 303);
    }
    const auth = c.req.header('authorization');
    const bearer = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    if (!sameSecret(bearer, secrets.token) && !sameSecret(getCookie(c, COOKIE), secrets.token)) {
      return problem(c, 401, 'unauthorized', 'open the URL upshift serve printed (it carries the token), or send Authorization: Bearer TOKEN');
    }
    await next();
  };
}

/** POST (the only state-changing method here) needs the CSRF header and no cross-site origin. */
export function csrfCheck(secrets: Secrets): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    if (c.req.method !== 'POST') return problem(c, 403, 'method', `${c.req.method} is not accepted`);
    const site = c.req.header('sec-fetch-site');
    if (site && site !== 'same-origin' && site !== 'none') return problem(c, 403, 'cross-site', `a ${site} request cannot change anything here`);
    const origin = c.req.header('origin');
    if (origin && origin !== 'null' && new URL(origin).host !== (c.req.header('host') ?? '').toLowerCase()) return problem(c, 403, 'cross-site', `origin ${origin} is not this server`);
    if (origin === 'null') return problem(c, 403, 'cross-site', 'an opaque origin cannot change anything here');
    if (!sameSecret(c.req.header(CSRF_HEADER), secrets.csrf)) return problem(c, 403, 'csrf', `a POST must carry the ${CSRF_HEADER} header of the page`);
    await next();
  };
}
