/**
 * `upshift serve [--port P] [--bind ADDR] [--allow-remote] [--token-file FILE]`: the dashboard (runs, a
 * live page per run, clusters, backups) and /metrics, until SIGINT/SIGTERM. Loopback only unless
 * --allow-remote; every request needs this start's token (printed as a URL on stderr).
 */
import { writeFile } from 'node:fs/promises';
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { UsageError } from '../core/errors.js';
import { isLoopback, parseListenAddr } from '../metrics/registry.js';
import { startDashboard } from '../dashboard/server.js';

export const DEFAULT_PORT = 8379;

export interface ServeOptions {
  port?: string;
  bind?: string;
  allowRemote?: boolean;
  tokenFile?: string;
  output?: string;
}

export interface ServeResult {
  url: string;
  stopped: true;
}

export async function run(opts: ServeOptions, ctx: CommandContext): Promise<ServeResult> {
  const bind = opts.bind ?? '127.0.0.1';
  const addr = parseListenAddr(`${bind.includes(':') && !bind.startsWith('[') ? `[${bind}]` : bind}:${opts.port ?? DEFAULT_PORT}`, '--bind/--port');
  if (!isLoopback(addr.host)) {
    if (!opts.allowRemote) throw new UsageError(`--bind ${bind} is not a loopback address: the dashboard would be reachable from other machines`, { code: 'non-loopback-bind', hint: 'add --allow-remote to mean it (the token still guards every request, but it travels in clear over plain HTTP)' });
    note(ctx, `upshift serve: WARNING: listening on ${bind}, reachable from other machines; plain HTTP, so the token and the pages travel unencrypted`);
  }
  const d = await startDashboard({ home: ctx.home, env: ctx.env, addr, log: (l) => note(ctx, l) });
  if (opts.tokenFile) await writeFile(opts.tokenFile, d.secrets.token + '\n', { mode: 0o600 });
  note(ctx, `upshift serve: dashboard at ${d.loginUrl}`);
  note(ctx, `upshift serve: (the token in that URL is new at every start; scripts and Prometheus send "Authorization: Bearer TOKEN"${opts.tokenFile ? `, token in ${opts.tokenFile}` : ''}); Ctrl-C stops`);
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await d.close();
  note(ctx, 'upshift serve: stopped');
  return { url: d.url, stopped: true };
}

export function render(r: ServeResult): string {
  return `dashboard at ${r.url} stopped\n`;
}
