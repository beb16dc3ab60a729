/**
 * `upshift knowledge update`: ask every source the user can reach for etcd releases, merge what they say
 * into the learned knowledge under UPSHIFT_HOME (./merge.ts, ./store.ts), and report per source. A source
 * that cannot be reached is reported, never fatal; when none answers the stored knowledge is kept as is.
 */
import type { HttpContext } from '../binaries/http.js';
import { activeCatalog, catalogWith, withCatalog } from './active.js';
import type { LearnedRelease } from './catalog.js';
import { releaseLines } from './data/releases.js';
import { knowledgeEdition, type KnowledgeStamp } from './index.js';
import { mergeLearned, type SourceResult } from './merge.js';
import { learnFromGit } from './sources/git.js';
import { learnFromGithub } from './sources/github.js';
import { learnFromProxy } from './sources/goproxy.js';
import { learnedPath, loadLearned, updateLearned, type LearnedFile } from './store.js';

export type SourceKind = 'proxy' | 'github' | 'git';

export interface RefreshOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  http: HttpContext;
  sources: readonly SourceKind[];
  gitDir?: string | undefined;
  goproxy?: string | undefined;
  githubApi?: string | undefined;
  useGo?: boolean | undefined;
  /** Deadline of each request or command. */
  deadlineMs: number;
  now?: () => Date;
  progress?: (line: string) => void;
}

export interface RefreshReport {
  /** When the stored knowledge was last refreshed by a source that answered (null: never). */
  updatedAt: string | null;
  /** Where it is stored. */
  stored: string;
  sources: { source: string; kind: SourceKind; ok: boolean; versions: number; error?: string; notes: string[] }[];
  /** Releases this run learned that no earlier refresh had (newest last). */
  learned: LearnedRelease[];
  /** Everything learned so far beyond the shipped data. */
  allLearned: LearnedRelease[];
  /** Whole days since the knowledge in effect was last checked against upstream. */
  ageDays: number;
  /** A damaged store that was replaced. */
  replacedDamaged?: string;
  knowledge: KnowledgeStamp;
}

export function daysBetween(fromIsoDate: string, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - Date.parse(fromIsoDate.length === 10 ? `${fromIsoDate}T00:00:00Z` : fromIsoDate)) / 86_400_000));
}

export async function refreshKnowledge(opts: RefreshOptions): Promise<RefreshReport> {
  const now = (opts.now ?? (() => new Date()))();
  const loaded = await loadLearned(opts.home);
  const before = catalogWith(loaded.file);
  const known = new Map([...before.lines.values()].map((l) => [l.minor, l.line.latestPatch]));
  const dated = new Set((loaded.file?.releases ?? []).filter((r) => r.date).map((r) => r.version));
  const newestKnown = [...known.entries()].map(([m, p]) => `${m}.${p}`).pop();

  const jobs: Promise<SourceResult>[] = [];
  for (const kind of opts.sources) {
    opts.progress?.(`asking ${kind === 'proxy' ? 'the Go module proxy' : kind === 'github' ? 'GitHub releases' : `git tags in ${opts.gitDir}`} ...`);
    if (kind === 'proxy') {
      jobs.push(learnFromProxy({ env: opts.env, signal: opts.signal, http: opts.http, deadlineMs: opts.deadlineMs, goproxy: opts.goproxy, useGo: opts.useGo, known, dated }));
    } else if (kind === 'github') {
      jobs.push(learnFromGithub({ api: opts.githubApi, http: opts.http, deadlineMs: opts.deadlineMs, stopBelow: newestKnown }));
    } else if (opts.gitDir) {
      jobs.push(learnFromGit({ dir: opts.gitDir, env: opts.env, signal: opts.signal, deadlineMs: opts.deadlineMs }));
    }
  }
  const results = await Promise.all(jobs);
  const at = now.toISOString();
  let file: LearnedFile | undefined = loaded.file;
  let learned: LearnedRelease[] = [];
  if (results.some((r) => r.check.ok)) {
    // Merge again under the lock with whatever is stored then, so a concurrent update's facts survive.
    file = await updateLearned(opts.home, (current) => {
      const merged = mergeLearned(current, results, releaseLines, at);
      learned = merged.added;
      return merged.file!;
    }, { signal: opts.signal, onWait: () => opts.progress?.('waiting for another `upshift knowledge update` to finish ...') });
  }
  const catalog = catalogWith(file);
  const stamp = withCatalog(catalog, () => knowledgeEdition());
  return {
    updatedAt: file?.updatedAt ?? null,
    stored: learnedPath(opts.home),
    sources: results.map((r) => ({ ...r.check, kind: r.check.kind, notes: r.notes })),
    learned,
    allLearned: file?.releases ? [...file.releases] : [],
    ageDays: daysBetween(stamp.releasesCheckedAt, now),
    ...(loaded.problem && file !== loaded.file ? { replacedDamaged: loaded.problem } : {}),
    knowledge: stamp,
  };
}

/** The catalogue a command should run with: shipped data plus what `home` learned (a damaged store is ignored with a warning). */
export async function catalogForHome(home: string, warn: (line: string) => void): Promise<ReturnType<typeof activeCatalog>> {
  const loaded = await loadLearned(home);
  if (loaded.problem) warn(`upshift: ignoring learned knowledge: ${loaded.problem} (\`upshift knowledge update\` rewrites it)`);
  return catalogWith(loaded.file);
}
