import type { Command } from 'commander';
import type { CliIO } from './run.js';

export function registerPlan(_program: Command, _io: CliIO): void {
  // Commands of this domain are registered here.
}
