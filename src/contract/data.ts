/**
 * etcd's client API per release, as shipped data (data/etcd-api.json, written by
 * gen/extract-etcd-api.ts from the published Go modules: protos, gateway routes, path rewrites, v2 API
 * presence, each release with the module or tag it came from). Read lazily: only the contract and
 * topology-impact commands need it.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { UsageError } from '../core/errors.js';

/** src/contract/ (tsx) and dist/contract/ (built) both reach the shipped data under src/. */
export const API_DATA_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'contract', 'data', 'etcd-api.json');

export interface GatewayRoute {
  method: string;
  path: string;
  rpc: string;
}

export type ApiSource = { kind: 'go-module'; modules: { path: string; version: string; sum: string }[] } | { kind: 'git'; repo: string; tag: string; commit: string };

export interface ApiSnapshot {
  /** import path -> blob id */
  files: Record<string, string>;
  gateway: { routes: GatewayRoute[]; rewrites: { from: string; to: string }[] };
  v2: { served: boolean; evidence: string };
}

export interface ApiData {
  generatedBy: string;
  generatedAt: string;
  versions: Record<string, { snapshot: string; source: ApiSource }>;
  missing: string[];
  snapshots: Record<string, ApiSnapshot>;
  deps: { files: Record<string, string>; sources: { path: string; version: string; sum: string; files: string[] }[] };
  blobs: Record<string, string>;
}

let cached: ApiData | undefined;

export function apiData(file = API_DATA_FILE): ApiData {
  if (cached && file === API_DATA_FILE) return cached;
  const d = JSON.parse(readFileSync(file, 'utf8')) as ApiData;
  if (file === API_DATA_FILE) cached = d;
  return d;
}

export interface ResolvedApi {
  /** The version asked for. */
  version: string;
  /** The release whose data is used (the same, or the newest earlier patch of the line for a patch newer than the data). */
  dataVersion: string;
  snapshotId: string;
  snapshot: ApiSnapshot;
  source: ApiSource;
  note?: string;
}

export function describeSource(s: ApiSource): string {
  return s.kind === 'git' ? `${s.repo} ${s.tag} (${s.commit})` : s.modules.map((m) => `${m.path}@${m.version} ${m.sum}`).join(', ');
}

/**
 * The API of release `v`. A patch newer than the data is answered with the newest known patch of its
 * line (patch releases have not changed etcd's API protos since 3.5.10, but the note says so); a release
 * the data lacks in the middle of a line is refused rather than guessed.
 */
export function resolveApi(v: string, data: ApiData = apiData()): ResolvedApi {
  const clean = semver.valid(semver.coerce(v.replace(/^v/, ''))) && /^v?\d+\.\d+\.\d+$/.test(v.trim()) ? v.trim().replace(/^v/, '') : undefined;
  if (!clean) throw new UsageError(`${v}: not an etcd release version`, { hint: 'write it like 3.4.23 or 3.7.4' });
  const exact = data.versions[clean];
  if (exact) return { version: clean, dataVersion: clean, snapshotId: exact.snapshot, snapshot: data.snapshots[exact.snapshot]!, source: exact.source };
  const line = clean.split('.').slice(0, 2).join('.');
  const sameLine = Object.keys(data.versions)
    .filter((k) => k.startsWith(`${line}.`))
    .sort(semver.compare);
  const newest = sameLine[sameLine.length - 1];
  if (newest && semver.gt(clean, newest)) {
    const e = data.versions[newest]!;
    return { version: clean, dataVersion: newest, snapshotId: e.snapshot, snapshot: data.snapshots[e.snapshot]!, source: e.source, note: `${clean} is newer than the API data (${newest}, generated ${data.generatedAt}); its API is taken to be ${newest}'s` };
  }
  const known = Object.keys(data.versions).sort(semver.compare);
  throw new UsageError(`${clean}: no API data for this release`, {
    hint: data.missing.includes(clean)
      ? `${clean} was not available when the data was generated; regenerate with src/contract/gen/extract-etcd-api.ts --git ETCD_GIT_DIR`
      : `the data covers ${known[0]} to ${known[known.length - 1]}`,
  });
}

/** The text of every proto file of a snapshot, by import path. */
export function snapshotProtos(r: Pick<ResolvedApi, 'snapshot'>, data: ApiData = apiData()): Record<string, string> {
  return Object.fromEntries(Object.entries(r.snapshot.files).map(([p, id]) => [p, data.blobs[id]!]));
}

/** Lay a snapshot out as a buf input directory: etcd's files at their import paths, plus the protos they import. */
export async function writeSnapshotTree(r: Pick<ResolvedApi, 'snapshot'>, dir: string, data: ApiData = apiData()): Promise<string[]> {
  const files = { ...snapshotProtos(r, data), ...Object.fromEntries(Object.entries(data.deps.files).map(([p, id]) => [p, data.blobs[id]!])) };
  for (const [p, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, p)), { recursive: true });
    await writeFile(join(dir, p), text);
  }
  return Object.keys(r.snapshot.files);
}
