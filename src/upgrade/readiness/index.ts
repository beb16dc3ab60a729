/**
 * Readiness checks: what must hold before the first member of a hop is touched, checked on the cluster's
 * real data rather than printed as advice. One entry point, `runReadinessChecks(target, plan, opts)`,
 * returning findings (a blocker refuses the run, exit 1, nothing changed):
 *
 *  - 3.5 -> 3.6: patch floor 3.5.32 (upgrade_3_6.md); custom v2 content in each member's v2 snapshot and
 *    WAL (v2-content.ts, what `etcdutl check v2store` of 3.5.32+ checks), with `--v2-deprecation=write-only-skip-check`
 *    handled as upstream documents; membership the v3 backend records vs what the cluster serves (membership.ts).
 *  - 3.6 -> 3.7: patch floor 3.6.11 (v3.7/upgrades/upgrade_3_7.md). Flags 3.7 removes are the flag review's
 *    (src/upgrade/flags.ts): the local driver renames them, exec configs are linted by the plan.
 *
 * Called twice by an upgrade run: before anything is touched (for every hop of the plan, from the data as it
 * is: `opts.hop` unset), and as the journaled step `hopN/readiness` right before the hop's first member
 * (`opts.hop = N`, the cluster as it is then, e.g. after a patch-floor hop). `upshift rehearse` runs it on its
 * throw-away copy. How member data is reached is the driver's: the local driver reads data dirs, the exec
 * driver runs its `check` template, otherwise the finding says exactly what to run.
 */
import type { ConnectionConfig } from '../../client/connection.js';
import { errorMessage } from '../../core/errors.js';
import type { Finding } from '../../core/finding.js';
import { homePaths } from '../../core/home.js';
import * as kb from '../../knowledge/index.js';
import type { Setting } from '../../plan/types.js';
import type { MemberOps } from '../drivers/types.js';
import { memberEndpoint, observeCluster } from '../observe.js';
import type { ClusterObservation, MemberObservation } from '../observation.js';
import type { Hop } from '../steps.js';
import { compareMembership, readBackendMembership, type Disagreement } from './membership.js';
import { checkV2ContentOfDataDir, upstreamVerdict, type V2ContentReport } from './v2-content.js';

export interface ReadinessFinding extends Finding {
  /** Member names the finding is about. */
  members?: string[] | undefined;
  /** The hop, `3.5.36 -> 3.6.17`. */
  hop?: string | undefined;
  /** What to do about it (upstream's documented fix where there is one). */
  fix?: string | undefined;
}

export interface ReadinessTarget {
  config: ConnectionConfig;
  driver: MemberOps;
  /** $UPSHIFT_HOME: installed binaries (the etcdutl a finding tells the user to run). */
  home: string;
  /** The cluster as observed now; observed here when absent. */
  obs?: ClusterObservation | undefined;
  /** `--assume-v2-clean`: the user ran `etcdutl check v2store` (3.5.32+) on every member and it found nothing. */
  assumeV2Clean?: boolean | undefined;
  signal?: AbortSignal | undefined;
  log?: ((line: string) => void) | undefined;
}

export interface ReadinessPlan {
  path: readonly string[];
  hops: readonly Hop[];
}

export interface ReadinessOptions {
  /** Check only hop N (1-based) against the cluster as it is now: the run's step before the hop's first member. */
  hop?: number | undefined;
}

const SRC = {
  v2: 'web:content/en/docs/v3.6/upgrades/upgrade_3_6.md (V2 Store); etcd@v3.5.36 etcdutl/etcdutl/check_command.go',
  v2Start: 'etcd@v3.6.17 server/storage/util.go AssertNoV2StoreContent',
  v2Wal: 'etcd@v3.6.17 server/etcdserver/apply_v2.go v2ToV3Request ("detected disallowed v2 WAL")',
  zombie: 'web:content/en/blog/2025/zombie_members_upgrade.md (etcd#20967, PR #20995); etcd@v3.5.36 server/etcdserver/api/membership/cluster.go CleanupZombieMembersIfNeeded',
  learner: 'web:content/en/blog/2025/upgrade_from_3.5_to_3.6_issue.md (etcd#19557, PRs #19563, #19636)',
};

/** The release that removes zombie members from the v3 backend when a member starts (PR #20995). */
const ZOMBIE_CLEANUP = '3.5.26';

const lt = (a: string, b: string): boolean => kb.compareVersions(a, b) < 0;
const minor = (v: string): string => kb.minorOf(v);
const nameOf = (m: MemberObservation): string => m.name || m.id;

export async function runReadinessChecks(target: ReadinessTarget, plan: ReadinessPlan, opts: ReadinessOptions = {}): Promise<ReadinessFinding[]> {
  const obs = target.obs ?? (await observeCluster(target.config, { signal: target.signal }));
  const out: ReadinessFinding[] = [];
  const selected = plan.hops.map((h, i) => ({ hop: h, n: i + 1 })).filter((x) => opts.hop === undefined || x.n === opts.hop);
  for (const { hop, n } of selected) {
    const label = `${hop.from} -> ${hop.to}`;
    const live = opts.hop !== undefined;
    const from = minor(hop.from);
    const to = minor(hop.to);
    if (from === to) continue;
    out.push(...floorFindings(obs, hop, label, live));
    if (from === '3.5' && to === '3.6') {
      out.push(...(await v2Findings(target, obs, hop, label)));
      out.push(...(await membershipFindings(target, obs, plan, n, label, live)));
    }
  }
  return out;
}

/** Blockers only, as one line each (for refusals and step errors). */
export function blockersOf(findings: readonly ReadinessFinding[]): ReadinessFinding[] {
  return findings.filter((f) => f.severity === 'blocker');
}

export function describeFinding(f: ReadinessFinding): string {
  return `${f.code}: ${f.message}${f.fix ? ` Fix: ${f.fix}` : ''}`;
}

// ---------------------------------------------------------------- patch floors

function floorFindings(obs: ClusterObservation, hop: Hop, label: string, live: boolean): ReadinessFinding[] {
  const floor = kb.patchFloor(minor(hop.from), minor(hop.to));
  if (!floor) return [];
  if (!live) {
    if (!lt(hop.from, floor.minimum)) return [];
    return [{ severity: 'blocker', code: 'patch-floor', hop: label, message: `the ${label} hop starts from ${hop.from}, below ${floor.minimum}: ${floor.reason}`, fix: `plan through ${floor.minimum} or later first (upshift picks the newest ${minor(hop.from)} patch unless --via pins one)`, source: floor.source }];
  }
  const below = obs.members.filter((m) => m.version !== undefined && minor(m.version) === minor(hop.from) && lt(m.version, floor.minimum));
  if (below.length === 0) return [];
  return [
    {
      severity: 'blocker',
      code: 'patch-floor',
      hop: label,
      members: below.map(nameOf),
      message: `${below.map((m) => `${nameOf(m)} runs ${m.version}`).join(', ')}: every member must run ${floor.minimum} or later before ${minor(hop.to)}. ${floor.reason}`,
      fix: `upgrade those members to ${floor.minimum}+ first`,
      source: floor.source,
    },
  ];
}

// ---------------------------------------------------------------- v2 content

function setting(settings: readonly Setting[] | undefined, name: string): string | undefined {
  if (!settings) return undefined;
  const s = [...settings].reverse().find((x) => x.name === name);
  return s ? (s.value ?? 'true') : undefined;
}

/** The etcdutl a user should run: the newest installed 3.5 at or above 3.5.32, else a description. */
function etcdutlFor(home: string, hop: Hop): string {
  const floor = kb.patchFloor('3.5', '3.6')?.minimum ?? '3.5.32';
  const v = lt(hop.from, floor) ? floor : hop.from;
  return `${homePaths.etcdVersionDir(home, v)}/etcdutl`;
}

async function v2Findings(target: ReadinessTarget, obs: ClusterObservation, hop: Hop, label: string): Promise<ReadinessFinding[]> {
  const out: ReadinessFinding[] = [];
  const d = target.driver;
  const enabledV2: string[] = [];
  const assumed: string[] = [];
  /** The exec driver's `check` template on the member's host; false when none is configured for it. */
  const runCheck = async (check: NonNullable<MemberOps['checkV2']>, m: MemberObservation, name: string, skipCheck: boolean): Promise<boolean> => {
    const dm = { name, id: m.id, clientURL: memberEndpoint(m, target.config.endpoints) ?? '', peerURL: m.peerURLs[0] ?? '' };
    try {
      const r = await check(dm, hop.from, { deadlineMs: 120_000, signal: target.signal });
      if (!r) return false;
      const said = (r.stdout ?? '').trim().split('\n').pop() ?? '';
      if (r.exitCode === 0) out.push({ severity: 'info', code: 'v2-content-clean', hop: label, members: [name], message: `${name}: the check command found no custom v2 content${said ? ` ("${said}")` : ''}`, source: SRC.v2 });
      else {
        const why = ((r.stderr ?? '').trim().split('\n').pop() || said || `exit ${r.exitCode}`).trim();
        // upstream's verdict for custom data in the v2 snapshot only, on a member that skips the check at start.
        if (skipCheck && /detected custom content in v2store$/.test(why)) {
          out.push({ severity: 'warning', code: 'v2-custom-content-skip-check', hop: label, members: [name], message: `${name}: ${why}; it runs with --v2-deprecation=write-only-skip-check, so 3.6 starts anyway and ignores that data ("at your own risk")`, source: `${SRC.v2}; ${SRC.v2Start}` });
          return true;
        }
        out.push({ severity: 'blocker', code: 'v2-custom-content', hop: label, members: [name], message: `${name}: the check command \`${r.command ?? 'check'}\` reported: ${why}; etcd 3.6 refuses to start on such data`, fix: V2_FIX, source: SRC.v2 });
      }
    } catch (e) {
      out.push({ severity: 'blocker', code: 'v2-check-failed', hop: label, members: [name], message: `${name}: the check command failed: ${errorMessage(e)}`, fix: 'fix the `check` template of the driver config', source: SRC.v2 });
    }
    return true;
  };
  for (const m of obs.members) {
    const name = nameOf(m);
    const settings = d.memberSettings ? await d.memberSettings(name).catch(() => undefined) : undefined;
    const skipCheck = setting(settings, 'v2-deprecation') === 'write-only-skip-check';
    const v2 = setting(settings, 'enable-v2');
    if (v2 !== undefined && v2 !== 'false') enabledV2.push(name);
    if (d.memberData) {
      let report: V2ContentReport;
      try {
        const where = await d.memberData(name);
        report = await checkV2ContentOfDataDir(where.dataDir, where.walDir);
      } catch (e) {
        out.push({ severity: 'blocker', code: 'v2-check-failed', hop: label, members: [name], message: `could not check ${name}'s data for custom v2 content: ${errorMessage(e)}`, fix: `run \`${etcdutlFor(target.home, hop)} check v2store --data-dir <${name}'s data dir>\` and fix what it reports`, source: SRC.v2 });
        continue;
      }
      target.log?.(`    readiness: ${name}: ${upstreamVerdict(report)}${report.snapshot ? ` (v2 snapshot ${report.snapshot.file}, ${report.walEntries} WAL entries after it)` : ` (${report.walEntries} WAL entries, no v2 snapshot yet)`}`);
      out.push(...v2ReportFindings(name, report, skipCheck, label));
    } else if (d.checkV2 && (await runCheck(d.checkV2.bind(d), m, name, skipCheck))) {
      // reported by runCheck
    } else if (target.assumeV2Clean) {
      assumed.push(name);
    } else {
      out.push({
        severity: 'blocker',
        code: 'v2-check-needed',
        hop: label,
        members: [name],
        message: `upshift cannot read ${name}'s data with the ${d.kind} driver, and 3.6 refuses to start on custom v2 content (in the v2 snapshot or the WAL)`,
        fix: `on ${name}'s host run \`${etcdutlFor(target.home, hop)} check v2store --data-dir <its data dir> [--wal-dir <its WAL dir>]\` (etcdutl 3.5.32 or later); once it prints "No custom content found in both v2store and WAL records." on every member, run again with --assume-v2-clean (or add a \`check:\` template to the driver config)`,
        source: SRC.v2,
      });
    }
  }
  if (assumed.length > 0) out.push({ severity: 'info', code: 'v2-check-assumed', hop: label, members: assumed, message: `custom v2 content not checked on ${assumed.join(', ')}: --assume-v2-clean says \`etcdutl check v2store\` found none`, source: SRC.v2 });
  if (enabledV2.length > 0) {
    out.push({
      severity: 'warning',
      code: 'v2-api-enabled',
      hop: label,
      members: enabledV2,
      message: `--enable-v2 is set on ${enabledV2.join(', ')}: 3.6 no longer defines it, and a v2 write reaching a 3.5 member during the hop would crash the 3.6 members replaying it`,
      fix: 'stop v2 clients before the hop; upshift drops --enable-v2 when it starts a member on 3.6 (local driver); remove it from your configuration (exec driver)',
      source: SRC.v2,
    });
  }
  return out;
}

const V2_FIX =
  'v2 snapshot: migrate or delete the custom v2 data (or, at your own risk on 3.5.32+, start every member with --v2-deprecation=write-only-skip-check); WAL: wait for the next v2 snapshot, or restart the member with --snapshot-count=1 until a snapshot is taken, then restore the setting; re-run the check';

/** Findings for one member's report: WAL custom content always blocks (3.6 panics replaying it, whatever the flag); the v2 snapshot's blocks unless the member runs with write-only-skip-check. */
export function v2ReportFindings(member: string, r: V2ContentReport, skipCheck: boolean, hop: string): ReadinessFinding[] {
  const out: ReadinessFinding[] = [];
  const verdict = upstreamVerdict(r);
  if (r.wal === 'custom') {
    out.push({
      severity: 'blocker',
      code: 'v2-custom-content-wal',
      hop,
      members: [member],
      message: `${member}: ${verdict}: ${r.walCustomEntries} WAL entr${r.walCustomEntries === 1 ? 'y' : 'ies'} after the last v2 snapshot carry v2 writes (${r.walSamples.join(', ')}); etcd 3.6 panics replaying them, with or without --v2-deprecation=write-only-skip-check`,
      fix: `custom v2 content in the WAL is dropped at the next v2 snapshot: wait for it, or restart ${member} with --snapshot-count=1 until a snapshot is taken, then restore the setting; check again`,
      source: `${SRC.v2}; ${SRC.v2Wal}`,
    });
  }
  if (r.v2store === 'custom') {
    if (skipCheck) {
      out.push({ severity: 'warning', code: 'v2-custom-content-skip-check', hop, members: [member], message: `${member}: ${verdict} (${r.v2storeSamples.join(', ')}); it runs with --v2-deprecation=write-only-skip-check, so 3.6 starts anyway and ignores that data ("at your own risk")`, source: `${SRC.v2}; ${SRC.v2Start}` });
    } else {
      out.push({
        severity: 'blocker',
        code: 'v2-custom-content',
        hop,
        members: [member],
        message: `${member}: ${verdict}: the v2 snapshot ${r.snapshot?.file ?? ''} holds ${r.v2storeSamples.join(', ')}; etcd 3.6 refuses to start ("detected disallowed custom content in v2store")`,
        fix: 'migrate the v2 data you need (v3.4 op-guide/v2-migration) and delete it from the v2 store, or, if you do not need it, start every member with --v2-deprecation=write-only-skip-check (3.5.32+, at your own risk); check again',
        source: `${SRC.v2}; ${SRC.v2Start}`,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------- membership

async function membershipFindings(target: ReadinessTarget, obs: ClusterObservation, plan: ReadinessPlan, n: number, label: string, live: boolean): Promise<ReadinessFinding[]> {
  // The served list comes from the v2 store only while members run 3.5.
  if (!obs.members.some((m) => m.version !== undefined && minor(m.version) === '3.5')) return [];
  const served = obs.members.map((m) => ({ id: m.id, name: m.name, peerURLs: m.peerURLs, isLearner: m.isLearner }));
  const found: { member: string; d: Disagreement }[] = [];
  const out: ReadinessFinding[] = [];
  for (const m of obs.members) {
    const ep = memberEndpoint(m, target.config.endpoints);
    if (!ep || !m.reachable) continue;
    try {
      const backend = await readBackendMembership(ep, target.config, { signal: target.signal });
      for (const d of compareMembership(served, backend)) found.push({ member: nameOf(m), d });
    } catch (e) {
      out.push({ severity: 'blocker', code: 'membership-check-failed', hop: label, members: [nameOf(m)], message: `could not read ${nameOf(m)}'s v3 backend membership from a snapshot: ${errorMessage(e)}`, fix: 'check that the member answers Maintenance.Snapshot (root credentials under auth) and run again', source: SRC.zombie });
    }
  }
  if (found.length === 0) {
    out.push({ severity: 'info', code: 'membership-consistent', hop: label, message: `every member's v3 backend records the ${served.length} members the cluster serves`, source: SRC.zombie });
    return out;
  }
  // Before the run, a zombie on members older than 3.5.26 is repaired by the patch hop that takes them there
  // (cleanup at start), and the check runs again before the 3.6 hop.
  const hop = plan.hops[n - 1]!;
  const repairedOnTheWay = !live && !lt(hop.from, ZOMBIE_CLEANUP) && obs.members.every((m) => m.version === undefined || lt(m.version, ZOMBIE_CLEANUP));
  for (const kind of [...new Set(found.map((f) => f.d.kind))]) {
    const of = found.filter((f) => f.d.kind === kind);
    const members = [...new Set(of.map((f) => f.member))];
    const details = [...new Set(of.map((f) => f.d.detail))].join('; ');
    const zombie = kind === 'zombie' || kind === 'removed-but-served';
    const learner = kind === 'learner-in-backend' || kind === 'voter-in-backend';
    const severity = zombie && repairedOnTheWay ? 'warning' : 'blocker';
    out.push({
      severity,
      code: `membership-${kind}`,
      hop: label,
      members,
      message: `the v3 backend of ${members.join(', ')} disagrees with the membership the cluster serves (3.6 reads the v3 backend): ${details}${severity === 'warning' ? `; the patch hop to ${hop.from} repairs it when each member starts, and it is checked again before the 3.6 hop` : ''}`,
      fix: zombie
        ? `run ${ZOMBIE_CLEANUP} or later on every member and restart each once (a member removes zombie members from its v3 backend at start); do not upgrade to 3.6 before the check passes`
        : learner
          ? 'run 3.5.20 or later everywhere (it persists promotions to the v3 backend), then replace the affected member (member remove, add it back as a learner, promote it) so both stores agree'
          : 'replace the affected member (member remove, member add, start it with an empty data dir) so both stores agree',
      source: learner ? SRC.learner : SRC.zombie,
    });
  }
  return out;
}
