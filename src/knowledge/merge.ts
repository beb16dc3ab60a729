/**
 * Merging what refresh sources found into the learned knowledge. Pure (the clock comes in as `now`), so
 * the rules are unit-tested: the shipped data wins for what it lists; the first source that told a fact
 * keeps it (with its date), unless a later one adds a release date the first lacked; a version some source
 * lists is never "absent"; a run where every source failed changes nothing.
 */
import semver from 'semver';
import type { LearnedRelease } from './catalog.js';
import type { ReleaseLine } from './types.js';
import { LEARNED_SCHEMA, type LearnedFile, type SourceCheck } from './store.js';

/** A release (or pre-release) a source says exists. */
export interface FoundRelease {
  /** `X.Y.Z` or `X.Y.Z-pre` */
  version: string;
  /** Release time (ISO 8601) when the source tells it. */
  date?: string | undefined;
  /** The exact place, e.g. `proxy:https://proxy.golang.org go.etcd.io/etcd/server/v3@v3.6.18`. */
  source: string;
}

/** What one source answered. */
export interface SourceResult {
  check: Omit<SourceCheck, 'at'>;
  releases: FoundRelease[];
  preReleases: FoundRelease[];
  /** Versions every module of the source was asked for and did not have. */
  absent: { version: string; source: string }[];
  /** Remarks for the user (settings used, what was skipped). */
  notes: string[];
}

const RELEASE = /^(\d+)\.(\d+)\.(\d+)$/;

/**
 * Whether the shipped data already settles `version`: listed, on an end-of-life line, or on a line older
 * than every shipped one (3.1 and before are outside what upshift plans; a git clone has their tags).
 */
export function shippedCovers(version: string, shipped: readonly ReleaseLine[]): boolean {
  const v = semver.valid(version);
  if (!v) return false;
  const minor = `${semver.major(v)}.${semver.minor(v)}`;
  const line = shipped.find((l) => l.minor === minor);
  if (line) return semver.prerelease(v) !== null || semver.patch(v) <= line.latestPatch || line.status === 'eol';
  return shipped.length > 0 && semver.lt(`${minor}.0`, `${shipped[shipped.length - 1]!.minor}.0`);
}

function toLearned(f: FoundRelease, now: string): LearnedRelease {
  return { version: f.version, ...(f.date ? { date: f.date } : {}), source: f.source, learnedAt: now };
}

function mergeList(current: readonly LearnedRelease[], found: readonly FoundRelease[], keep: (v: string) => boolean, now: string): { list: LearnedRelease[]; added: LearnedRelease[] } {
  const byVersion = new Map(current.map((r) => [r.version, r]));
  const added: LearnedRelease[] = [];
  for (const f of found) {
    if (!keep(f.version)) continue;
    const old = byVersion.get(f.version);
    if (!old) {
      const rec = toLearned(f, now);
      byVersion.set(f.version, rec);
      added.push(rec);
    } else if (!old.date && f.date) {
      byVersion.set(f.version, toLearned(f, now));
    }
  }
  const list = [...byVersion.values()].filter((r) => keep(r.version)).sort((a, b) => semver.compare(a.version, b.version));
  return { list, added: added.sort((a, b) => semver.compare(a.version, b.version)) };
}

/**
 * The learned file after a refresh. Returns `undefined` for the file when no source answered (keep what
 * is stored). `added` lists releases no earlier refresh had.
 */
export function mergeLearned(
  current: LearnedFile | undefined,
  results: readonly SourceResult[],
  shipped: readonly ReleaseLine[],
  now: string,
): { file: LearnedFile | undefined; added: LearnedRelease[] } {
  const ok = results.filter((r) => r.check.ok);
  if (ok.length === 0) return { file: undefined, added: [] };
  const isRelease = (v: string): boolean => RELEASE.test(v) && !shippedCovers(v, shipped);
  // Pre-releases matter only for lines newer than the shipped ones (3.8.0-alpha.0, not 3.7.0-rc.0).
  const isPre = (v: string): boolean => semver.valid(v) !== null && semver.prerelease(v) !== null && !shippedCovers(v, shipped);
  const rel = mergeList(current?.releases ?? [], ok.flatMap((r) => r.releases), isRelease, now);
  const pre = mergeList(current?.preReleases ?? [], ok.flatMap((r) => r.preReleases), isPre, now);
  const listed = new Set([...rel.list.map((r) => r.version), ...ok.flatMap((r) => r.releases.map((f) => f.version))]);
  const absentByVersion = new Map((current?.absent ?? []).map((a) => [a.version, a]));
  for (const r of ok) for (const a of r.absent) if (!absentByVersion.has(a.version)) absentByVersion.set(a.version, { ...a, checkedAt: now });
  const absent = [...absentByVersion.values()].filter((a) => !listed.has(a.version) && !shippedCovers(a.version, shipped)).sort((a, b) => semver.compare(a.version, b.version));
  const asked = new Set(results.map((r) => r.check.source));
  const checks: SourceCheck[] = [
    ...results.map((r) => ({ ...r.check, at: now })),
    ...(current?.checks ?? []).filter((c) => !asked.has(c.source)),
  ];
  const live = ok.some((r) => r.check.kind === 'proxy' || r.check.kind === 'github');
  const checkedAt = live ? now : current?.checkedAt;
  return {
    file: { schema: LEARNED_SCHEMA, updatedAt: now, ...(checkedAt ? { checkedAt } : {}), releases: rel.list, preReleases: pre.list, ...(absent.length ? { absent } : {}), checks },
    added: rel.added,
  };
}
