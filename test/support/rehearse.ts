/**
 * Shared by the rehearsal tests: the hop to rehearse (3.5 -> 3.6 when both are installed, else 3.4 -> 3.5),
 * and `upshift rehearse ... -o json` run in-process with its result parsed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hasTestVersion, newestTestVersion } from './home.js';
import { runCliInProcess } from './cli.js';
import type { RehearsalResult } from '../../src/rehearse/rehearse.js';
import { parseJournal } from '../../src/upgrade/runs.js';
import type { JournalRecord } from '../../src/upgrade/journal.js';

/** 3.5 -> 3.6 in one hop (the newest 3.5, at or above 3.6's patch floor 3.5.32), else 3.4.23 -> 3.5.30. */
export function rehearsalHop(): { from: string; to: string } | undefined {
  const from = newestTestVersion('3.5');
  const to = newestTestVersion('3.6');
  if (from && to && Number(from.split('.')[2]) >= 32) return { from, to };
  if (hasTestVersion('3.4.23') && hasTestVersion('3.5.30')) return { from: '3.4.23', to: '3.5.30' };
  return undefined;
}

/** Lean settings for tests: a light canary, short windows; gates as the caller sets them. */
export const LEAN = ['--load', '30', '--soak', '1s', '--baseline', '2s'];

export async function rehearseJson(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; r: RehearsalResult; stderr: string }> {
  const run = await runCliInProcess(['rehearse', ...args, '-o', 'json'], env);
  let r: RehearsalResult;
  try {
    r = JSON.parse(run.stdout) as RehearsalResult;
  } catch {
    assert.fail(`rehearse printed no JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
  const err = (r as unknown as { error?: { message: string; hint?: string } }).error;
  if (err) assert.fail(`rehearse failed (exit ${run.code}): ${err.message}${err.hint ? ` (${err.hint})` : ''}\n${run.stderr}`);
  return { code: run.code, r, stderr: run.stderr };
}

/**
 * Why a rehearsal was not a go, for an assertion message: its reasons, the CLI's stderr, and the last lines of
 * each copy member's etcd log (kept beside the journal), so a failure on CI can be read from its output.
 */
export function noGoDetail(r: RehearsalResult, stderr: string, lines = 60): string {
  const logs = Object.entries(r.report?.memberLogs ?? {}).map(([m, f]) => {
    let tail = '';
    try {
      tail = readFileSync(f, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      tail = '(log not readable)';
    }
    return `--- ${m}: last ${lines} lines of its etcd log (${f})\n${tail}`;
  });
  return [r.reasons.join('\n'), stderr, ...logs].join('\n');
}

export function journalOf(r: RehearsalResult): JournalRecord[] {
  assert.ok(r.report.journal, 'the rehearsal ran an upgrade with a journal');
  return parseJournal(readFileSync(r.report.journal, 'utf8'));
}

/** The failed checks of the soak that stopped the run. */
export function failedGates(r: RehearsalResult): { name: string; value?: number | string | undefined }[] {
  return r.report.members.flatMap((m) => m.gates?.checks.filter((c) => !c.ok) ?? []);
}
