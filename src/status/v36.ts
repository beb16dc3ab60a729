/**
 * Findings about what 3.6 added to a cluster's state (pure): the storage version and its lag behind the
 * cluster version, a downgrade in progress (DowngradeInfo), feature gates away from their defaults, and
 * deprecated flags still in effect where upshift knows a member's settings.
 */
import { minorOf } from '../client/types.js';
import * as kb from '../knowledge/index.js';
import { FEATURE_GATES_SOURCE, gateSpec } from '../knowledge/data/feature-gates.js';
import type { Setting } from '../plan/types.js';
import type { Finding, MemberStatus } from './model.js';

const SRC = {
  storage: 'etcd@v3.6.17 server/etcdserver/version/monitor.go UpdateStorageVersionIfNeeded (every member, every ~4 s, to the cluster version\'s major.minor)',
  downgrade: 'web:content/en/docs/v3.6/downgrades/downgrade_3_6.md; etcd@v3.6.17 server/etcdserver/version/monitor.go CancelDowngradeIfNeeded',
};

const label = (m: MemberStatus): string => m.name || m.id;
const minorText = (v: string): string => minorOf(v);
const cmpMinor = (a: string, b: string): number => kb.compareMinors(minorText(a), minorText(b));

export function v36Findings(members: readonly MemberStatus[], clusterVersion: string | null, settings?: Readonly<Record<string, readonly Setting[]>>): Finding[] {
  const out: Finding[] = [];
  // ---- storage version vs cluster version (3.6+ members report one; a 3.5 member none)
  if (clusterVersion) {
    const behind = members.filter((m) => m.storageVersion && cmpMinor(m.storageVersion, clusterVersion) < 0);
    const ahead = members.filter((m) => m.storageVersion && cmpMinor(m.storageVersion, clusterVersion) > 0);
    for (const [set, how] of [
      [behind, 'lags'],
      [ahead, 'is ahead of'],
    ] as const) {
      if (set.length === 0) continue;
      out.push({
        severity: 'warning',
        code: 'storage-version-mismatch',
        message: `the storage version of ${set.map((m) => `${label(m)} (${m.storageVersion})`).join(', ')} ${how} the cluster version ${clusterVersion}: each member moves it to the cluster version within seconds of a change; if it stays, that member cannot write the schema (see its log: "failed to update storage version")`,
        source: SRC.storage,
        members: set.map(label),
      });
    }
  }
  // ---- a downgrade in progress (reported by 3.6+ members; a 3.5 member's Status has no DowngradeInfo)
  const dg = members.find((m) => m.downgradeInfo?.enabled);
  if (dg) {
    const target = dg.downgradeInfo!.targetVersion;
    const newer = members.filter((m) => m.version && cmpMinor(m.version, target) > 0).map(label);
    out.push({
      severity: 'warning',
      code: 'downgrade-in-progress',
      message: `a downgrade to ${target} is enabled (cluster version ${clusterVersion ?? 'unknown'})${newer.length > 0 ? `; ${newer.join(', ')} still run${newer.length === 1 ? 's' : ''} a newer binary: replace them with ${minorText(target)} binaries (\`upshift downgrade --to ${minorText(target)}.x\`), or cancel it (\`upshift downgrade cancel\`) and restart members already downgraded on the newer binary` : '; every member runs the target: the leader ends it within seconds'}`,
      source: SRC.downgrade,
      members: newer,
    });
  }
  // ---- feature gates away from their defaults
  const used = new Map<string, string[]>();
  for (const m of members) {
    for (const g of m.featureGates ?? []) {
      if (g.name === 'AllAlpha' || g.name === 'AllBeta') {
        if (g.enabled) used.set(`${g.name}=true`, [...(used.get(`${g.name}=true`) ?? []), label(m)]);
        continue;
      }
      const def = gateSpec(g.name)?.default ?? g.stage !== 'ALPHA';
      if (g.enabled !== def) used.set(`${g.name}=${g.enabled}`, [...(used.get(`${g.name}=${g.enabled}`) ?? []), label(m)]);
    }
  }
  if (used.size > 0) {
    const all = members.filter((m) => m.featureGates).length;
    out.push({
      severity: 'info',
      code: 'feature-gates',
      message: `feature gates away from their defaults: ${[...used].map(([g, who]) => `${g} (${who.length === all ? 'every member' : who.join(', ')})`).join('; ')}. A downgrade below 3.6 turns them back into --experimental-* flags; gates the older minor lacks are dropped`,
      source: FEATURE_GATES_SOURCE,
    });
  }
  // ---- deprecated flags in effect, where the member's settings are known
  for (const m of members) {
    const s = settings?.[m.name];
    if (!s || !m.version) continue;
    const notes: string[] = [];
    let removedNext = false;
    const next = kb.nextMinor(minorText(m.version));
    for (const x of s) {
      const rule = kb.rulesForFlag(x.name).find((r) => (r.kind === 'renamed' || r.kind === 'deprecated') && r.value === undefined && kb.compareMinors(kb.parseMinor(r.since) ?? kb.minorOf(r.since), minorText(m.version!)) <= 0);
      if (!rule) continue;
      const removal = kb.rulesForFlag(x.name).find((r) => r.kind === 'removed' && r.value === undefined && (kb.parseMinor(r.since) ?? kb.minorOf(r.since)) === next);
      if (removal) removedNext = true;
      notes.push(`${x.raw}${rule.replacement ? ` (use --${rule.replacement})` : ''}${removal ? `, removed in ${next}` : ''}`);
    }
    if (notes.length === 0) continue;
    out.push({
      severity: removedNext ? 'warning' : 'info',
      code: 'deprecated-flags',
      message: `${label(m)} (etcd ${m.version}) runs with deprecated settings: ${notes.join('; ')}${removedNext ? `. etcd ${next} refuses to start with them (\`upshift upgrade\` renames them for local clusters)` : ''}`,
      source: 'web:content/en/docs/v3.6/upgrades/upgrade_3_6.md (Flags deprecated); web:content/en/docs/v3.7/upgrades/upgrade_3_7.md',
      members: [label(m)],
    });
  }
  return out;
}
