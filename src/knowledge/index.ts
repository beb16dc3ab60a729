/**
 * The etcd knowledge base: typed data with sources (./data) and the lookups the planner, the status
 * auditor and the upgrade executor use. Everything here is pure and synchronous.
 */
import semver from 'semver';
import type {
  Advisory, DowngradeSupport, FlagRule, HopRule, KnownBadPatch, Minor, PatchFloor, PatchRule, ReleaseLine, Version,
} from './types.js';
import { releaseLines, knownBadPatches as badPatchData, shippedEdition, preReleases } from './data/releases.js';
import { activeCatalog, catalogWith, shippedCatalog, withCatalog } from './active.js';
import { versionStanding, type VersionStanding } from './catalog.js';
import { advisories } from './data/advisories.js';
import { flagRules as flagRuleData, unknownSettingReaction, reactionText } from './data/flag-rules.js';
import { downgradeSupport as downgradeData, hopRules as hopRuleData, patchFloors, patchRules as patchRuleData, upgradePolicy } from './data/upgrade-rules.js';
import { serverFlagSets } from './data/server-flags.generated.js';

export type * from './types.js';
export { releaseLines, advisories, upgradePolicy, unknownSettingReaction, reactionText, serverFlagSets, shippedEdition, preReleases };
export { activeCatalog, catalogWith, shippedCatalog, withCatalog };
export { buildCatalog, versionStanding, type VersionStanding, type VersionStandingKind, type LearnedRelease, type LearnedKnowledge, type ReleaseCatalog, type CatalogLine } from './catalog.js';
export { flagRuleData as allFlagRules, hopRuleData as allHopRules, patchFloors, downgradeData as allDowngradeSupport };

// ---------------------------------------------------------------- versions

export interface ParsedVersion {
  major: number;
  minor: number;
  patch: number;
  /** `X.Y.Z` */
  version: Version;
  /** `X.Y` */
  line: Minor;
}

/** Parse `3.5.1` / `v3.5.1` (full release versions only). Undefined for anything else. */
export function parseVersion(v: string): ParsedVersion | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(v.trim());
  if (!m) return undefined;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return { major, minor, patch, version: `${major}.${minor}.${patch}`, line: `${major}.${minor}` };
}

/** Parse `3.5` / `v3.5` (a minor line). */
export function parseMinor(v: string): Minor | undefined {
  const m = /^v?(\d+)\.(\d+)$/.exec(v.trim());
  return m ? `${Number(m[1])}.${Number(m[2])}` : undefined;
}

export function minorOf(v: Version): Minor {
  const p = parseVersion(v);
  if (!p) throw new Error(`not a version: ${v}`);
  return p.line;
}

/** Compare full versions (semver order; pre-releases sort before the release). */
export function compareVersions(a: Version, b: Version): number {
  return semver.compare(a, b);
}

/** Compare minor lines `X.Y`. */
export function compareMinors(a: Minor, b: Minor): number {
  return compareVersions(`${a}.0`, `${b}.0`);
}

/** The next minor line (3.5 -> 3.6). */
export function nextMinor(m: Minor): Minor {
  const [maj, min] = m.split('.').map(Number);
  return `${maj}.${(min ?? 0) + 1}`;
}

export function previousMinor(m: Minor): Minor {
  const [maj, min] = m.split('.').map(Number);
  return `${maj}.${(min ?? 0) - 1}`;
}

// ---------------------------------------------------------------- releases
// Release lookups answer from the active catalogue (./active.ts): the shipped lines, plus releases a
// `knowledge update` learned when the command runs with them.

export function releaseLine(minor: Minor): ReleaseLine | undefined {
  return activeCatalog().lines.get(minor)?.line;
}

/** Known minor lines, oldest first. */
export function knownMinors(): Minor[] {
  return [...activeCatalog().lines.keys()].sort(compareMinors);
}

export function latestPatch(minor: Minor): Version | undefined {
  const l = releaseLine(minor);
  return l ? `${l.minor}.${l.latestPatch}` : undefined;
}

/** Every released version of a line the data lists, oldest first. */
export function releasedPatches(minor: Minor): Version[] {
  const e = activeCatalog().lines.get(minor);
  if (!e) return [];
  const shippedUpTo = e.shipped ? e.shipped.latestPatch : -1;
  return [...Array.from({ length: shippedUpTo + 1 }, (_, i) => `${minor}.${i}`), ...e.learned.map((r) => r.version)];
}

/** Oldest and newest release the knowledge base knows, e.g. for "known range 3.2.0-3.7.1". */
export function knownRange(): { oldest: Version; newest: Version; text: string } {
  const minors = knownMinors();
  const oldest = `${minors[0]}.0`;
  const newest = latestPatch(minors[minors.length - 1]!)!;
  return {
    oldest,
    newest,
    text: `${oldest} to ${newest} (latest: ${minors.map((m) => latestPatch(m)).join(', ')})`,
  };
}

/** What the data says about `v`: released, learned, newer than the data, never released, ... */
export function standingOf(v: string): VersionStanding {
  return versionStanding(activeCatalog(), v);
}

/**
 * True when the data lists `v` as published (shipped or learned). A patch newer than the data is not
 * "known" but still accepted (see `isAcceptedVersion`); 3.4.46 (after the final 3.4 release) is neither.
 */
export function isKnownVersion(v: string): boolean {
  const k = standingOf(v).kind;
  return k === 'released' || k === 'learned';
}

/** True when upshift plans, checks and upgrades from/to `v`: known, or a patch newer than the data of a supported line. */
export function isAcceptedVersion(v: string): boolean {
  return standingOf(v).accepted;
}

/** How current the knowledge in effect is: releases checked when, notes read up to when, what was learned. */
export function knowledgeEdition(): KnowledgeStamp {
  const c = activeCatalog();
  const learnedCount = c.learned ? [...c.lines.values()].reduce((n, l) => n + l.learned.length, 0) : 0;
  return {
    releasesCheckedAt: c.learned?.checkedAt && c.learned.checkedAt.slice(0, 10) > c.edition.releasesCheckedAt ? c.learned.checkedAt.slice(0, 10) : c.edition.releasesCheckedAt,
    newestRelease: c.edition.newestRelease.version,
    newestReleaseDate: c.edition.newestRelease.date,
    notesAsOf: c.edition.notesAsOf,
    shipped: shippedEdition.releasesCheckedAt,
    ...(c.learned ? { learned: { updatedAt: c.learned.updatedAt, releases: learnedCount } } : {}),
  };
}

/** The `knowledge` field commands add to their JSON (and the line they print). */
export interface KnowledgeStamp {
  /** When the release list in effect was last checked (the shipped data's date, or the last update's). */
  releasesCheckedAt: string;
  newestRelease: Version;
  newestReleaseDate: string;
  /** Release notes, advisories and upgrade rules were read up to this date. */
  notesAsOf: string;
  /** Date of the shipped data. */
  shipped: string;
  /** Present when learned releases are merged in. */
  learned?: { updatedAt: string; releases: number };
}

/** One line for tables and stderr: "knowledge: releases to 3.7.4 (2026-11-18), checked 2026-12-06; notes to 2026-08-20". */
export function knowledgeLine(stamp: KnowledgeStamp = knowledgeEdition()): string {
  const learned = stamp.learned
    ? `, updated by \`upshift knowledge update\` ${stamp.learned.updatedAt.slice(0, 10)}${stamp.learned.releases ? ` (${stamp.learned.releases} release${stamp.learned.releases === 1 ? '' : 's'} newer than the shipped data)` : ''}`
    : '';
  return `knowledge: etcd releases to ${stamp.newestRelease} (${stamp.newestReleaseDate}), list checked ${stamp.releasesCheckedAt}${learned}; release notes and advisories to ${stamp.notesAsOf}`;
}

export interface EolStatus {
  version: Version;
  line: Minor;
  status: ReleaseLine['status'] | 'unknown';
  /** Latest patch of the line. */
  latest?: Version;
  /** How many patches behind the latest of its line. */
  patchesBehind?: number;
  finalRelease?: Version;
  note?: string;
  source: string;
}

export function eolStatus(v: Version): EolStatus {
  const p = parseVersion(v);
  if (!p) return { version: v, line: '', status: 'unknown', source: 'upshift knowledge base' };
  const l = releaseLine(p.line);
  if (!l) return { version: p.version, line: p.line, status: 'unknown', source: `upshift knowledge base (line not covered: ${knownMinors().join(', ')})` };
  return {
    version: p.version,
    line: l.minor,
    status: l.status,
    latest: `${l.minor}.${l.latestPatch}`,
    patchesBehind: Math.max(0, l.latestPatch - p.patch),
    ...(l.eol ? { finalRelease: l.eol.finalRelease, note: l.eol.note } : {}),
    source: l.eol?.source ?? l.source,
  };
}

// ---------------------------------------------------------------- ranges, advisories, bad patches

/** Is `v` in the range (>= introduced, < fixed; unfixed ranges cover only the line of `introduced`)? */
export function inRange(v: Version, range: { introduced: Version; fixed?: Version }): boolean {
  if (semver.lt(v, range.introduced)) return false;
  if (range.fixed === undefined) return minorOf(v) === (parseVersion(range.introduced)?.line ?? minorOf(range.introduced.replace(/-.*$/, '')));
  return semver.lt(v, range.fixed);
}

export function affects(adv: Pick<Advisory, 'ranges'>, v: Version): boolean {
  return adv.ranges.some((r) => inRange(v, r));
}

export interface AdvisoryFilter {
  kinds?: readonly Advisory['kind'][];
}

/** Advisories (CVEs and data-integrity bugs) that affect version `v`, in a stable order (by id). */
export function advisoriesAffecting(v: Version, filter: AdvisoryFilter = {}): Advisory[] {
  const p = parseVersion(v);
  if (!p) return [];
  return advisories
    .filter((a) => (!filter.kinds || filter.kinds.includes(a.kind)) && affects(a, p.version))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The fixed version of an advisory on the line of `v` (undefined: not fixed on that line). */
export function fixedInLine(adv: Advisory, line: Minor): Version | undefined {
  for (const r of adv.ranges) if (r.fixed && minorOf(r.fixed) === line) return r.fixed;
  return undefined;
}

/** Known-bad patches `v` falls into (e.g. 3.5.0-3.5.2), with the recommended minimum. */
export function knownBadPatches(v: Version): KnownBadPatch[] {
  const p = parseVersion(v);
  if (!p) return [];
  return badPatchData.filter((b) => inRange(p.version, b.range));
}

export function allKnownBadPatches(): readonly KnownBadPatch[] {
  return badPatchData;
}

// ---------------------------------------------------------------- upgrade rules

export function patchFloor(fromMinor: Minor, toMinor: Minor): PatchFloor | undefined {
  return patchFloors.find((f) => f.fromMinor === fromMinor && f.toMinor === toMinor);
}

export function hopRules(fromMinor: Minor, toMinor: Minor): HopRule[] {
  return hopRuleData.filter((r) => r.fromMinor === fromMinor && r.toMinor === toMinor);
}

/** Rules for a patch upgrade (or any switch) that lands on `v`. */
export function patchRulesFor(v: Version): PatchRule[] {
  return patchRuleData.filter((r) => inRange(v, r.range));
}

/**
 * Patch rules for switching from `from` to `to`: those whose range contains the version we land on
 * (jumping over 3.4.10-3.4.12 to 3.4.45 does not meet the 0700 enforcement).
 */
export function patchRulesBetween(from: Version, to: Version): PatchRule[] {
  return semver.gt(to, from) ? patchRulesFor(to) : [];
}

export function downgradeSupport(fromMinor: Minor, toMinor: Minor): DowngradeSupport | undefined {
  return downgradeData.find((d) => d.fromMinor === fromMinor && d.toMinor === toMinor);
}

// ---------------------------------------------------------------- flags

function sinceMinor(since: string): Minor {
  return parseMinor(since) ?? minorOf(since);
}

/**
 * Flag rules that apply when going from `fromMinor` to `toMinor` (upwards): every rule whose `since`
 * lies in (fromMinor, toMinor]. Sorted by version, then flag, for stable output.
 */
export function flagRules(fromMinor: Minor, toMinor: Minor): FlagRule[] {
  return flagRuleData
    .filter((r) => {
      const m = sinceMinor(r.since);
      return compareMinors(m, fromMinor) > 0 && compareMinors(m, toMinor) <= 0;
    })
    .sort((a, b) => compareMinors(sinceMinor(a.since), sinceMinor(b.since)) || (a.flag < b.flag ? -1 : a.flag > b.flag ? 1 : 0));
}

/** Rules for one flag (optionally with its value) across all versions. */
export function rulesForFlag(flag: string, value?: string): FlagRule[] {
  return flagRuleData.filter(
    (r) => (r.flag === flag || r.yamlKey === flag) && (r.value === undefined || r.value === value) && (r.valuePattern === undefined || (value !== undefined && new RegExp(r.valuePattern).test(value))),
  );
}

/**
 * Is `v` inside the set's range spec? A range that runs to the newest generated tag (`through`) also
 * covers later patches: a patch newer than the generated data is assumed to keep the flags of the last
 * tag seen (patch releases have only ever added flags, which a newer patch then keeps).
 */
function presentIn(spec: string | undefined, v: ParsedVersion, through: string): boolean {
  if (spec === undefined) return false;
  if (spec === '*') return true;
  const [lo, hi] = spec.split('-') as [string, string];
  return semver.gte(v.version, lo) && (semver.lte(v.version, hi) || hi === through);
}

/** Does the etcd server of version `v` define the command-line flag? Undefined for unknown lines. */
export function flagExists(flag: string, v: Version): boolean | undefined {
  const p = parseVersion(v);
  const set = p && serverFlagSets[p.line];
  if (!p || !set) return undefined;
  return presentIn(set.flags[flag], p, set.through);
}

/** Does the `--config-file` reader of version `v` know the top-level YAML key? */
export function yamlKeyExists(key: string, v: Version): boolean | undefined {
  const p = parseVersion(v);
  const set = p && serverFlagSets[p.line];
  if (!p || !set) return undefined;
  return presentIn(set.yamlKeys[key], p, set.through);
}

/** Does the YAML reader of `v` know this key inside client-/peer-transport-security? */
export function securityKeyExists(key: string, v: Version): boolean | undefined {
  const p = parseVersion(v);
  const set = p && serverFlagSets[p.line];
  if (!p || !set) return undefined;
  return presentIn(set.securityKeys[key], p, set.through);
}

/** Flag -> ETCD_* environment variable name (etcd@v3.5.33:pkg/flags/flag.go FlagToEnv). */
export function flagToEnv(flag: string): string {
  return `ETCD_${flag.toUpperCase().replace(/-/g, '_')}`;
}

export { auditVersion, staleFindings, type VersionFinding, type AuditOptions } from './audit.js';
