/**
 * The etcd binaries an upgrade path needs, and what to do about the missing ones — pure, from what is
 * installed and what each binary source said it offers (src/binaries/availability.ts gathers that, asking
 * every source's `available()`, so any source plugs in). For each version on the path that is not
 * installed: which sources offer it (and the install command), or that no source that answered has it.
 * When the one missing is a recommended intermediate (the latest patch of a minor on the way, or the patch
 * floor before the next minor) and nobody has it: the obtainable patches of that minor that would do
 * (checked against the planner's own path rules: patch floors), the `--via` that picks the best of them,
 * and what the recommended patch fixes that it lacks (knowledge base: advisories, bad patches, minimums).
 */
import * as kb from '../knowledge/index.js';
import { upgradePath } from '../plan/planner.js';
import type { SourceOffer } from '../binaries/availability.js';


export interface Substitute {
  version: string;
  installed: boolean;
  /** Sources that offer it (when not installed). */
  offeredBy: string[];
  /** What the recommended patch fixes that this one lacks (advisories, upstream warnings), one line each. */
  lacks: string[];
  /** The same, in one sentence: counts and ids, the serious ones spelled out. */
  lacksSummary: string;
}

export interface BinaryNeed {
  version: string;
  /** Why the path goes through it (the planner's hop reason: target, pinned with --via, latest patch of 3.4, ...). */
  reason: string;
  installed: boolean;
  /** Sources that answered and offer it. */
  offeredBy: { source: string; origin: string }[];
  /** The command that installs it, when some source offers it. */
  install?: string | undefined;
  /** A missing intermediate nobody offers: patches of its minor that can be had and would do, best first. */
  substitutes?: Substitute[] | undefined;
}

export interface BinaryReport {
  /** Every version on the path is installed. */
  ok: boolean;
  /** Each version the path moves members to, in path order. */
  versions: BinaryNeed[];
  /** The sources asked (none when nothing was missing). */
  sources: SourceOffer[];
  /** `--via` pins that make the path use obtainable patches, when some intermediate cannot be had. */
  suggestedVia: string[];
  /** One line per missing binary (what the error and the dry run say). */
  problems: string[];
}

export interface PathInput {
  from: string;
  to: string;
  via: readonly string[];
  /** The plan's path (from first) and the reason of each hop (path[i + 1]). */
  path: readonly string[];
  reasons: readonly string[];
}

const intermediate = (reason: string): boolean => reason !== 'target';

/** Would pinning `alt` (instead of any pin of its minor) give a path without blockers through `alt`? */
function wouldDo(input: PathInput, alt: string): boolean {
  const via = [...input.via.filter((v) => kb.minorOf(v) !== kb.minorOf(alt)), alt];
  try {
    const p = upgradePath(input.from, input.to, via);
    return p.path.includes(alt) && !p.findings.some((f) => f.severity === 'blocker');
  } catch {
    return false;
  }
}

/** What `recommended` fixes that `alt` lacks, one line each (advisories by id, upstream warnings about `alt`). */
export function lacks(alt: string, recommended: string): string[] {
  return fixGap(alt, recommended).lines;
}

function fixGap(alt: string, recommended: string): { lines: string[]; summary: string } {
  const fixedLater = new Set(kb.advisoriesAffecting(recommended).map((a) => a.id));
  const missing = kb.advisoriesAffecting(alt).filter((a) => !fixedLater.has(a.id));
  const lines = missing.map((a) => `${a.id} (${a.kind}, ${a.severity}): ${a.summary}`);
  const warnings: string[] = [];
  for (const bad of kb.knownBadPatches(alt)) if (kb.compareVersions(recommended, bad.recommendedMinimum) >= 0) warnings.push(`${bad.id}: ${bad.reason}`);
  const min = kb.releaseLine(kb.minorOf(alt))?.recommendedMinimum;
  if (min && kb.compareVersions(alt, min.version) < 0 && kb.compareVersions(recommended, min.version) >= 0) warnings.push(`below upstream's production minimum ${min.version}: ${min.reason}`);
  // The message names every id and spells out the serious ones; the JSON carries every line.
  const serious = (a: (typeof missing)[number]): boolean => a.severity === 'critical' || a.severity === 'high';
  const group = (kinds: string[], one: string, many: string): string | undefined => {
    const xs = missing.filter((a) => kinds.includes(a.kind));
    if (xs.length === 0) return undefined;
    return `${xs.length} ${xs.length === 1 ? one : many} (${xs.map((a) => (serious(a) ? `${a.id} ${a.severity}: ${a.summary}` : a.id)).join(', ')})`;
  };
  const parts = [group(['cve', 'security'], 'security advisory', 'security advisories'), group(['data-integrity'], 'data-integrity bug', 'data-integrity bugs'), group(['upgrade-blocker'], 'upgrade blocker', 'upgrade blockers'), group(['dependency'], 'dependency advisory', 'dependency advisories'), ...warnings].filter((x): x is string => x !== undefined);
  return { lines: [...lines, ...warnings], summary: parts.join('; ') };
}

export function checkBinaries(input: PathInput, installed: readonly string[], offers: readonly SourceOffer[], installFlags = ''): BinaryReport {
  const have = new Set(installed);
  const answered = offers.filter((o) => o.reachable);
  const offering = (v: string): SourceOffer[] => answered.filter((o) => o.versions.includes(v));
  const silent = offers.filter((o) => !o.reachable).map((o) => `${o.source}${o.error ? `: ${o.error}` : ''}`);
  const asked = [...(answered.length ? [`asked: ${answered.map((o) => o.source).join(', ')}`] : []), ...(silent.length ? [`could not ask ${silent.join('; ')}`] : [])];
  const nobody = `no source that answered offers it${asked.length ? ` (${asked.join('; ')})` : ''}`;
  const versions: BinaryNeed[] = [];
  const problems: string[] = [];
  const suggestedVia: string[] = [];
  input.path.slice(1).forEach((v, i) => {
    const reason = input.reasons[i] ?? '';
    const need: BinaryNeed = { version: v, reason, installed: have.has(v), offeredBy: [] };
    versions.push(need);
    if (need.installed) return;
    need.offeredBy = offering(v).map((o) => ({ source: o.source, origin: o.origin }));
    if (need.offeredBy.length > 0) {
      need.install = `upshift etcd install ${v} --source ${need.offeredBy[0]!.source}${installFlags}`;
      problems.push(`etcd ${v} (${reason}) is not installed; ${need.offeredBy.map((o) => `${o.source} (${o.origin})`).join(', ')} offer${need.offeredBy.length === 1 ? 's' : ''} it: ${need.install}`);
      return;
    }
    let line = `etcd ${v} (${reason}) is not installed, and ${nobody}`;
    if (intermediate(reason)) {
      const minor = kb.minorOf(v);
      const candidates = [...new Set([...installed, ...answered.flatMap((o) => o.versions)])]
        .filter((c) => kb.isKnownVersion(c) && kb.minorOf(c) === minor && c !== v && wouldDo(input, c))
        // Best first: installed ones need nothing more, then the newest.
        .sort((a, b) => Number(have.has(b)) - Number(have.has(a)) || kb.compareVersions(b, a));
      need.substitutes = candidates.map((c) => {
        const gap = fixGap(c, v);
        return { version: c, installed: have.has(c), offeredBy: have.has(c) ? [] : offering(c).map((o) => o.source), lacks: gap.lines, lacksSummary: gap.summary };
      });
      const best = need.substitutes[0];
      if (best) {
        suggestedVia.push(best.version);
        const fixes = best.lacksSummary ? `; ${v} fixes what ${best.version} lacks: ${best.lacksSummary}` : `; ${best.version} lacks no fix upshift knows of in ${v}`;
        line += `. ${minor} patches that can be had and would do: ${need.substitutes.map((s) => `${s.version} (${s.installed ? 'installed' : `from ${s.offeredBy.join(', ')}`})`).join(', ')}: pass --via ${best.version}${best.installed ? '' : ` after \`upshift etcd install ${best.version} --source ${best.offeredBy[0]}${installFlags}\``}${fixes}`;
      } else {
        line += `; no ${minor} patch that would do (patch floors included) is installed or offered either: install one (\`upshift etcd list --available\` shows what the sources have) and pin it with --via`;
      }
    }
    problems.push(line);
  });
  return { ok: versions.every((n) => n.installed), versions, sources: [...offers], suggestedVia, problems };
}
