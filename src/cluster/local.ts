/**
 * Local clusters: N etcd members on 127.0.0.1, detached from the CLI and tracked by PID in
 * `$UPSHIFT_HOME/clusters/NAME/cluster.json`. The member launch configuration is data (MemberSpec +
 * args + version), so upgrade/rollback/restore restart members through `startMember`/`stopMember`
 * with another binary or an adjusted argument list.
 */
import { mkdir, rm, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ExitCode, UpshiftError, UsageError } from '../core/errors.js';
import { homePaths } from '../core/home.js';
import { requireInstalled } from '../binaries/layout.js';
import type { ClusterConnection, ClusterTls, LocalCluster, MemberSpec, MemberState, MemberTlsFiles } from './model.js';
import { atLeast, clientURL, memberArgs, metricsURL, peerURL } from './args.js';
import { allocateFreePorts } from './ports.js';
import { generateClusterTls } from './tls.js';
import { isEtcdProcess, killQuietly, waitForExit } from './process.js';
import { loadCluster, saveCluster, validateClusterName } from './store.js';
import { isLeaderByMetrics, memberRunState, startMember, stopMember, waitClusterHealthy, type StopMemberResult } from './member.js';
import { enableRootAuth } from './auth.js';

export { loadCluster, saveCluster, listClusters, listClusterNames, validateClusterName } from './store.js';
export { memberArgs } from './args.js';
export * from './member.js';

export const MAX_MEMBERS = 7;
const HOST = '127.0.0.1';
/** Attempts at a fresh cluster when another process grabbed one of our ports between pick and bind. */
const PORT_ATTEMPTS = 3;

export interface ClusterUpOptions {
  name: string;
  /** An installed version (a directory name under $UPSHIFT_HOME/etcd/). */
  version: string;
  members: number;
  tls?: boolean;
  auth?: boolean;
  /** Flags appended for every member and version (kept in each MemberSpec). */
  extraArgs?: string[];
  /**
   * Called after ports, paths and certificates are fixed and before any member starts. Restore uses it to
   * fill each member's `dataDir` (e.g. `etcdutl snapshot restore --data-dir ... --initial-cluster
   * cluster.members[i].spec.initialCluster --initial-advertise-peer-urls cluster.members[i].peerURL`);
   * etcd then boots from that data and ignores the initial-cluster flags. The hook may set `cluster.auth`
   * when the restored data has auth enabled. It may run again if a port clash forces new ports (the data
   * dirs are wiped before).
   */
  prepareDataDirs?: (cluster: LocalCluster) => Promise<void>;
  /** Deadline for the whole cluster to become healthy; default 60 s. */
  readyTimeoutMs?: number;
  /** Progress lines (stderr). */
  progress?: (line: string) => void;
  signal?: AbortSignal;
  /** Port picker (tests inject a clashing one to exercise the retry); default: bind port 0. */
  allocatePorts?: (n: number, host: string) => Promise<number[]>;
  /** Member names (default m1, m2, ...), e.g. a rehearsal's copy named like its source. */
  memberNames?: string[];
  /**
   * What each member advertises instead of its listen URLs (MemberSpec.advertise), decided once its
   * ports are known: a rehearsal points its fault proxies at the ports and advertises the proxies'.
   */
  advertise?: (m: AdvertiseInput) => { clientURL: string; peerURL: string } | Promise<{ clientURL: string; peerURL: string }>;
}

/** What `ClusterUpOptions.advertise` learns about a member: its ports and, with --tls, its certificates. */
export interface AdvertiseInput {
  name: string;
  clientPort: number;
  peerPort: number;
  tls?: { member: MemberTlsFiles; cluster: ClusterTls } | undefined;
}

export const MEMBER_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

function memberName(i: number): string {
  return `m${i + 1}`;
}

function memberNamesOf(opts: Pick<ClusterUpOptions, 'members' | 'memberNames'>): string[] {
  return opts.memberNames ?? Array.from({ length: opts.members }, (_, i) => memberName(i));
}

/** Where a member of a local cluster keeps its data (`clusters/NAME/members/MEMBER/data`). */
export function memberDataDir(home: string, cluster: string, member: string): string {
  return join(homePaths.clusterDir(home, cluster), 'members', member, 'data');
}

/** The cluster's data without any process: ports picked now, paths under the cluster dir. */
async function layoutCluster(home: string, opts: ClusterUpOptions, tlsFiles: Awaited<ReturnType<typeof generateClusterTls>> | undefined, token: string): Promise<LocalCluster> {
  const dir = homePaths.clusterDir(home, opts.name);
  const ports = await (opts.allocatePorts ?? allocateFreePorts)(opts.members * 3, HOST);
  const names = memberNamesOf(opts);
  const partial = names.map((name, i) => ({ name, clientPort: ports[3 * i]!, peerPort: ports[3 * i + 1]!, metricsPort: ports[3 * i + 2]! }));
  const tls = tlsFiles !== undefined;
  const scheme = tls ? 'https' : 'http';
  const advertised = new Map<string, { clientURL: string; peerURL: string }>();
  if (opts.advertise) {
    for (const p of partial) advertised.set(p.name, await opts.advertise({ ...p, ...(tlsFiles ? { tls: { member: tlsFiles.members[p.name]!, cluster: tlsFiles.cluster } } : {}) }));
  }
  const initialCluster = partial.map((p) => `${p.name}=${advertised.get(p.name)?.peerURL ?? `${scheme}://${HOST}:${p.peerPort}`}`).join(',');
  const members: MemberState[] = partial.map((p) => {
    const memberDir = join(dir, 'members', p.name);
    const spec: MemberSpec = {
      name: p.name,
      host: HOST,
      clientPort: p.clientPort,
      peerPort: p.peerPort,
      metricsPort: p.metricsPort,
      dataDir: memberDataDir(home, opts.name, p.name),
      initialCluster,
      initialClusterState: 'new',
      initialClusterToken: token,
      ...(tlsFiles ? { tls: tlsFiles.members[p.name] } : {}),
      ...(opts.extraArgs?.length ? { extraArgs: [...opts.extraArgs] } : {}),
      ...(advertised.has(p.name) ? { advertise: advertised.get(p.name) } : {}),
    };
    return {
      name: p.name,
      version: opts.version,
      clientURL: clientURL(spec),
      peerURL: peerURL(spec),
      metricsURL: metricsURL(spec),
      dataDir: spec.dataDir,
      logFile: join(memberDir, 'etcd.log'),
      spec,
      args: memberArgs(spec, opts.version),
    };
  });
  return {
    name: opts.name,
    version: opts.version,
    dir,
    createdAt: new Date().toISOString(),
    token,
    ...(tlsFiles ? { tls: tlsFiles.cluster } : {}),
    members,
  };
}

/** Create and start a local cluster; resolves once every member reports healthy (and auth is on, if asked). */
export async function clusterUp(home: string, opts: ClusterUpOptions): Promise<LocalCluster> {
  validateClusterName(opts.name);
  if (!Number.isInteger(opts.members) || opts.members < 1 || opts.members > MAX_MEMBERS) {
    throw new UsageError(`--members: ${opts.members} is out of range`, { code: 'invalid-members', hint: `use 1 to ${MAX_MEMBERS} (odd numbers keep quorum math simple: 1, 3, 5, 7)` });
  }
  try {
    if (!atLeast(opts.version, 3, 3)) throw new Error('old');
  } catch {
    throw new UsageError(`--version: "${opts.version}" is not a supported etcd version`, { code: 'invalid-version', hint: 'use an installed version such as 3.5.30 (see: upshift etcd list)' });
  }
  if (opts.memberNames) {
    const bad = opts.memberNames.find((n) => !MEMBER_NAME_RE.test(n));
    if (bad !== undefined || opts.memberNames.length !== opts.members || new Set(opts.memberNames).size !== opts.members) {
      throw new UsageError(`member names ${JSON.stringify(opts.memberNames)}: ${bad !== undefined ? `"${bad}" is not a usable member name` : `need ${opts.members} distinct names`}`, { code: 'invalid-member-names', hint: 'letters, digits, . _ - (at most 63), one per member' });
    }
  }
  await requireInstalled(home, opts.version);
  const progress = opts.progress ?? (() => {});
  const dir = homePaths.clusterDir(home, opts.name);
  await mkdir(homePaths.clustersDir(home), { recursive: true });
  try {
    // Non-recursive mkdir is the atomic claim on the name: two concurrent `up --name x` cannot both win.
    await mkdir(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UsageError(`--name: a local cluster named "${opts.name}" already exists (${dir})`, {
        code: 'cluster-exists',
        hint: `pick another name, or remove it with: upshift cluster down ${opts.name} --purge`,
      });
    }
    throw e;
  }
  let cluster: LocalCluster | undefined;
  try {
    const token = `upshift-${opts.name}-${randomBytes(4).toString('hex')}`;
    const names = memberNamesOf(opts);
    let tlsFiles: Awaited<ReturnType<typeof generateClusterTls>> | undefined;
    if (opts.tls) {
      progress(`generating a CA and certificates in ${join(dir, 'tls')}`);
      tlsFiles = await generateClusterTls(join(dir, 'tls'), opts.name, names);
    }
    for (let attempt = 1; ; attempt++) {
      opts.signal?.throwIfAborted();
      cluster = await layoutCluster(home, opts, tlsFiles, token);
      for (const m of cluster.members) await mkdir(join(cluster.dir, 'members', m.name), { recursive: true, mode: 0o700 });
      await saveCluster(cluster);
      if (opts.prepareDataDirs) await opts.prepareDataDirs(cluster);
      await saveCluster(cluster);
      try {
        for (const m of cluster.members) {
          progress(`starting ${m.name} (etcd ${m.version}) on ${m.clientURL}`);
          await startMember(home, cluster, m.name, { wait: 'listening', timeoutMs: opts.readyTimeoutMs ?? 60_000, ...(opts.signal ? { signal: opts.signal } : {}) });
        }
        await waitClusterHealthy(cluster, opts.readyTimeoutMs ?? 60_000, opts.signal);
        break;
      } catch (e) {
        await killAll(cluster);
        if (e instanceof UpshiftError && e.code === 'port-in-use' && attempt < PORT_ATTEMPTS) {
          progress(`a port was taken by another process before etcd bound it; picking new ports (attempt ${attempt + 1} of ${PORT_ATTEMPTS})`);
          for (const m of cluster.members) await rm(m.dataDir, { recursive: true, force: true });
          continue;
        }
        throw e;
      }
    }
    if (opts.auth) {
      progress('enabling auth (user root)');
      await enableRootAuth(cluster);
      await saveCluster(cluster);
    }
    return cluster;
  } catch (e) {
    if (cluster) await killAll(cluster);
    await rm(dir, { recursive: true, force: true });
    if (opts.signal?.aborted && !(e instanceof UpshiftError)) {
      throw new UpshiftError('interrupted', `cluster up "${opts.name}" was interrupted; its members were stopped and ${dir} removed`, ExitCode.problem, { cause: e });
    }
    throw e;
  }
}

export interface ClusterStartOptions {
  readyTimeoutMs?: number;
  progress?: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * Start the stopped members of an existing cluster (after `down` without --purge) with their stored
 * version and args, and wait until all are healthy. Running members are left alone.
 */
export async function clusterStart(home: string, name: string, opts: ClusterStartOptions = {}): Promise<LocalCluster> {
  const cluster = await loadCluster(home, name);
  const timeoutMs = opts.readyTimeoutMs ?? 60_000;
  const started: string[] = [];
  try {
    for (const m of cluster.members) {
      if (memberRunState(m) === 'running') continue;
      opts.signal?.throwIfAborted();
      opts.progress?.(`starting ${m.name} (etcd ${m.version}) on ${m.clientURL}`);
      await startMember(home, cluster, m.name, { wait: 'listening', timeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) });
      started.push(m.name);
    }
    await waitClusterHealthy(cluster, timeoutMs, opts.signal);
  } catch (e) {
    // Leave the cluster as it was: stop what this call started.
    for (const n of started) await stopMember(cluster, n, { signal: 'SIGKILL', timeoutMs: 10_000 }).catch(() => undefined);
    throw e;
  }
  return cluster;
}

async function killAll(cluster: LocalCluster): Promise<void> {
  for (const m of cluster.members) {
    if (m.pid !== undefined && isEtcdProcess(m.pid, m.dataDir)) {
      killQuietly(m.pid, 'SIGKILL');
      await waitForExit(m.pid, 10_000);
    }
    delete m.pid;
  }
}

export interface ClusterDownOptions {
  purge?: boolean;
  /** Per-member SIGTERM deadline before SIGKILL; default 15 s. */
  timeoutMs?: number;
}

export interface ClusterDownResult {
  name: string;
  members: StopMemberResult[];
  purged: boolean;
  dir: string;
}

/**
 * Stop every member (SIGTERM, wait, SIGKILL after the deadline); `purge` removes the cluster dir.
 * Followers stop first, together, then the leader: a leader stopping gracefully tries to hand leadership
 * to a peer first (etcd@v3.6.14:server/etcdserver/server.go:1333), which stalls for seconds while the
 * peers are stopping too.
 */
export async function clusterDown(home: string, name: string, opts: ClusterDownOptions = {}): Promise<ClusterDownResult> {
  const cluster = await loadCluster(home, name);
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const running = cluster.members.filter((m) => memberRunState(m) === 'running');
  const leaders = new Set<string>();
  await Promise.all(running.map(async (m) => ((await isLeaderByMetrics(m)) ? leaders.add(m.name) : undefined)));
  const results = new Map<string, StopMemberResult>();
  const stop = async (n: string): Promise<void> => {
    results.set(n, await stopMember(cluster, n, { signal: 'SIGTERM', timeoutMs }));
  };
  await Promise.all(cluster.members.filter((m) => !leaders.has(m.name)).map((m) => stop(m.name)));
  await Promise.all([...leaders].map((n) => stop(n)));
  await saveCluster(cluster);
  if (opts.purge) await rm(cluster.dir, { recursive: true, force: true });
  return { name, members: cluster.members.map((m) => results.get(m.name)!), purged: Boolean(opts.purge), dir: cluster.dir };
}

/** How to reach the cluster (etcdctl settings). Reads the password from its 0600 file. */
export async function clusterConnection(_home: string, cluster: LocalCluster): Promise<ClusterConnection> {
  const conn: ClusterConnection = { endpoints: cluster.members.map((m) => m.clientURL) };
  if (cluster.tls) {
    conn.cacert = cluster.tls.caCert;
    conn.cert = cluster.tls.clientCert;
    conn.key = cluster.tls.clientKey;
  }
  if (cluster.auth) {
    conn.user = cluster.auth.user;
    conn.password = (await readFile(cluster.auth.passwordFile, 'utf8')).trim();
  }
  return conn;
}

