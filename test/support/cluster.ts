/**
 * A real etcd cluster for a test, built on the library (src/cluster/local.ts): temp UPSHIFT_HOME,
 * free ports, members stopped by PID in `stop()` — which is idempotent and also runs on process exit,
 * so a crashed test run does not leave etcd behind.
 *
 *   const tc = await startTestCluster({ version: '3.5.30', members: 1 });
 *   after(() => tc.stop());
 */
import { clusterUp, clusterConnection, stopMember } from '../../src/cluster/local.js';
import type { ClusterConnection, LocalCluster } from '../../src/cluster/model.js';
import { readdirSync } from 'node:fs';
import { etcdDataDirOf, isAlive, isEtcdProcess, killQuietly, processArgv } from '../../src/cluster/process.js';
import { makeTestHome, type TestHome } from './home.js';

export interface TestClusterOptions {
  version: string;
  members?: number;
  tls?: boolean;
  auth?: boolean;
  name?: string;
  extraArgs?: string[];
}

export interface TestCluster {
  home: string;
  testHome: TestHome;
  cluster: LocalCluster;
  conn: ClusterConnection;
  /** Kill every member by PID (SIGKILL; tests don't need a graceful stop) and remove the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** PIDs started through test support that are not yet known to be stopped; killed on exit. */
const livePids = new Map<number, string>();
let exitHookInstalled = false;

/** Record a PID (with its data dir) so a crashing test process still kills it on the way out. */
export function trackPid(pid: number, dataDir: string): void {
  livePids.set(pid, dataDir);
  installExitHook();
}

export function untrackPid(pid: number): void {
  livePids.delete(pid);
}

/** Synchronous cleanups run on exit (e.g. kill PIDs read from pid files that restarts rewrote). */
const exitCleanups = new Set<() => void>();

/** Run `fn` (synchronously) if the process exits before `unregister()` is called. */
export function registerExitCleanup(fn: () => void): () => void {
  exitCleanups.add(fn);
  installExitHook();
  return () => exitCleanups.delete(fn);
}

function killTracked(): void {
  for (const fn of exitCleanups) {
    try {
      fn();
    } catch {
      /* best effort on the way out */
    }
  }
  exitCleanups.clear();
  for (const [pid, dataDir] of livePids) {
    if (isEtcdProcess(pid, dataDir)) killQuietly(pid, 'SIGKILL');
  }
  livePids.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', killTracked);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killTracked();
      process.kill(process.pid, sig);
    });
  }
}

/** Track every member PID of a cluster (call again after restarting members). */
export function trackCluster(cluster: LocalCluster): void {
  for (const m of cluster.members) if (m.pid !== undefined) trackPid(m.pid, m.dataDir);
}

let counter = 0;

export async function startTestCluster(opts: TestClusterOptions): Promise<TestCluster> {
  const testHome = makeTestHome();
  const name = opts.name ?? `t${process.pid}-${++counter}`;
  let cluster: LocalCluster;
  try {
    cluster = await clusterUp(testHome.home, {
      name,
      version: opts.version,
      members: opts.members ?? 1,
      tls: opts.tls ?? false,
      auth: opts.auth ?? false,
      ...(opts.extraArgs ? { extraArgs: opts.extraArgs } : {}),
      readyTimeoutMs: 90_000,
    });
  } catch (e) {
    testHome.cleanup();
    throw e;
  }
  trackCluster(cluster);
  const conn = await clusterConnection(testHome.home, cluster);
  let stopped = false;
  return {
    home: testHome.home,
    testHome,
    cluster,
    conn,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        // The cluster object may be stale if the test restarted members through another copy; the
        // tracked PIDs cover those as long as the test called trackCluster after restarting.
        for (const m of cluster.members) {
          if (m.pid !== undefined) {
            const pid = m.pid;
            await stopMember(cluster, m.name, { signal: 'SIGKILL', timeoutMs: 10_000 }).catch(() => undefined);
            untrackPid(pid);
          }
        }
        for (const [pid, dataDir] of [...livePids]) {
          if (dataDir.startsWith(testHome.home + '/')) {
            if (isEtcdProcess(pid, dataDir)) process.kill(pid, 'SIGKILL');
            untrackPid(pid);
          }
        }
      } finally {
        testHome.cleanup();
      }
    },
  };
}

/** PIDs of live etcd processes whose --data-dir lies under `dir` (to assert a test left nothing running). */
export function etcdProcessesUnder(dir: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const argv = processArgv(pid);
    const dd = argv ? etcdDataDirOf(argv) : undefined;
    if (dd && dd.startsWith(dir) && isAlive(pid)) out.push(pid);
  }
  return out;
}
