/**
 * Stopping a run's process from outside (`upgrade abort`, the dashboard's Pause): SIGTERM, which the CLI
 * turns into an abort of its signal, so the executor stops at the next step boundary and pauses (never a
 * rollback: see executor onFailure), stops and checks its canary, and releases the lock.
 */
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '../cluster/process.js';

export interface RunProcess {
  pid: number;
  host: string;
}

/** Can `p` be signalled from here (same host, alive, not this very process)? */
export function canSignal(p: RunProcess): boolean {
  return p.host === hostname() && p.pid !== process.pid && isAlive(p.pid);
}

/** Ask the run's process to stop at its next step boundary; with `waitMs`, wait that long for it to exit. Returns whether it was signalled. */
export async function askRunToStop(p: RunProcess, waitMs = 0): Promise<boolean> {
  if (!canSignal(p)) return false;
  process.kill(p.pid, 'SIGTERM');
  const until = Date.now() + waitMs;
  while (isAlive(p.pid) && Date.now() < until) await sleep(250);
  return true;
}
