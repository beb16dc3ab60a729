/**
 * Restore a snapshot (a) into a new local cluster, started and checked against the manifest, or
 * (b) into one member's data dir of a real deployment, printing what to run on the other members.
 * Procedure: web:content/en/docs/v3.6/op-guide/recovery.md — every member restores from the same
 * snapshot with its own --name and --initial-advertise-peer-urls and the same --initial-cluster and
 * token; the restore gives the data a new cluster and member identity.
 */
import { existsSync, readdirSync } from 'node:fs';
import { rename, writeFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { clusterUp, saveCluster, type ClusterUpOptions } from '../cluster/local.js';
import type { LocalCluster } from '../cluster/model.js';
import { listInstalled, requireInstalled } from '../binaries/layout.js';
import { EndpointClient } from '../client/endpoint.js';
import type { ConnectionConfig } from '../client/connection.js';
import { toEtcdError } from '../client/errors.js';
import { UsageError, ProblemError } from '../core/errors.js';
import { verifyBackup, type BackupReport } from '../backup/verify.js';
import type { BackupManifest } from '../backup/manifest.js';
import { chooseRestoreVersion, judgeRestore, parseInitialCluster, restoreExpectation, type MemberObservation, type RestoreCheck } from './plan.js';
import { restoreArgs, restoreToolFor, runRestore, shellLine, type RestoreTool } from './tool.js';
import { decideRevisionBump, findKubernetesKey, toolCanBump, type RevisionBump } from './kubernetes.js';

/** Restore copies the db; 10 minutes covers multi-GB files on slow disks. */
const RESTORE_DEADLINE_MS = 10 * 60_000;

export interface SnapshotForRestore {
  file: string;
  report: BackupReport;
  manifest: BackupManifest | null;
  authEnabled: boolean;
  skipHashCheck: boolean;
  /** A `/registry/...` key found in the snapshot (a Kubernetes cluster's data), if any. */
  kubernetesKey: string | undefined;
  notes: string[];
}

/** `--bump-revision N` / `--no-bump-revision` / `--mark-compacted` as given (kubernetes.ts decides). */
export interface BumpFlags {
  bumpRevision?: number | false | undefined;
  markCompacted?: boolean | undefined;
}

/** The bump this restore uses, with its notes (explicit flags, or the Kubernetes default). */
async function bumpFor(snap: SnapshotForRestore, tool: RestoreTool, version: string, flags: BumpFlags): Promise<{ bump: RevisionBump | null; notes: string[] }> {
  return decideRevisionBump({
    asked: flags.bumpRevision,
    markCompacted: flags.markCompacted,
    kubernetesKey: snap.kubernetesKey,
    snapshotCreatedAt: snap.manifest?.createdAt,
    now: new Date(),
    toolCanBump: await toolCanBump(tool),
    toolName: `${tool.kind} ${version}`,
  });
}

/**
 * Check the file before anything is created. Damage refuses the restore; a missing manifest is only a
 * note (etcdctl snapshots have none); a missing trailer needs --skip-hash-check, as etcdutl requires.
 */
export async function checkSnapshotForRestore(file: string, skipHashCheck: boolean, signal?: AbortSignal): Promise<SnapshotForRestore> {
  const { report, manifest, inspection } = await verifyBackup(file, { requireManifest: false, signal });
  const notes: string[] = [];
  const blocking = report.problems.filter((p) => !(p.code === 'missing-checksum' && skipHashCheck));
  if (blocking.length > 0) {
    throw new ProblemError('snapshot-damaged', `${file} cannot be restored: ${blocking.map((p) => `[${p.code}] ${p.message}`).join('; ')}`, {
      hint: blocking.some((p) => p.code === 'missing-checksum') ? 'a raw db copy needs --skip-hash-check' : 'restore another backup (upshift backup ls)',
    });
  }
  if (!manifest) notes.push('no manifest beside the snapshot: the restored cluster is checked against the snapshot itself (revision), not against the source cluster');
  const kubernetesKey = findKubernetesKey(file);
  return { file, report, manifest, authEnabled: inspection.info?.authEnabled ?? false, skipHashCheck, kubernetesKey, notes };
}

export interface LocalRestoreOptions extends BumpFlags {
  name: string;
  members: number;
  version?: string;
  /** How the new cluster is made beyond size and version (a rehearsal's copy: names, flags, TLS, fault proxies). */
  shape?: Pick<ClusterUpOptions, 'memberNames' | 'advertise' | 'extraArgs' | 'tls' | 'readyTimeoutMs'> | undefined;
  /** Credentials of the restored data's users, when the snapshot has auth enabled. */
  user?: string;
  password?: string;
  signal?: AbortSignal;
  progress?: (line: string) => void;
}

export interface LocalRestoreResult {
  mode: 'cluster';
  file: string;
  cluster: string;
  version: string;
  tool: string;
  endpoints: string[];
  members: { name: string; clientURL: string; peerURL: string; dataDir: string; pid?: number | undefined }[];
  /** The snapshot's revision. */
  revision: number;
  /** `--bump-revision N --mark-compacted` as used (the cluster then starts at revision + N, compacted there). */
  revisionBump: RevisionBump | null;
  /** The revision the restored cluster starts at. */
  restoredRevision: number;
  kubernetes: { key: string } | null;
  checks: RestoreCheck[];
  ok: boolean;
  notes: string[];
}

export async function restoreToLocalCluster(home: string, snap: SnapshotForRestore, opts: LocalRestoreOptions): Promise<LocalRestoreResult> {
  const installed = (await listInstalled(home)).map((i) => i.version);
  const chosen = chooseRestoreVersion(opts.version, snap.manifest?.etcdVersion ?? null, installed);
  const notes = [...snap.notes];
  if (chosen.note) notes.push(chosen.note);
  const inst = await requireInstalled(home, chosen.version);
  const tool = restoreToolFor(inst);
  const { bump, notes: bumpNotes } = await bumpFor(snap, tool, chosen.version, opts);
  notes.push(...bumpNotes);
  if (snap.authEnabled && (!opts.user || opts.password === undefined)) {
    throw new UsageError('the snapshot has auth enabled: the restored cluster keeps its users, so checking it needs their credentials', {
      hint: 'pass --user NAME --password PASSWORD of a user allowed to read every key (e.g. root)',
    });
  }
  const cluster = await clusterUp(home, {
    ...opts.shape,
    name: opts.name,
    version: chosen.version,
    members: opts.members,
    signal: opts.signal,
    progress: opts.progress,
    prepareDataDirs: async (c: LocalCluster) => {
      for (const m of c.members) {
        opts.progress?.(`restoring ${snap.file} into ${m.name}'s data dir with ${tool.kind} ${chosen.version}${bump ? ` (--bump-revision ${bump.amount} --mark-compacted)` : ''}`);
        await runRestore(
          tool,
          {
            snapshot: snap.file,
            dataDir: m.dataDir,
            name: m.name,
            initialCluster: m.spec?.initialCluster ?? c.members.map((x) => `${x.name}=${x.peerURL}`).join(','),
            initialClusterToken: c.token,
            initialAdvertisePeerUrls: m.spec.advertise?.peerURL ?? m.peerURL,
            skipHashCheck: snap.skipHashCheck,
            bumpRevision: bump?.amount,
          },
          RESTORE_DEADLINE_MS,
          opts.signal,
        );
      }
      if (snap.authEnabled && opts.user && opts.password !== undefined) {
        const passwordFile = join(c.dir, 'root.password');
        await writeFile(passwordFile, opts.password + '\n', { mode: 0o600 });
        c.auth = { user: opts.user, passwordFile };
        await saveCluster(c);
      }
    },
  });
  const config: ConnectionConfig = {
    endpoints: cluster.members.map((m) => m.clientURL),
    auth: snap.authEnabled && opts.user ? { user: opts.user, password: opts.password ?? '' } : undefined,
    dialTimeoutMs: 5_000,
    commandTimeoutMs: 30_000,
    clusterName: cluster.name,
  };
  const revision = snap.manifest?.revision ?? snap.report.revision ?? 0;
  const exp = restoreExpectation(revision, snap.manifest, bump?.amount);
  const observed = await observeMembers(config, cluster.members.map((m) => ({ name: m.name, endpoint: m.clientURL })), exp.revision, opts.signal);
  const checks = judgeRestore(exp, observed);
  if (bump && revision > 0) checks.push(await oldRevisionsCompacted(config, cluster.members[0]!.clientURL, revision, exp.revision, opts.signal));
  if (bump) notes.push(`revision bumped by ${bump.amount}: HashKV cannot be compared with the source's (compacted at a revision the source never had); revision, compaction and key count were`);
  else if (snap.manifest && !snap.manifest.hashKV) notes.push(`the manifest holds no HashKV (${snap.manifest.notes.join('; ') || 'not recorded'}): only revision and key count were compared with the source`);
  return {
    mode: 'cluster',
    file: snap.file,
    cluster: cluster.name,
    version: chosen.version,
    tool: tool.kind,
    endpoints: cluster.members.map((m) => m.clientURL),
    members: cluster.members.map((m) => ({ name: m.name, clientURL: m.clientURL, peerURL: m.peerURL, dataDir: m.dataDir, pid: m.pid })),
    revision,
    revisionBump: bump,
    restoredRevision: exp.revision,
    kubernetes: snap.kubernetesKey ? { key: snap.kubernetesKey } : null,
    checks,
    ok: checks.every((c) => c.ok),
    notes,
  };
}

/**
 * A read at the snapshot's own revision must be refused as compacted once the restore bumped and
 * compacted: what a watch cache resuming from it sees (not silently older data).
 */
async function oldRevisionsCompacted(config: ConnectionConfig, endpoint: string, oldRevision: number, compactedAt: number, signal?: AbortSignal): Promise<RestoreCheck> {
  const c = new EndpointClient(endpoint, config);
  try {
    await c.transport.unary('KV', 'Range', { key: Buffer.from([0]), range_end: Buffer.from([0]), count_only: true, revision: String(oldRevision) }, { signal, op: 'read' });
    return { name: 'old-revisions-compacted', ok: false, expected: 'compacted', actual: 'served', message: `a read at the snapshot's revision ${oldRevision} was served: older revisions are not marked compacted` };
  } catch (e) {
    const err = toEtcdError(e);
    const ok = err.code === 'etcd-compacted';
    return { name: 'old-revisions-compacted', ok, expected: 'compacted', actual: ok ? 'compacted' : err.code, message: ok ? `a read at the snapshot's revision ${oldRevision} answers "required revision has been compacted" (compacted at ${compactedAt})` : `a read at revision ${oldRevision} failed otherwise: ${err.message}` };
  } finally {
    c.close();
  }
}

/** Revision, HashKV at `revision` and live key count of each member. Reads only. */
export async function observeMembers(config: ConnectionConfig, members: { name: string; endpoint: string }[], revision: number, signal?: AbortSignal): Promise<MemberObservation[]> {
  return Promise.all(
    members.map(async (m): Promise<MemberObservation> => {
      const c = new EndpointClient(m.endpoint, config);
      try {
        const st = await c.status({ signal });
        const hashRev = revision > 0 ? revision : st.header.revision;
        const h = await c.hashKV(hashRev, { signal });
        const r = await c.transport.unary<{ count: string }>('KV', 'Range', { key: Buffer.from([0]), range_end: Buffer.from([0]), count_only: true, serializable: true }, { signal, op: 'read' });
        return { name: m.name, revision: st.header.revision, hash: h.hash, compactRevision: h.compactRevision, liveKeys: Number(r.count) };
      } catch (e) {
        return { name: m.name, revision: null, hash: null, compactRevision: null, liveKeys: null, error: toEtcdError(e).message };
      } finally {
        c.close();
      }
    }),
  );
}

export interface MemberRestoreOptions extends BumpFlags {
  dataDir: string;
  memberName: string;
  initialCluster: string;
  initialAdvertisePeerUrls?: string;
  initialClusterToken: string;
  version?: string;
  force?: boolean;
  signal?: AbortSignal;
  progress?: (line: string) => void;
}

export interface MemberRestoreResult {
  mode: 'data-dir';
  file: string;
  dataDir: string;
  memberName: string;
  version: string;
  tool: string;
  revision: number | null;
  /** `--bump-revision N --mark-compacted` as used here, and to be used identically on every other member. */
  revisionBump: RevisionBump | null;
  /** The revision the member starts at (snapshot revision + bump). */
  restoredRevision: number | null;
  kubernetes: { key: string } | null;
  movedAside: string | null;
  /** What to run on every other member (after copying the same snapshot there). */
  otherMembers: { name: string; commands: string[] }[];
  /** How to start this member afterwards. */
  start: string;
  ok: boolean;
  notes: string[];
}

export async function restoreMemberDataDir(home: string, snap: SnapshotForRestore, opts: MemberRestoreOptions): Promise<MemberRestoreResult> {
  const ic = parseInitialCluster(opts.initialCluster);
  const own = ic.get(opts.memberName);
  if (!own) {
    throw new UsageError(`--member-name: "${opts.memberName}" is not in --initial-cluster (${[...ic.keys()].join(', ')})`, { hint: 'the member being restored must be listed in --initial-cluster' });
  }
  const peerUrls = opts.initialAdvertisePeerUrls ?? own.join(',');
  const installed = (await listInstalled(home)).map((i) => i.version);
  const chosen = chooseRestoreVersion(opts.version, snap.manifest?.etcdVersion ?? null, installed);
  const notes = [...snap.notes];
  if (chosen.note) notes.push(chosen.note);
  const tool = restoreToolFor(await requireInstalled(home, chosen.version));
  const { bump, notes: bumpNotes } = await bumpFor(snap, tool, chosen.version, opts);
  notes.push(...bumpNotes);
  const dataDir = resolve(opts.dataDir);
  let movedAside: string | null = null;
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    if (!opts.force) {
      throw new UsageError(`--data-dir: ${dataDir} exists and is not empty; restoring over it would destroy that member's data`, {
        code: 'data-dir-exists',
        hint: 'stop that etcd and pass another --data-dir, or pass --force to move the existing dir aside (renamed, not deleted)',
      });
    }
    movedAside = `${dataDir}.before-restore-${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(2).toString('hex')}`;
    await rename(dataDir, movedAside);
    notes.push(`the existing data dir was moved to ${movedAside}`);
  } else if (existsSync(dataDir)) {
    // An empty dir: etcdutl refuses an existing data dir, so hand it a fresh path.
    await rename(dataDir, `${dataDir}.empty-${randomBytes(2).toString('hex')}`).catch(() => undefined);
  }
  await mkdir(join(dataDir, '..'), { recursive: true });
  const file = snap.file;
  opts.progress?.(`restoring ${file} into ${dataDir} as member ${opts.memberName} with ${tool.kind} ${chosen.version}${bump ? ` (--bump-revision ${bump.amount} --mark-compacted)` : ''}`);
  await runRestore(tool, { snapshot: file, dataDir, name: opts.memberName, initialCluster: opts.initialCluster, initialClusterToken: opts.initialClusterToken, initialAdvertisePeerUrls: peerUrls, skipHashCheck: snap.skipHashCheck, bumpRevision: bump?.amount }, RESTORE_DEADLINE_MS, opts.signal);
  const otherMembers = [...ic.entries()]
    .filter(([n]) => n !== opts.memberName)
    .map(([n, urls]) => ({
      name: n,
      commands: [
        `# on ${n}: stop etcd, copy ${file} there (same file: sha256 ${snap.report.sha256}), then:`,
        shellLine(tool, restoreArgs({ snapshot: file, dataDir: '<DATA_DIR_OF_' + n + '>', name: n, initialCluster: opts.initialCluster, initialClusterToken: opts.initialClusterToken, initialAdvertisePeerUrls: urls.join(','), skipHashCheck: snap.skipHashCheck, bumpRevision: bump?.amount })),
        `etcd --name ${n} --data-dir <DATA_DIR_OF_${n}> --initial-advertise-peer-urls ${urls.join(',')} --listen-peer-urls ... --listen-client-urls ... --advertise-client-urls ...`,
      ],
    }));
  return {
    mode: 'data-dir',
    file,
    dataDir,
    memberName: opts.memberName,
    version: chosen.version,
    tool: tool.kind,
    revision: snap.report.revision,
    revisionBump: bump,
    restoredRevision: snap.report.revision === null ? null : snap.report.revision + (bump?.amount ?? 0),
    kubernetes: snap.kubernetesKey ? { key: snap.kubernetesKey } : null,
    movedAside,
    otherMembers,
    start: `etcd --name ${opts.memberName} --data-dir ${dataDir} --initial-advertise-peer-urls ${peerUrls} --listen-peer-urls ... --listen-client-urls ... --advertise-client-urls ...  (start all members; the restored data ignores --initial-cluster-state)`,
    ok: true,
    notes: [
      ...notes,
      'restore gives the data a new cluster ID and member IDs: every member must be restored from this same snapshot before any of them starts',
      ...(bump ? [`every member must be restored with the same --bump-revision ${bump.amount} --mark-compacted (the commands above have it); the cluster then starts at revision ${(snap.report.revision ?? 0) + bump.amount}`] : []),
    ],
  };
}

export type { RestoreTool };
