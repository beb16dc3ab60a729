/**
 * Typed errors. Every failure that leaves a command is one of these; the CLI entry point maps it once
 * to an exit code (SPEC "Exit codes") and a message on stderr. Nothing else calls process.exit.
 */

/** Exit codes fixed by SPEC.md. */
export const ExitCode = {
  ok: 0,
  /** Ran and found a problem (unhealthy cluster, blocker, verification failed, findings >= --fail-on). */
  problem: 1,
  /** Invalid usage or input; the message names the input and the fix. */
  usage: 2,
  /** Cannot connect, or an environment problem (missing binary, permission). */
  environment: 3,
  /** Upgrade stopped safely (paused or rolled back; cluster healthy). */
  stoppedSafely: 4,
  /** Upgrade failed and the cluster needs attention. */
  needsAttention: 5,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface UpshiftErrorOptions {
  cause?: unknown;
  /** What the user can do about it; printed after the message. */
  hint?: string;
  /** Extra structured data for -o json error output. Never put secrets here. */
  details?: Record<string, unknown>;
}

export class UpshiftError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  /** Stable kebab-case code for scripts. */
  readonly code: string;

  constructor(code: string, message: string, exitCode: ExitCodeValue, opts: UpshiftErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.hint = opts.hint;
    this.details = opts.details;
  }
}

/** Bad flags, bad files, unknown versions: exit 2. */
export class UsageError extends UpshiftError {
  constructor(message: string, opts: UpshiftErrorOptions & { code?: string } = {}) {
    super(opts.code ?? 'usage', message, ExitCode.usage, opts);
  }
}

/** Missing binaries, permissions, no network, unreachable cluster: exit 3. */
export class EnvironmentError extends UpshiftError {
  constructor(code: string, message: string, opts: UpshiftErrorOptions = {}) {
    super(code, message, ExitCode.environment, opts);
  }
}

/** The command ran and found a problem: exit 1. */
export class ProblemError extends UpshiftError {
  constructor(code: string, message: string, opts: UpshiftErrorOptions = {}) {
    super(code, message, ExitCode.problem, opts);
  }
}

/**
 * A command that produced a full result but must still exit non-zero (e.g. `status` on an unhealthy
 * cluster): the result is printed, then the process exits with `exitCode`.
 */
export interface CommandOutcome<T> {
  result: T;
  exitCode: ExitCodeValue;
}

export function isUpshiftError(e: unknown): e is UpshiftError {
  return e instanceof UpshiftError;
}

/** Message of any thrown value, without stack. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
