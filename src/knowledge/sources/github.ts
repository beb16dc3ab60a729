/**
 * GitHub releases of etcd-io/etcd as a source: `GET <api>/repos/etcd-io/etcd/releases?per_page=100&page=N`
 * (https://docs.github.com/en/rest/releases/releases#list-releases): `tag_name`, `published_at`,
 * `prerelease`, `draft`. Unauthenticated (60 requests an hour is plenty for a few pages); a GitHub
 * Enterprise or mirror API base can be given. Unreachable or rate-limited: a failed source, never a throw.
 */
import semver from 'semver';
import { fetchText, type HttpContext } from '../../binaries/http.js';
import { errorMessage } from '../../core/errors.js';
import type { FoundRelease, SourceResult } from '../merge.js';

export const DEFAULT_GITHUB_API = 'https://api.github.com';
const REPO = 'etcd-io/etcd';
/** Pages of 100 releases: etcd has ~300 releases; the newest come first, so few pages are ever needed. */
const MAX_PAGES = 5;

interface GithubRelease {
  tag_name?: string;
  published_at?: string | null;
  prerelease?: boolean;
  draft?: boolean;
}

/** Releases and pre-releases in one page of the API's answer (drafts and non-version tags skipped). */
export function releasesFromPage(json: unknown, where: string): { releases: FoundRelease[]; preReleases: FoundRelease[] } {
  const releases: FoundRelease[] = [];
  const preReleases: FoundRelease[] = [];
  if (!Array.isArray(json)) throw new Error('not a list of releases');
  for (const r of json as GithubRelease[]) {
    if (r.draft || !r.tag_name) continue;
    const v = semver.valid(r.tag_name.replace(/^v/, ''));
    if (!v || !r.tag_name.startsWith('v')) continue;
    const found: FoundRelease = { version: v, date: r.published_at ?? undefined, source: `github:${where} ${REPO} release ${r.tag_name}` };
    (semver.prerelease(v) ? preReleases : releases).push(found);
  }
  return { releases, preReleases };
}

export async function learnFromGithub(opts: { api?: string | undefined; http: HttpContext; deadlineMs: number; stopBelow?: string | undefined }): Promise<SourceResult> {
  const api = (opts.api ?? DEFAULT_GITHUB_API).replace(/\/+$/, '');
  const source = `github ${api}`;
  const releases: FoundRelease[] = [];
  const preReleases: FoundRelease[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const url = `${api}/repos/${REPO}/releases?per_page=100&page=${page}`;
    let res: { status: number; text: string };
    try {
      res = await fetchText(url, opts.http, opts.deadlineMs);
    } catch (e) {
      return failed(source, errorMessage(e));
    }
    if (res.status !== 200) {
      const why = res.status === 403 || res.status === 429 ? ' (rate limit: try again later)' : '';
      return failed(source, `${url}: HTTP ${res.status}${why}`);
    }
    let got: ReturnType<typeof releasesFromPage>;
    try {
      got = releasesFromPage(JSON.parse(res.text), api);
    } catch (e) {
      return failed(source, `${url}: ${errorMessage(e)}`);
    }
    releases.push(...got.releases);
    preReleases.push(...got.preReleases);
    if (got.releases.length + got.preReleases.length === 0) break;
    // Pages run newest first: once a page reaches below what the caller knows, older pages add nothing.
    if (opts.stopBelow && got.releases.some((r) => semver.lt(r.version, opts.stopBelow!))) break;
  }
  return { check: { source, kind: 'github', ok: true, versions: releases.length }, releases, preReleases, absent: [], notes: [] };
}

function failed(source: string, error: string): SourceResult {
  return { check: { source, kind: 'github', ok: false, versions: 0, error }, releases: [], preReleases: [], absent: [], notes: [] };
}
