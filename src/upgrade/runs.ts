/**
 * Run storage: `$UPSHIFT_HOME/runs/<runId>/` holds `journal.jsonl` (append-only, fsynced per record),
 * `history-<n>.jsonl` (canary histories, one per process that ran the workload) and `report.json`.
 */
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { homePaths } from '../core/home.js';
import { JsonlJournal, writeFileAtomic, fsyncDir } from '../core/files.js';
import { UsageError } from '../core/errors.js';
import type { JournalRecord, RunBeginRecord, RunEndRecord } from './journal.js';
import type { ClusterObservation } from './observation.js';
import { clusterMismatch } from './identity.js';

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

/**
 * Create a run with its first record in one step: the journal is written (and fsynced) under a hidden
 * `.RUNID.part` dir, which is then renamed into place. A run either does not exist or its journal begins
 * with run-begin, which names the cluster (a run killed while being created is never anonymous).
 */
export async function createRun(home: string, begin: RunBeginRecord): Promise<{ paths: RunPaths; journal: JsonlJournal }> {
  const paths = runPaths(home, begin.runId);
  const runsDir = homePaths.runsDir(home);
  await mkdir(runsDir, { recursive: true, mode: 0o700 });
  const part = join(runsDir, `.${begin.runId}.part`);
  await mkdir(part, { mode: 0o700 });
  try {
    await writeFileAtomic(join(part, 'journal.jsonl'), JSON.stringify(begin) + '\n');
    await rename(part, paths.dir);
    await fsyncDir(runsDir);
  } catch (e) {
    await rm(part, { recursive: true, force: true });
    throw e;
  }
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
    // Hidden entries are runs being created (or left half-created by a kill): not runs yet.
    names = (await readdir(homePaths.runsDir(home))).filter((n) => !n.startsWith('.')).sort();
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

/** A run's journal holds no step yet: it was stopped (or killed) before its first step, so no member was touched. */
export function beforeFirstStep(r: RunSummary): boolean {
  return !r.records.some((x) => x.type === 'step-begin' || x.type === 'rollback');
}

/** What an `upgrade resume|status|abort` is pointed at: the names given and the cluster as it answers now. */
export interface PointedCluster {
  cluster?: string | undefined;
  endpoints: string[];
  /** The cluster observed now; undefined when nothing answered. */
  obs?: ClusterObservation | undefined;
}

const normUrl = (u: string): string => u.replace(/\/+$/, '');

/**
 * Does run `r` belong to the cluster pointed at? By cluster id and member ids when both sides have them
 * (identity.ts); else (nothing answers, or a journal from before ids were recorded) by the local cluster name,
 * or by a shared endpoint.
 */
export function runBelongs(r: RunSummary, p: PointedCluster): boolean {
  const t = r.begin.target;
  if (p.obs?.clusterId && t.clusterId) return clusterMismatch(r.begin, r.records, p.obs) === undefined;
  if (p.cluster && t.cluster) return p.cluster === t.cluster;
  const eps = new Set(p.endpoints.map(normUrl));
  return t.endpoints.some((e) => eps.has(normUrl(e)));
}

/** A key per cluster, to tell runs of different clusters apart when nothing was pointed at. */
export function clusterKey(r: RunSummary): string {
  const t = r.begin.target;
  return t.clusterId ?? (t.cluster ? `cluster:${t.cluster}` : `endpoints:${[...t.endpoints].map(normUrl).sort().join(',')}`);
}

/** Next history segment number of a run (1 for a fresh run). */
export async function nextHistorySegment(paths: RunPaths): Promise<number> {
  let n = 1;
  while (existsSync(paths.history(n))) n++;
  return n;
}
