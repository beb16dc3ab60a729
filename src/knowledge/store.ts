/**
 * Learned knowledge under UPSHIFT_HOME: `knowledge/learned.json`, written by `upshift knowledge update`
 * and merged with the shipped data by every command (./active.ts). Written crash-safely (.part, fsync,
 * rename; src/core/files.ts) under a lock, so a crash or a second update never leaves a torn file or
 * loses the other's facts; every fact records where and when it came from.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../core/files.js';
import { withLock } from '../binaries/lock.js';
import type { LearnedKnowledge, LearnedRelease } from './catalog.js';

export const LEARNED_SCHEMA = 'upshift.knowledge.learned/1';

/** One source's last answer. */
export interface SourceCheck {
  /** e.g. `proxy https://proxy.golang.org`, `github https://api.github.com`, `git /src/etcd`. */
  source: string;
  kind: 'proxy' | 'github' | 'git';
  /** When it was asked (ISO 8601). */
  at: string;
  ok: boolean;
  /** Release versions it listed (0 when it failed). */
  versions: number;
  error?: string;
}

export interface LearnedFile extends LearnedKnowledge {
  schema: typeof LEARNED_SCHEMA;
  /** The last answer of every source ever asked, newest first. */
  checks: SourceCheck[];
}

const release = z.object({ version: z.string(), date: z.string().optional(), source: z.string(), learnedAt: z.string() });
const fileSchema = z.object({
  schema: z.literal(LEARNED_SCHEMA),
  updatedAt: z.string(),
  checkedAt: z.string().optional(),
  releases: z.array(release),
  preReleases: z.array(release),
  absent: z.array(z.object({ version: z.string(), source: z.string(), checkedAt: z.string() })).optional(),
  checks: z.array(z.object({
    source: z.string(),
    kind: z.enum(['proxy', 'github', 'git']),
    at: z.string(),
    ok: z.boolean(),
    versions: z.number(),
    error: z.string().optional(),
  })),
});

export function learnedPath(home: string): string {
  return join(home, 'knowledge', 'learned.json');
}

export interface LoadedLearned {
  file?: LearnedFile;
  /** Set when a file exists but cannot be used (it is then ignored, never overwritten silently). */
  problem?: string;
}

/** Read the learned knowledge of `home`; a missing file is no knowledge, a damaged one a `problem`. */
export async function loadLearned(home: string): Promise<LoadedLearned> {
  const path = learnedPath(home);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    return { problem: `cannot read ${path}: ${(e as Error).message}` };
  }
  try {
    const parsed = fileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return { problem: `${path} is not upshift learned knowledge (${LEARNED_SCHEMA}): ${parsed.error.issues[0]?.message ?? 'invalid'}` };
    return { file: parsed.data as LearnedFile };
  } catch (e) {
    return { problem: `${path} is not valid JSON: ${(e as Error).message}` };
  }
}

/**
 * Read, change and write the learned knowledge under the store's lock. `change` gets the current file
 * (undefined when there is none or it is damaged) and returns the new one.
 */
export async function updateLearned(
  home: string,
  change: (current: LearnedFile | undefined) => LearnedFile,
  opts: { signal?: AbortSignal; onWait?: () => void } = {},
): Promise<LearnedFile> {
  const path = learnedPath(home);
  return withLock(`${path}.lock`, 60_000, async () => {
    const { file } = await loadLearned(home);
    const next = change(file);
    const text = JSON.stringify(next, null, 2) + '\n';
    await writeFileAtomic(path, text, {
      mode: 0o644,
      verify: async (part) => {
        // What is renamed into place must read back as a valid file.
        const back = fileSchema.safeParse(JSON.parse(await readFile(part, 'utf8')));
        if (!back.success) throw new Error(`learned knowledge failed to verify before rename: ${back.error.issues[0]?.message}`);
      },
    });
    return next;
  }, opts);
}

export type { LearnedRelease };
