/**
 * Which backups `backup prune` deletes: a pure decision over the catalogue, so the rules are tested
 * without files or stores. Rules, each keeping what it selects (a backup stays if any rule keeps it):
 * - `keepLast` N: the newest N;
 * - `keepWithinMs` D: everything younger than D;
 * - grandfather-father-son (`hourly`, `daily`, `weekly`, `monthly` counts): the newest backup of each of the
 *   last N hours / days / ISO weeks / months that have a backup (UTC calendar periods, as restic's and
 *   borg's --keep-hourly/daily/weekly/monthly count them: a period without a backup does not use up a slot).
 * Whatever the rules say, the newest verified backup is never deleted — with none verified, nothing is
 * deleted — and an object under Object Lock retention is kept until the lock expires.
 */

export interface PruneCandidate {
  file: string;
  createdAt: string;
  revision: number;
  /** Fully verified just now (trailer, structure, manifest). */
  verified: boolean;
  /** Object Lock retention end (ISO time), for objects in a store that has it. */
  lockedUntil?: string | null | undefined;
}

export interface GfsCounts {
  hourly?: number | undefined;
  daily?: number | undefined;
  weekly?: number | undefined;
  monthly?: number | undefined;
}

export interface PrunePolicy extends GfsCounts {
  keepLast?: number | undefined;
  keepWithinMs?: number | undefined;
  /** Reference time for keepWithin and locks (ms since epoch). */
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

const PERIODS = ['hourly', 'daily', 'weekly', 'monthly'] as const;
type Period = (typeof PERIODS)[number];

/** The UTC calendar period a time falls in: `2026-11-21T11`, `2026-11-21`, `2026-W47`, `2026-11`. */
export function periodOf(period: Period, ms: number): string {
  const iso = new Date(ms).toISOString();
  if (period === 'hourly') return iso.slice(0, 13);
  if (period === 'daily') return iso.slice(0, 10);
  if (period === 'monthly') return iso.slice(0, 7);
  // ISO 8601 week: the week (Monday-Sunday) belongs to the year of its Thursday.
  const d = new Date(Date.UTC(new Date(ms).getUTCFullYear(), new Date(ms).getUTCMonth(), new Date(ms).getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export function hasRule(p: Omit<PrunePolicy, 'now'>): boolean {
  return p.keepLast !== undefined || p.keepWithinMs !== undefined || PERIODS.some((k) => p[k] !== undefined);
}

export function planPrune(candidates: readonly PruneCandidate[], policy: PrunePolicy): PrunePlan {
  if (!hasRule(policy)) throw new Error('planPrune: a policy needs keepLast, keepWithinMs or a GFS count');
  const sorted = [...candidates].sort((a, b) => {
    const t = Date.parse(b.createdAt) - Date.parse(a.createdAt);
    return t !== 0 ? t : b.revision - a.revision;
  });
  const newestVerified = sorted.find((c) => c.verified)?.file ?? null;
  const reasons = new Map<string, string[]>(sorted.map((c) => [c.file, []]));
  // GFS: walk newest to oldest; the first backup seen in a new period takes one of that rule's slots.
  for (const period of PERIODS) {
    const n = policy[period];
    if (!n) continue;
    let kept = 0;
    let last: string | undefined;
    for (const c of sorted) {
      if (kept >= n) break;
      const p = periodOf(period, Date.parse(c.createdAt));
      if (p === last) continue;
      last = p;
      kept++;
      reasons.get(c.file)!.push(`${period} ${kept}/${n}: newest of ${p}`);
    }
  }
  const decisions: PruneDecision[] = sorted.map((c, i) => {
    const r = reasons.get(c.file)!;
    if (policy.keepLast !== undefined && i < policy.keepLast) r.unshift(`among the newest ${policy.keepLast}`);
    if (policy.keepWithinMs !== undefined) {
      const age = policy.now - Date.parse(c.createdAt);
      if (!(age > policy.keepWithinMs)) r.push('younger than --keep-within');
    }
    if (c.lockedUntil && Date.parse(c.lockedUntil) > policy.now) r.push(`object lock until ${c.lockedUntil}`);
    if (c.file === newestVerified) r.push('the newest verified backup');
    if (newestVerified === null) r.push('no backup verified: nothing is deleted');
    return r.length > 0
      ? { file: c.file, createdAt: c.createdAt, action: 'keep' as const, reason: r.join('; ') }
      : { file: c.file, createdAt: c.createdAt, action: 'delete' as const, reason: 'outside the retention rules' };
  });
  return {
    decisions,
    keep: decisions.filter((d) => d.action === 'keep').map((d) => d.file),
    delete: decisions.filter((d) => d.action === 'delete').map((d) => d.file),
    newestVerified,
  };
}
