/**
 * The upgrade planner: a pure, deterministic function from what we know (versions, auth, v2 store,
 * configs, members) to an ordered plan with findings. No I/O, no clocks: the same input gives a
 * byte-identical JSON plan. Facts come from src/knowledge (each with its upstream source).
 */
import { UsageError } from '../core/errors.js';
import { bySeverity } from '../core/finding.js';
import * as kb from '../knowledge/index.js';
import type { Advisory } from '../knowledge/types.js';
import { lintConfigsForHop } from './lint.js';
import type { DowngradeInfo, Finding, Hop, Plan, PlanAction, PlanInput, V2State } from './types.js';

/**
 * Validate a version string against the knowledge base: exit 2 for junk, pre-releases, unknown lines and
 * versions the data proves were never released. A patch newer than the data is accepted (the plan says
 * so with a `knowledge-stale` finding).
 */
export function requireKnownVersion(v: string, what: string): string {
  const st = kb.standingOf(v);
  const range = kb.knownRange();
  if (st.kind === 'invalid') {
    throw new UsageError(`${what}: "${v}" is not an etcd version (expected X.Y.Z, e.g. ${range.newest})`, {
      code: 'invalid-version',
      hint: `known versions: ${range.text}`,
    });
  }
  if (!st.accepted) {
    throw new UsageError(`${what}: ${st.reason}`, {
      code: 'unknown-version',
      hint: st.kind === 'unknown-line' || st.kind === 'pre-release'
        ? `known versions: ${range.text}; releases published since ${kb.knowledgeEdition().releasesCheckedAt}: \`upshift knowledge update\``
        : `known versions: ${range.text}`,
      details: { version: st.version, standing: st.kind, known: range },
    });
  }
  return st.version;
}

/**
 * `knowledge-stale` findings for the versions on the path (a patch newer than the data, or one whose
 * notes upshift has not read). A hop into a line upshift has no rules for is a blocker: its floors,
 * flag changes and hop rules are unknown.
 */
function staleFindingsFor(path: readonly string[]): Finding[] {
  const out: Finding[] = [];
  for (const [i, v] of path.entries()) {
    for (const f of kb.staleFindings(v)) {
      const hopInto = i > 0 && kb.minorOf(path[i - 1]!) !== kb.minorOf(v) && !kb.standingOf(v).rules;
      out.push(hopInto ? { ...f, severity: 'blocker', hop: hopLabel(path[i - 1]!, v) } : f);
    }
  }
  return out;
}

/** The version path from `from` to `to` (upward), with the reason for each waypoint. */
export function upgradePath(from: string, to: string, via: readonly string[] = []): { path: string[]; reasons: string[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const pins = [...new Set(via)].sort(kb.compareVersions);
  for (const v of pins) {
    if (kb.compareVersions(v, from) <= 0 || kb.compareVersions(v, to) >= 0) {
      throw new UsageError(`--via ${v}: must lie strictly between --from ${from} and --to ${to}`, { code: 'invalid-via' });
    }
  }
  const path = [from];
  const reasons = ['source'];
  const push = (v: string, reason: string): void => {
    if (path[path.length - 1] !== v) {
      path.push(v);
      reasons.push(reason);
    }
  };
  const fromLine = kb.minorOf(from);
  const toLine = kb.minorOf(to);
  for (let line = fromLine; kb.compareMinors(line, toLine) <= 0; line = kb.nextMinor(line)) {
    if (!kb.releaseLine(line)) throw new UsageError(`no etcd ${line} line is known between ${from} and ${to}`, { code: 'unknown-version' });
    const pinned = pins.filter((v) => kb.minorOf(v) === line);
    for (const v of pinned) push(v, 'pinned with --via');
    if (line === toLine) {
      push(to, 'target');
      break;
    }
    // Entering an intermediate minor without a pin: its latest patch.
    if (line !== fromLine && pinned.length === 0) push(kb.latestPatch(line)!, `latest patch of ${line}`);
    const next = kb.nextMinor(line);
    const floor = kb.patchFloor(line, next);
    const last = path[path.length - 1]!;
    if (floor && kb.compareVersions(last, floor.minimum) < 0) {
      if (pinned.length > 0 || (line !== fromLine)) {
        findings.push({
          severity: 'blocker',
          code: 'patch-floor',
          message: `${last} is below the minimum ${floor.minimum} required before upgrading to ${next}: ${floor.reason}`,
          source: floor.source,
          hop: `${last} -> ${next}`,
        });
      } else {
        const latest = kb.latestPatch(line)!;
        push(latest, `patch floor ${floor.minimum} before ${next}`);
        findings.push({
          severity: 'info',
          code: 'patch-floor',
          message: `${from} is below ${floor.minimum}, the minimum before upgrading to ${next}; the plan first moves to ${latest}. ${floor.reason}`,
          source: floor.source,
        });
      }
    }
    // Upstream policy: latest patch before a minor hop. Not enforced when no floor applies (the brief and
    // the guides only require one minor at a time), but said.
    const before = path[path.length - 1]!;
    const latest = kb.latestPatch(line)!;
    if (kb.compareVersions(before, latest) < 0) {
      findings.push({
        severity: 'info',
        code: 'not-latest-patch',
        message: `Upstream recommends the latest ${line} patch (${latest}) before upgrading to ${next}; the plan goes from ${before}.${kb.releaseLine(line)?.status === 'eol' ? ` (${line} is end-of-life.)` : ''} Use --via ${latest} to add that patch hop.`,
        source: kb.upgradePolicy.source,
      });
    }
  }
  return { path, reasons, findings };
}

function hopLabel(from: string, to: string): string {
  return `${from} -> ${to}`;
}

function v2FindingsFor(rule: kb.HopRule, v2: V2State): boolean {
  if (rule.when === 'v2-store-in-use') return v2 === 'in-use';
  if (rule.when === 'v2-unknown') return v2 !== 'in-use';
  return false;
}

interface HopContext {
  input: PlanInput;
  v2: V2State;
}

function buildHop(from: string, to: string, reason: string, ctx: HopContext, firstHop: boolean): { hop: Hop; findings: Finding[] } {
  const fromLine = kb.minorOf(from);
  const toLine = kb.minorOf(to);
  const kind: Hop['kind'] = fromLine === toLine ? 'patch' : 'minor';
  const label = hopLabel(from, to);
  const findings: Finding[] = [];
  let rolling = true;
  const prechecks: PlanAction[] = [];

  if (kind === 'minor') {
    for (const rule of kb.hopRules(fromLine, toLine)) {
      let applies = false;
      if (rule.when === 'always') applies = true;
      else if (rule.when === 'auth-enabled') {
        if (ctx.input.authEnabled === true) applies = true;
        else if (ctx.input.authEnabled === undefined) {
          findings.push({
            severity: 'warning',
            code: 'auth-status-unknown',
            message: `Whether auth is enabled is not known. ${rule.message} Pass --auth-enabled or --no-auth-enabled (or plan against the live cluster) to settle it.`,
            source: rule.source,
            hop: label,
          });
        }
      } else applies = v2FindingsFor(rule, ctx.v2);
      if (!applies) continue;
      if (rule.breaksRolling) rolling = false;
      findings.push({ severity: rule.severity, code: rule.id, message: rule.message, source: rule.source, hop: label });
      if (rule.check) prechecks.push({ type: 'precheck', check: rule.id, command: rule.check });
    }
    // The v2store check is a step of every 3.5 -> 3.6 hop, whatever was observed.
    if (fromLine === '3.5' && toLine === '3.6' && !prechecks.some((p) => p.check?.startsWith('v2store'))) {
      prechecks.push({ type: 'precheck', check: 'v2store-clean', command: 'etcdutl check v2store --data-dir <member data dir>   # etcdutl 3.5.32+, every member' });
    }
  }
  // Patch-level gates crossed on the way (e.g. data-dir 0700 on 3.4.10-3.4.12).
  for (const pr of kb.patchRulesBetween(from, to)) {
    findings.push({ severity: pr.severity, code: pr.id, message: pr.message, source: pr.source, hop: label });
    if (pr.check) prechecks.push({ type: 'precheck', check: pr.id, command: pr.check });
  }
  for (const bad of kb.knownBadPatches(to)) {
    findings.push({
      severity: 'warning',
      code: 'known-bad-patch',
      message: `${to} is a patch upstream advises against: ${bad.reason} Prefer ${bad.recommendedMinimum} or later.`,
      source: bad.source,
      hop: label,
    });
  }

  const lint = lintConfigsForHop(ctx.input.configs ?? [], from, to, label, firstHop);
  findings.push(...lint.findings);

  const actions = hopActions(from, to, kind, prechecks, lint.changes, ctx);
  const hop: Hop = { from, to, kind, rolling, reason, steps: actions.map((a) => describeAction(a, from, to)), actions, flagChanges: lint.changes };
  if (!rolling) hop.steps.unshift(`NOT ROLLING: this hop cannot be done member by member (${findings.filter((f) => f.severity === 'blocker').map((f) => f.code).join(', ')}); resolve the blockers first or plan an offline upgrade from the snapshot.`);
  return { hop, findings };
}

function orderedMembers(ctx: HopContext): { name: string; role: 'follower' | 'leader' }[] | undefined {
  const members = ctx.input.cluster?.members;
  if (!members || members.length === 0) return undefined;
  const sorted = [...members].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
  const followers = sorted.filter((m) => !m.isLeader).map((m) => ({ name: m.name || m.id, role: 'follower' as const }));
  const leaders = sorted.filter((m) => m.isLeader).map((m) => ({ name: m.name || m.id, role: 'leader' as const }));
  return [...followers, ...leaders];
}

function hopActions(from: string, to: string, kind: Hop['kind'], prechecks: PlanAction[], changes: Hop['flagChanges'], ctx: HopContext): PlanAction[] {
  const actions: PlanAction[] = [
    { type: 'check-health', command: 'etcdctl --endpoints=<all members> endpoint health' },
    { type: 'check-version', version: from, command: 'curl <client-url>/version   # on every member' },
    ...prechecks,
    { type: 'backup', command: 'etcdctl --endpoints=<leader> snapshot save backup.db   # or: upshift backup save' },
  ];
  const before = changes.filter((c) => c.when === 'before');
  const withBinary = changes.filter((c) => c.when === 'with-binary');
  if (before.length > 0) actions.push({ type: 'update-config', version: to, when: 'before', changes: before });
  if (withBinary.length > 0) actions.push({ type: 'update-config', version: to, when: 'with-binary', changes: withBinary });
  const members = orderedMembers(ctx);
  const nc = withBinary.length > 0 ? { newConfig: true } : {};
  if (members) {
    for (const m of members) {
      if (m.role === 'leader') actions.push({ type: 'move-leader', member: m.name, role: 'leader', command: 'etcdctl --endpoints=<leader> move-leader <member id of an upgraded member>' });
      actions.push({ type: 'upgrade-member', member: m.name, role: m.role, version: to, ...nc });
    }
  } else {
    actions.push({ type: 'upgrade-member', role: 'follower', version: to, ...nc });
    actions.push({ type: 'move-leader', role: 'leader', command: 'etcdctl --endpoints=<leader> move-leader <member id of an upgraded member>' });
    actions.push({ type: 'upgrade-member', role: 'leader', version: to, ...nc });
  }
  if (kind === 'minor') {
    actions.push({ type: 'wait-cluster-version', version: kb.minorOf(to), command: 'curl <client-url>/version   # etcdcluster must read ' + kb.minorOf(to) + '.0' });
    if (kb.compareMinors(kb.minorOf(to), '3.6') >= 0) actions.push({ type: 'wait-storage-version', version: kb.minorOf(to), command: 'etcdctl endpoint status -w table   # STORAGE VERSION ' + kb.minorOf(to) + '.0' });
  }
  return actions;
}

/** One numbered-list line per action, for humans (SPEC `steps`). */
export function describeAction(a: PlanAction, from: string, to: string): string {
  switch (a.type) {
    case 'check-health':
      return `Check that every member is healthy: \`${a.command}\`.`;
    case 'check-version':
      return `Confirm every member runs ${a.version} and the cluster version is ${kb.minorOf(a.version!)}.0: \`${a.command}\`.`;
    case 'precheck':
      return `Pre-check (${a.check}): \`${a.command}\`.`;
    case 'backup':
      return `Take a snapshot from the leader and keep it until the upgrade is verified: \`${a.command}\`.`;
    case 'update-config': {
      const parts = (a.changes ?? []).map((c) =>
        c.change === 'remove' ? `remove ${c.flag} (${c.file})` : c.change === 'rename' ? `replace ${c.flag} with ${c.replacement} (${c.file})` : `review ${c.flag} (${c.file})`,
      );
      return a.when === 'with-binary'
        ? `Prepare each member's configuration for ${a.version} and apply it when that member switches binaries (${from} does not accept the new form): ${parts.join('; ')}.`
        : `Edit each member's configuration before its upgrade (${from} accepts the edited form too, so a restart in between is safe): ${parts.join('; ')}.`;
    }
    case 'move-leader':
      return `Move leadership away from ${a.member ? `the leader ${a.member}` : 'the leader'} to an upgraded member: \`${a.command}\`.`;
    case 'upgrade-member': {
      const who = a.member ? `Member ${a.member}${a.role === 'leader' ? ' (leader, last)' : ''}` : a.role === 'leader' ? 'Then the leader (last)' : 'Each follower, one at a time';
      return `${who}: stop etcd ${from}, install etcd ${to}, start it with the same data dir and ${a.newConfig ? 'the prepared configuration' : 'flags'}, and wait until it is healthy and caught up before the next member.`;
    }
    case 'wait-cluster-version':
      return `Wait for the leader to raise the cluster version to ${a.version} (it checks about every 4s once every member reports ${a.version}): \`${a.command}\`.`;
    case 'wait-storage-version':
      return `Wait for the storage version to follow (${a.version}.0): \`${a.command}\`.`;
  }
}

function advisoryIds(list: Advisory[]): string[] {
  return list.map((a) => a.id).sort();
}

function advisoryDelta(from: string, to: string, kinds: Advisory['kind'][]): { fixed: string[]; remaining: string[] } {
  const before = kb.advisoriesAffecting(from, { kinds });
  const after = new Set(advisoryIds(kb.advisoriesAffecting(to, { kinds })));
  return { fixed: advisoryIds(before).filter((id) => !after.has(id)), remaining: [...after].sort() };
}

export function sortFindings(findings: Finding[], hopOrder: readonly string[] = []): Finding[] {
  const hopIndex = (f: Finding): number => (f.hop === undefined ? -1 : hopOrder.indexOf(f.hop));
  const seen = new Set<string>();
  return findings
    .filter((f) => {
      const k = `${f.severity}|${f.code}|${f.hop ?? ''}|${f.file ?? ''}|${f.line ?? ''}|${f.flag ?? ''}|${f.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort(
      (a, b) =>
        bySeverity(a, b) ||
        hopIndex(a) - hopIndex(b) ||
        (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
        (a.file ?? '').localeCompare(b.file ?? '') ||
        (a.line ?? 0) - (b.line ?? 0) ||
        (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
    );
}

function downgradeInfo(from: string, to: string): DowngradeInfo {
  const pairs: DowngradeInfo['pairs'] = [];
  const fromLine = kb.minorOf(from);
  const toLine = kb.minorOf(to);
  if (fromLine === toLine) {
    pairs.push({
      fromMinor: fromLine,
      toMinor: toLine,
      mechanism: 'patch-swap',
      supported: true,
      steps: [
        `Patch versions of ${fromLine} share the cluster version ${fromLine}.0, so members can be switched back one at a time (followers first, leader last) with the same data dir and flags.`,
        'Take a snapshot first; check the CHANGELOG of the patches you leave for fixes you would lose.',
      ],
      source: 'etcd@v3.6.14:server/etcdserver/version/monitor.go (cluster version is major.minor only)',
    });
    return { from, to, pairs };
  }
  for (let line = fromLine; kb.compareMinors(line, toLine) > 0; line = kb.previousMinor(line)) {
    const prev = kb.previousMinor(line);
    const d = kb.downgradeSupport(line, prev);
    if (!d) {
      pairs.push({ fromMinor: line, toMinor: prev, mechanism: 'snapshot-restore-only', supported: false, steps: ['No documented downgrade: restore the snapshot taken before the upgrade.'], source: 'upshift knowledge base (no upstream procedure known)' });
      continue;
    }
    pairs.push({
      fromMinor: d.fromMinor,
      toMinor: d.toMinor,
      mechanism: d.mechanism,
      supported: d.supported,
      ...(d.minimumTarget ? { minimumTarget: d.minimumTarget } : {}),
      ...(d.blockedBy ? { blockedBy: [...d.blockedBy] } : {}),
      steps: [...d.steps],
      source: d.source,
    });
  }
  return { from, to, pairs };
}

function downgradeFindings(info: DowngradeInfo, input: PlanInput): Finding[] {
  const f: Finding[] = [
    {
      severity: 'blocker',
      code: 'downgrade',
      message: `${info.to} is older than ${info.from}: upshift plan does not plan downgrades as upgrades; the supported downgrade procedure for each minor is listed with the plan.`,
    },
  ];
  if (info.pairs.length > 1) {
    f.push({ severity: 'blocker', code: 'downgrade-multiple-minors', message: `Downgrades go one minor at a time (${info.pairs.map((p) => `${p.fromMinor} -> ${p.toMinor}`).join(', ')}); each step has its own procedure.`, source: 'etcd@v3.6.14:server/etcdserver/version/downgrade.go:57 (allowedDowngradeVersion = minor - 1)' });
  }
  for (const p of info.pairs) {
    if (!p.supported) {
      f.push({ severity: 'blocker', code: 'downgrade-unsupported', message: `${p.fromMinor} -> ${p.toMinor}: no supported downgrade once the cluster version is ${p.fromMinor}; binary swap only while a member still runs ${p.toMinor}, otherwise restore the pre-upgrade snapshot.`, source: p.source });
    }
    if (p.minimumTarget && p.toMinor === kb.minorOf(info.to) && kb.compareVersions(info.to, p.minimumTarget) < 0) {
      f.push({ severity: 'blocker', code: 'downgrade-target-too-old', message: `The ${p.fromMinor} -> ${p.toMinor} downgrade needs a target of ${p.minimumTarget} or later; ${info.to} is older.`, source: p.source });
    }
    if (p.blockedBy?.includes('auth-enabled')) {
      if (input.authEnabled === true) f.push({ severity: 'blocker', code: 'downgrade-auth-enabled', message: `The ${p.fromMinor} -> ${p.toMinor} downgrade is not possible with auth enabled (auth WAL format); disable auth and delete all users first.`, source: p.source });
      else if (input.authEnabled === undefined) f.push({ severity: 'warning', code: 'auth-status-unknown', message: `The ${p.fromMinor} -> ${p.toMinor} downgrade is not possible with auth enabled; whether auth is enabled is not known.`, source: p.source });
    }
  }
  return f;
}

function assumptions(input: PlanInput): Plan['assumptions'] {
  return {
    authEnabled: input.authEnabled === undefined ? 'unknown' : input.authEnabled,
    v2Store: input.v2Store ?? 'unknown',
    members: input.cluster?.members.length ?? 'unknown',
    configs: (input.configs ?? []).map((c) => c.file),
  };
}

function versionFindings(from: string, to: string, input: PlanInput): Finding[] {
  const f: Finding[] = [];
  const eol = kb.eolStatus(to);
  if (eol.status === 'eol') {
    f.push({ severity: 'warning', code: 'version-eol', message: `The target ${to} is on an end-of-life line (${eol.line}; final release ${eol.finalRelease}): no more security fixes. ${eol.note ?? ''}`.trim(), source: eol.source });
  }
  if (eol.latest && kb.compareVersions(to, eol.latest) < 0) {
    f.push({ severity: 'info', code: 'target-not-latest', message: `${to} is not the latest ${eol.line} patch (${eol.latest}).`, source: kb.releaseLine(eol.line)?.source });
  }
  for (const bad of kb.knownBadPatches(from)) {
    f.push({ severity: 'warning', code: 'known-bad-patch', message: `The source ${from} is a patch upstream advises against: ${bad.reason}`, source: bad.source });
  }
  const members = input.cluster?.members ?? [];
  const versions = [...new Set(members.map((m) => m.version).filter((v): v is string => Boolean(v)))].sort(kb.compareVersions);
  if (versions.length > 1) {
    f.push({ severity: 'warning', code: 'mixed-version', message: `Members run different versions (${versions.join(', ')}); the plan starts from the oldest, ${from}. Finish or roll back the earlier upgrade first.` });
  }
  for (const m of members.filter((x) => !x.reachable)) {
    f.push({ severity: 'blocker', code: 'member-unreachable', message: `Member ${m.name || m.id} did not answer: a rolling upgrade needs every member healthy (and the cluster version only moves when all members report a version).`, source: 'web:content/en/docs/v3.6/upgrades/upgrade_3_6.md; etcd@v3.6.14:server/etcdserver/version/monitor.go' });
  }
  const db = input.cluster?.dbSize;
  if (db !== undefined && db >= 1024 ** 3) {
    f.push({ severity: 'info', code: 'large-db', message: `The largest member database is ${(db / 1024 ** 3).toFixed(1)} GiB: the snapshot, and each restarted member's catch-up, take longer; allow for it between members.` });
  }
  for (const m of members.filter((x) => x.isLearner)) {
    f.push({ severity: 'info', code: 'learner-member', message: `Member ${m.name || m.id} is a learner; it is upgraded like a follower but cannot take leadership.`, source: 'etcd@v3.6.14:server/etcdserver/server.go:1247' });
  }
  return f;
}

/**
 * Plan an etcd version change. Throws UsageError (exit 2) for versions that do not exist; returns a
 * plan with a `downgrade` section and blocker findings when `to` is older than `from`.
 */
export function plan(input: PlanInput): Plan {
  const from = requireKnownVersion(input.from, '--from');
  const to = requireKnownVersion(input.to, '--to');
  const via = (input.via ?? []).map((v) => requireKnownVersion(v, '--via'));
  const v2 = input.v2Store ?? 'unknown';
  const cves = advisoryDelta(from, to, ['cve', 'security']);
  const integrity = advisoryDelta(from, to, ['data-integrity', 'upgrade-blocker']);
  const configNotes = (input.configs ?? []).flatMap((c) => c.notes);
  // One fixed key order, so the JSON is byte-stable.
  const assemble = (p: Pick<Plan, 'direction' | 'path' | 'hops' | 'findings'> & { downgrade?: DowngradeInfo; cves?: Plan['cves']; integrity?: Plan['integrity'] }): Plan => ({
    from,
    to,
    direction: p.direction,
    path: p.path,
    hops: p.hops,
    findings: p.findings,
    cves: p.cves ?? cves,
    integrity: p.integrity ?? integrity,
    blocked: p.findings.some((f) => f.severity === 'blocker'),
    ...(p.downgrade ? { downgrade: p.downgrade } : {}),
    assumptions: assumptions(input),
    ...(input.cluster ? { cluster: input.cluster } : {}),
    knowledge: kb.knowledgeEdition(),
  });

  const cmp = kb.compareVersions(to, from);
  if (cmp === 0) {
    // Still check the given configs against the running version (unknown flags, env/flag conflicts).
    const lint = lintConfigsForHop(input.configs ?? [], from, to, `${from} (current)`, true).findings.filter((f) => f.code !== 'flag-default-changed');
    const findings = sortFindings([{ severity: 'info', code: 'nothing-to-do', message: `Already at ${to}: nothing to do.` }, ...staleFindingsFor([from]), ...versionFindings(from, to, input), ...configNotes, ...lint]);
    return assemble({ direction: 'none', path: [from], hops: [], findings });
  }
  if (cmp < 0) {
    if (via.length > 0) throw new UsageError('--via only applies to upgrades', { code: 'invalid-via' });
    const downgrade = downgradeInfo(from, to);
    const findings = sortFindings([...staleFindingsFor([from, to]), ...downgradeFindings(downgrade, input), ...configNotes]);
    return assemble({ direction: 'downgrade', path: [from, to], hops: [], findings, downgrade, cves: { fixed: [], remaining: cves.remaining }, integrity: { fixed: [], remaining: integrity.remaining } });
  }

  const { path, reasons, findings: pathFindings } = upgradePath(from, to, via);
  const hops: Hop[] = [];
  const findings: Finding[] = [...pathFindings, ...staleFindingsFor(path), ...versionFindings(from, to, input), ...configNotes];
  const ctx: HopContext = { input, v2 };
  for (let i = 0; i + 1 < path.length; i++) {
    const { hop, findings: hf } = buildHop(path[i]!, path[i + 1]!, reasons[i + 1]!, ctx, i === 0);
    hops.push(hop);
    findings.push(...hf);
  }
  return assemble({ direction: 'upgrade', path, hops, findings: sortFindings(findings, hops.map((h) => hopLabel(h.from, h.to))) });
}
