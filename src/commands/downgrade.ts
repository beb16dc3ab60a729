/**
 * `upshift downgrade --to V` (same flags as `upgrade`): for clusters on 3.6 or later, etcd's downgrade API
 * (validate, enable), then every member onto the older binary one by one (followers first, leader last) with
 * its flags mapped back, under the same preflight, backup, lock, canary, gates, journal and proof as an
 * upgrade (web:content/en/docs/v3.6/downgrades/downgrade_3_6.md, v3.7/downgrades/downgrade_3_7.md). One minor
 * at a time. `--to 3.6` picks the newest 3.6 release upshift knows (upstream: "download the latest release").
 * 3.5 -> 3.4 has no downgrade API: upshift describes the documented procedure and stops (exit 1).
 */
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { ExitCode, ProblemError, UsageError } from '../core/errors.js';
import type { CommandOutcome } from '../core/errors.js';
import { outcome } from './command.js';
import { resolveConnection } from '../client/connection.js';
import * as kb from '../knowledge/index.js';
import { discover } from '../plan/discover.js';
import { observeCluster } from '../upgrade/observe.js';
import { UpgradeExecutor, assertPreflight, exitCodeFor, type UpgradeReport, type UpgradeSettings } from '../upgrade/executor.js';
import { reviewFlags, assertFlagsResolved } from '../upgrade/flags.js';
import { assertAdminUser } from '../upgrade/permissions.js';
import { withRunReport } from '../dashboard/report.js';
import { binariesFor, confirm, driverFromFlags, dryRun, missingBinaries, progressFor, renderReport, render as renderUpgrade, runMetricsEndpoint, settingsFromFlags, type UpgradeOptions, type UpgradeResult } from './upgrade.js';

export type DowngradeOptions = Omit<UpgradeOptions, 'via'>;

/** The version `--to` names: a full release, or `X.Y` = the newest release of that line upshift knows. */
export function resolveDowngradeTarget(to: string): string {
  if (/^\d+\.\d+$/.test(to.trim())) {
    const v = kb.latestPatch(to.trim());
    if (!v) throw new UsageError(`--to ${to}: etcd ${to} is not a release line upshift knows`, { code: 'unknown-version', hint: 'e.g. --to 3.6 or --to 3.6.17' });
    return v;
  }
  const p = kb.parseVersion(to);
  if (!p) throw new UsageError(`--to: "${to}" is not an etcd version`, { code: 'invalid-version', hint: 'e.g. --to 3.6 (the newest 3.6 release) or --to 3.6.17' });
  return p.version;
}

/** Refuse what the downgrade API cannot do (pure): below 3.6, more than one minor, not a downgrade. */
export function checkDowngrade(fromVersion: string, clusterVersion: string | undefined, target: string): void {
  const from = kb.minorOf(fromVersion);
  const to = kb.minorOf(target);
  const cv = clusterVersion ? kb.minorOf(clusterVersion) : from;
  if (kb.compareMinors(to, cv) >= 0) {
    throw new UsageError(`--to ${target}: the cluster runs ${fromVersion} (cluster version ${cv}); a downgrade goes to an older minor`, { code: 'not-a-downgrade', hint: kb.compareMinors(to, cv) > 0 ? `use \`upshift upgrade --to ${target}\`` : 'a patch downgrade within a minor is a binary swap, not a downgrade' });
  }
  if (kb.compareMinors(cv, '3.6') < 0) {
    const support = kb.downgradeSupport(cv, to);
    throw new ProblemError('downgrade-unsupported', `etcd ${cv} has no downgrade API: upshift does not run a ${cv} -> ${to} downgrade (and has no ${to} binary at or above ${support?.minimumTarget ?? 'the required patch'} to test one with)`, {
      hint: support ? `the documented procedure (${support.source}): ${support.steps.join(' ')}` : 'restore the backup taken before the upgrade (upshift restore FILE; writes since are lost)',
    });
  }
  if (kb.nextMinor(to) !== cv) {
    throw new UsageError(`--to ${target}: etcd downgrades one minor at a time (the cluster version is ${cv})`, { code: 'downgrade-too-far', hint: `downgrade to ${kb.latestPatch(prevMinor(cv)) ?? prevMinor(cv)} first, then on from there` });
  }
}

function prevMinor(m: string): string {
  const [a, b] = m.split('.').map(Number);
  return `${a}.${b! - 1}`;
}

export async function run(opts: DowngradeOptions, ctx: CommandContext): Promise<UpgradeResult | CommandOutcome<UpgradeResult>> {
  const target = resolveDowngradeTarget(opts.to ?? '');
  const base = settingsFromFlags({ ...opts, to: target });
  const driver = await driverFromFlags(opts, ctx);
  const config = resolveConnection(opts, ctx.env, ctx.home);
  note(ctx, `upshift downgrade: reading the cluster at ${config.endpoints.join(', ')}`);
  const [obs, facts] = await Promise.all([observeCluster(config, { signal: ctx.signal }), discover(config)]);
  if (!opts.dryRun) assertPreflight(obs);
  const versions = [...new Set(obs.members.map((m) => m.version).filter((v): v is string => v !== undefined))];
  const minors = [...new Set(versions.map(kb.minorOf))];
  if (minors.length > 1) {
    throw new ProblemError('mixed-versions', `members run different minors (${versions.join(', ')}): finish or cancel the run that left them so first`, { hint: '`upshift upgrade resume` continues an open run; `upshift downgrade cancel` abandons an open downgrade' });
  }
  if (obs.members.some((m) => m.downgrade?.enabled)) {
    throw new ProblemError('downgrade-in-progress', 'a downgrade is already enabled in the cluster', { hint: '`upshift upgrade resume` continues an open upshift run; `upshift downgrade cancel` cancels it' });
  }
  checkDowngrade(facts.from, obs.clusterVersion, target);
  // ENABLE and VALIDATE need admin rights under auth, like the rest of a run.
  await assertAdminUser(config, facts.authEnabled);
  const settings: UpgradeSettings = { ...base, from: facts.from, path: [facts.from, target], hops: [{ from: facts.from, to: target }] };
  // The older binary must be installed (a dry run says where it could come from; a real run refuses, exit 3).
  const binaries = await binariesFor({ from: facts.from, to: target, via: [], path: settings.path, reasons: ['downgrade target'] }, opts, ctx);
  const env = { config, driver, home: ctx.home, target: { cluster: opts.cluster, endpoints: config.endpoints }, driverConfig: opts.driverConfig, log: (l: string) => note(ctx, l), progress: progressFor(ctx), signal: ctx.signal };
  if (opts.dryRun) return dryRun(obs, settings, driver, config, [], [], binaries, [], 'downgrade');
  if (!binaries.ok) throw missingBinaries(binaries, {});
  assertFlagsResolved(await reviewFlags(driver, obs.members.map((m) => m.name).filter(Boolean), settings.hops));
  await confirm(opts, ctx, settings, 'Downgrade');
  const metrics = await runMetricsEndpoint(opts.metricsAddr, ctx);
  let report: UpgradeReport;
  try {
    report = await withRunReport(await UpgradeExecutor.start(env, settings, obs, 'downgrade'), (l) => note(ctx, l));
  } finally {
    await metrics?.close();
  }
  const code = exitCodeFor(report);
  return code === ExitCode.ok ? report : outcome(report, code);
}

export function render(r: UpgradeResult): string {
  return 'dryRun' in r ? renderUpgrade(r) : renderReport(r as UpgradeReport);
}
