/**
 * `upshift rehearse`: the upgrade's dress rehearsal on a copy of the real data, under injected faults.
 *
 *  1. the source cluster as it answers; its newest verified backup (or the given file, or a fresh save);
 *  2. a throw-away local copy restored from it (the same restore path as `upshift restore`: Kubernetes data
 *     gets its revision bump), same member names, count and version, the source's flags where known,
 *     every client and peer link through the fault layer (src/faults, in its own thread);
 *  3. the readiness checks on the copy, then the exact plan `upshift upgrade --to V` would run (the same
 *     planner, settings and executor), with the canary and the seeded fault schedule, which is journaled
 *     with the run; a quorum monitor watches the members' own metrics listeners meanwhile;
 *  4. go / no-go with reasons (verdict.ts), the run's report.html beside its journal (src/dashboard) and
 *     rehearsal.json beside it; the copy is removed unless --keep.
 * The executor is used through its public entry point and hook points (ExecutorHooks) only.
 */
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { EnvironmentError, ProblemError, UpshiftError, UsageError, errorMessage } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import { writeFileAtomic } from '../core/files.js';
import { resolveConnection } from '../client/connection.js';
import { readInstalled } from '../binaries/layout.js';
import { parseSourceSpec } from '../binaries/sources/resolve.js';
import { plan as makePlan } from '../plan/planner.js';
import { loadCluster, memberRunState } from '../cluster/local.js';
import { checkSnapshotForRestore } from '../restore/restore.js';
import { observeCluster } from '../upgrade/observe.js';
import { preflight } from '../upgrade/preflight.js';
import { runReadinessChecks } from '../upgrade/readiness/index.js';
import { UpgradeExecutor, type ExecutorHooks, type UpgradeReport, type UpgradeSettings } from '../upgrade/executor.js';
import { LocalDriver } from '../upgrade/drivers/local.js';
import { assertAdminUser } from '../upgrade/permissions.js';
import { newRunId, parseJournal } from '../upgrade/runs.js';
import type { HookRecord, JournalRecord } from '../upgrade/journal.js';
import { ttyProgress } from '../upgrade/progress.js';
import { withRunReport } from '../dashboard/report.js';
import { settingsFromFlags, type UpgradeOptions } from '../commands/upgrade.js';
import { loadSchedule, membersNeedingL7, resolveTimeline, type Timeline, type TimelineEntry } from '../faults/schedule.js';
import { FaultRunner, type FaultEvent } from '../faults/runner.js';
import type { LayerStats } from '../faults/proxy-set.js';
import { chooseBackup, copyName, readSource, sourceFlags, type ChosenBackup } from './source.js';
import { detachCopy, keepMemberLogs, makeCopy, removeCopy, type Copy } from './copy.js';
import { QuorumMonitor, type MonitoredMember, type QuorumReport } from './quorum-monitor.js';
import { processState } from '../faults/process.js';
import { judgeRehearsal, type MemberFigures } from './verdict.js';

export interface RehearseOptions extends Omit<UpgradeOptions, 'backup' | 'dryRun' | 'yes'> {
  /** FILE, or `latest` (default): the newest verified backup of the source. */
  backup?: string;
  faults?: string;
  seed?: string;
  config?: string[];
  keep?: boolean;
}

export interface RehearsalFault {
  id: string;
  fault: string;
  target: TimelineEntry['target'];
  /** When it began (ISO) and ended, and what was done. */
  at: string;
  endedAt?: string | undefined;
  detail?: string | undefined;
}

export interface RehearsalResult {
  go: boolean;
  reasons: string[];
  readiness: Finding[];
  upgrade: UpgradeReport | null;
  faults: RehearsalFault[];
  report: {
    outcome: { result: string; why: string };
    seed: string;
    timeline: TimelineEntry[];
    source: { endpoints: string[]; clusterId: string; members: string[]; version: string; flags: string[]; flagsFrom: string[] };
    backup: ChosenBackup;
    copy: { cluster: string; kept: boolean; revisionBump: { amount: number } | null; restoreOk: boolean; restoreChecksFailed: string[] };
    members: MemberFigures[];
    quorum: QuorumReport | null;
    proxies: LayerStats | null;
    notes: string[];
    journal: string | null;
    /** The tail (last 256 KiB) of each copy member's etcd log, kept beside the journal before the copy is removed. */
    memberLogs: Record<string, string>;
    html: string | null;
    json: string | null;
  };
}

/** Versions the rehearsal needs, installed (upshift's own installer, from `--source`/`--base-url`) when missing. */
async function ensureInstalled(ctx: CommandContext, versions: string[], from: Pick<RehearseOptions, 'source' | 'baseUrl'>): Promise<void> {
  const missing: string[] = [];
  for (const v of new Set(versions)) if (!(await readInstalled(ctx.home, v))) missing.push(v);
  if (missing.length === 0) return;
  const source = from.source ?? 'auto';
  const flags = `${source !== 'auto' ? ` --source ${source}` : ''}${from.baseUrl ? ` --base-url ${from.baseUrl}` : ''}`;
  note(ctx, `upshift rehearse: installing etcd ${missing.join(', ')}${flags ? ` (${flags.trim()})` : ''}`);
  const install = await import('../commands/etcd-install.js');
  const r = await install.run({ versions: missing, source, ...(from.baseUrl ? { baseUrl: from.baseUrl } : {}) }, ctx);
  const res = 'result' in r ? r.result : r;
  const failed = res.versions.filter((v) => !v.ok);
  if (failed.length > 0) throw new EnvironmentError('install-failed', `cannot install etcd ${failed.map((f) => f.version).join(', ')} for the rehearsal`, { hint: `run: upshift etcd install ${missing.join(' ')}${flags}` });
}

export async function rehearse(opts: RehearseOptions, ctx: CommandContext): Promise<RehearsalResult> {
  // Everything the flags say is checked before anything is read or started (exit 2).
  const base = settingsFromFlags({ ...opts, backup: true });
  const binSource = parseSourceSpec(opts.source);
  if (opts.baseUrl && !/^https?:\/\//.test(opts.baseUrl)) throw new UsageError(`--base-url: "${opts.baseUrl}" is not an http(s) URL`, { hint: 'e.g. --base-url https://mirror.example/etcd/releases' });
  if (opts.baseUrl && binSource.kind !== 'auto' && binSource.kind !== 'github') throw new UsageError(`--base-url applies to --source github, not ${opts.source}`, { hint: 'drop --base-url or use --source github' });
  const schedule = opts.faults ? await loadSchedule(opts.faults) : undefined;
  const seed = String(opts.seed ?? schedule?.seed ?? randomBytes(4).readUInt32BE(0));
  const config = resolveConnection(opts, ctx.env, ctx.home);
  const log = (l: string): void => note(ctx, l);
  log(`upshift rehearse: reading the source cluster at ${config.endpoints.join(', ')}`);
  const source = await readSource(config, ctx.signal);
  // The copy keeps the source's users: the rehearsal's upgrade needs the rights the real one would.
  await assertAdminUser(config, source.facts.authEnabled);
  const flags = await sourceFlags({ config: opts.config, driverConfig: opts.driverConfig, cluster: opts.cluster }, ctx.home, source.members, source.version);
  const f = source.facts;
  const p = makePlan({ from: f.from, to: base.to, via: opts.via ?? [], authEnabled: f.authEnabled, v2Store: f.v2Store, cluster: f.cluster, configs: flags.configs });
  if (p.direction === 'downgrade') throw new ProblemError('downgrade', `${base.to} is older than the source's ${f.from}: rehearse rehearses upgrades`, { hint: '`upshift plan --to V` describes the supported downgrade procedure' });
  if (p.direction === 'none') throw new ProblemError('nothing-to-do', `every member of the source already runs ${base.to}`, { hint: 'nothing to rehearse' });
  const timeline: Timeline = schedule ? resolveTimeline(schedule, seed, source.members) : { seed, entries: [] };
  await ensureInstalled(ctx, [source.version, ...p.path.slice(1)], opts);
  const backup = await chooseBackup(ctx.home, config, source, opts.backup, ctx.signal);
  log(`upshift rehearse: backup ${backup.file} (${backup.how}, revision ${backup.revision ?? '?'})`);
  const snap = await checkSnapshotForRestore(backup.file, false, ctx.signal);
  const settings: UpgradeSettings = { ...base, from: f.from, path: p.path, hops: p.hops.map((h) => ({ from: h.from, to: h.to })) };
  const notes = [...source.notes, ...flags.notes, ...backup.notes];
  const name = copyName(newRunId());
  log(`upshift rehearse: restoring into ${name} (${source.members.length} members, etcd ${source.version}${flags.args.length ? `, ${flags.args.join(' ')}` : ''}), every link through the fault layer`);

  let copy: Copy | undefined;
  let copyClusterId: string | undefined;
  let upgrade: UpgradeReport | null = null;
  let refused: string | undefined;
  let readiness: Finding[] = [];
  let quorum: QuorumReport | null = null;
  let proxies: LayerStats | null = null;
  let runner: FaultRunner | undefined;
  let records: JournalRecord[] = [];
  let kept = false;
  let memberLogs: Record<string, string> = {};
  try {
    copy = await makeCopy({
      home: ctx.home,
      name,
      members: source.members,
      version: source.version,
      tls: source.tls,
      extraArgs: flags.args,
      seed,
      clientL7: membersNeedingL7(timeline),
      snap,
      auth: config.auth,
      dialTimeoutMs: config.dialTimeoutMs,
      commandTimeoutMs: config.commandTimeoutMs,
      signal: ctx.signal,
      progress: log,
    });
    const l7 = source.members.filter((m) => copy!.layer.clientIsL7(m));
    notes.push(
      l7.length === 0
        ? `client links through the L4 proxy (the schedule has no per-RPC fault; L4 costs clients least${source.tls ? '; TLS passed through to the members' : ''})`
        : `client links through the L7 proxy for ${l7.join(', ')} (per-RPC faults${source.tls ? '; TLS terminated with each member\'s own certificate' : ''})${l7.length < source.members.length ? ', the L4 proxy for the others' : ''}`,
      ...copy.layer.notes,
      ...copy.restore.notes,
    );
    if (copy.restore.ok) {
      const c = copy;
      const copyObs = await observeCluster(c.config, { signal: ctx.signal });
      copyClusterId = copyObs.clusterId;
      const driver = new LocalDriver(ctx.home, c.name);
      readiness = [
        ...preflight(copyObs).findings,
        ...p.findings.filter((x) => x.severity !== 'info'),
        ...(await runReadinessChecks({ config: c.config, driver, home: ctx.home, obs: copyObs, signal: ctx.signal, log }, { path: p.path, hops: settings.hops })),
      ];
      const blockers = readiness.filter((x) => x.severity === 'blocker');
      if (blockers.length > 0) refused = blockers.map((b) => `${b.code}: ${b.message}`).join('; ');
      else {
        runner = new FaultRunner(timeline, c.layer, { processOf: (m) => memberProcess(ctx.home, c.name, m) }, log);
        const monitor = new QuorumMonitor(() => monitoredMembers(ctx.home, c.name));
        const r = runner;
        const hooks: ExecutorHooks = {
          onRunStart: (run) => {
            r.start((e) => run.record(e as unknown as HookRecord));
            monitor.start();
          },
          onStep: async (e) => {
            if (e.phase === 'end') await r.onStepEnd(e.step.id);
          },
          onRunEnd: () => r.stop(),
          probeURL: (u) => c.layer.directURL(u),
        };
        try {
          upgrade = await UpgradeExecutor.start(
            { config: c.config, driver, home: ctx.home, target: { cluster: c.name, endpoints: c.config.endpoints }, log, progress: ctx.interactive ? ttyProgress(ctx.stderr) : undefined, signal: ctx.signal, hooks, runKind: 'rehearse' },
            settings,
            copyObs,
          );
        } catch (e) {
          // A refusal before the run began (preflight, lock, flags): the real upgrade would refuse the same way.
          if (!(e instanceof UpshiftError) || e.exitCode !== 1) throw e;
          refused = errorMessage(e);
        } finally {
          await r.stop();
          quorum = monitor.stop();
        }
        proxies = await c.layer.stats().catch(() => null);
        if (upgrade) {
          upgrade = await withRunReport(upgrade, log);
          records = parseJournal(await readFile(upgrade.journal, 'utf8'));
        }
      }
    }
  } finally {
    if (copy) {
      if (opts.keep) {
        notes.push(...(await detachCopy(ctx.home, copy)));
        kept = true;
        await copy.layer.close();
      } else {
        if (upgrade) memberLogs = await keepMemberLogs(ctx.home, copy.name, dirname(upgrade.journal));
        await removeCopy(ctx.home, copy.name, copyClusterId);
        await copy.layer.close();
      }
    }
  }

  const aborted: Record<string, number> = {};
  let delayed = 0;
  for (const s of Object.values(proxies?.client ?? {})) {
    const st = s.stats as { aborted?: Record<string, number>; delayed?: number };
    for (const [k, n] of Object.entries(st.aborted ?? {})) aborted[k] = (aborted[k] ?? 0) + n;
    delayed += st.delayed ?? 0;
  }
  const faultEvents: FaultEvent[] = runner?.events ?? [];
  const verdict = judgeRehearsal({
    from: f.from,
    to: base.to,
    backup: { file: backup.file, revision: backup.revision },
    members: source.members.length,
    restore: { ok: copy?.restore.ok ?? false, failed: (copy?.restore.checks ?? []).filter((x) => !x.ok).map((x) => x.message) },
    readiness,
    refused,
    upgrade,
    records,
    quorum,
    timeline: timeline.entries,
    faultEvents,
    aborted,
    delayed,
  });
  const faults: RehearsalFault[] = faultEvents
    .filter((e) => e.event === 'begin')
    .map((b) => {
      const end = faultEvents.find((e) => e.event === 'end' && e.id === b.id);
      return { id: b.id!, fault: b.fault!, target: b.target!, at: b.at, ...(end ? { endedAt: end.at } : {}), ...(b.detail ? { detail: b.detail } : {}) };
    });
  const jsonFile = upgrade ? join(dirname(upgrade.journal), 'rehearsal.json') : null;
  const result: RehearsalResult = {
    go: verdict.go,
    reasons: verdict.reasons,
    readiness,
    upgrade,
    faults,
    report: {
      outcome: verdict.outcome,
      seed,
      timeline: timeline.entries,
      source: { endpoints: config.endpoints, clusterId: source.clusterId, members: source.members, version: source.version, flags: flags.args, flagsFrom: flags.from },
      backup,
      copy: { cluster: name, kept, revisionBump: copy?.restore.revisionBump ? { amount: copy.restore.revisionBump.amount } : null, restoreOk: copy?.restore.ok ?? false, restoreChecksFailed: (copy?.restore.checks ?? []).filter((x) => !x.ok).map((x) => x.name) },
      members: verdict.members,
      quorum,
      proxies,
      notes,
      journal: upgrade?.journal ?? null,
      memberLogs,
      html: upgrade?.reportHtml ?? null,
      json: jsonFile,
    },
  };
  if (jsonFile) await writeFileAtomic(jsonFile, JSON.stringify(result, null, 2) + '\n');
  return result;
}

async function monitoredMembers(home: string, cluster: string): Promise<MonitoredMember[]> {
  const c = await loadCluster(home, cluster);
  return c.members.map((m) => ({ metricsURL: m.metricsURL ?? '', running: m.pid !== undefined && memberRunState(m) === 'running' && processState(m.pid) !== 'T' }));
}

async function memberProcess(home: string, cluster: string, member: string): Promise<{ pid: number; dataDir: string } | undefined> {
  const c = await loadCluster(home, cluster);
  const m = c.members.find((x) => x.name === member);
  if (!m || m.pid === undefined || memberRunState(m) !== 'running') return undefined;
  return { pid: m.pid, dataDir: m.dataDir };
}
