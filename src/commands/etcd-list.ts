/**
 * `upshift etcd list [--available] [--source ...]`: installed versions (version, source, files, path)
 * and, with --available, what each source offers. An unreachable source is reported in its own entry
 * without failing the others; the command exits 3 only when no source could be listed.
 */
import { ExitCode, type CommandOutcome } from '../core/errors.js';
import type { CommandContext } from '../core/context.js';
import { parseDuration } from '../core/duration.js';
import { renderTable } from '../core/output.js';
import { listInstalled } from '../binaries/layout.js';
import { sourcesToList, parseSourceSpec } from '../binaries/sources/resolve.js';
import { compareVersions, type AvailableReport } from '../binaries/sources/source.js';
import { outcome } from './command.js';

export interface EtcdListOptions {
  available?: boolean;
  source?: string;
  baseUrl?: string;
  refresh?: boolean;
  requestTimeout?: string;
  timeout?: string;
  output?: string;
}

export interface InstalledEntry {
  version: string;
  source: string;
  files: string[];
  dir: string;
  installedAt: string;
}

export interface EtcdListResult {
  installed: InstalledEntry[];
  available?: AvailableReport[];
}

export async function run(opts: EtcdListOptions, ctx: CommandContext): Promise<EtcdListResult | CommandOutcome<EtcdListResult>> {
  const installed = (await listInstalled(ctx.home))
    .map((i) => ({ version: i.version, source: i.manifest.source, files: Object.keys(i.manifest.files), dir: i.dir, installedAt: i.manifest.installedAt }))
    .sort((a, b) => compareVersions(a.version, b.version));
  if (!opts.available) return { installed };
  const spec = parseSourceSpec(opts.source);
  const settings = {
    requestDeadlineMs: parseDuration(opts.requestTimeout ?? '20s', '--request-timeout'),
    downloadDeadlineMs: parseDuration(opts.timeout ?? '10m', '--timeout'),
    refresh: !!opts.refresh,
    ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
  };
  // Sources are independent: ask them in parallel, each with its own deadlines.
  const available = await Promise.all(sourcesToList(spec, settings).map((s) => s.available(ctx)));
  const result = { installed, available };
  return available.some((a) => a.reachable) ? result : outcome(result, ExitCode.environment);
}

export function render(result: EtcdListResult): string {
  let out = renderTable({
    head: ['VERSION', 'SOURCE', 'FILES', 'PATH'],
    rows: result.installed.map((i) => [i.version, i.source, i.files.join(', '), i.dir]),
  });
  if (result.installed.length === 0) out = 'no etcd versions installed (upshift etcd install VERSION)\n';
  for (const a of result.available ?? []) {
    out += `\nsource ${a.source}${a.origin ? ` (${a.origin})` : ''}: `;
    if (!a.reachable) {
      out += `not available: ${a.error ?? 'unknown error'}\n`;
      continue;
    }
    out += `${a.versions.length} version(s)\n`;
    if (a.versions.length) out += renderTable({ head: ['VERSION', 'WHERE'], rows: a.versions.map((v) => [v.version, v.detail ?? '']) });
    if (a.error) out += `  note: ${a.error}\n`;
    for (const w of a.warnings ?? []) out += `  warning: ${w}\n`;
  }
  return out;
}
