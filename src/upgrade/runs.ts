/**
 * Run storage: `$UPSHIFT_HOME/runs/<runId>/` holds `journal.jsonl` (append-only, fsynced per record),
 * `history-<n>.jsonl` (canary histories, one per process that ran the workload) and `report.json`.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { homePaths } from '../core/home.js';
import { JsonlJournal } from '../core/files.js';
import { UsageError } from '../core/errors.js';
import type { JournalRecord, RunBeginRecord, RunEndRecord } from './journal.js';

export interface RunPaths {
  runId: string;
  dir: string;
  journal: string;
  report: string;
  history(segment: number): string;
}

export function runPaths(home: string, runId: string): RunPaths {
  const dir = join(homePaths.runsDir(home), runId);
  return { runId, dir, journal: join(dir, 'journal.jsonl'), report: join(dir, 'report.json'), history: (n) => join(dir, `history-${n}.jsonl`) };
}

/** A sortable, unique run id: UTC time plus randomness. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

export async function createRun(home: string, runId = newRunId()): Promise<{ paths: RunPaths; journal: JsonlJournal }> {
  const paths = runPaths(home, runId);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  return { paths, journal: new JsonlJournal(paths.journal) };
}

/** Parse a journal; a torn last line (kill -9 during an append) is ignored. */
export function parseJournal(text: string): JournalRecord[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const out: JournalRecord[] = [];
  lines.forEach((l, i) => {
    try {
      out.push(JSON.parse(l) as JournalRecord);
    } catch {
      if (i !== lines.length - 1) throw new UsageError(`journal line ${i + 1} is not JSON`, { code: 'journal-corrupt' });
    }
  });
  return out;
}

export async function readJournal(paths: RunPaths): Promise<JournalRecord[]> {
  return parseJournal(await readFile(paths.journal, 'utf8'));
}

export interface RunSummary {
  runId: string;
  paths: RunPaths;
  begin: RunBeginRecord;
  end?: RunEndRecord | undefined;
  /** The run is open: no end, or paused (resumable). */
  open: boolean;
  records: JournalRecord[];
}

export async function listRuns(home: string): Promise<RunSummary[]> {
  let names: string[] = [];
  try {
    names = (await readdir(homePaths.runsDir(home))).sort();
  } catch {
    return [];
  }
  const out: RunSummary[] = [];
  for (const n of names) {
    const paths = runPaths(home, n);
    if (!existsSync(paths.journal)) continue;
    const records = await readJournal(paths).catch(() => [] as JournalRecord[]);
    const begin = records.find((r): r is RunBeginRecord => r.type === 'run-begin');
    if (!begin) continue;
    const endIdx = records.map((r) => r.type).lastIndexOf('run-end');
    const end = endIdx >= 0 ? (records[endIdx] as RunEndRecord) : undefined;
    const resumedAfter = endIdx >= 0 && records.slice(endIdx + 1).some((r) => r.type === 'resume');
    const open = !end || resumedAfter || end.result === 'paused';
    out.push({ runId: n, paths, begin, end, open, records });
  }
  return out;
}

/** The run named, or the newest open one. */
export async function findRun(home: string, runId?: string): Promise<RunSummary | undefined> {
  const runs = await listRuns(home);
  if (runId) return runs.find((r) => r.runId === runId);
  return [...runs].reverse().find((r) => r.open) ?? runs[runs.length - 1];
}

/** Next history segment number of a run (1 for a fresh run). */
export async function nextHistorySegment(paths: RunPaths): Promise<number> {
  let n = 1;
  while (existsSync(paths.history(n))) n++;
  return n;
}
