import type { Command } from 'commander';
import type { CliIO } from './run.js';

export function registerCluster(_program: Command, _io: CliIO): void {
  // Commands of this domain are registered here.
}
