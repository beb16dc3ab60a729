/**
 * The one place that turns command results and errors into output and exit codes.
 */
import { ExitCode, isUpshiftError, errorMessage, type ExitCodeValue } from '../core/errors.js';
import { defaultContext, type CommandContext } from '../core/context.js';
import { toJson } from '../core/output.js';
import { isOutcome, type CommandModule } from '../commands/command.js';

export interface RunOptions {
  output?: string;
}

/** Set by main() so tests can run the CLI in-process and read the exit code. */
export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  exitCode: ExitCodeValue;
}

export async function runCommand<O extends RunOptions, R>(
  io: CliIO,
  load: () => Promise<CommandModule<O, R>>,
  opts: O,
  formats: readonly string[] = ['table', 'json'],
): Promise<void> {
  const format = opts.output ?? 'table';
  try {
    if (!formats.includes(format)) {
      const { UsageError } = await import('../core/errors.js');
      throw new UsageError(`-o/--output: unknown format "${format}"`, { hint: `use one of: ${formats.join(', ')}` });
    }
    const mod = await load();
    const ctx: CommandContext = defaultContext({ env: io.env, stderr: io.stderr, signal: io.signal });
    // The etcd knowledge in effect: the shipped data plus what `knowledge update` stored in this home.
    const { catalogForHome } = await import('../knowledge/refresh.js');
    const { withCatalog } = await import('../knowledge/active.js');
    const catalog = await catalogForHome(ctx.home, (l) => io.stderr.write(`${l}\n`));
    await withCatalog(catalog, async () => {
      const res = await mod.run(opts, ctx);
      const { result, exitCode } = isOutcome(res) ? res : { result: res, exitCode: ExitCode.ok };
      if (format === 'json' || !mod.render) io.stdout.write(toJson(result));
      else io.stdout.write(mod.render(result, format));
      io.exitCode = exitCode;
    });
  } catch (e) {
    io.exitCode = reportError(io, e, format === 'json');
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
