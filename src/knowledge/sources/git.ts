/**
 * A local etcd git checkout (or mirror) as a source: its release tags `vX.Y.Z` and their dates
 * (`git for-each-ref`, creatordate: the tag's date for annotated tags, the commit's for lightweight ones).
 * Module tags (`api/v3.6.1`) are skipped; they repeat the release tags. Needs git on PATH.
 */
import semver from 'semver';
import { errorMessage } from '../../core/errors.js';
import { runProcessGroup } from '../../core/subprocess.js';
import type { FoundRelease, SourceResult } from '../merge.js';

/** Parse `for-each-ref` lines `<tag>\t<iso date>\t<object>` into releases and pre-releases. */
export function releasesFromTags(text: string, dir: string): { releases: FoundRelease[]; preReleases: FoundRelease[] } {
  const releases: FoundRelease[] = [];
  const preReleases: FoundRelease[] = [];
  for (const line of text.split('\n')) {
    const [tag, date, object] = line.trim().split('\t');
    if (!tag || !/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(tag)) continue;
    const v = semver.valid(tag.slice(1));
    if (!v) continue;
    const found: FoundRelease = { version: v, date: date || undefined, source: `git:${dir} tag ${tag}${object ? ` (${object.slice(0, 12)})` : ''}` };
    (semver.prerelease(v) ? preReleases : releases).push(found);
  }
  return { releases, preReleases };
}

export async function learnFromGit(opts: { dir: string; env: NodeJS.ProcessEnv; signal: AbortSignal; deadlineMs: number }): Promise<SourceResult> {
  const source = `git ${opts.dir}`;
  const r = await runProcessGroup('git', ['-C', opts.dir, 'for-each-ref', '--format=%(refname:short)%09%(creatordate:iso-strict)%09%(objectname)', 'refs/tags/v*'], {
    env: opts.env,
    deadlineMs: opts.deadlineMs,
    signal: opts.signal,
  });
  const out: { ok: true; text: string } | { ok: false; error: string } = r.code === 0
    ? { ok: true, text: r.stdout }
    : { ok: false, error: r.spawnError?.code === 'ENOENT' ? 'git is not on PATH (needed to read a checkout\'s tags)' : r.timedOut ? `git gave no answer within ${opts.deadlineMs} ms` : (r.stderr.trim() || (r.spawnError ? errorMessage(r.spawnError) : `git exited ${r.code ?? r.signal}`)) };
  if (!out.ok) return { check: { source, kind: 'git', ok: false, versions: 0, error: out.error }, releases: [], preReleases: [], absent: [], notes: [] };
  const { releases, preReleases } = releasesFromTags(out.text, opts.dir);
  if (releases.length === 0) {
    return { check: { source, kind: 'git', ok: false, versions: 0, error: `${opts.dir} has no etcd release tags (v3.X.Y); is it an etcd-io/etcd clone with tags (git fetch --tags)?` }, releases: [], preReleases: [], absent: [], notes: [] };
  }
  return { check: { source, kind: 'git', ok: true, versions: releases.length }, releases, preReleases, absent: [], notes: [] };
}
