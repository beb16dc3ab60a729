/**
 * Local clusters: N etcd members on 127.0.0.1, detached from the CLI and tracked by PID in
 * `$UPSHIFT_HOME/clusters/NAME/cluster.json`. The member launch configuration is data (MemberSpec +
 * args + version), so upgrade/rollback/restore restart members through `startMember`/`stopMember`
 * with another binary or an adjusted argument list.
 */
import { mkdir, rm, writeFile, readFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvironmentError, ProblemError, UpshiftError, UsageError, ExitCode } from '../core/errors.js';
import { homePaths } from '../core/home.js';
import { requireInstalled } from '../binaries/layout.js';
import type { ClusterConnection, LocalCluster, MemberSpec, MemberState } from './model.js';
import { atLeast, clientURL, memberArgs, metricsURL, peerURL } from './args.js';
import { allocateFreePorts } from './ports.js';
import { generateClusterTls } from './tls.js';
import { isEtcdProcess, isAlive, logTail, spawnDetached, waitForExit } from './process.js';
import { httpRequest, isHealthyBody } from './http.js';
import { loadCluster, saveCluster, validateClusterName } from './store.js';

export { loadCluster, saveCluster, listClusters, listClusterNames, validateClusterName } from './store.js';
export { memberArgs } from './args.js';

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
}

function memberName(i: number): string {
  return `m${i + 1}`;
}

/** The cluster's data without any process: ports picked now, paths under the cluster dir. */
async function layoutCluster(home: string, opts: ClusterUpOptions, tlsFiles: Awaited<ReturnType<typeof generateClusterTls>> | undefined, token: string): Promise<LocalCluster> {
  const dir = homePaths.clusterDir(home, opts.name);
  const ports = await (opts.allocatePorts ?? allocateFreePorts)(opts.members * 3, HOST);
  const names = Array.from({ length: opts.members }, (_, i) => memberName(i));
  const partial = names.map((name, i) => ({ name, clientPort: ports[3 * i], peerPort: ports[3 * i + 1], metricsPort: ports[3 * i + 2] }));
  const tls = tlsFiles !== undefined;
  const scheme = tls ? 'https' : 'http';
  const initialCluster = partial.map((p) => `${p.name}=${scheme}://${HOST}:${p.peerPort}`).join(',');
  const members: MemberState[] = partial.map((p) => {
    const memberDir = join(dir, 'members', p.name);
    const spec: MemberSpec = {
      name: p.name,
      host: HOST,
      clientPort: p.clientPort,
      peerPort: p.peerPort,
      metricsPort: p.metricsPort,
      dataDir: join(memberDir, 'data'),
      initialCluster,
      initialClusterState: 'new',
      initialClusterToken: token,
      ...(tlsFiles ? { tls: tlsFiles.members[p.name] } : {}),
      ...(opts.extraArgs?.length ? { extraArgs: [...opts.extraArgs] } : {}),
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
    const names = Array.from({ length: opts.members }, (_, i) => memberName(i));
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
          await startMember(home, cluster, m.name, { wait: 'listening', timeoutMs: opts.readyTimeoutMs ?? 60_000 });
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
      await startMember(home, cluster, m.name, { wait: 'listening', timeoutMs });
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
      try {
        process.kill(m.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await waitForExit(m.pid, 10_000);
    }
    delete m.pid;
  }
}

export type MemberWait = 'none' | 'listening' | 'healthy';

export interface StartMemberOptions {
  /** Run this installed version instead of the member's current one; the args are regenerated for it. */
  version?: string;
  /** Use exactly these args (after the binary) instead of the stored/regenerated ones. */
  args?: string[];
  /** Extra environment for etcd (replaces the member's stored env). Never secrets. */
  env?: Record<string, string>;
  /** `listening`: /health answers at all; `healthy` (default): /health says healthy (member joined quorum). */
  wait?: MemberWait;
  /** Deadline for the wait; default 30 s. */
  timeoutMs?: number;
}

/**
 * Start one member (detached; survives this process) and record version, args and PID in cluster.json.
 * On failure to come up in time, the process is killed and the error carries the log tail.
 */
export async function startMember(home: string, cluster: LocalCluster, name: string, opts: StartMemberOptions = {}): Promise<MemberState> {
  const m = findMember(cluster, name);
  if (m.pid !== undefined && isEtcdProcess(m.pid, m.dataDir)) {
    throw new UsageError(`member ${name} of cluster "${cluster.name}" is already running (pid ${m.pid})`, {
      code: 'member-running',
      hint: 'stop it first (stopMember / upshift cluster down)',
    });
  }
  const version = opts.version ?? m.version;
  const inst = await requireInstalled(home, version);
  const args = opts.args ?? (version === m.version ? m.args : memberArgs(m.spec, version));
  const env = opts.env ?? m.env;
  await mkdir(join(cluster.dir, 'members', m.name), { recursive: true, mode: 0o700 });
  await writeFile(m.logFile, `--- upshift: starting etcd ${version} as ${m.name} at ${new Date().toISOString()}\n`, { flag: 'a', mode: 0o600 });
  const child = spawnDetached(inst.etcd, args, m.logFile, etcdEnv(env));
  if (child.pid < 0) {
    await child.exited.catch((e: unknown) => {
      throw new EnvironmentError('etcd-spawn-failed', `cannot run ${inst.etcd}: ${(e as Error).message}`, { cause: e, hint: `reinstall with: upshift etcd install ${version}` });
    });
  }
  // A start that fails puts the previous configuration back, so cluster.json keeps describing the last
  // configuration that came up (a later `cluster start` or rollback must not reuse a broken one).
  const previous = { version: m.version, args: m.args, env: m.env };
  const revert = (): void => {
    m.version = previous.version;
    m.args = previous.args;
    if (previous.env) m.env = previous.env;
    else delete m.env;
  };
  m.pid = child.pid;
  m.version = version;
  m.args = args;
  if (env) m.env = env;
  else delete m.env;
  m.startedAt = new Date().toISOString();
  await saveCluster(cluster);

  const wait = opts.wait ?? 'healthy';
  if (wait === 'none') return m;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void child.exited.then((x) => (exited = x));
  const until = Date.now() + timeoutMs;
  let last = '';
  while (true) {
    if (exited || !isAlive(child.pid)) {
      const tail = await logTail(m.logFile, 25);
      delete m.pid;
      revert();
      await saveCluster(cluster);
      const how = exited ? (exited.signal ? `signal ${exited.signal}` : `exit code ${exited.code}`) : 'an unknown status';
      if (/address already in use/i.test(tail)) {
        throw new EnvironmentError('port-in-use', `etcd ${version} (${m.name}) could not bind its ports: address already in use`, {
          hint: `another process holds one of ${m.clientURL}, ${m.peerURL}, ${m.metricsURL ?? ''}; see ${m.logFile}`,
          details: { member: m.name, logTail: tail },
        });
      }
      throw new EnvironmentError('member-start-failed', `etcd ${version} (${m.name}) exited during start-up with ${how}; last log lines:\n${indent(tail)}`, {
        hint: `full log: ${m.logFile}`,
        details: { member: m.name },
      });
    }
    const probe = await probeHealth(m);
    if (probe.answered && (wait === 'listening' || probe.healthy)) return m;
    last = probe.detail;
    if (Date.now() >= until) break;
    await sleep(150);
  }
  const tail = await logTail(m.logFile, 25);
  await stopMember(cluster, m.name, { signal: 'SIGKILL', timeoutMs: 10_000 });
  revert();
  await saveCluster(cluster);
  throw new ProblemError('member-not-ready', `etcd ${version} (${m.name}) did not become ${wait} within ${timeoutMs} ms (${last}); last log lines:\n${indent(tail)}`, {
    hint: `full log: ${m.logFile}`,
    details: { member: m.name },
  });
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => '    ' + l)
    .join('\n');
}

/** Inherited environment minus ETCD_* and ETCDCTL_* (3.4+ refuses an env var that shadows a flag), plus `extra`. */
function etcdEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ETCD_') && !k.startsWith('ETCDCTL_')) env[k] = v;
  return { ...env, ...(extra ?? {}) };
}

interface HealthProbe {
  answered: boolean;
  healthy: boolean;
  detail: string;
}

/** GET /health on the member's plain-http metrics listener (or the client URL when there is none). */
export async function probeHealth(m: MemberState, conn?: ClusterConnection, timeoutMs = 2000): Promise<HealthProbe> {
  const base = m.metricsURL ?? m.clientURL;
  try {
    const res = await httpRequest(`${base}/health`, {
      timeoutMs,
      ...(m.metricsURL || !conn ? {} : { tls: { cacert: conn.cacert, cert: conn.cert, key: conn.key } }),
    });
    const healthy = res.status === 200 && isHealthyBody(res.body);
    return { answered: true, healthy, detail: `/health: HTTP ${res.status} ${res.body.trim().slice(0, 200)}` };
  } catch (e) {
    return { answered: false, healthy: false, detail: `/health: ${(e as Error).message}` };
  }
}

/** Wait until every member's /health reports healthy. */
export async function waitClusterHealthy(cluster: LocalCluster, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const until = Date.now() + timeoutMs;
  const pending = new Set(cluster.members.map((m) => m.name));
  const last = new Map<string, string>();
  while (pending.size > 0) {
    signal?.throwIfAborted();
    for (const name of [...pending]) {
      const m = findMember(cluster, name);
      if (m.pid === undefined || !isAlive(m.pid)) {
        const tail = await logTail(m.logFile, 25);
        throw new EnvironmentError('member-start-failed', `etcd ${m.version} (${m.name}) exited while the cluster formed; last log lines:\n${indent(tail)}`, {
          hint: `full log: ${m.logFile}`,
        });
      }
      const p = await probeHealth(m);
      if (p.healthy) pending.delete(name);
      else last.set(name, p.detail);
    }
    if (pending.size === 0) return;
    if (Date.now() >= until) {
      const detail = [...pending].map((n) => `${n}: ${last.get(n) ?? 'no answer'}`).join('; ');
      throw new ProblemError('cluster-not-ready', `cluster "${cluster.name}" did not become healthy within ${timeoutMs} ms (${detail})`, {
        hint: `member logs: ${join(cluster.dir, 'members', '*', 'etcd.log')}`,
      });
    }
    await sleep(200);
  }
}

export interface StopMemberOptions {
  signal?: 'SIGTERM' | 'SIGKILL';
  /** How long to wait for the process to exit; default 15 s. */
  timeoutMs?: number;
  /** After a SIGTERM that timed out, send SIGKILL and wait 10 s more (default true). */
  escalate?: boolean;
}

export interface StopMemberResult {
  name: string;
  pid?: number;
  /** False when the member was not running (nothing was signalled). */
  wasRunning: boolean;
  /** The last signal sent. */
  signal?: 'SIGTERM' | 'SIGKILL';
  escalated: boolean;
  durationMs: number;
}

/** Stop one member by PID and wait for it to exit; cluster.json loses the PID. */
export async function stopMember(cluster: LocalCluster, name: string, opts: StopMemberOptions = {}): Promise<StopMemberResult> {
  const m = findMember(cluster, name);
  const t0 = Date.now();
  const pid = m.pid;
  if (pid === undefined || !isEtcdProcess(pid, m.dataDir)) {
    if (m.pid !== undefined) {
      delete m.pid;
      await saveCluster(cluster);
    }
    return { name, wasRunning: false, escalated: false, durationMs: 0 };
  }
  let signal: 'SIGTERM' | 'SIGKILL' = opts.signal ?? 'SIGTERM';
  let escalated = false;
  sendSignal(pid, signal);
  let gone = await waitForExit(pid, opts.timeoutMs ?? 15_000);
  if (!gone && signal === 'SIGTERM' && opts.escalate !== false) {
    signal = 'SIGKILL';
    escalated = true;
    sendSignal(pid, signal);
    gone = await waitForExit(pid, 10_000);
  }
  if (!gone) {
    throw new UpshiftError('member-stop-timeout', `etcd ${m.name} (pid ${pid}) did not exit after ${signal}`, ExitCode.environment, {
      hint: `check the process by hand: ps -p ${pid}`,
    });
  }
  delete m.pid;
  await saveCluster(cluster);
  return { name, pid, wasRunning: true, signal, escalated, durationMs: Date.now() - t0 };
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

export function findMember(cluster: LocalCluster, name: string): MemberState {
  const m = cluster.members.find((x) => x.name === name);
  if (!m) {
    throw new UsageError(`cluster "${cluster.name}" has no member "${name}"`, {
      code: 'member-not-found',
      hint: `members: ${cluster.members.map((x) => x.name).join(', ')}`,
    });
  }
  return m;
}

export type MemberRunState = 'running' | 'stopped';

/** Running means: the recorded PID is alive AND is an etcd serving this member's data dir. */
export function memberRunState(m: MemberState): MemberRunState {
  return isEtcdProcess(m.pid, m.dataDir) ? 'running' : 'stopped';
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

/** `etcd_server_is_leader 1` on the member's metrics listener (no credentials needed there). */
async function isLeaderByMetrics(m: MemberState): Promise<boolean> {
  if (!m.metricsURL) return false;
  try {
    const res = await httpRequest(`${m.metricsURL}/metrics`, { timeoutMs: 2000 });
    return /^etcd_server_is_leader 1$/m.test(res.body);
  } catch {
    return false;
  }
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

/** The gRPC-gateway prefix of a version: /v3beta in 3.3, /v3 since 3.4 (web: dev-guide/api_grpc_gateway.md). */
function gatewayPrefix(version: string): string {
  return atLeast(version, 3, 4) ? '/v3' : '/v3beta';
}

/**
 * Create user root (role root) with a random password and enable auth, through etcd's JSON gateway so
 * the password is never on a command line. These are writes: each is sent once; a failure fails `up`.
 */
async function enableRootAuth(cluster: LocalCluster): Promise<void> {
  const password = randomBytes(18).toString('base64url');
  const passwordFile = join(cluster.dir, 'root.password');
  await writeFile(passwordFile, password + '\n', { mode: 0o600, flag: 'wx' });
  await chmod(passwordFile, 0o600);
  const m = cluster.members[0];
  const prefix = gatewayPrefix(m.version);
  const tls = cluster.tls ? { cacert: cluster.tls.caCert, cert: cluster.tls.clientCert, key: cluster.tls.clientKey } : undefined;
  const call = async (path: string, body: unknown, what: string): Promise<void> => {
    const res = await httpRequest(`${m.clientURL}${prefix}${path}`, { method: 'POST', body, timeoutMs: 10_000, ...(tls ? { tls } : {}) });
    if (res.status !== 200) {
      throw new ProblemError('auth-setup-failed', `enabling auth: ${what} failed: HTTP ${res.status} ${res.body.trim().slice(0, 300)}`);
    }
  };
  await call('/auth/role/add', { name: 'root' }, 'adding role root');
  await call('/auth/user/add', { name: 'root', password }, 'adding user root');
  await call('/auth/user/grant', { user: 'root', role: 'root' }, 'granting role root to user root');
  await call('/auth/enable', {}, 'auth enable');
  cluster.auth = { user: 'root', passwordFile };
}
