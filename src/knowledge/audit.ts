/**
 * Findings about a running etcd version, for auditors (`upshift status`) and the planner: end-of-life
 * line, never-released version, patches upstream advises against, below the recommended minimum, and
 * the advisories that affect it. Pure; every finding carries its upstream source.
 */
import type { Finding } from '../core/finding.js';
import * as kb from './index.js';

export type VersionFinding = Finding;

export interface AuditOptions {
  /** Include one finding per CVE / data-integrity advisory (default true). */
  advisories?: boolean;
  /** Label for messages, e.g. a member name: "member m1 runs ...". */
  subject?: string;
}

/**
 * The `knowledge-stale` finding for a version the shipped data does not fully cover: a patch released
 * after the data (learned by `knowledge update`, or not known at all: warning), or a listed patch whose
 * release notes upshift has not read (info). None for versions the data covers.
 */
export function staleFindings(version: string, opts: { subject?: string } = {}): VersionFinding[] {
  const who = opts.subject ? `${opts.subject}: etcd` : 'etcd';
  const st = kb.standingOf(version);
  const ed = kb.knowledgeEdition();
  const line = st.line ? kb.releaseLine(st.line) : undefined;
  if (!st.accepted || !st.line || !line) return [];
  const unknown = `advisories and data-integrity fixes published after ${ed.notesAsOf} are unknown to upshift`;
  const source = st.learned?.source ?? line.source;
  if (!st.rules) {
    return [{
      severity: 'warning',
      code: 'knowledge-stale',
      message: `${who} ${st.version} is on the ${st.line} line, which is newer than upshift's rules (${st.reason}): upshift has no upgrade floors, flag changes or advisories for ${st.line}. Update upshift for them.`,
      source,
    }];
  }
  if (st.kind === 'learned' || st.kind === 'newer') {
    const how = st.kind === 'learned'
      ? `was published ${st.learned?.date ? `${st.learned.date.slice(0, 10)}, ` : ''}after upshift's shipped data (learned by \`upshift knowledge update\` from ${st.learned?.source})`
      : `is newer than every ${st.line} release upshift knows (newest: ${st.latest}; list checked ${ed.releasesCheckedAt}): released since, or a development build. Run \`upshift knowledge update\` to learn newer releases`;
    return [{ severity: 'warning', code: 'knowledge-stale', message: `${who} ${st.version} ${how}. The rules of the ${st.line} line apply; ${unknown}.`, source }];
  }
  const p = kb.parseVersion(st.version)!;
  if (line.notesThroughPatch !== undefined && p.patch > line.notesThroughPatch) {
    return [{
      severity: 'info',
      code: 'knowledge-stale',
      message: `${who} ${st.version} is a release upshift lists but whose release notes it has not read (notes up to ${st.line}.${line.notesThroughPatch}, ${ed.notesAsOf}): ${unknown}.`,
      source: line.source,
    }];
  }
  return [];
}

/** Findings for a server version, in a stable order. Unknown or unparsable versions give one finding. */
export function auditVersion(version: string, opts: AuditOptions = {}): VersionFinding[] {
  const who = opts.subject ?? 'etcd';
  const st = kb.standingOf(version);
  const range = kb.knownRange();
  if (!st.accepted) {
    const line = st.line ? kb.releaseLine(st.line) : undefined;
    return [{
      severity: 'warning',
      code: 'version-unknown',
      message: st.kind === 'invalid'
        ? `${who} reports version "${version}", which is not a release version upshift can check (known: ${range.text}).`
        : `${who} runs ${st.version}: ${st.reason}${st.kind === 'never-released' ? ' — a custom build?' : ''} (known: ${range.text}).`,
      source: line?.source,
    }];
  }
  const p = kb.parseVersion(st.version)!;
  const out: VersionFinding[] = staleFindings(p.version, opts);
  const eol = kb.eolStatus(p.version);
  const line = kb.releaseLine(p.line)!;
  if (eol.status === 'eol') {
    out.push({ severity: 'warning', code: 'version-eol', message: `${who} runs ${p.version}: etcd ${p.line} is end-of-life (final release ${eol.finalRelease}); no more security fixes. Upgrade to a supported line.`, source: eol.source });
  }
  for (const bad of kb.knownBadPatches(p.version)) {
    out.push({ severity: 'warning', code: 'known-bad-patch', message: `${who} runs ${p.version}: ${bad.reason} Run ${bad.recommendedMinimum} or later.`, source: bad.source });
  }
  if (line.recommendedMinimum && kb.compareVersions(p.version, line.recommendedMinimum.version) < 0 && !kb.knownBadPatches(p.version).some((b) => b.recommendedMinimum === line.recommendedMinimum!.version)) {
    out.push({ severity: 'warning', code: 'below-recommended-minimum', message: `${who} runs ${p.version}, below upstream's production minimum ${line.recommendedMinimum.version} for ${p.line}: ${line.recommendedMinimum.reason}.`, source: line.recommendedMinimum.source });
  }
  if ((eol.patchesBehind ?? 0) > 0) {
    out.push({ severity: 'info', code: 'version-outdated', message: `${who} runs ${p.version}; the latest ${p.line} patch is ${eol.latest} (${eol.patchesBehind} patch${eol.patchesBehind === 1 ? '' : 'es'} behind).`, source: line.source });
  }
  if (opts.advisories !== false) {
    for (const a of kb.advisoriesAffecting(p.version)) {
      const fixed = kb.fixedInLine(a, p.line);
      const fix = fixed ? `fixed in ${fixed}` : `no fix on the ${p.line} line${line.status === 'eol' ? ' (end-of-life)' : ''}`;
      const isCve = a.kind === 'cve' || a.kind === 'security';
      out.push({
        severity: isCve && (a.severity === 'critical' || a.severity === 'high') ? 'warning' : a.kind === 'data-integrity' && a.severity === 'critical' ? 'warning' : 'info',
        code: `${isCve ? 'cve' : 'integrity'}-${a.id.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
        message: `${who} ${p.version} is affected by ${a.id}${a.aliases?.length ? ` (${a.aliases.join(', ')})` : ''}: ${a.summary}${a.condition ? ` [only with ${a.condition}]` : ''}; ${fix}.`,
        source: a.source,
      });
    }
  }
  return out;
}
