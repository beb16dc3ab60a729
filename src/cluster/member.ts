/**
 * One member's process: start it (detached, any installed version, stored or adjusted args), wait for
 * it with a deadline, stop it by PID. Upgrade, rollback and restore drive members through these.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvironmentError, ProblemError, UpshiftError, UsageError, ExitCode } from '../core/errors.js';
import { requireInstalled } from '../binaries/layout.js';
import type { LocalCluster, MemberState } from './model.js';
import { argValue, memberArgs } from './args.js';
import { isEtcdProcess, isAlive, logTail, spawnDetached, waitForExit } from './process.js';
import { httpRequest, isHealthyBody, type TlsFiles } from './http.js';
import { saveCluster } from './store.js';

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
  /** Stops the wait (the process keeps running and stays recorded; the caller decides what to do). */
  signal?: AbortSignal;
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
    opts.signal?.throwIfAborted();
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
    const probe = await probeHealth(m, clusterClientTls(cluster));
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

/**
 * GET /health of a member: on its plain-http metrics listener when its running args have one, else on
 * its client URL (with the cluster's CA and client cert when it is TLS).
 */
export async function probeHealth(m: MemberState, tls?: TlsFiles, timeoutMs = 2000): Promise<HealthProbe> {
  const metrics = argValue(m.args, 'listen-metrics-urls')?.split(',')[0];
  const base = metrics ?? m.clientURL;
  try {
    const res = await httpRequest(`${base}/health`, { timeoutMs, ...(!metrics && tls ? { tls } : {}) });
    const healthy = res.status === 200 && isHealthyBody(res.body);
    return { answered: true, healthy, detail: `/health: HTTP ${res.status} ${res.body.trim().slice(0, 200)}` };
  } catch (e) {
    return { answered: false, healthy: false, detail: `/health: ${(e as Error).message}` };
  }
}

/** The TLS files a tool uses to reach the cluster's client port. */
export function clusterClientTls(cluster: LocalCluster): TlsFiles | undefined {
  return cluster.tls ? { cacert: cluster.tls.caCert, cert: cluster.tls.clientCert, key: cluster.tls.clientKey } : undefined;
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
      const p = await probeHealth(m, clusterClientTls(cluster));
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

/** `etcd_server_is_leader 1` on the member's metrics listener (no credentials needed there). */
export async function isLeaderByMetrics(m: MemberState): Promise<boolean> {
  if (!m.metricsURL) return false;
  try {
    const res = await httpRequest(`${m.metricsURL}/metrics`, { timeoutMs: 2000 });
    return /^etcd_server_is_leader 1$/m.test(res.body);
  } catch {
    return false;
  }
}
