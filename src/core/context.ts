/** What a command gets besides its options: environment, home, output streams, logger. No singletons. */
import { upshiftHome } from './home.js';
import { createLogger, type LogFormat, type Logger } from './log.js';

export interface CommandContext {
  env: NodeJS.ProcessEnv;
  home: string;
  log: Logger;
  /** Progress and human notes (never results). */
  stderr: NodeJS.WritableStream;
  /** True when stderr is a terminal: live progress views are allowed. */
  interactive: boolean;
  /** Aborted on SIGINT/SIGTERM so long work can stop safely. */
  signal: AbortSignal;
  /** json: `stderr` turns lines into pino JSON records and `log` writes JSON (--log-format json). */
  logFormat: LogFormat;
}

export function defaultContext(overrides: Partial<CommandContext> = {}): CommandContext {
  const env = overrides.env ?? process.env;
  return {
    env,
    home: overrides.home ?? upshiftHome(env),
    log: overrides.log ?? createLogger(env.UPSHIFT_LOG ?? 'warn'),
    stderr: overrides.stderr ?? process.stderr,
    interactive: overrides.interactive ?? Boolean(process.stderr.isTTY),
    signal: overrides.signal ?? new AbortController().signal,
    logFormat: overrides.logFormat ?? 'text',
  };
}

/** Write a progress/notice line to stderr. */
export function note(ctx: Pick<CommandContext, 'stderr'>, line: string): void {
  ctx.stderr.write(line.endsWith('\n') ? line : line + '\n');
}
