/**
 * Process faults: SIGSTOP/SIGCONT (a member frozen as by a long GC pause or a stuck disk: its sockets stay
 * open, nothing answers) and SIGKILL (a crash, no graceful leader handoff). Signals go to a PID only after
 * checking it is still the process meant (`expect`: PIDs are reused), and a stopped process is always
 * continued again by the fault runner, also when the run ends early.
 */
import { readFileSync } from 'node:fs';
import { ProblemError } from '../core/errors.js';

export type ProcessFault = 'pause' | 'resume' | 'kill';

const SIGNAL: Record<ProcessFault, NodeJS.Signals> = { pause: 'SIGSTOP', resume: 'SIGCONT', kill: 'SIGKILL' };

/** The process state letter from /proc/PID/stat (R, S, T = stopped, Z, ...), undefined when gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/**
 * Send the fault's signal to `pid`; `expect(pid)` must confirm it is the intended process (e.g. an etcd
 * serving a given data dir). Returns false when the process is gone (nothing to do), throws when the PID
 * now belongs to something else.
 */
export function signalProcess(pid: number, fault: ProcessFault, expect: (pid: number) => boolean): boolean {
  const state = processState(pid);
  if (state === undefined || state === 'Z') return false;
  if (!expect(pid)) throw new ProblemError('fault-wrong-process', `pid ${pid} is no longer the member's process; not sending ${SIGNAL[fault]}`);
  try {
    process.kill(pid, SIGNAL[fault]);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}
