/**
 * Flag changes across a run, checked before anything is touched: a driver that rebuilds members' command
 * lines (local) says, member by member and hop by hop, what it will rename or rewrite
 * (src/plan/args.ts adjustArgsForVersion) and which flags it cannot map — those refuse the run (etcd
 * exits at once on a flag it does not define, which would take a member down mid-upgrade).
 */
import { ProblemError } from '../core/errors.js';
import type { FlagChangeReport, MemberOps } from './drivers/types.js';
import type { Hop } from './steps.js';

export async function reviewFlags(driver: MemberOps, members: readonly string[], hops: readonly Hop[]): Promise<FlagChangeReport[]> {
  if (!driver.flagChanges) return [];
  const out: FlagChangeReport[] = [];
  for (const m of members) out.push(...(await driver.flagChanges(m, hops.map((h) => h.to))));
  return out;
}

/** Refuse (exit 1, nothing touched) when some member's command line holds flags a target cannot take. */
export function assertFlagsResolved(reports: readonly FlagChangeReport[]): void {
  const bad = reports.filter((r) => r.unresolved.length > 0);
  if (bad.length === 0) return;
  throw new ProblemError('flags-unresolved', `etcd would refuse these flags, and no rule says what replaces them: ${bad.map((r) => `${r.member} on ${r.version}: ${r.unresolved.join(' ')}`).join('; ')}`, {
    hint: 'remove or replace them in the member configuration first (`upshift plan --config FILE` explains each); nothing was touched',
    details: { unresolved: bad.map((r) => ({ member: r.member, version: r.version, flags: r.unresolved })) },
  });
}

/** One line per change, for logs and the dry run. */
export function describeFlagChanges(reports: readonly FlagChangeReport[]): string[] {
  return reports.flatMap((r) => r.adjustments.map((a) => `${r.member} on ${r.version}: ${a.from} ${a.action}${a.to ? ` -> ${a.to}` : ''} (${a.reason})`));
}
