/**
 * `upshift upgrade abort [--run ID]`: stop the current run of the cluster pointed at (upgrade/select.ts)
 * safely and release the cluster upgrade lock.
 * A live run (same host) gets SIGTERM and stops at its next step boundary (its failure policy pauses on
 * an interrupt); a dead or paused run is closed in its journal, and its lock key is removed from the
 * cluster if still there. Members are never stopped or started by abort.
 */
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { ProblemError, errorMessage } from '../core/errors.js';
import { JsonlJournal } from '../core/files.js';
import type { ConnectionFlags } from '../cli/common.js';
import { readJournal } from '../upgrade/runs.js';
import { selectRun } from '../upgrade/select.js';
import { breakLock } from '../upgrade/lock.js';
import { askRunToStop, canSignal } from '../upgrade/control.js';

export interface UpgradeAbortOptions extends ConnectionFlags {
  run?: string;
  output?: string;
}

export interface UpgradeAbortResult {
  runId: string;
  result: 'aborted';
  signalled: boolean;
  lockReleased: boolean;
  lockError?: string;
  journal: string;
}

export async function run(opts: UpgradeAbortOptions, ctx: CommandContext): Promise<UpgradeAbortResult> {
  // The newest open run of the cluster pointed at (or the named run, if it is that cluster's): upgrade/select.ts.
  const { run: r, config, configError } = await selectRun(opts, ctx, 'abort');
  if (!r.open) throw new ProblemError('run-finished', `run ${r.runId} already ended: ${r.end?.result}`);
  const lastProc = [...r.records].reverse().find((x) => x.type === 'resume' || x.type === 'run-begin') as { pid: number } | undefined;
  const pid = lastProc?.pid ?? r.begin.pid;
  let signalled = false;
  if (canSignal({ pid, host: r.begin.host }) && !r.end) {
    note(ctx, `upshift upgrade abort: asking run ${r.runId} (pid ${pid}) to stop at its next step boundary`);
    signalled = await askRunToStop({ pid, host: r.begin.host }, 120_000);
  }
  // Close the run in its journal (the process may have written its own run-end meanwhile).
  const records = await readJournal(r.paths);
  const endIdx = records.map((x) => x.type).lastIndexOf('run-end');
  const j = new JsonlJournal(r.paths.journal);
  j.append({ type: 'run-end', at: new Date().toISOString(), result: 'aborted', exitCode: 4, message: `aborted by upshift upgrade abort (pid ${process.pid})${endIdx >= 0 ? '' : '; the run had not ended'}` });
  j.close();
  let lockReleased = false;
  let lockError: string | undefined;
  try {
    if (!config) throw new Error(configError);
    lockReleased = await breakLock(config, r.runId);
  } catch (e) {
    lockError = errorMessage(e);
  }
  return { runId: r.runId, result: 'aborted', signalled, lockReleased, ...(lockError ? { lockError } : {}), journal: r.paths.journal };
}

export function render(r: UpgradeAbortResult): string {
  return `run ${r.runId} aborted${r.signalled ? ' (its process was stopped at a step boundary)' : ''}; lock ${r.lockReleased ? 'released' : r.lockError ? `not released: ${r.lockError}` : 'was not held'}\njournal: ${r.journal}\n`;
}
