/**
 * A cluster started by a plain shell script (test/support/shell-cluster.sh), not by upshift: for tests
 * that must work against clusters upshift did not create (status, the exec upgrade driver). Ports are
 * picked here (bind 0) and handed to the script; every PID is stopped in `stop()` and on process exit.
 *
 * Each member directory has `start.sh [BIN_DIR]` and `stop.sh`, usable as exec-driver templates:
 *   stop: "sh ROOT/{{member}}/stop.sh", start: "sh ROOT/{{member}}/start.sh {{binDir}}".
 * After such a restart the PID in ROOT/NAME/pid changes; `stop()` re-reads it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allocateFreePorts } from '../../src/cluster/ports.js';
import { isAlive, killQuietly, waitForExit } from '../../src/cluster/process.js';
import { testBinDir } from './home.js';
import { registerExitCleanup } from './cluster.js';

const run = promisify(execFile);
export const shellClusterScript = join(dirname(fileURLToPath(import.meta.url)), 'shell-cluster.sh');

export interface ShellMember {
  name: string;
  pid: number;
  clientURL: string;
  peerURL: string;
  dir: string;
  dataDir: string;
  startScript: string;
  stopScript: string;
  logFile: string;
}

export interface ShellCluster {
  root: string;
  binDir: string;
  endpoints: string[];
  members: ShellMember[];
  /** Current PID of a member (re-read from its pid file; it changes when start.sh runs again). */
  pidOf(name: string): number | undefined;
  stop(): Promise<void>;
}

/** `flagsFile`: a file of extra etcd flags every member's start.sh reads (an exec driver's `config: flags:FILE`). */
export async function startShellCluster(opts: { version: string; members?: number; flagsFile?: string }): Promise<ShellCluster> {
  const n = opts.members ?? 3;
  const binDir = join(testBinDir(), opts.version);
  const root = mkdtempSync(join(tmpdir(), 'upshift-shell-'));
  const ports = await allocateFreePorts(2 * n);
  const specs = Array.from({ length: n }, (_, i) => `s${i + 1}=${ports[2 * i]}:${ports[2 * i + 1]}`);
  const readPid = (name: string): number | undefined => {
    try {
      const p = Number(readFileSync(join(root, name, 'pid'), 'utf8').trim());
      return Number.isInteger(p) && p > 0 ? p : undefined;
    } catch {
      return undefined;
    }
  };
  const killAll = async (): Promise<void> => {
    for (let i = 0; i < n; i++) {
      const pid = readPid(`s${i + 1}`);
      if (pid !== undefined && isAlive(pid)) {
        killQuietly(pid, 'SIGKILL');
        await waitForExit(pid, 10_000);
      }
    }
  };
  // On a crash, kill whatever PIDs the pid files hold then (restarts rewrite them).
  const unregister = registerExitCleanup(() => {
    for (let i = 0; i < n; i++) {
      const pid = readPid(`s${i + 1}`);
      if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
  let out: string;
  try {
    const r = await run('sh', [shellClusterScript, binDir, root, ...specs], { timeout: 90_000, env: { ...scriptEnv(), ...(opts.flagsFile ? { SHELL_CLUSTER_FLAGS_FILE: opts.flagsFile } : {}) } });
    out = r.stdout;
  } catch (e) {
    await killAll();
    unregister();
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
  const members: ShellMember[] = out
    .trim()
    .split('\n')
    .map((line) => {
      const [name, pid, clientURL, peerURL] = line.split(' ');
      const dir = join(root, name);
      return { name, pid: Number(pid), clientURL, peerURL, dir, dataDir: join(dir, 'data'), startScript: join(dir, 'start.sh'), stopScript: join(dir, 'stop.sh'), logFile: join(dir, 'etcd.log') };
    });
  let stopped = false;
  return {
    root,
    binDir,
    endpoints: members.map((m) => m.clientURL),
    members,
    pidOf: readPid,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await killAll();
        unregister();
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

function scriptEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ETCD_') && !k.startsWith('ETCDCTL_')) env[k] = v;
  return env;
}
