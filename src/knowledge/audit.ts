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

/** Findings for a server version, in a stable order. Unknown or unparsable versions give one finding. */
export function auditVersion(version: string, opts: AuditOptions = {}): VersionFinding[] {
  const who = opts.subject ?? 'etcd';
  const p = kb.parseVersion(version);
  const range = kb.knownRange();
  if (!p) {
    return [{ severity: 'warning', code: 'version-unknown', message: `${who} reports version "${version}", which is not a release version upshift can check (known: ${range.text}).` }];
  }
  if (!kb.isKnownVersion(p.version)) {
    const line = kb.releaseLine(p.line);
    return [{
      severity: 'warning',
      code: 'version-unknown',
      message: line
        ? `${who} runs ${p.version}, which was never released (the ${p.line} line ends at ${p.line}.${line.latestPatch}): a custom or pre-release build, or a knowledge base older than the release.`
        : `${who} runs ${p.version}; upshift knows the ${range.text} lines only.`,
      source: line?.source,
    }];
  }
  const out: VersionFinding[] = [];
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
