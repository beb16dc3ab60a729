/**
 * The finding shape every command reports (SPEC: `{severity, code, message, source?}`), its severity order,
 * and the stable severity sort. Modules extend `Finding` with their own location fields (hop, file, members).
 */

export type Severity = 'blocker' | 'warning' | 'info';

export interface Finding {
  severity: Severity;
  /** Stable kebab-case id. */
  code: string;
  message: string;
  /** Upstream source of the fact behind the finding. */
  source?: string;
}

/** Most severe first: blocker 0, warning 1, info 2. */
export const severityRank: Readonly<Record<Severity, number>> = { blocker: 0, warning: 1, info: 2 };

/** Comparator on severity alone, most severe first (chain `||` for tie-breakers). */
export function bySeverity(a: { severity: Severity }, b: { severity: Severity }): number {
  return severityRank[a.severity] - severityRank[b.severity];
}

/** A copy sorted most severe first; findings of equal severity keep their order (Array.prototype.sort is stable). */
export function sortBySeverity<T extends { severity: Severity }>(findings: readonly T[]): T[] {
  return [...findings].sort(bySeverity);
}
