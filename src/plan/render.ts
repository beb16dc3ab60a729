/**
 * Human rendering of a plan: a numbered step list a reviewer can paste into a change ticket, then the
 * findings with their sources, then the CVE summary. JSON output is the Plan itself.
 */
import { renderFindings } from '../core/output.js';
import type { Plan } from './types.js';

export function renderPlan(p: Plan, color?: boolean): string {
  const out: string[] = [];
  const a = p.assumptions;
  const assumed = `auth enabled: ${a.authEnabled}; v2 store: ${a.v2Store}; members: ${a.members}${a.configs.length ? `; configs: ${a.configs.join(', ')}` : ''}`;

  if (p.direction === 'none') {
    out.push(`etcd ${p.from} -> ${p.to}: already there, nothing to do.`, '');
  } else if (p.direction === 'downgrade' && p.downgrade) {
    out.push(`etcd ${p.from} -> ${p.to}: this is a DOWNGRADE; upshift plan does not plan it as an upgrade.`, `Assumed: ${assumed}`, '');
    out.push('Supported downgrade procedure (upstream):');
    let n = 1;
    for (const pair of p.downgrade.pairs) {
      out.push('', `${pair.fromMinor} -> ${pair.toMinor}: ${pair.supported ? 'supported' : 'NOT supported once the cluster version is ' + pair.fromMinor} (${pair.mechanism}${pair.minimumTarget ? `, target ${pair.minimumTarget}+` : ''})`);
      for (const s of pair.steps) out.push(`  ${n++}. ${s}`);
      out.push(`     source: ${pair.source}`);
    }
    out.push('');
  } else {
    out.push(`Upgrade plan: etcd ${p.from} -> ${p.to} (${p.hops.length} hop${p.hops.length === 1 ? '' : 's'})`);
    out.push(`Path: ${p.path.join(' -> ')}`);
    out.push(`Assumed: ${assumed}`);
    let n = 1;
    p.hops.forEach((h, i) => {
      out.push('', `Hop ${i + 1}/${p.hops.length}: ${h.from} -> ${h.to} (${h.kind} upgrade, ${h.rolling ? 'rolling' : 'NOT rolling'}; ${h.reason})`);
      for (const s of h.steps) out.push(`  ${n++}. ${s}`);
    });
    out.push('');
  }

  if (p.findings.length > 0) {
    out.push('Findings:');
    out.push(renderFindings(p.findings, color).trimEnd());
    out.push('');
  }
  if (p.direction !== 'downgrade') {
    out.push(`CVEs fixed by going to ${p.to}: ${p.cves.fixed.join(', ') || 'none'}`);
    out.push(`Data-integrity bugs fixed: ${p.integrity.fixed.join(', ') || 'none'}`);
  }
  out.push(`Still open at ${p.to}: CVEs ${p.cves.remaining.join(', ') || 'none'}; integrity ${p.integrity.remaining.join(', ') || 'none'}`);
  const blockers = p.findings.filter((f) => f.severity === 'blocker').length;
  out.push('', blockers > 0 ? `Result: BLOCKED by ${blockers} blocker${blockers === 1 ? '' : 's'} (exit 1).` : p.direction === 'none' ? 'Result: nothing to do.' : 'Result: no blockers.');
  return out.join('\n') + '\n';
}
