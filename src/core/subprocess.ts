/**
 * Run a program in its own process group with a deadline: on the deadline or on abort the whole group
 * (the program and whatever it started, e.g. `go build`'s compilers, a shell's children) gets SIGTERM,
 * then SIGKILL 3 s later, by the group's id. Output is captured (bounded) and optionally streamed by line.
 */
import { spawn } from 'node:child_process';

export interface GroupRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  aborted: boolean;
  /** The program could not be started (ENOENT: not installed / not on PATH; EACCES). */
  spawnError?: NodeJS.ErrnoException;
}

export interface GroupRunOptions {
  env: NodeJS.ProcessEnv;
  deadlineMs: number;
  signal?: AbortSignal | undefined;
  cwd?: string;
  /** Called with each complete line of stderr / stdout as it arrives. */
  onStderrLine?: (line: string) => void;
  onStdoutLine?: (line: string) => void;
}

const MAX_CAPTURE = 256 * 1024;

export function runProcessGroup(file: string, args: readonly string[], opts: GroupRunOptions): Promise<GroupRun> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(file, args, { env: opts.env, cwd: opts.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    let spawnError: NodeJS.ErrnoException | undefined;
    const cap = (s: string, d: string): string => (s.length > MAX_CAPTURE ? s.slice(-MAX_CAPTURE / 2) : s) + d;
    const lines = (onLine: ((l: string) => void) | undefined): ((d: string) => void) => {
      let partial = '';
      return (d) => {
        if (!onLine) return;
        const parts = (partial + d).split('\n');
        partial = parts.pop()!;
        for (const p of parts) onLine(p);
      };
    };
    const outLines = lines(opts.onStdoutLine);
    const errLines = lines(opts.onStderrLine);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout = cap(stdout, d);
      outLines(d);
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr = cap(stderr, d);
      errLines(d);
    });
    const killGroup = (sig: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), 3000);
      killTimer.unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, opts.deadlineMs);
    const onAbort = (): void => {
      aborted = true;
      stop();
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    // eslint-disable-next-line prefer-const
    let finish: (code: number | null, sig: NodeJS.Signals | null) => void = () => undefined;
    child.once('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
      stderr += `${e.message}\n`;
      setTimeout(() => finish(127, null), 50).unref();
    });
    let settled = false;
    finish = (code: number | null, sig: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({
        code: code ?? (sig ? null : 127),
        signal: sig,
        stdout,
        stderr,
        durationMs: performance.now() - t0,
        timedOut,
        aborted,
        ...(spawnError ? { spawnError } : {}),
      });
    };
    child.once('close', finish);
    // A program that leaves a background process holding its stdout (a start script) never "closes":
    // after it exits, give the pipes a moment, then settle on the exit status.
    child.once('exit', (code, sig) => {
      setTimeout(() => finish(code, sig), 250).unref();
    });
  });
}
