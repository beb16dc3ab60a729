/**
 * `upshift demo`: the embedded default, end to end and unattended. Installs the oldest and newest etcd the
 * machine can get, starts a local 3-member cluster on the older one, fills it with what a service mesh keeps
 * in etcd (config, discovery leases, a lock, an election, a watcher), takes and verifies a backup, prints the
 * plan, upgrades it live under load, verifies, prints the report, and cleans up unless --keep.
 * Every stage is one of upshift's own commands; their human output goes to stderr as the demo's progress,
 * the final report to stdout.
 */
import { rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import pc from 'picocolors';
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { ExitCode, UpshiftError, errorMessage, type CommandOutcome } from '../core/errors.js';
import { formatDuration, renderTable } from '../core/output.js';
import { homePaths } from '../core/home.js';
import { outcome, isOutcome } from './command.js';
import { chooseDemoVersions, type DemoVersions } from '../demo/versions.js';
import { DemoTenants, type TenantsReport } from '../demo/tenants.js';
import { EtcdClient, resolveConnection } from '../client/index.js';
import { listInstalled } from '../binaries/layout.js';
import { listClusters } from '../cluster/store.js';
import type { UpgradeReport } from '../upgrade/executor.js';
import type { Dashboard } from '../dashboard/server.js';

export interface DemoOptions {
  from?: string;
  to?: string;
  members?: string;
  load?: string;
  soak?: string;
  name?: string;
  keep?: boolean;
  source?: string;
  /** Start the dashboard first and keep it up (until Ctrl-C on a terminal) to watch the upgrade live. */
  serve?: boolean;
  port?: string;
  output?: string;
}

export interface DemoResult {
  ok: boolean;
  cluster: string;
  kept: boolean;
  versions: DemoVersions;
  seededKeys: number;
  backup: { file: string; revision: number | null; totalKeys: number | null; verified: boolean } | null;
  plan: { path: string[]; blockers: number; warnings: number } | null;
  upgrade: UpgradeReport | null;
  tenants: TenantsReport | null;
  durationMs: number;
  /** The dashboard's address (--serve). */
  dashboard?: string;
  error?: { code: string; message: string };
}

const unwrap = <T>(r: T | CommandOutcome<T>): T => (isOutcome(r) ? r.result : r);

export async function run(opts: DemoOptions, ctx: CommandContext): Promise<DemoResult | CommandOutcome<DemoResult>> {
  const started = Date.now();
  const stages = 8;
  let stageNo = 0;
  const stage = (title: string): void => {
    stageNo++;
    const line = `\n── ${stageNo}/${stages} ${title} ${'─'.repeat(Math.max(2, 60 - title.length))}`;
    note(ctx, ctx.interactive ? pc.bold(line) : line);
  };
  const show = (text: string): void => note(ctx, text.trimEnd());

  const dashboard = opts.serve ? await demoDashboard(opts, ctx) : undefined;

  // 1. Versions: what this machine can get (installed + the configured sources).
  stage('etcd binaries');
  const versions = await pickVersions(opts, ctx);
  const needed = [versions.from, ...versions.via, versions.to];
  note(ctx, `demo: upgrading ${needed.join(' -> ')}`);
  const install = await import('./etcd-install.js');
  const inst = unwrap(await install.run({ versions: needed, source: opts.source ?? 'auto' }, ctx));
  show(install.render(inst));
  if (!inst.ok) throw new UpshiftError('demo-install-failed', 'could not install the etcd versions the demo needs', ExitCode.environment, { hint: 'see the install errors above' });

  // 2. Cluster.
  stage('a local cluster on the older version');
  const name = opts.name ?? (await freeClusterName(ctx.home));
  const up = await import('./cluster-up.js');
  const view = await up.run({ name, version: versions.from, members: opts.members ?? '3' }, ctx);
  show(up.render(view));

  const result: DemoResult = { ok: false, cluster: name, kept: Boolean(opts.keep), versions, seededKeys: 0, backup: null, plan: null, upgrade: null, tenants: null, durationMs: 0 };
  const conn = resolveConnection({ cluster: name }, ctx.env, ctx.home);
  const client = new EtcdClient(conn);
  let tenants: DemoTenants | undefined;
  let clusterId: string | undefined;
  try {
    // 3. Data and live tenants.
    stage('realistic data: config, service discovery, a lock, an election, watchers');
    tenants = new DemoTenants(client);
    const seeded = await tenants.start();
    result.seededKeys = seeded.keys;
    tenants.startUpdates();
    note(ctx, `demo: ${seeded.keys} keys under /demo/ (config for 6 services x 2 envs, 12 instances on kept-alive leases, a held lock, an elected leader); a watcher follows /demo/config/ while config keeps changing`);
    const status = await import('./status.js');
    show(status.render(unwrap(await status.run({ cluster: name }, ctx))));

    // 4. Backup.
    stage('backup: snapshot from the leader, verified');
    const save = await import('./backup-save.js');
    const saved = await save.run({ cluster: name }, ctx);
    clusterId = saved.clusterId ?? undefined;
    const verify = await import('./backup-verify.js');
    const verified = unwrap(await verify.run({ file: saved.file, requireManifest: true }, ctx));
    show(verify.render(verified));
    result.backup = { file: saved.file, revision: verified.revision ?? null, totalKeys: verified.totalKeys ?? null, verified: verified.ok };

    // 5. Plan.
    stage('plan');
    const plan = await import('./plan.js');
    const p = unwrap(await plan.run({ cluster: name, to: versions.to, via: versions.via }, ctx));
    show(plan.render(p));
    result.plan = { path: p.path, blockers: p.findings.filter((f) => f.severity === 'blocker').length, warnings: p.findings.filter((f) => f.severity === 'warning').length };

    // 6. The upgrade, under the canary load and with the tenants running.
    stage('rolling upgrade under load');
    const upgrade = await import('./upgrade.js');
    const up2 = await upgrade.run({ cluster: name, to: versions.to, via: versions.via, load: opts.load ?? '100', soak: opts.soak ?? '3s', baseline: '2s', maxP99Slack: '1s', yes: true }, ctx);
    const report = unwrap(up2);
    if ('dryRun' in report) throw new Error('unexpected dry-run result');
    result.upgrade = report;

    // 7. What the tenants saw.
    stage('verify: did everything survive?');
    result.tenants = await tenants.stopAndCheck();
    tenants = undefined;
    show(status.render(unwrap(await status.run({ cluster: name }, ctx))));
    result.ok = report.result === 'succeeded' && report.verification.ok === true && tenantsOk(result.tenants);
  } catch (e) {
    if (e instanceof UpshiftError) result.error = { code: e.code, message: e.message };
    else result.error = { code: 'internal', message: errorMessage(e) };
  } finally {
    if (tenants) await tenants.stopAndCheck().catch(() => undefined);
    client.close();
    // 8. Clean up.
    stage(opts.keep ? 'keeping the cluster (--keep)' : 'clean up');
    if (opts.keep) {
      note(ctx, `demo: cluster "${name}" is still running. Try: upshift status --cluster ${name}; eval "$(upshift cluster env ${name})"; upshift cluster down ${name} --purge`);
    } else {
      await cleanUp(name, clusterId, ctx);
    }
  }
  result.durationMs = Date.now() - started;
  if (dashboard) {
    result.dashboard = dashboard.url;
    if (ctx.interactive && !ctx.signal.aborted) {
      note(ctx, `demo: done; the dashboard stays up at ${dashboard.loginUrl} (Ctrl-C stops it)`);
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    }
    await dashboard.close();
  }
  const code = result.ok ? ExitCode.ok : result.upgrade && result.upgrade.result !== 'succeeded' ? exitFor(result.upgrade) : ExitCode.problem;
  return code === ExitCode.ok ? result : outcome(result, code);
}

/** `--serve`: the dashboard, and a link to the upgrade's own page as soon as its run exists. */
async function demoDashboard(opts: DemoOptions, ctx: CommandContext): Promise<Dashboard> {
  const { startDashboard } = await import('../dashboard/server.js');
  const { parseListenAddr } = await import('../metrics/registry.js');
  const d = await startDashboard({ home: ctx.home, env: ctx.env, addr: parseListenAddr(`127.0.0.1:${opts.port ?? '8379'}`, '--port'), log: (l) => note(ctx, l) });
  note(ctx, ctx.interactive ? pc.bold(`demo: watch it live: ${d.loginUrl}`) : `demo: watch it live: ${d.loginUrl}`);
  const announced = new Set<string>();
  d.store.onIndexChange(() => {
    for (const v of d.store.views()) {
      if (v.pid !== process.pid || v.state !== 'running' || announced.has(v.runId)) continue;
      announced.add(v.runId);
      note(ctx, `demo: the upgrade's page: ${d.url}/runs/${v.runId}`);
    }
  });
  return d;
}

function exitFor(r: UpgradeReport): (typeof ExitCode)[keyof typeof ExitCode] {
  return r.result === 'failed' ? ExitCode.needsAttention : ExitCode.stoppedSafely;
}

function tenantsOk(t: TenantsReport): boolean {
  return t.configLost === 0 && t.leases.lost === 0 && t.lock.heldThroughout && t.election.stable && t.watch.gapsOrDuplicates === 0 && t.services.present === t.services.registered;
}

async function pickVersions(opts: DemoOptions, ctx: CommandContext): Promise<DemoVersions> {
  const installed = (await listInstalled(ctx.home)).map((i) => i.version);
  let candidates = installed;
  if (!opts.from || !opts.to) {
    const list = await import('./etcd-list.js');
    // auto: Debian's packages, and with a Go toolchain the versions the Go module proxy offers (built on
    // demand, so the demo reaches today's 3.6/3.7); without Go the go source lists nothing.
    const sources = opts.source === 'auto' || !opts.source ? ['debian', 'go'] : [opts.source];
    for (const source of sources) {
      try {
        const avail = unwrap(await list.run({ available: true, source }, ctx));
        for (const a of avail.available ?? []) candidates = candidates.concat(a.versions.map((v) => v.version));
      } catch (e) {
        note(ctx, `demo: could not list the versions source ${source} offers (${errorMessage(e)})`);
      }
    }
  }
  return chooseDemoVersions(candidates, { from: opts.from, to: opts.to });
}

async function freeClusterName(home: string): Promise<string> {
  const taken = new Set((await listClusters(home)).map((c) => c.name));
  for (let i = 1; ; i++) {
    const n = i === 1 ? 'demo' : `demo-${i}`;
    if (!taken.has(n) && !existsSync(homePaths.clusterDir(home, n))) return n;
  }
}

async function cleanUp(name: string, clusterId: string | undefined, ctx: CommandContext): Promise<void> {
  const down = await import('./cluster-down.js');
  try {
    show(ctx, down.render(await down.run({ name, purge: true }, ctx)));
  } catch (e) {
    note(ctx, `demo: could not remove cluster "${name}": ${errorMessage(e)} — run: upshift cluster down ${name} --purge`);
  }
  // The demo's snapshots (its own and the upgrade's) go with it; run journals stay (small, and the report names them).
  if (clusterId) await rm(homePaths.backupsDir(ctx.home, clusterId), { recursive: true, force: true });
}

function show(ctx: CommandContext, text: string): void {
  note(ctx, text.trimEnd());
}

export function render(r: DemoResult): string {
  const lines: string[] = [];
  lines.push(`${r.ok ? 'DEMO PASSED' : 'DEMO FAILED'}: ${[r.versions.from, ...r.versions.via, r.versions.to].join(' -> ')} on a ${r.upgrade?.members.length ? new Set(r.upgrade.members.map((m) => m.name)).size : '?'}-member cluster "${r.cluster}" in ${formatDuration(r.durationMs)}${r.kept ? ' (kept)' : ''}`);
  if (r.error) lines.push(`error: [${r.error.code}] ${r.error.message}`);
  const u = r.upgrade;
  const rows: (string | number)[][] = [];
  if (r.backup) rows.push(['backup', `${r.backup.verified ? 'verified' : 'DAMAGED'}: revision ${r.backup.revision ?? '-'}, ${r.backup.totalKeys ?? '-'} keys`]);
  if (r.plan) rows.push(['plan', `${r.plan.path.join(' -> ')} (${r.plan.blockers} blockers, ${r.plan.warnings} warnings)`]);
  if (u) {
    rows.push(['upgrade', `${u.result}; cluster version ${u.clusterVersion ?? '-'}`]);
    for (const m of u.members) rows.push([`  ${m.name}`, `${m.from} -> ${m.to} in ${formatDuration(m.durationMs)}`]);
    if (u.workload) {
      const w = u.workload;
      rows.push(['canary load', `${w.ops} ops, ${w.failed} failed, ${w.indeterminate} indeterminate, ${w.retries} safe retries`]);
      rows.push(['  latency', `P99 ${w.p99Ms ?? '-'} ms (baseline ${w.baselineP99Ms ?? '-'} ms), longest write gap ${w.maxWriteGapMs} ms`]);
    }
    const v = u.verification;
    rows.push(['proof', `lost writes ${v.lostWrites}, watch violations ${v.watchViolations}, linearizability violations ${v.linearizabilityViolations}, members consistent: ${v.consistent ?? '-'}`]);
  }
  const t = r.tenants;
  if (t) {
    rows.push(['config', `${t.configKeys} keys, ${t.configUpdates} live updates, ${t.configLost} lost`]);
    rows.push(['discovery', `${t.services.present}/${t.services.registered} instances registered; leases kept ${t.leases.kept}, lost ${t.leases.lost}`]);
    rows.push(['lock', t.lock.heldThroughout ? 'held by the same owner throughout' : `CHANGED HANDS (now ${t.lock.holder})`]);
    rows.push(['election', t.election.stable ? 'same leader throughout' : `LEADER CHANGED (now ${t.election.leader})`]);
    rows.push(['watch', `${t.watch.events} events for ${t.watch.expected} acknowledged updates, ${t.watch.resumes} resumes, ${t.watch.gapsOrDuplicates} gaps/duplicates`]);
  }
  if (rows.length) lines.push(renderTable({ head: ['', 'result'], rows }).trimEnd());
  if (u) lines.push(`journal: ${u.journal}`);
  return lines.join('\n') + '\n';
}
