/**
 * The shape of a command module (`src/commands/<noun>-<verb>.ts`): `run` does the work and returns data,
 * `render` turns that data into human text. JSON output is the data itself. Commands never print
 * results or call process.exit; they may write progress to ctx.stderr.
 */
import type { CommandContext } from '../core/context.js';
import type { CommandOutcome } from '../core/errors.js';

export interface CommandModule<Opts, Result> {
  run(opts: Opts, ctx: CommandContext): Promise<Result | CommandOutcome<Result>>;
  /** Human rendering for `-o table` (default). Absent: JSON is printed for table too. */
  render?(result: Result, format: string): string;
}

export function outcome<T>(result: T, exitCode: CommandOutcome<T>['exitCode']): CommandOutcome<T> {
  return { result, exitCode };
}

export function isOutcome<T>(v: T | CommandOutcome<T>): v is CommandOutcome<T> {
  return (
    typeof v === 'object' &&
    v !== null &&
    'result' in (v as object) &&
    'exitCode' in (v as object) &&
    Object.keys(v as object).length === 2
  );
}
