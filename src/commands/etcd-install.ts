/**
 * `upshift etcd install VERSION... [--source auto|github|debian|dir:PATH] [--base-url URL]`
 * Installs each version into $UPSHIFT_HOME/etcd/VERSION/ (see src/binaries/install.ts). Versions are
 * handled one after another; each is reported, and the command fails at the end (not at the first
 * error) with the exit code of the first failure: 2 unknown version, 3 unreachable source or missing
 * tool, 1 checksum mismatch / damaged install.
 */
import { ExitCode, UsageError, isUpshiftError, errorMessage, type ExitCodeValue } from '../core/errors.js';
import { note, type CommandContext } from '../core/context.js';
import { parseDuration } from '../core/duration.js';
import { renderTable, formatBytes } from '../core/output.js';
import { installVersion, type InstallReport } from '../binaries/install.js';
import { DirSource } from '../binaries/sources/dir.js';
import { DEFAULT_BUILD_DEADLINE_MS, makeSource, parseSourceSpec } from '../binaries/sources/resolve.js';
import { normalizeVersion } from '../binaries/sources/source.js';
import { outcome } from './command.js';
import type { CommandOutcome } from '../core/errors.js';

export interface EtcdInstallOptions {
  versions: string[];
  source?: string;
  baseUrl?: string;
  force?: boolean;
  refresh?: boolean;
  /**
   * Deadline of each download (default 10m) or, for --source go, of each build step (default 30m); and of
   * waiting for a concurrent install of the same version.
   */
  timeout?: string;
  /** Deadline of each small request (listings, checksums, Release files). */
  requestTimeout?: string;
  output?: string;
}

export type EtcdInstallEntry =
  | ({ ok: true } & InstallReport)
  | { version: string; ok: false; error: { code: string; message: string; hint?: string; exitCode: ExitCodeValue } };

export interface EtcdInstallResult {
  ok: boolean;
  versions: EtcdInstallEntry[];
}

export async function run(opts: EtcdInstallOptions, ctx: CommandContext): Promise<EtcdInstallResult | CommandOutcome<EtcdInstallResult>> {
  const spec = parseSourceSpec(opts.source);
  const downloadDeadlineMs = parseDuration(opts.timeout ?? '10m', '--timeout');
  const buildDeadlineMs = opts.timeout ? downloadDeadlineMs : DEFAULT_BUILD_DEADLINE_MS;
  const requestDeadlineMs = parseDuration(opts.requestTimeout ?? '20s', '--request-timeout');
  if (opts.baseUrl && !/^https?:\/\//.test(opts.baseUrl)) {
    throw new UsageError(`--base-url: "${opts.baseUrl}" is not an http(s) URL`, { hint: 'e.g. --base-url https://mirror.example/etcd/releases' });
  }
  if (opts.baseUrl && spec.kind !== 'github' && spec.kind !== 'auto') {
    throw new UsageError(`--base-url applies to --source github, not ${opts.source}`, { hint: 'drop --base-url or use --source github' });
  }
  let versions = [...new Set(opts.versions.map(normalizeVersion))];
  if (versions.length === 0) {
    if (spec.kind !== 'dir') throw new UsageError('etcd install: give at least one VERSION', { hint: 'e.g. upshift etcd install 3.5.30' });
    // dir: without a version installs whatever the directory holds.
    versions = [await new DirSource(spec.path).version()];
  }
  // One source object for all versions, so Debian discovery and apt indices are read once per run.
  const source = makeSource(spec, { requestDeadlineMs, downloadDeadlineMs, buildDeadlineMs, refresh: !!opts.refresh, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}) });
  const entries: EtcdInstallEntry[] = [];
  let exitCode: ExitCodeValue = ExitCode.ok;
  for (const version of versions) {
    try {
      // Another process may be building the same version from Go modules: wait as long as a build may take.
      const r = await installVersion(version, () => source, ctx, { force: !!opts.force, lockWaitMs: Math.max(downloadDeadlineMs, buildDeadlineMs) });
      entries.push({ ok: true, ...r });
      note(ctx, `etcd ${r.version}: ${r.action} (source ${r.source}) in ${r.dir}`);
    } catch (e) {
      if (!isUpshiftError(e)) throw e;
      if (ctx.signal.aborted) throw e;
      const error = { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}), exitCode: e.exitCode };
      entries.push({ version, ok: false, error });
      note(ctx, `etcd ${version}: FAILED: ${errorMessage(e)}${e.hint ? `\n  hint: ${e.hint}` : ''}`);
      if (exitCode === ExitCode.ok) exitCode = e.exitCode;
    }
  }
  const result: EtcdInstallResult = { ok: exitCode === ExitCode.ok, versions: entries };
  return exitCode === ExitCode.ok ? result : outcome(result, exitCode);
}

export function render(result: EtcdInstallResult): string {
  const ok = result.versions.filter((v): v is Extract<EtcdInstallEntry, { ok: true }> => v.ok);
  const failed = result.versions.filter((v): v is Extract<EtcdInstallEntry, { ok: false }> => !v.ok);
  let out = ok.length
    ? renderTable({
        head: ['VERSION', 'RESULT', 'SOURCE', 'FILES', 'PATH'],
        rows: ok.map((v) => [
          v.version,
          v.action,
          v.source,
          Object.entries(v.files)
            .map(([b, f]) => `${b} (${formatBytes(f!.size)})`)
            .join(', '),
          v.dir,
        ]),
      })
    : '';
  for (const f of failed) out += `etcd ${f.version}: FAILED (${f.error.code}): ${f.error.message}\n${f.error.hint ? `  hint: ${f.error.hint}\n` : ''}`;
  return out;
}
