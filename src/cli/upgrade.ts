import type { Command } from 'commander';
import { runCommand, type CliIO } from './run.js';
import { withOutputOption } from './common.js';

export function registerUpgrade(program: Command, io: CliIO): void {
  withOutputOption(
    program
      .command('verify')
      .description('check a recorded operation history: no lost writes, linearizable per key, watch complete and ordered')
      .argument('<history>', 'history file (JSONL), e.g. $UPSHIFT_HOME/runs/<id>/history.jsonl')
      .option('--lenient', 'accept a torn last line (a run killed while writing)'),
  ).action(async (history: string, opts: { output?: string; lenient?: boolean }) => {
    await runCommand(io, () => import('../commands/verify.js'), { ...opts, history });
  });
}
