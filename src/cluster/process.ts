/**
 * Processes of local members: spawned detached (they outlive the CLI), tracked by PID, recognised
 * by their command line (PIDs are reused, so "a process with this PID exists" is not enough).
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, readdirSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Alive and not a zombie. A child we spawned stays a zombie until Node reaps it, and kill(pid, 0)
 * succeeds on zombies, so /proc/PID/stat's state is checked too.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Format: "pid (comm) S ..."; comm may contain spaces and parentheses, so read after the last ')'.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Send `signal` to `pid`, ignoring every error (it is gone, or not ours): for best-effort clean-up paths. */
export function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

/** The argv of a process (from /proc), or undefined when it is gone or unreadable. */
export function processArgv(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (raw.length === 0) return undefined;
    return raw.split('\0').filter((s) => s.length > 0);
  } catch {
    return undefined;
  }
}

/** True when `pid` is a live etcd serving `dataDir` (guards against PID reuse). */
export function isEtcdProcess(pid: number | undefined, dataDir: string): boolean {
  if (pid === undefined || !isAlive(pid)) return false;
  const argv = processArgv(pid);
  if (!argv || argv.length === 0) return false;
  return etcdDataDirOf(argv) === dataDir;
}

/**
 * The data dir an etcd command line serves: `--data-dir`, or the `data-dir` key of its `--config-file`
 * (etcd then takes everything from the file). Undefined when it is not etcd or says neither.
 */
export function etcdDataDirOf(argv: readonly string[]): string | undefined {
  const exe = argv[0]?.split('/').pop() ?? '';
  if (!exe.startsWith('etcd')) return undefined;
  const flag = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : undefined);
  const cf = flag('config-file');
  if (cf) {
    try {
      const v = (parseYaml(readFileSync(cf, 'utf8')) as Record<string, unknown> | null)?.['data-dir'];
      return typeof v === 'string' ? v : undefined;
    } catch {
      return undefined;
    }
  }
  return flag('data-dir');
}

/** A live etcd serving `dataDir`, found by its command line (a process whose PID was never recorded). */
export function findEtcdProcess(dataDir: string): { pid: number; argv: string[] } | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const argv = processArgv(pid);
    if (argv && etcdDataDirOf(argv) === dataDir && isAlive(pid)) return { pid, argv };
  }
  return undefined;
}

export interface SpawnedEtcd {
  pid: number;
  /** Resolves with the exit code/signal if the process exits while this CLI is still running. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Start `bin args` in its own session with stdout/stderr appended to `logFile`, not tied to this
 * process (detached + unref), so it keeps running after the CLI exits.
 */
export function spawnDetached(bin: string, args: string[], logFile: string, env: NodeJS.ProcessEnv): SpawnedEtcd {
  const fd = openSync(logFile, 'a', 0o600);
  try {
    const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd], env });
    if (child.pid === undefined) {
      // spawn failed synchronously (ENOENT/EACCES); the error event carries the reason.
      const err = new Promise<never>((_, reject) => child.once('error', reject));
      return { pid: -1, exited: err };
    }
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    child.unref();
    return { pid: child.pid, exited };
  } finally {
    closeSync(fd);
  }
}

/** Wait until `pid` is gone, polling; false when the deadline passed first. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= until) return false;
    await sleep(50);
  }
  return true;
}

/** The last `lines` lines of a log file (reads at most the last 64 KiB). */
export async function logTail(file: string, lines = 20): Promise<string> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await fh.stat();
    const len = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    const all = buf.toString('utf8').split('\n');
    if (all.length && all[all.length - 1] === '') all.pop();
    return all.slice(-lines).join('\n');
  } finally {
    await fh.close();
  }
}
