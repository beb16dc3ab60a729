/**
 * Helpers for the upgrade tests: a local cluster whose members the upgrade restarts (new PIDs land in
 * cluster.json, so cleanup re-reads it), and small readers for runs and the lock key.
 */
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { binPath, repoRoot } from './support/cli.js';
import { trackCluster } from './support/cluster.js';
import { startTestCluster, registerExitCleanup, etcdProcessesUnder, type TestCluster } from './support/cluster.js';
import { clusterUp, loadCluster, stopMember } from '../src/cluster/local.js';
import { isEtcdProcess, killQuietly } from '../src/cluster/process.js';
import type { LocalCluster } from '../src/cluster/model.js';
import { homePaths } from '../src/core/home.js';

export interface UpgradeTestCluster extends TestCluster {
  reload(): Promise<LocalCluster>;
  env: NodeJS.ProcessEnv;
}

/** A test cluster whose cleanup kills whatever PIDs cluster.json holds at the time (also on a crash). */
export async function upgradeTestCluster(version: string, members = 3, opts: { tls?: boolean; auth?: boolean; extraArgs?: string[] } = {}): Promise<UpgradeTestCluster> {
  const tc = await startTestCluster({ version, members, ...opts });
  const file = join(homePaths.clusterDir(tc.home, tc.cluster.name), 'cluster.json');
  const killFromFile = (): void => {
    try {
      const c = JSON.parse(readFileSync(file, 'utf8')) as LocalCluster;
      for (const m of c.members) if (m.pid !== undefined && isEtcdProcess(m.pid, m.dataDir)) killQuietly(m.pid);
    } catch {
      /* gone */
    }
  };
  const unregister = registerExitCleanup(killFromFile);
  const stop = tc.stop.bind(tc);
  return {
    ...tc,
    env: { ...tc.testHome.env },
    reload: () => loadCluster(tc.home, tc.cluster.name),
    async stop() {
      try {
        const c = await loadCluster(tc.home, tc.cluster.name).catch(() => undefined);
        if (c) for (const m of c.members) await stopMember(c, m.name, { signal: 'SIGKILL', timeoutMs: 10_000 }).catch(() => undefined);
        killFromFile();
        // A run killed between spawning a member and recording its PID leaves a process cluster.json does not know.
        for (const pid of etcdProcessesUnder(tc.home)) killQuietly(pid);
      } finally {
        unregister();
        await stop();
      }
    },
  };
}

/**
 * A second cluster in the same UPSHIFT_HOME as `tc` (the operator who manages staging and production from one
 * machine). `tc.stop()` kills every etcd under the home, so this one too; a crash kills it through cluster.json.
 */
export async function addClusterToHome(tc: UpgradeTestCluster, name: string, version: string, members = 3): Promise<{ cluster: LocalCluster; reload(): Promise<LocalCluster> }> {
  const cluster = await clusterUp(tc.home, { name, version, members, tls: false, auth: false, readyTimeoutMs: 90_000 });
  const file = join(homePaths.clusterDir(tc.home, name), 'cluster.json');
  registerExitCleanup(() => {
    try {
      const c = JSON.parse(readFileSync(file, 'utf8')) as LocalCluster;
      for (const m of c.members) if (m.pid !== undefined && isEtcdProcess(m.pid, m.dataDir)) killQuietly(m.pid);
    } catch {
      /* gone */
    }
  });
  return { cluster, reload: () => loadCluster(tc.home, name) };
}

export function runIds(home: string): string[] {
  const dir = homePaths.runsDir(home);
  // Hidden entries are runs being created (runs.ts createRun), not runs.
  return existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith('.')).sort() : [];
}

export function journalRecords(home: string, runId: string): { type: string; step?: string; ok?: boolean; [k: string]: unknown }[] {
  const file = join(homePaths.runsDir(home), runId, 'journal.jsonl');
  // The run dir exists a moment before its journal does.
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
}

export interface SpawnedCli {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

/** `upshift ARGS` as a child process (to kill -9 it), output captured. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv): SpawnedCli {
  const child = spawn(process.execPath, [binPath, ...args], { env: { ...env, UPSHIFT_FROM_SOURCE: '1' }, cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, out: () => stdout, err: () => stderr, exited };
}

/** kill -9 the process as soon as the newest run's journal holds a record matching `when`; the members it started are tracked for cleanup. */
export async function killWhen(tc: UpgradeTestCluster, p: SpawnedCli, when: (r: { type: string; step?: string; ok?: boolean }) => boolean, what: string, timeoutMs = 240_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ids = runIds(tc.home);
    if (ids.length > 0 && journalRecords(tc.home, ids.at(-1)!).some(when)) {
      p.child.kill('SIGKILL');
      await p.exited;
      trackCluster(await tc.reload());
      return;
    }
    if (p.child.exitCode !== null) assert.fail(`upshift exited (${p.child.exitCode}) before ${what}: ${p.err()}`);
    await sleep(20);
  }
  assert.fail(`timed out waiting for ${what}: ${p.err()}`);
}
