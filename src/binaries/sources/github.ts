/**
 * The `github` source: etcd's official release archives, laid out as
 *   BASE/vX.Y.Z/etcd-vX.Y.Z-linux-ARCH.tar.gz  and  BASE/vX.Y.Z/SHA256SUMS
 * (the layout of https://github.com/etcd-io/etcd/releases/download, etcd@v3.5.30:scripts/release.sh
 * publishes both). A mirror with the same layout works through --base-url.
 */
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import * as tar from 'tar';
import { EnvironmentError, ProblemError, isUpshiftError, errorMessage } from '../../core/errors.js';
import { downloadToFile, fetchText } from '../http.js';
import { BINARY_NAMES } from '../probe.js';
import type { BinaryName } from '../layout.js';
import { compareVersions, unknownVersion, type AvailableReport, type BinarySource, type FetchedBinaries, type SourceContext } from './source.js';

export const DEFAULT_GITHUB_BASE = 'https://github.com/etcd-io/etcd/releases/download';
const GITHUB_RELEASES_API = 'https://api.github.com/repos/etcd-io/etcd/releases?per_page=100';

export interface GithubSourceOptions {
  baseUrl?: string;
  /** Deadline for each small request (SHA256SUMS, listings). */
  requestDeadlineMs: number;
  /** Deadline for each archive download. */
  downloadDeadlineMs: number;
  /** Platform override for tests; default from process.platform/arch. */
  platform?: string;
}

/** `linux-amd64`, `linux-arm64`, ...: etcd's archive platform names. */
export function releasePlatform(platform = process.platform, arch = process.arch): string {
  const goArch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x' };
  const a = goArch[arch];
  if (platform !== 'linux' || !a) {
    // darwin/windows releases are .zip archives; upshift runs etcd members locally only on Linux.
    throw new EnvironmentError('unsupported-platform', `no etcd release archive for ${platform}/${arch} in the tar.gz layout upshift reads`, {
      hint: 'use --source dir:PATH with binaries you already have',
    });
  }
  return `linux-${a}`;
}

/** Parse `sha256sum` output (`HASH  NAME` or `HASH *NAME`) into name -> hash. */
export function parseSha256Sums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-fA-F]{64})\s+\*?(\S+)\s*$/.exec(line.trim());
    if (m) out.set(m[2]!.replace(/^\.\//, ''), m[1]!.toLowerCase());
  }
  return out;
}

/** Release versions linked from an HTML directory listing or a GitHub API answer (`vX.Y.Z`). */
export function versionsFromListing(text: string): string[] {
  const set = new Set<string>();
  for (const m of text.matchAll(/(?:href="|"tag_name":\s*")\.?\/?v(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)\/?"/g)) set.add(m[1]!);
  return [...set].sort(compareVersions);
}

export class GithubSource implements BinarySource {
  readonly name = 'github';
  readonly base: string;
  constructor(private readonly opts: GithubSourceOptions) {
    this.base = (opts.baseUrl ?? DEFAULT_GITHUB_BASE).replace(/\/+$/, '');
  }

  async fetch(version: string, workDir: string, ctx: SourceContext): Promise<FetchedBinaries> {
    const platform = this.opts.platform ?? releasePlatform();
    const archive = `etcd-v${version}-${platform}.tar.gz`;
    const sumsUrl = `${this.base}/v${version}/SHA256SUMS`;
    const archiveUrl = `${this.base}/v${version}/${archive}`;
    const sums = await fetchText(sumsUrl, ctx, this.opts.requestDeadlineMs);
    if (sums.status === 404) throw unknownVersion('github', version, await this.offeredQuietly(ctx), `${sumsUrl} not found`);
    if (sums.status !== 200) throw httpError(sumsUrl, sums.status);
    const expected = parseSha256Sums(sums.text).get(archive);
    if (!expected) {
      throw new ProblemError('checksum-missing', `${sumsUrl} lists no checksum for ${archive}`, {
        hint: 'the release does not ship this platform, or the mirror is incomplete',
      });
    }
    const archivePath = join(workDir, archive);
    const got = await downloadToFile(archiveUrl, archivePath, ctx, this.opts.downloadDeadlineMs);
    if (got.status === 404) throw unknownVersion('github', version, await this.offeredQuietly(ctx), `${archiveUrl} not found`);
    if (got.status !== 200) throw httpError(archiveUrl, got.status);
    if (got.sha256 !== expected) throw checksumMismatch(archive, archiveUrl, expected, got.sha256!, sumsUrl);
    const outDir = join(workDir, 'extract');
    await mkdir(outDir);
    // Only the three binaries are taken; strip the `etcd-vX.Y.Z-linux-amd64/` top directory.
    await tar.x({
      file: archivePath,
      cwd: outDir,
      strip: 1,
      filter: (p) => BINARY_NAMES.some((b) => p.split('/').length === 2 && p.endsWith(`/${b}`)),
    });
    const files: Partial<Record<BinaryName, string>> = {};
    const origins: Partial<Record<BinaryName, string>> = {};
    for (const b of BINARY_NAMES) {
      const p = join(outDir, b);
      if (existsSync(p)) {
        files[b] = p;
        origins[b] = `${archiveUrl}#${b}`;
      }
    }
    return { source: 'github', files, origins, detail: { archiveUrl, archiveSha256: expected, sha256SumsUrl: sumsUrl } };
  }

  /** The offered versions, or undefined when they cannot be listed (used to enrich unknown-version errors). */
  private async offeredQuietly(ctx: SourceContext): Promise<string[] | undefined> {
    const r = await this.available(ctx).catch(() => undefined);
    return r?.reachable ? r.versions.map((v) => v.version) : undefined;
  }

  async available(ctx: SourceContext): Promise<AvailableReport> {
    // GitHub's release pages are not a plain listing; its API is. A mirror is read as a directory listing.
    const url = this.base === DEFAULT_GITHUB_BASE ? GITHUB_RELEASES_API : `${this.base}/`;
    const report: AvailableReport = { source: 'github', origin: this.base, reachable: false, versions: [] };
    try {
      const r = await fetchText(url, ctx, this.opts.requestDeadlineMs);
      if (r.status !== 200) {
        report.error = `${url} answered HTTP ${r.status}`;
        return report;
      }
      report.reachable = true;
      report.versions = versionsFromListing(r.text).map((version) => ({ version, detail: `${this.base}/v${version}/` }));
      if (report.versions.length === 0) report.error = `${url} lists no releases (a mirror must serve a directory listing)`;
    } catch (e) {
      report.error = isUpshiftError(e) ? e.message : errorMessage(e);
    }
    return report;
  }
}

function httpError(url: string, status: number): EnvironmentError {
  return new EnvironmentError('http-error', `${url} answered HTTP ${status}`, { hint: 'check the URL or mirror (--base-url)', details: { url, status } });
}

/**
 * A checksum mismatch exits 1 (ProblemError): the download ran and its verification failed (SPEC's
 * "verification failed"); nothing is installed.
 */
export function checksumMismatch(file: string, url: string, expected: string, actual: string, against: string): ProblemError {
  return new ProblemError('checksum-mismatch', `checksum mismatch for ${file} from ${url}: expected sha256 ${expected} (${against}), got ${actual}`, {
    hint: 'the download or the mirror is corrupt or tampered with; nothing was installed',
    details: { file, url, expected, actual },
  });
}
