/**
 * The `local` driver: clusters made by `upshift cluster up`, through src/cluster's startMember /
 * stopMember (processes tracked by PID). A member restarted on another version keeps its own command
 * line from cluster.json, adjusted only where that version renames or removes a flag
 * (src/plan/args.ts adjustArgsForVersion, rules from src/knowledge), and its `--config-file` rewritten for
 * the version into a copy beside it (src/plan/yaml-args.ts); the adjustments are returned for the journal,
 * and flags no rule maps refuse the start before anything is stopped (flagChanges). For readiness checks it
 * tells where a member's data lives and which settings it runs with.
 */
import { existsSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { loadCluster, startMember, stopMember, findMember, memberRunState } from '../../cluster/local.js';
import { argValue } from '../../cluster/args.js';
import type { MemberState } from '../../cluster/model.js';
import { requireInstalled } from '../../binaries/layout.js';
import { adjustArgsForVersion, type AdjustedArgs } from '../../plan/args.js';
import { adjustYamlForVersion } from '../../plan/yaml-args.js';
import { effectiveSettings } from '../../plan/member-settings.js';
import type { Setting } from '../../plan/types.js';
import { fsyncDir, writeFileAtomic } from '../../core/files.js';
import { DriverStepError, type DriverCallOptions, type DriverMember, type DriverResult, type FlagChangeReport, type FreshStartOptions, type MemberOps, type StartOptions, type StopOptions } from './types.js';
import { errorMessage } from '../../core/errors.js';

/** The member's command line for `version`: its own args, adjusted where `version` needs it. */
export function argsForVersion(m: Pick<MemberState, 'args' | 'version'>, version: string): AdjustedArgs {
  if (version === m.version) return { args: [...m.args], adjustments: [], unresolved: [] };
  return adjustArgsForVersion(m.args, version);
}

/** A member's configuration for a version: its args and, with `--config-file`, the YAML that version reads. */
export interface VersionConfig extends AdjustedArgs {
  /** The config file rewritten for the version (written by `writeVersionConfig` before the start). */
  yaml?: { from: string; to: string; text: string; ignored: string[] } | undefined;
}

/**
 * `name.etcd-3.6.17.yaml` beside the member's config file: the file rewritten for a version. The user's
 * file is never edited; each version gets its own copy, so a rollback or downgrade starts from the file
 * that version last ran with.
 */
export function versionConfigPath(file: string, version: string): string {
  const stem = basename(file).replace(/\.ya?ml$/i, '').replace(/\.etcd-\d+\.\d+\.\d+$/, '');
  return join(dirname(file), `${stem}.etcd-${version}.yaml`);
}

/**
 * The configuration `version` needs, from the member's current one (args, and the text of its config file
 * when it has one; `yamlText` lets a hop-by-hop preview pass the text a previous hop produced). Pure.
 */
export function configForVersion(m: Pick<MemberState, 'args' | 'version'>, version: string, yamlText?: string): VersionConfig {
  const a = argsForVersion(m, version);
  const file = argValue(a.args, 'config-file');
  if (!file || yamlText === undefined || version === m.version) return a;
  const y = adjustYamlForVersion(yamlText, version);
  if (y.adjustments.length === 0) return { ...a, yaml: { from: file, to: file, text: yamlText, ignored: y.ignored } };
  const to = versionConfigPath(file, version);
  const args = a.args.map((x) => (x === `--config-file=${file}` ? `--config-file=${to}` : x));
  const fileAdjustments = y.adjustments.map((x) => ({ ...x, reason: `${basename(file)}: ${x.reason}` }));
  return { args, adjustments: [...a.adjustments, ...fileAdjustments], unresolved: a.unresolved, yaml: { from: file, to, text: y.text, ignored: y.ignored } };
}

/** The text of the member's `--config-file`, if it has one. */
async function configText(args: readonly string[]): Promise<string | undefined> {
  const file = argValue(args, 'config-file');
  return file ? readFile(file, 'utf8') : undefined;
}

/** Write the rewritten config file (crash-safe), when it differs from the one the member ran with. */
async function writeVersionConfig(c: VersionConfig): Promise<void> {
  if (c.yaml && c.yaml.to !== c.yaml.from) await writeFileAtomic(c.yaml.to, c.yaml.text, { mode: 0o600 });
}

/** A member's command line for joining as a fresh member: the given membership, `--initial-cluster-state existing`. */
export function freshArgs(args: readonly string[], initialCluster: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (/^--?initial-cluster(-state)?=/.test(a)) continue;
    // `--flag value` form: drop the value too.
    if (/^--?initial-cluster(-state)?$/.test(a)) {
      i++;
      continue;
    }
    out.push(a);
  }
  return [...out, `--initial-cluster=${initialCluster}`, '--initial-cluster-state=existing'];
}

/** The flag changes for the journal (the adjustments, minus nothing: they hold no secrets, only flags). */
function flagDetail(a: AdjustedArgs): Record<string, unknown> {
  return a.adjustments.length > 0 ? { flagChanges: a.adjustments.map((x) => ({ from: x.from, action: x.action, ...(x.to ? { to: x.to } : {}), reason: x.reason, source: x.source })) } : {};
}

export class LocalDriver implements MemberOps {
  readonly kind = 'local';
  constructor(
    readonly home: string,
    readonly clusterName: string,
  ) {}

  async stop(member: DriverMember, opts: StopOptions): Promise<DriverResult> {
    const t0 = performance.now();
    const cluster = await loadCluster(this.home, this.clusterName);
    try {
      const r = await stopMember(cluster, member.name, { signal: opts.graceful ? 'SIGTERM' : 'SIGKILL', timeoutMs: opts.deadlineMs, escalate: true });
      return { durationMs: performance.now() - t0, detail: { wasRunning: r.wasRunning, signal: r.signal, escalated: r.escalated, pid: r.pid } };
    } catch (e) {
      throw new DriverStepError(`stop ${member.name}: ${errorMessage(e)}`, { durationMs: performance.now() - t0 }, { cause: e });
    }
  }

  /** Local binaries are installed under $UPSHIFT_HOME/etcd/VERSION; installing means: be sure they are there. */
  async install(member: DriverMember, version: string, _opts: DriverCallOptions): Promise<DriverResult> {
    const t0 = performance.now();
    const inst = await requireInstalled(this.home, version);
    return { durationMs: performance.now() - t0, detail: { binary: inst.etcd, member: member.name } };
  }

  async start(member: DriverMember, opts: StartOptions): Promise<DriverResult> {
    const t0 = performance.now();
    const cluster = await loadCluster(this.home, this.clusterName);
    const m = findMember(cluster, member.name);
    const adj: VersionConfig = opts.args ? { args: opts.args, adjustments: [], unresolved: [] } : configForVersion(m, opts.version, await configText(m.args));
    this.refuseUnresolved(member.name, opts.version, adj, t0);
    try {
      await writeVersionConfig(adj);
      // 'listening': the executor's wait-ready step does the real readiness checks (version, catch-up).
      const s = await startMember(this.home, cluster, member.name, { version: opts.version, args: adj.args, wait: 'listening', timeoutMs: opts.deadlineMs });
      return { durationMs: performance.now() - t0, detail: { pid: s.pid, version: s.version, ...flagDetail(adj) } };
    } catch (e) {
      throw new DriverStepError(`start ${member.name} on etcd ${opts.version}: ${errorMessage(e)}`, { durationMs: performance.now() - t0, detail: flagDetail(adj) }, { cause: e });
    }
  }

  /** Rename the data dir (and a separate WAL dir) to `<dir>.aside-<time>`: kept for inspection, never deleted. */
  async moveDataAside(member: DriverMember, _opts: DriverCallOptions & { version: string }): Promise<DriverResult> {
    const t0 = performance.now();
    const cluster = await loadCluster(this.home, this.clusterName);
    const m = findMember(cluster, member.name);
    if (memberRunState(m) === 'running') throw new DriverStepError(`move the data of ${member.name} aside: it is still running (pid ${m.pid})`, { durationMs: performance.now() - t0 });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const moved: { from: string; to: string }[] = [];
    for (const dir of [m.dataDir, argValue(m.args, 'wal-dir')]) {
      if (!dir || !existsSync(dir)) continue;
      const to = `${dir}.aside-${stamp}`;
      await rename(dir, to);
      await fsyncDir(dirname(dir));
      moved.push({ from: dir, to });
    }
    return { durationMs: performance.now() - t0, detail: { aside: moved } };
  }

  /** Start on an empty data dir as a member of the existing cluster (`--initial-cluster-state existing`). */
  async startFresh(member: DriverMember, opts: FreshStartOptions): Promise<DriverResult> {
    const t0 = performance.now();
    const cluster = await loadCluster(this.home, this.clusterName);
    const m = findMember(cluster, member.name);
    const adj = configForVersion(m, opts.version, await configText(m.args));
    this.refuseUnresolved(member.name, opts.version, adj, t0);
    await writeVersionConfig(adj);
    const args = freshArgs(adj.args, opts.initialCluster);
    // The spec follows: a later regeneration of its args (another version) must join, not bootstrap.
    m.spec.initialCluster = opts.initialCluster;
    m.spec.initialClusterState = 'existing';
    if (m.memberId !== undefined && member.id) m.memberId = member.id;
    try {
      const s = await startMember(this.home, cluster, member.name, { version: opts.version, args, wait: 'listening', timeoutMs: opts.deadlineMs });
      return { durationMs: performance.now() - t0, detail: { pid: s.pid, version: s.version, initialClusterState: 'existing', ...flagDetail(adj) } };
    } catch (e) {
      throw new DriverStepError(`start ${member.name} empty on etcd ${opts.version}: ${errorMessage(e)}`, { durationMs: performance.now() - t0 }, { cause: e });
    }
  }

  /** The adjustments start() will make, hop by hop, from the member's recorded command line. */
  async flagChanges(member: string, versions: string[]): Promise<FlagChangeReport[]> {
    const m = findMember(await loadCluster(this.home, this.clusterName), member);
    let cur = { args: m.args, version: m.version };
    let text = await configText(m.args);
    const out: FlagChangeReport[] = [];
    for (const v of versions) {
      const a = configForVersion(cur, v, text);
      out.push({ member, version: v, adjustments: a.adjustments, unresolved: a.unresolved });
      cur = { args: a.args, version: v };
      if (a.yaml) text = a.yaml.text;
    }
    return out;
  }

  /** Data and WAL dir: from the command line, or from the config file when etcd reads one (it then ignores the flags). */
  async memberData(member: string): Promise<{ dataDir: string; walDir?: string | undefined }> {
    const m = findMember(await loadCluster(this.home, this.clusterName), member);
    const s = await this.memberSettings(member);
    const get = (k: string): string | undefined => s.filter((x) => x.name === k).at(-1)?.value;
    return { dataDir: get('data-dir') ?? m.dataDir, walDir: get('wal-dir') };
  }

  /** The settings etcd runs the member with: its `--config-file` keys when it has one (etcd then ignores the other flags), else its flags. */
  async memberSettings(member: string): Promise<Setting[]> {
    const m = findMember(await loadCluster(this.home, this.clusterName), member);
    return effectiveSettings(m.args, 'cluster.json');
  }

  /** The version cluster.json records for a member (what a restart would run). */
  async recordedVersion(name: string): Promise<string> {
    return findMember(await loadCluster(this.home, this.clusterName), name).version;
  }

  private refuseUnresolved(name: string, version: string, adj: AdjustedArgs, t0: number): void {
    if (adj.unresolved.length === 0) return;
    throw new DriverStepError(`start ${name} on etcd ${version}: its command line has flags etcd ${version} does not define and no rule maps: ${adj.unresolved.join(' ')}`, { durationMs: performance.now() - t0 }, {
      hint: `etcd would exit at once; remove or replace them in the member's args (cluster.json) and start again`,
    });
  }
}
