/**
 * The release catalogue: the shipped release lines merged with releases `upshift knowledge update` learned
 * later (from the Go module proxy, GitHub releases or a git checkout). Pure: built from data, no I/O.
 *
 * What the merged data says about a version (its standing) decides whether commands accept it:
 * - `released`: in the shipped data (patches 0..latestPatch of a shipped line).
 * - `learned`: not in the shipped data, but a source the user reached said it was published.
 * - `newer`: above every known patch of a supported line: released after the data, or a build of the
 *   line's development branch; the rules of its line apply (accepted with a `knowledge-stale` finding).
 * - `never-released`: the data proves it never existed (beyond the final release of an end-of-life line,
 *   or below the newest known patch and not in the list).
 * - `unknown-line`: a minor line with no release the data knows (3.1, 3.9; 3.8 has only a pre-release).
 * - `pre-release`: X.Y.Z-alpha.N and the like; upshift plans releases only.
 */
import semver from 'semver';
import type { KnowledgeEdition, Minor, PreRelease, ReleaseLine, Version } from './types.js';

/** One release a refresh learned, with where and when. */
export interface LearnedRelease {
  /** `X.Y.Z` */
  readonly version: Version;
  /** Release time as the source gave it (ISO 8601), when it gave one. */
  readonly date?: string;
  /** Where the fact came from, e.g. `proxy:https://proxy.golang.org go.etcd.io/etcd/server/v3@v3.6.18`. */
  readonly source: string;
  /** When upshift learned it (ISO 8601). */
  readonly learnedAt: string;
}

/** What a refresh stored: releases and pre-releases beyond the shipped data, and when it last ran. */
export interface LearnedKnowledge {
  readonly updatedAt: string;
  /**
   * When a source that publishes releases as they happen (the module proxy, GitHub) last answered: the
   * date the release list is current to. A git clone is only as current as its last fetch, so it does not count.
   */
  readonly checkedAt?: string;
  readonly releases: readonly LearnedRelease[];
  readonly preReleases: readonly LearnedRelease[];
  /**
   * Patch numbers a refresh asked every source for and none had, below a patch that exists: the data
   * proves they were never released (etcd patch numbers have had no gaps so far, so this is rare).
   */
  readonly absent?: readonly { readonly version: Version; readonly source: string; readonly checkedAt: string }[];
}

export interface CatalogLine {
  readonly minor: Minor;
  /** The shipped line; undefined for a line known only from a refresh (no rules for it ship). */
  readonly shipped?: ReleaseLine;
  /** The effective line: shipped facts with latestPatch/latestDate raised to the newest learned patch. */
  readonly line: ReleaseLine;
  /** Learned releases of this line that the shipped data does not list, oldest first. */
  readonly learned: readonly LearnedRelease[];
}

export interface ReleaseCatalog {
  readonly lines: ReadonlyMap<Minor, CatalogLine>;
  readonly edition: KnowledgeEdition;
  readonly preReleases: readonly (PreRelease | LearnedRelease)[];
  /** Present when learned releases were merged in. */
  readonly learned?: LearnedKnowledge;
}

export type VersionStandingKind = 'released' | 'learned' | 'newer' | 'never-released' | 'unknown-line' | 'pre-release' | 'invalid';

export interface VersionStanding {
  readonly kind: VersionStandingKind;
  /** The input, normalised (`X.Y.Z`, or as given when it does not parse). */
  readonly version: string;
  readonly line?: Minor;
  /** Newest known patch of the line. */
  readonly latest?: Version;
  /** For `learned`: the record. */
  readonly learned?: LearnedRelease;
  /** Whether upshift ships rules (floors, flags, hop rules, advisories) for the line. */
  readonly rules: boolean;
  /** Upshift may plan and upgrade from/to it (released, learned, newer). */
  readonly accepted: boolean;
  /** Why, for messages. */
  readonly reason: string;
}

const FULL = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/;

function byPatch(a: LearnedRelease, b: LearnedRelease): number {
  return semver.compare(a.version, b.version);
}

/** Merge shipped lines and learned releases. Learned entries the shipped data already lists are dropped. */
export function buildCatalog(
  shipped: readonly ReleaseLine[],
  edition: KnowledgeEdition,
  shippedPreReleases: readonly PreRelease[],
  learned?: LearnedKnowledge,
): ReleaseCatalog {
  const lines = new Map<Minor, CatalogLine>();
  const extra = new Map<Minor, LearnedRelease[]>();
  for (const r of learned?.releases ?? []) {
    const m = FULL.exec(r.version);
    if (!m || m[4]) continue;
    const minor = `${Number(m[1])}.${Number(m[2])}`;
    const base = shipped.find((l) => l.minor === minor);
    if (base && (Number(m[3]) <= base.latestPatch || base.status === 'eol')) continue;
    // Lines older than the shipped ones are out of scope (no rules, never planned), whatever a source lists.
    if (!base && shipped.length > 0 && semver.lt(`${minor}.0`, `${shipped[shipped.length - 1]!.minor}.0`)) continue;
    const list = extra.get(minor) ?? [];
    if (!list.some((x) => x.version === r.version)) list.push(r);
    extra.set(minor, list);
  }
  for (const l of shipped) {
    const more = (extra.get(l.minor) ?? []).sort(byPatch);
    const top = more[more.length - 1];
    const line: ReleaseLine = top
      ? { ...l, latestPatch: Number(top.version.split('.')[2]), ...(top.date ? { latestDate: top.date.slice(0, 10) } : {}) }
      : l;
    lines.set(l.minor, { minor: l.minor, shipped: l, line, learned: more });
  }
  for (const [minor, more] of extra) {
    if (lines.has(minor)) continue;
    more.sort(byPatch);
    const top = more[more.length - 1]!;
    lines.set(minor, {
      minor,
      line: {
        minor,
        latestPatch: Number(top.version.split('.')[2]),
        ...(top.date ? { latestDate: top.date.slice(0, 10) } : {}),
        status: 'supported',
        source: `learned: ${more.map((x) => x.source).join('; ')}`,
      },
      learned: more,
    });
  }
  const sorted = new Map([...lines.entries()].sort((a, b) => semver.compare(`${a[0]}.0`, `${b[0]}.0`)));
  // A pre-release stays interesting only while its line has no release.
  const pre = [...shippedPreReleases, ...(learned?.preReleases ?? [])].filter((p, i, all) => {
    const m = FULL.exec(p.version);
    return m && !sorted.has(`${Number(m[1])}.${Number(m[2])}`) && all.findIndex((q) => q.version === p.version) === i;
  });
  const newest = newestOf(sorted, edition);
  return {
    lines: sorted,
    edition: { ...edition, newestRelease: newest },
    preReleases: pre,
    ...(learned ? { learned } : {}),
  };
}

function newestOf(lines: ReadonlyMap<Minor, CatalogLine>, edition: KnowledgeEdition): KnowledgeEdition['newestRelease'] {
  let best = edition.newestRelease;
  for (const l of lines.values()) {
    for (const r of l.learned) {
      if (r.date && r.date.slice(0, 10) > best.date) best = { version: r.version, date: r.date.slice(0, 10), source: r.source };
    }
  }
  return best;
}

/** What the catalogue says about version `v`. */
export function versionStanding(catalog: ReleaseCatalog, v: string): VersionStanding {
  const m = FULL.exec(v.trim());
  if (!m) return { kind: 'invalid', version: v, rules: false, accepted: false, reason: `"${v}" is not an etcd version (X.Y.Z)` };
  const minor = `${Number(m[1])}.${Number(m[2])}`;
  const patch = Number(m[3]);
  const version = `${minor}.${patch}`;
  const entry = catalog.lines.get(minor);
  if (m[4]) {
    return {
      kind: 'pre-release',
      version: `${version}-${m[4]}`,
      line: minor,
      rules: Boolean(entry?.shipped),
      accepted: false,
      reason: `etcd ${version}-${m[4]} is a pre-release; upshift plans and checks releases only`,
    };
  }
  if (!entry) {
    const pre = catalog.preReleases.filter((p) => p.version.startsWith(`${minor}.`)).map((p) => p.version);
    const newest = [...catalog.lines.keys()].pop();
    return {
      kind: 'unknown-line',
      version,
      line: minor,
      rules: false,
      accepted: false,
      reason: pre.length
        ? `etcd ${minor} has no release yet as far as upshift knows (only the pre-release${pre.length > 1 ? 's' : ''} ${pre.join(', ')})`
        : `etcd ${minor} is not a release line upshift knows (newest known: ${newest})`,
    };
  }
  const { line, shipped } = entry;
  const latest = `${minor}.${line.latestPatch}`;
  const rules = Boolean(shipped);
  if (shipped && patch <= shipped.latestPatch) return { kind: 'released', version, line: minor, latest, rules, accepted: true, reason: `etcd ${version} is a release` };
  if (shipped?.status === 'eol' && shipped.eol) {
    return {
      kind: 'never-released',
      version,
      line: minor,
      latest,
      rules,
      accepted: false,
      reason: `etcd ${version} was never released (the ${minor} line is end-of-life; its final release is ${shipped.eol.finalRelease})`,
    };
  }
  const learned = entry.learned.find((r) => r.version === version);
  if (learned) return { kind: 'learned', version, line: minor, latest, learned, rules, accepted: true, reason: `etcd ${version} was published (learned from ${learned.source})` };
  const absent = catalog.learned?.absent?.find((a) => a.version === version);
  if (absent && patch < line.latestPatch) {
    return { kind: 'never-released', version, line: minor, latest, rules, accepted: false, reason: `etcd ${version} was never released (${absent.source} did not have it on ${absent.checkedAt.slice(0, 10)}, and ${latest} exists)` };
  }
  return {
    kind: 'newer',
    version,
    line: minor,
    latest,
    rules,
    accepted: true,
    reason: patch > line.latestPatch ? `etcd ${version} is newer than every ${minor} release upshift knows (newest: ${latest})` : `etcd ${version} lies between the shipped ${minor} patches and the newest learned one (${latest}) and was not confirmed`,
  };
}
