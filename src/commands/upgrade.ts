/**
 * `upshift upgrade --to V [--driver local|exec] [--driver-config FILE] [--load OPS] [--soak D]
 *  [--on-failure pause|rollback] [--dry-run] [--yes]`: discover -> plan (pure) -> preflight (pure) ->
 * execute (journaled). Exit 0 succeeded, 1 refused or verification failed, 2 bad input, 3 cannot
 * connect / binaries missing, 4 stopped safely (paused, rolled back), 5 needs attention.
 */
import { createInterface } from 'node:readline/promises';
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { EnvironmentError, ExitCode, ProblemError, UsageError } from '../core/errors.js';
import type { CommandOutcome } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { renderTable } from '../core/output.js';
import type { ConnectionFlags } from '../cli/common.js';
import { outcome } from './command.js';
import { resolveConnection, type ConnectionConfig } from '../client/connection.js';
import { listInstalled, readInstalled } from '../binaries/layout.js';
import { parseSourceSpec, sourcesToList } from '../binaries/sources/resolve.js';
import { sourceOffers } from '../binaries/availability.js';
import { checkBinaries, type BinaryReport, type PathInput } from '../upgrade/binaries.js';
import { plan as makePlan } from '../plan/planner.js';
import { discover } from '../plan/discover.js';
import { observeCluster } from '../upgrade/observe.js';
import { preflight, type PreflightFinding } from '../upgrade/preflight.js';
import { UpgradeExecutor, DEFAULT_SETTINGS, assertPreflight, exitCodeFor, type Operation, type UpgradeReport, type UpgradeSettings } from '../upgrade/executor.js';
import { describeFinding, type ReadinessFinding } from '../upgrade/readiness/index.js';
import { DEFAULT_GATES, type GateThresholds } from '../upgrade/gates.js';
import { LocalDriver } from '../upgrade/drivers/local.js';
import { ExecDriver, loadExecConfig } from '../upgrade/drivers/exec.js';
import type { MemberOps } from '../upgrade/drivers/types.js';
import type { Step } from '../upgrade/steps.js';
import type { Finding } from '../plan/types.js';
import { readConfigFile } from '../plan/config.js';
import { reviewFlags, describeFlagChanges } from '../upgrade/flags.js';
import { assertAdminUser } from '../upgrade/permissions.js';
import type { LeaderTransferPolicy } from '../upgrade/order.js';
import { jsonProgress, ttyProgress, type ProgressSink } from '../upgrade/progress.js';
import { withRunReport } from '../dashboard/report.js';
import { knowledgeEdition, knowledgeLine, type KnowledgeStamp } from '../knowledge/index.js';

export interface UpgradeOptions extends ConnectionFlags {
  to?: string;
  via?: string[];
  driver?: string;
  driverConfig?: string;
  load?: string;
  soak?: string;
  onFailure?: string;
  dryRun?: boolean;
  yes?: boolean;
  backup?: boolean;
  drain?: boolean;
  leaderTransfer?: string;
  baseline?: string;
  maxErrorRate?: string;
  maxP99?: string;
  maxFailedHealthChecks?: string;
  maxAppliedLag?: string;
  /** Gate: P99 may reach max(baseline x factor, baseline + slack) (defaults 5 and 300ms). */
  maxP99Factor?: string;
  maxP99Slack?: string;
  readyTimeout?: string;
  /** Exec driver without a `check` template: the user ran `etcdutl check v2store` on every member (readiness before 3.6). */
  assumeV2Clean?: boolean;
  /** Where a missing binary could come from (asked only when one is missing): as `etcd install --source`. */
  source?: string;
  baseUrl?: string;
  /** Serve /metrics for this run on HOST:PORT while it runs. */
  metricsAddr?: string;
  output?: string;
}

export interface DryRunResult {
  dryRun: true;
  from: string;
  to: string;
  path: string[];
  driver: string;
  preflight: { ok: boolean; findings: PreflightFinding[] };
  /** The plan's blockers: a real run would refuse (exit 1) before touching anything. */
  blockers: Finding[];
  steps: { id: string; description: string; command?: string }[];
  /** Readiness checks run on the cluster's data now (before a hop into 3.6+); their blockers refuse a real run (extension). */
  readiness: ReadinessFinding[];
  /** The etcd binaries the path needs: installed or not, where a missing one could come from, what would do instead. */
  binaries: BinaryReport;
  /**
   * Flags that change on the way. local: what upshift rewrites in each member's command line at its start.
   * exec: what you must change in the configuration your start templates use (upshift cannot edit it),
   * from the plan's check of the driver config's `config:` files; a note when none is named.
   */
  flags: { applies: 'upshift' | 'you'; changes: string[]; findings: Finding[]; notes: string[] };
  /** How current the etcd knowledge behind the plan is. */
  knowledge: KnowledgeStamp;
}

export type UpgradeResult = (UpgradeReport & { knowledge?: KnowledgeStamp }) | DryRunResult;

function num(v: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`${flag}: "${v}" is not a number in ${min}..${max}`, { hint: `e.g. ${flag} ${min === 0 ? 50 : min}` });
  return n;
}

/** Everything the flags say, validated (exit 2) before any I/O. */
export function settingsFromFlags(opts: UpgradeOptions): Omit<UpgradeSettings, 'from' | 'path' | 'hops'> {
  if (!opts.to) throw new UsageError('--to is required: the etcd version to upgrade to', { hint: 'e.g. upshift upgrade --cluster demo --to 3.5.30' });
  const onFailure = opts.onFailure ?? 'rollback';
  if (onFailure !== 'rollback' && onFailure !== 'pause') throw new UsageError(`--on-failure: "${onFailure}" is not a policy`, { hint: 'use rollback (default) or pause' });
  const lt = opts.leaderTransfer ?? 'auto';
  if (!['auto', 'move-leader', 'graceful-stop'].includes(lt)) throw new UsageError(`--leader-transfer: "${lt}" is not a method`, { hint: 'use auto, move-leader or graceful-stop' });
  const gates: GateThresholds = { ...DEFAULT_GATES };
  const rate = num(opts.maxErrorRate, '--max-error-rate', 0, 1);
  if (rate !== undefined) gates.maxErrorRate = rate;
  if (opts.maxP99 !== undefined) gates.maxP99Ms = parseDuration(opts.maxP99, '--max-p99');
  const fh = num(opts.maxFailedHealthChecks, '--max-failed-health-checks', 1, 1000);
  if (fh !== undefined) gates.maxFailedHealthChecks = fh;
  const lag = num(opts.maxAppliedLag, '--max-applied-lag', 0, 1e9);
  if (lag !== undefined) gates.maxAppliedLag = lag;
  const factor = num(opts.maxP99Factor, '--max-p99-factor', 1, 1000);
  if (factor !== undefined) gates.p99BaselineFactor = factor;
  if (opts.maxP99Slack !== undefined) gates.p99BaselineSlackMs = parseDuration(opts.maxP99Slack, '--max-p99-slack');
  return {
    ...DEFAULT_SETTINGS,
    to: opts.to,
    loadOpsPerSec: num(opts.load, '--load', 0, 10_000) ?? DEFAULT_SETTINGS.loadOpsPerSec,
    soakMs: opts.soak !== undefined ? parseDuration(opts.soak, '--soak') : DEFAULT_SETTINGS.soakMs,
    baselineMs: opts.baseline !== undefined ? parseDuration(opts.baseline, '--baseline') : DEFAULT_SETTINGS.baselineMs,
    readyTimeoutMs: opts.readyTimeout !== undefined ? parseDuration(opts.readyTimeout, '--ready-timeout') : DEFAULT_SETTINGS.readyTimeoutMs,
    onFailure,
    leaderTransfer: lt as LeaderTransferPolicy,
    backup: opts.backup !== false,
    drain: opts.drain !== false,
    gates,
    ...(opts.assumeV2Clean ? { assumeV2Clean: true } : {}),
  };
}

/** The driver the flags ask for (exit 2 on a bad combination). */
export async function driverFromFlags(opts: { driver?: string | undefined; driverConfig?: string | undefined; cluster?: string | undefined }, ctx: CommandContext): Promise<MemberOps> {
  const kind = opts.driver ?? (opts.driverConfig ? 'exec' : 'local');
  if (kind === 'local') {
    if (!opts.cluster) throw new UsageError('--driver local needs --cluster NAME (a cluster made by `upshift cluster up`)', { hint: 'for other deployments use --driver exec --driver-config FILE' });
    if (opts.driverConfig) throw new UsageError('--driver-config is for --driver exec');
    return new LocalDriver(ctx.home, opts.cluster);
  }
  if (kind === 'exec') {
    if (!opts.driverConfig) throw new UsageError('--driver exec needs --driver-config FILE (stop/install/start templates)', { hint: 'see SPEC "upgrade" for the YAML' });
    return new ExecDriver(await loadExecConfig(opts.driverConfig), { home: ctx.home, env: ctx.env });
  }
  throw new UsageError(`--driver: "${kind}" is not a driver`, { hint: 'use local or exec' });
}

export async function run(opts: UpgradeOptions, ctx: CommandContext): Promise<UpgradeResult | CommandOutcome<UpgradeResult>> {
  const base = settingsFromFlags(opts);
  const driver = await driverFromFlags(opts, ctx);
  const config = resolveConnection(opts, ctx.env, ctx.home);
  note(ctx, `upshift upgrade: ${knowledgeLine()}`);
  note(ctx, `upshift upgrade: reading the cluster at ${config.endpoints.join(', ')}`);
  const [obs, facts] = await Promise.all([observeCluster(config, { signal: ctx.signal }), discover(config)]);
  // A sick cluster is refused first, naming the members (the plan would only say "blocked"); then
  // credentials that could not carry the run through (auth on, no root role) — both before anything is touched.
  if (!opts.dryRun) assertPreflight(obs);
  await assertAdminUser(config, facts.authEnabled);
  // exec: the etcd configuration the start templates use, when the driver config names it, is checked by the plan.
  const configs = [];
  if (driver instanceof ExecDriver) for (const f of new Set(Object.values(driver.config.configs).flat())) configs.push(await readConfigFile(f));
  const p = makePlan({ from: facts.from, to: base.to, via: opts.via ?? [], authEnabled: facts.authEnabled, v2Store: facts.v2Store, cluster: facts.cluster, configs });
  if (p.direction === 'downgrade') throw new ProblemError('downgrade', `${base.to} is older than the cluster's ${facts.from}: upshift upgrade only goes up`, { hint: '`upshift downgrade --to V` (3.6 and later, one minor at a time); `upshift plan --to V` describes the procedure for older versions' });
  // The readiness checks read every member's v2 snapshot and WAL (or run the exec driver's check, or take
  // --assume-v2-clean): their verdict replaces the plan's guess from /v2/keys and the request metrics.
  const v2Checked = driver instanceof ExecDriver ? Object.keys(driver.config.members).concat('*').some((m) => driver.canCheck(m)) || base.assumeV2Clean === true : Boolean((driver as MemberOps).memberData);
  if (v2Checked) p.findings = p.findings.filter((f) => !/^v2store-(clean|check)-before-3\.6$/.test(f.code));
  const blockers = p.findings.filter((f) => f.severity === 'blocker');
  if (blockers.length > 0 && !opts.dryRun) {
    throw new ProblemError('plan-blocked', `the plan from ${facts.from} to ${base.to} has blockers: ${blockers.map((b) => `${b.code}: ${b.message}`).join('; ')}`, { hint: 'run `upshift plan --to V` for details and sources; nothing was touched' });
  }
  // Every version on the way must be installed locally ({{binDir}} for exec, the binary for local). A dry run
  // shows the plan anyway, with what is missing; a real run refuses before touching anything, saying the same.
  const binaries = await binariesFor({ from: facts.from, to: base.to, via: opts.via ?? [], path: p.path, reasons: p.hops.map((h) => h.reason) }, opts, ctx);
  const settings: UpgradeSettings = { ...base, from: facts.from, path: p.path, hops: p.hops.map((h) => ({ from: h.from, to: h.to })) };

  const env = { config, driver, home: ctx.home, target: { cluster: opts.cluster, endpoints: config.endpoints }, driverConfig: opts.driverConfig, log: (l: string) => note(ctx, l), progress: progressFor(ctx), signal: ctx.signal };
  if (opts.dryRun) return dryRun(obs, settings, driver, config, p.findings.filter((f) => f.flag !== undefined || f.file !== undefined), blockers, binaries, await UpgradeExecutor.readiness(env, settings, obs));
  if (!binaries.ok) throw missingBinaries(binaries, opts);
  if (p.direction === 'none') throw new ProblemError('nothing-to-do', `every member already runs ${base.to}`, { hint: 'nothing to upgrade' });
  await confirm(opts, ctx, settings);
  const metrics = await runMetricsEndpoint(opts.metricsAddr, ctx);
  let report: UpgradeReport;
  try {
    report = await withRunReport(
      await UpgradeExecutor.start(env, settings, obs),
      (l) => note(ctx, l),
    );
  } finally {
    await metrics?.close();
  }
  const code = exitCodeFor(report);
  const result = { ...report, knowledge: knowledgeEdition() };
  return code === ExitCode.ok ? result : outcome(result, code);
}

/** Which binaries the path needs; the sources are asked (each its own `available()`) only when one is missing. */
export async function binariesFor(input: PathInput, opts: Pick<UpgradeOptions, 'source' | 'baseUrl'>, ctx: CommandContext): Promise<BinaryReport> {
  const need = input.path.slice(1);
  const missing = (await Promise.all(need.map(async (v) => ((await readInstalled(ctx.home, v).catch(() => undefined)) ? undefined : v)))).filter(Boolean);
  const installed = (await listInstalled(ctx.home)).map((i) => i.version);
  if (missing.length === 0) return checkBinaries(input, installed, []);
  const spec = parseSourceSpec(opts.source);
  if (opts.baseUrl && !/^https?:\/\//.test(opts.baseUrl)) throw new UsageError(`--base-url: "${opts.baseUrl}" is not an http(s) URL`, { hint: 'e.g. --base-url https://mirror.example/etcd/releases' });
  note(ctx, `upshift upgrade: etcd ${missing.join(', ')} not installed; asking the binary sources who has ${missing.length === 1 ? 'it' : 'them'}`);
  const sources = sourcesToList(spec, { requestDeadlineMs: 20_000, downloadDeadlineMs: 600_000, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}) });
  return checkBinaries(input, installed, await sourceOffers(sources, ctx), opts.baseUrl ? ` --base-url ${opts.baseUrl}` : '');
}

/** The real run's refusal (exit 3, nothing touched): the dry run's binary report as an error. */
export function missingBinaries(b: BinaryReport, opts: Pick<UpgradeOptions, 'via'>): EnvironmentError {
  const missing = b.versions.filter((v) => !v.installed);
  const installs = missing.map((v) => v.install).filter((x): x is string => x !== undefined);
  const via = b.suggestedVia.length > 0 ? `add ${b.suggestedVia.map((v) => `--via ${v}`).join(' ')}${opts.via?.length ? ` (with your ${opts.via.map((v) => `--via ${v}`).join(' ')})` : ''}` : undefined;
  return new EnvironmentError('etcd-not-installed', `the upgrade path needs etcd binaries that are not installed: ${b.problems.join(' | ')}`, {
    hint: `${[...installs, via].filter(Boolean).join('; or ') || 'install them (`upshift etcd list --available` shows what the sources offer)'}; nothing was touched`,
    details: { binaries: b },
  });
}

export async function dryRun(obs: Awaited<ReturnType<typeof observeCluster>>, settings: UpgradeSettings, driver: MemberOps, config: ConnectionConfig, flagFindings: Finding[], blockers: Finding[], binaries: BinaryReport, readiness: ReadinessFinding[], operation: Operation = 'upgrade'): Promise<DryRunResult | CommandOutcome<DryRunResult>> {
  const pf = preflight(obs);
  const steps = UpgradeExecutor.plan(obs, settings, operation).map((s: Step) => {
    const out: { id: string; description: string; command?: string } = { id: s.id, description: s.description };
    if (driver instanceof ExecDriver && s.member && (s.kind === 'stop' || s.kind === 'install' || s.kind === 'start')) {
      const m = obs.members.find((x) => x.name === s.member);
      const client = m?.clientURLs.find((u) => config.endpoints.includes(u)) ?? m?.clientURLs[0] ?? '';
      out.command = driver.command(s.kind, { name: s.member, clientURL: client, peerURL: m?.peerURLs[0] ?? '' }, s.kind === 'stop' ? s.from! : s.to!);
    }
    return out;
  });
  const flags: DryRunResult['flags'] = { applies: driver instanceof ExecDriver ? 'you' : 'upshift', changes: [], findings: flagFindings, notes: [] };
  if (driver instanceof ExecDriver) {
    const unnamed = obs.members.filter((m) => m.name && driver.configsFor(m.name).length === 0).map((m) => m.name);
    if (unnamed.length > 0) flags.notes.push(`the exec driver starts ${unnamed.join(', ')} with your templates: upshift cannot see their flags; add \`config: FILE\` (the etcd config, flag list, systemd unit or env file they use) to the driver config to have each hop's flag changes checked and listed here`);
    else if (flagFindings.length === 0) flags.notes.push('no flag in the named configuration changes on this path');
  } else {
    const reports = await reviewFlags(driver, obs.members.map((m) => m.name).filter(Boolean), settings.hops);
    flags.changes = describeFlagChanges(reports);
    for (const r of reports.filter((x) => x.unresolved.length > 0)) flags.notes.push(`${r.member} on ${r.version}: etcd would refuse ${r.unresolved.join(' ')} and no rule maps it: the run will refuse to start`);
  }
  const result: DryRunResult = { dryRun: true, from: settings.from, to: settings.to, path: settings.path, driver: driver.kind, preflight: { ok: pf.ok, findings: pf.findings }, blockers, readiness, steps, binaries, flags, knowledge: knowledgeEdition() };
  // The exit code a real run would end with before touching anything: 1 refused (preflight, plan, readiness), 3 binaries missing.
  if (!pf.ok || blockers.length > 0 || readiness.some((f) => f.severity === 'blocker')) return outcome(result, ExitCode.problem);
  return binaries.ok ? result : outcome(result, ExitCode.environment);
}

/** How a run shows its steps: pino records (--log-format json), a live view (terminal), or plain lines. */
export function progressFor(ctx: CommandContext): ProgressSink | undefined {
  if (ctx.logFormat === 'json') return jsonProgress(ctx.log);
  return ctx.interactive ? ttyProgress(ctx.stderr) : undefined;
}

/** `--metrics-addr`: /metrics of this process's run while it runs (checked before anything is touched). */
export async function runMetricsEndpoint(addr: string | undefined, ctx: CommandContext): Promise<{ close(): Promise<void> } | undefined> {
  if (addr === undefined) return undefined;
  const { parseListenAddr } = await import('../metrics/registry.js');
  const { serveOwnRunMetrics } = await import('../metrics/upshift.js');
  const server = await serveOwnRunMetrics(parseListenAddr(addr, '--metrics-addr'), ctx.home);
  note(ctx, `upshift: metrics of this run at ${server.url}`);
  return server;
}

export async function confirm(opts: UpgradeOptions, ctx: CommandContext, s: UpgradeSettings, what = 'Upgrade'): Promise<void> {
  if (opts.yes) return;
  if (!ctx.interactive || !process.stdin.isTTY) {
    throw new UsageError(`${what.toLowerCase()} changes the cluster: pass --yes to proceed (or --dry-run to see the steps)`, { code: 'confirmation-required' });
  }
  const rl = createInterface({ input: process.stdin, output: ctx.stderr });
  try {
    const a = await rl.question(`${what} ${s.path.join(' -> ')} now (backup ${s.backup ? 'on' : 'OFF'}, load ${s.loadOpsPerSec}/s, on failure: ${s.onFailure})? [y/N] `);
    if (!/^y(es)?$/i.test(a.trim())) throw new UsageError('not confirmed: nothing was changed', { code: 'not-confirmed' });
  } finally {
    rl.close();
  }
}

export function render(r: UpgradeResult): string {
  if ('dryRun' in r) {
    const lines = [`dry run: ${r.path.join(' -> ')} with the ${r.driver} driver (nothing was touched)`];
    for (const f of r.preflight.findings) lines.push(`${f.severity.toUpperCase()} ${f.code}: ${f.message}`);
    if (r.blockers.length > 0) lines.push(`the plan has blockers: a real run refuses until they are resolved (${r.blockers.map((b) => b.code).join(', ')})`);
    if (r.readiness.length > 0) lines.push('readiness (checked on the cluster now; each hop checks again before its first member):', ...r.readiness.map((f) => `  ${f.severity.toUpperCase()} ${describeFinding(f)}`));
    r.steps.forEach((s, i) => lines.push(`${String(i + 1).padStart(3)}. ${s.id}: ${s.description}${s.command ? `\n       $ ${s.command}` : ''}`));
    lines.push(`etcd binaries: ${r.binaries.versions.map((v) => `${v.version} ${v.installed ? 'installed' : 'MISSING'}`).join(', ')}`);
    for (const p of r.binaries.problems) lines.push(`  ${p}`);
    if (!r.binaries.ok) lines.push(`a real run refuses (exit 3, nothing touched) until they are installed${r.binaries.suggestedVia.length > 0 ? `, or with ${r.binaries.suggestedVia.map((v) => `--via ${v}`).join(' ')}` : ''}`);
    if (r.flags.changes.length > 0) lines.push('flag changes upshift applies at each start:', ...r.flags.changes.map((c) => `  ${c}`));
    if (r.flags.findings.length > 0) lines.push('flag changes YOU must make in the configuration your start templates use:', ...r.flags.findings.map((f) => `  ${f.severity.toUpperCase()} ${f.code}: ${f.message}`));
    for (const n of r.flags.notes) lines.push(`note: ${n}`);
    lines.push(knowledgeLine(r.knowledge));
    return lines.join('\n') + '\n';
  }
  return renderReport(r) + (r.knowledge ? `${knowledgeLine(r.knowledge)}\n` : '');
}

export function renderReport(r: UpgradeReport): string {
  const lines = [`${r.operation ?? 'upgrade'} ${r.result}: ${r.path.join(' -> ')} (cluster version ${r.clusterVersion ?? 'unknown'})`];
  if (r.message) lines.push(r.message);
  if (r.rollback && r.rollback.mode !== 'member') lines.push(`way back taken: ${r.rollback.mode === 'downgrade' ? "etcd's downgrade API" : 'downgrade cancelled'} after ${r.rollback.failedStep}`);
  if (r.downgradePath) lines.push(`way back: ${r.downgradePath}`);
  if (r.backup) lines.push(`backup: ${r.backup.file}`);
  if (r.members.length > 0) lines.push(renderTable({ head: ['member', 'hop', 'from', 'to', 'took'], rows: r.members.map((m) => [m.name, m.hop, m.from, m.to, `${(m.durationMs / 1000).toFixed(1)} s`]) }).trimEnd());
  if (r.workload) {
    const w = r.workload;
    lines.push(`canary: ${w.ops} ops, ${w.failed} failed, ${w.indeterminate} indeterminate, ${w.retries} safe retries, ${w.stalled} stalled > 1 s; longest write gap ${w.maxWriteGapMs} ms; P99 ${w.p99Ms ?? '-'} ms (baseline ${w.baselineP99Ms ?? '-'} ms)`);
    for (const h of w.perHop ?? []) lines.push(`  hop ${h.hop} ${h.from} -> ${h.to}: ${h.ops} ops, ${h.failed} failed, ${h.indeterminate} indeterminate; longest write gap ${h.maxWriteGapMs} ms; P99 ${h.p99Ms ?? '-'} ms`);
  }
  const v = r.verification;
  lines.push(`verification: ${v.ok === null ? 'not run' : v.ok ? 'ok' : 'FAILED'}; lost writes ${v.lostWrites}, watch violations ${v.watchViolations}, linearizability violations ${v.linearizabilityViolations}, consistent ${v.consistent ?? 'not checked'}`);
  lines.push(`journal: ${r.journal}`);
  if (r.reportHtml) lines.push(`report: ${r.reportHtml}`);
  return lines.join('\n') + '\n';
}
