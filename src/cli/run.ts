/**
 * The one place that turns command results and errors into output and exit codes.
 */
import { ExitCode, isUpshiftError, errorMessage, type ExitCodeValue } from '../core/errors.js';
import { defaultContext, type CommandContext } from '../core/context.js';
import { toJson } from '../core/output.js';
import { jsonLogger, logFormatOf, logLines } from '../core/log.js';
import { isOutcome, type CommandModule } from '../commands/command.js';

export interface RunOptions {
  output?: string;
  /** --log-format (every command has it; UPSHIFT_LOG_FORMAT otherwise). */
  logFormat?: string;
}

/** Set by main() so tests can run the CLI in-process and read the exit code. */
export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  exitCode: ExitCodeValue;
  /** The JSON logger, once --log-format json set one up. */
  log?: import('pino').Logger;
}

export async function runCommand<O extends RunOptions, R>(
  cliIO: CliIO,
  load: () => Promise<CommandModule<O, R>>,
  opts: O,
  formats: readonly string[] = ['table', 'json'],
): Promise<void> {
  const format = opts.output ?? 'table';
  let io = cliIO;
  const outer = cliIO;
  let errIO: Pick<CliIO, 'stdout' | 'stderr' | 'env'> = io;
  try {
    if (!formats.includes(format)) {
      const { UsageError } = await import('../core/errors.js');
      throw new UsageError(`-o/--output: unknown format "${format}"`, { hint: `use one of: ${formats.join(', ')}` });
    }
    const logFormat = logFormatOf(opts.logFormat, io.env);
    if (logFormat === 'json') {
      // Human lines (notes, progress, errors) become pino records on stderr; stdout is unchanged.
      const log = jsonLogger(io.env, io.stderr === process.stderr ? undefined : io.stderr);
      io = { ...io, stderr: logLines(log, 'info'), log };
      errIO = { ...io, stderr: logLines(log, 'error') };
    }
    const mod = await load();
    const ctx: CommandContext = defaultContext({ env: io.env, stderr: io.stderr, signal: io.signal, logFormat, ...(io.log ? { log: io.log, interactive: false } : {}) });
    // The etcd knowledge in effect: the shipped data plus what `knowledge update` stored in this home.
    const { catalogForHome } = await import('../knowledge/refresh.js');
    const { withCatalog } = await import('../knowledge/active.js');
    const catalog = await catalogForHome(ctx.home, (l) => io.stderr.write(`${l}\n`));
    await withCatalog(catalog, async () => {
      const res = await mod.run(opts, ctx);
      const { result, exitCode } = isOutcome(res) ? res : { result: res, exitCode: ExitCode.ok };
      if (format === 'json' || !mod.render) io.stdout.write(toJson(result));
      else io.stdout.write(mod.render(result, format));
      outer.exitCode = exitCode;
    });
  } catch (e) {
    outer.exitCode = reportError(errIO, e, format === 'json');
  }
}

/** Map any thrown value to stderr text (and a JSON error document on stdout for -o json). */
export function reportError(io: Pick<CliIO, 'stdout' | 'stderr' | 'env'>, e: unknown, json: boolean): ExitCodeValue {
  if (isUpshiftError(e)) {
    io.stderr.write(`upshift: ${e.message}\n`);
    if (e.hint) io.stderr.write(`  hint: ${e.hint}\n`);
    if (io.env.UPSHIFT_DEBUG && e.cause) io.stderr.write(`  cause: ${errorMessage(e.cause)}\n`);
    if (json) {
      io.stdout.write(toJson({ error: { code: e.code, message: e.message, hint: e.hint, exitCode: e.exitCode, ...(e.details ? { details: e.details } : {}) } }));
    }
    return e.exitCode;
  }
  // An unexpected exception is a bug: show the stack so it can be reported.
  io.stderr.write(`upshift: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  if (json) io.stdout.write(toJson({ error: { code: 'internal', message: errorMessage(e), exitCode: 5 } }));
  return ExitCode.needsAttention;
}
