/**
 * What a rehearsal copies: the source cluster as it answers (member names, versions, TLS, auth), the
 * backup to restore (the given file, or the newest backup of this cluster that verifies, or a fresh
 * `backup save`), and the source's flags where they can be known (--config files, the exec driver's
 * `config:`, a local cluster's recorded command lines).
 */
import { join } from 'node:path';
import type { ConnectionConfig } from '../client/connection.js';
import { discover, type Discovery } from '../plan/discover.js';
import { readConfigFile } from '../plan/config.js';
import type { ConfigSource, Setting } from '../plan/types.js';
import { observeCluster } from '../upgrade/observe.js';
import type { ClusterObservation } from '../upgrade/observation.js';
import { loadExecConfig } from '../upgrade/drivers/exec.js';
import { loadCluster, MEMBER_NAME_RE } from '../cluster/local.js';
import { readCatalogue } from '../backup/manifest.js';
import { verifyBackup } from '../backup/verify.js';
import { discoverTarget, saveSnapshot } from '../backup/save.js';
import { UPSHIFT_VERSION } from '../backup/version.js';
import { homePaths } from '../core/home.js';
import { ProblemError, UsageError, errorMessage } from '../core/errors.js';
import { carriedFlags, settingsOfArgs } from './flags.js';

export interface SourceCluster {
  obs: ClusterObservation;
  facts: Discovery;
  clusterId: string;
  /** Voting members' names, in member-list order (the copy's names). */
  members: string[];
  /** The version every member of the copy runs (the source's oldest). */
  version: string;
  tls: boolean;
  notes: string[];
}

export async function readSource(config: ConnectionConfig, signal?: AbortSignal): Promise<SourceCluster> {
  const [obs, facts] = await Promise.all([observeCluster(config, { signal }), discover(config)]);
  const notes: string[] = [];
  const voters = obs.members.filter((m) => !m.isLearner);
  if (voters.length < obs.members.length) notes.push(`the source has ${obs.members.length - voters.length} learner(s): the copy has its ${voters.length} voting members only`);
  let members = voters.map((m) => m.name);
  if (members.some((n) => !MEMBER_NAME_RE.test(n)) || new Set(members).size !== members.length) {
    notes.push(`the source's member names (${members.map((n) => JSON.stringify(n)).join(', ')}) cannot all name local members: the copy calls them m1..m${members.length}`);
    members = members.map((_, i) => `m${i + 1}`);
  }
  const versions = new Set(voters.map((m) => m.version).filter(Boolean));
  if (versions.size > 1) notes.push(`the source runs mixed versions (${[...versions].join(', ')}): every member of the copy runs ${facts.from}, the oldest`);
  if (!obs.clusterId) throw new ProblemError('source-unknown', 'no member of the source cluster answered with its cluster id', { hint: 'check the endpoints (upshift status)' });
  return { obs, facts, clusterId: obs.clusterId, members, version: facts.from, tls: config.endpoints.some((e) => e.startsWith('https:')), notes };
}

export interface ChosenBackup {
  file: string;
  how: 'given' | 'newest-verified' | 'saved-now';
  revision: number | null;
  createdAt: string | null;
  notes: string[];
}

/**
 * `--backup FILE`: that file, verified. `latest` (default): the newest backup of the source that verifies
 * (damaged ones are skipped, with a note); none: a `backup save` now.
 */
export async function chooseBackup(home: string, config: ConnectionConfig, source: SourceCluster, backup: string | undefined, signal?: AbortSignal): Promise<ChosenBackup> {
  if (backup && backup !== 'latest') {
    const v = await verifyBackup(backup, { signal });
    if (!v.report.ok) throw new ProblemError('backup-damaged', `--backup ${backup} does not verify: ${v.report.problems.map((p) => `[${p.code}] ${p.message}`).join('; ')}`, { hint: 'rehearse with another backup (upshift backup ls) or --backup latest' });
    return { file: backup, how: 'given', revision: v.report.revision, createdAt: v.report.createdAt, notes: [] };
  }
  const dir = homePaths.backupsDir(home, source.clusterId);
  const cat = await readCatalogue(dir);
  const notes: string[] = [];
  const newestFirst = cat.entries.filter((e) => e.present).sort((a, b) => Date.parse(b.manifest.createdAt) - Date.parse(a.manifest.createdAt));
  for (const e of newestFirst) {
    const v = await verifyBackup(e.file, { signal });
    if (v.report.ok) return { file: e.file, how: 'newest-verified', revision: v.report.revision, createdAt: e.manifest.createdAt, notes };
    notes.push(`skipped ${e.file}: it does not verify (${v.report.problems.map((p) => p.code).join(', ')})`);
  }
  const target = await discoverTarget(config, undefined, signal);
  const r = await saveSnapshot(config, target, { dir, inactivityTimeoutMs: 30_000, signal, upshiftVersion: UPSHIFT_VERSION });
  notes.push(`no verified backup of cluster ${source.clusterId} in ${dir}: took one now (${r.file})`);
  return { file: r.file, how: 'saved-now', revision: r.manifest.revision, createdAt: r.manifest.createdAt, notes };
}

export interface SourceFlags {
  /** Flags for every member of the copy. */
  args: string[];
  /** Where they came from. */
  from: string[];
  /** The configuration files read (for the plan's flag review, as `upgrade` reads them). */
  configs: ConfigSource[];
  notes: string[];
}

/**
 * The source's flags: `--config` files (all members), else the exec driver's `config:` (per member: the
 * first member's, with a note when members differ), else a local cluster's recorded command lines.
 */
export async function sourceFlags(opts: { config?: string[] | undefined; driverConfig?: string | undefined; cluster?: string | undefined }, home: string, members: string[]): Promise<SourceFlags> {
  const notes: string[] = [];
  const configs: ConfigSource[] = [];
  const perMember: Setting[][] = [];
  const from: string[] = [];
  if (opts.config?.length) {
    for (const f of opts.config) configs.push(await readConfigFile(f));
    perMember.push(configs.flatMap((c) => c.settings));
    from.push(...opts.config);
  } else if (opts.driverConfig) {
    const exec = await loadExecConfig(opts.driverConfig);
    const files = new Set(Object.values(exec.configs).flat());
    for (const f of files) configs.push(await readConfigFile(f));
    const byFile = new Map(configs.map((c) => [c.file, c]));
    for (const m of members) {
      const list = exec.configs[m] ?? exec.configs['*'] ?? [];
      perMember.push(list.flatMap((f) => byFile.get(f)?.settings ?? []));
      from.push(...list);
    }
    if (files.size === 0) notes.push(`${opts.driverConfig} names no \`config:\`: the copy runs with etcd's defaults (add config: FILE to carry the source's flags)`);
  } else if (opts.cluster) {
    try {
      const c = await loadCluster(home, opts.cluster);
      for (const m of c.members) perMember.push(settingsOfArgs(m.args, join(c.dir, 'cluster.json')));
      from.push(`${c.name} (cluster.json)`);
    } catch (e) {
      notes.push(`could not read the local cluster's flags: ${errorMessage(e)}`);
    }
  } else {
    notes.push('the source\'s flags are unknown (give --config FILE, or --driver-config with `config:`): the copy runs with etcd\'s defaults');
  }
  const carried = perMember.map((s) => carriedFlags(s));
  const first = carried[0] ?? { args: [], skipped: [] };
  if (carried.some((c) => c.args.join('\n') !== first.args.join('\n'))) notes.push('members of the source run with different flags: the copy runs every member with the first member\'s');
  notes.push(...new Set(carried.flatMap((c) => c.skipped)));
  return { args: first.args, from: [...new Set(from)], configs, notes };
}

/** A name for the copy: `rehearse-<time>-<random>` fits the 40 characters a cluster name may have. */
export function copyName(runStamp: string): string {
  const n = `rehearse-${runStamp}`.toLowerCase().replace(/[^a-z0-9_-]/g, '');
  if (n.length > 40) throw new UsageError('internal: copy name too long');
  return n;
}
