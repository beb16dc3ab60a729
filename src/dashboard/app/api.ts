/**
 * Talking to `upshift serve`: same-origin JSON reads, POST actions carrying the CSRF header, and server-sent
 * event streams (the browser's EventSource reconnects by itself; the server sends a full snapshot first on
 * every connection, so nothing is missed across a reconnect).
 */
import { useEffect, useState } from 'preact/hooks';

let csrfToken = '';

export function setCsrf(token: string): void {
  csrfToken = token;
}

export async function getJson<T>(path: string): Promise<T> {
  const r = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

export async function postAction<T>(path: string): Promise<T> {
  const r = await fetch(path, { method: 'POST', headers: { 'x-upshift-csrf': csrfToken, accept: 'application/json' }, credentials: 'same-origin' });
  const body = (await r.json().catch(() => ({}))) as T & { error?: { message?: string } };
  if (!r.ok) throw new Error(body.error?.message ?? `HTTP ${r.status}`);
  return body;
}

/** Load `path` once, and again every `everyMs` (0: never). */
export function useJson<T>(path: string, everyMs = 0): { data?: T; error?: string; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    getJson<T>(path)
      .then((data) => live && setState({ data }))
      .catch((e: unknown) => live && setState((s) => ({ ...s, error: String(e) })));
    const t = everyMs > 0 ? setTimeout(() => setTick((n) => n + 1), everyMs) : undefined;
    return () => {
      live = false;
      if (t) clearTimeout(t);
    };
  }, [path, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

/** Subscribe to an event stream; `handlers` by event name. Returns whether it is connected. */
export function useEvents(path: string | undefined, handlers: Record<string, (data: unknown) => void>): boolean {
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    if (!path) return;
    const es = new EventSource(path, { withCredentials: true });
    es.onopen = () => setConnected(true);
    es.onerror = () => setConnected(false);
    for (const [name, fn] of Object.entries(handlers)) es.addEventListener(name, (e) => fn(JSON.parse((e as MessageEvent<string>).data)));
    return () => es.close();
  }, [path]);
  return connected;
}
