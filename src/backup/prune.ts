/**
 * Which backups `backup prune` deletes: a pure decision over the catalogue, so the rules are tested
 * without files. Rules: keep the newest N (`--keep-last`), keep everything younger than D
 * (`--keep-within`); with both, a backup is kept if either rule keeps it. Whatever the rules say, the
 * newest verified backup is never deleted — with none verified, nothing is deleted.
 */

export interface PruneCandidate {
  file: string;
  createdAt: string;
  revision: number;
  /** Fully verified just now (trailer, structure, manifest). */
  verified: boolean;
}

export interface PrunePolicy {
  keepLast?: number;
  keepWithinMs?: number;
  /** Reference time for keepWithin (ms since epoch). */
  now: number;
}

export interface PruneDecision {
  file: string;
  createdAt: string;
  action: 'keep' | 'delete';
  reason: string;
}

export interface PrunePlan {
  decisions: PruneDecision[];
  keep: string[];
  delete: string[];
  /** The backup protected as the newest verified one (null when none is verified). */
  newestVerified: string | null;
}

export function planPrune(candidates: readonly PruneCandidate[], policy: PrunePolicy): PrunePlan {
  if (policy.keepLast === undefined && policy.keepWithinMs === undefined) {
    throw new Error('planPrune: a policy needs keepLast or keepWithinMs');
  }
  const sorted = [...candidates].sort((a, b) => {
    const t = Date.parse(b.createdAt) - Date.parse(a.createdAt);
    return t !== 0 ? t : b.revision - a.revision;
  });
  const newestVerified = sorted.find((c) => c.verified)?.file ?? null;
  const decisions: PruneDecision[] = sorted.map((c, i) => {
    const reasons: string[] = [];
    if (policy.keepLast !== undefined && i < policy.keepLast) reasons.push(`among the newest ${policy.keepLast}`);
    if (policy.keepWithinMs !== undefined) {
      const age = policy.now - Date.parse(c.createdAt);
      if (!(age > policy.keepWithinMs)) reasons.push('younger than --keep-within');
    }
    if (c.file === newestVerified) reasons.push('the newest verified backup');
    if (newestVerified === null) reasons.push('no backup verified: nothing is deleted');
    return reasons.length > 0
      ? { file: c.file, createdAt: c.createdAt, action: 'keep' as const, reason: reasons.join('; ') }
      : { file: c.file, createdAt: c.createdAt, action: 'delete' as const, reason: 'outside the retention rules' };
  });
  return {
    decisions,
    keep: decisions.filter((d) => d.action === 'keep').map((d) => d.file),
    delete: decisions.filter((d) => d.action === 'delete').map((d) => d.file),
    newestVerified,
  };
}
