/**
 * A local etcd git checkout (or mirror) as a source: its release tags `vX.Y.Z` and their dates
 * (`git for-each-ref`, creatordate: the tag's date for annotated tags, the commit's for lightweight ones).
 * Module tags (`api/v3.6.1`) are skipped; they repeat the release tags. Needs git on PATH.
 */
import { execFile } from 'node:child_process';
import semver from 'semver';
import { errorMessage } from '../../core/errors.js';
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
  const out = await new Promise<{ ok: true; text: string } | { ok: false; error: string }>((resolve) => {
    execFile(
      'git',
      ['-C', opts.dir, 'for-each-ref', '--format=%(refname:short)%09%(creatordate:iso-strict)%09%(objectname)', 'refs/tags/v*'],
      { env: opts.env, timeout: opts.deadlineMs, signal: opts.signal, maxBuffer: 1 << 24 },
      (err, stdout, stderr) => {
        if (!err) return resolve({ ok: true, text: String(stdout) });
        const e = err as NodeJS.ErrnoException;
        resolve({ ok: false, error: e.code === 'ENOENT' ? 'git is not on PATH (needed to read a checkout\'s tags)' : (String(stderr).trim() || errorMessage(err)) });
      },
    );
  });
  if (!out.ok) return { check: { source, kind: 'git', ok: false, versions: 0, error: out.error }, releases: [], preReleases: [], absent: [], notes: [] };
  const { releases, preReleases } = releasesFromTags(out.text, opts.dir);
  if (releases.length === 0) {
    return { check: { source, kind: 'git', ok: false, versions: 0, error: `${opts.dir} has no etcd release tags (v3.X.Y); is it an etcd-io/etcd clone with tags (git fetch --tags)?` }, releases: [], preReleases: [], absent: [], notes: [] };
  }
  return { check: { source, kind: 'git', ok: true, versions: releases.length }, releases, preReleases, absent: [], notes: [] };
}
