/**
 * `upshift knowledge show`: what upshift knows about etcd releases, how current it is, and where each part
 * came from: the shipped data (with its dates) merged with what `knowledge update` learned into
 * UPSHIFT_HOME (with each source's last answer).
 */
import type { CommandContext } from '../core/context.js';
import { renderTable } from '../core/output.js';
import * as kb from '../knowledge/index.js';
import { daysBetween } from '../knowledge/refresh.js';
import { learnedPath, loadLearned, type SourceCheck } from '../knowledge/store.js';

export interface KnowledgeShowOptions {
  output?: string;
}

export interface KnowledgeLineView {
  minor: string;
  status: 'supported' | 'eol';
  latest: string;
  latestDate: string | null;
  /** Newest patch the shipped data lists (null: a line known only from a refresh). */
  shippedLatest: string | null;
  /** Newest patch whose release notes upshift read (null: all listed patches). */
  notesThrough: string | null;
  /** Whether upshift ships rules (floors, flags, advisories) for the line. */
  rules: boolean;
  finalRelease: string | null;
  recommendedMinimum: string | null;
  /** Minimum patch before upgrading to the next minor. */
  floorToNext: string | null;
  learned: kb.LearnedRelease[];
  source: string;
}

export interface KnowledgeShowResult {
  knowledge: kb.KnowledgeStamp;
  /** Whole days since the release list was last checked. */
  ageDays: number;
  shipped: kb.KnowledgeEdition;
  learned: { file: string; updatedAt: string; checks: SourceCheck[]; absent: { version: string; source: string; checkedAt: string }[] } | null;
  /** A learned store that exists but cannot be used. */
  problem?: string;
  lines: KnowledgeLineView[];
  preReleases: { version: string; date: string | null; source: string }[];
}

export async function run(_opts: KnowledgeShowOptions, ctx: CommandContext): Promise<KnowledgeShowResult> {
  const loaded = await loadLearned(ctx.home);
  // Show what the learned file holds even when the command runs without it in effect (it always is, via the CLI).
  return kb.withCatalog(kb.catalogWith(loaded.file), () => {
    const catalog = kb.activeCatalog();
    const stamp = kb.knowledgeEdition();
    const lines: KnowledgeLineView[] = [...catalog.lines.values()].map((e) => {
      const l = e.line;
      const next = kb.patchFloor(l.minor, kb.nextMinor(l.minor));
      return {
        minor: l.minor,
        status: l.status,
        latest: `${l.minor}.${l.latestPatch}`,
        latestDate: l.latestDate ?? null,
        shippedLatest: e.shipped ? `${l.minor}.${e.shipped.latestPatch}` : null,
        notesThrough: e.shipped?.notesThroughPatch !== undefined ? `${l.minor}.${e.shipped.notesThroughPatch}` : e.shipped ? null : 'none',
        rules: Boolean(e.shipped),
        finalRelease: l.eol?.finalRelease ?? null,
        recommendedMinimum: l.recommendedMinimum?.version ?? null,
        floorToNext: next ? next.minimum : null,
        learned: [...e.learned],
        source: l.source,
      };
    });
    return {
      knowledge: stamp,
      ageDays: daysBetween(stamp.releasesCheckedAt, new Date()),
      shipped: kb.shippedEdition,
      learned: loaded.file ? { file: learnedPath(ctx.home), updatedAt: loaded.file.updatedAt, checks: loaded.file.checks, absent: [...(loaded.file.absent ?? [])] } : null,
      ...(loaded.problem ? { problem: loaded.problem } : {}),
      lines,
      preReleases: catalog.preReleases.map((p) => ({ version: p.version, date: p.date ? p.date.slice(0, 10) : null, source: p.source })),
    };
  });
}

export function render(r: KnowledgeShowResult): string {
  let out = renderTable({
    head: ['LINE', 'STATUS', 'LATEST', 'RELEASED', 'SHIPPED TO', 'NOTES TO', 'LEARNED', 'FLOOR TO NEXT'],
    rows: r.lines.map((l) => [
      l.minor,
      l.status === 'eol' ? `eol (final ${l.finalRelease})` : 'supported',
      l.latest,
      l.latestDate ?? '',
      l.shippedLatest ?? '(none: no rules)',
      l.notesThrough ?? l.shippedLatest ?? '',
      l.learned.map((x) => x.version).join(', '),
      l.floorToNext ?? '',
    ]),
  });
  if (r.preReleases.length) out += `Pre-releases (no release of their line yet): ${r.preReleases.map((p) => `${p.version}${p.date ? ` (${p.date})` : ''}`).join(', ')}\n`;
  out += `\nShipped data: releases checked ${r.shipped.releasesCheckedAt} (newest ${r.shipped.newestRelease.version}, ${r.shipped.newestRelease.date}); release notes, advisories and upgrade rules to ${r.shipped.notesAsOf}\n`;
  out += `  notes: ${r.shipped.notesSource}\n`;
  if (r.learned) {
    out += `Learned (${r.learned.file}), updated ${r.learned.updatedAt}:\n`;
    for (const l of r.lines) for (const x of l.learned) out += `  ${x.version}${x.date ? ` released ${x.date.slice(0, 10)}` : ''}: ${x.source} (learned ${x.learnedAt})\n`;
    for (const a of r.learned.absent) out += `  ${a.version} never released: ${a.source} (checked ${a.checkedAt})\n`;
    out += `  last answers: ${r.learned.checks.map((c) => `${c.source} ${c.ok ? 'ok' : `failed (${c.error})`} at ${c.at}`).join('; ')}\n`;
  } else {
    out += 'Learned: nothing yet (`upshift knowledge update` asks the Go module proxy, GitHub releases or a git checkout)\n';
  }
  if (r.problem) out += `Ignored: ${r.problem}\n`;
  out += `\n${kb.knowledgeLine(r.knowledge)}; ${r.ageDays} day${r.ageDays === 1 ? '' : 's'} old\n`;
  return out;
}
