/**
 * Topology in UPSHIFT_HOME: `topology/latest.json` (the last graph any topology command built, for the
 * dashboard's topology page) and `topology/snapshots/<window-end>-<n>.json` (windows written by
 * `topology collect`, added up by `lifecycle --since`). Files are written crash-safely.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/files.js';
import { toJson } from '../core/output.js';
import type { LatestTopology, TopologyReport } from './model.js';
import { isSnapshot, type TopologySnapshot } from './graph.js';
import { renderTopologyMermaid } from './render.js';

export const topologyDir = (home: string): string => join(home, 'topology');
export const snapshotsDir = (home: string): string => join(home, 'topology', 'snapshots');

export type { LatestTopology } from './model.js';

export async function saveLatest(home: string, _snap: TopologySnapshot, report: TopologyReport): Promise<void> {
  await mkdir(topologyDir(home), { recursive: true });
  const latest: LatestTopology = { savedAt: new Date().toISOString(), report, mermaid: renderTopologyMermaid(report) };
  await writeFileAtomic(join(topologyDir(home), 'latest.json'), toJson(latest));
}

export async function readLatest(home: string): Promise<LatestTopology | undefined> {
  try {
    return JSON.parse(await readFile(join(topologyDir(home), 'latest.json'), 'utf8')) as LatestTopology;
  } catch {
    return undefined;
  }
}

/** Write one collection window. Names sort by time. */
export async function writeSnapshot(home: string, snap: TopologySnapshot): Promise<string> {
  await mkdir(snapshotsDir(home), { recursive: true });
  const stamp = (snap.window.to ?? new Date().toISOString()).replace(/[:.]/g, '-');
  const file = join(snapshotsDir(home), `${stamp}-${process.pid}-${Date.now() % 100000}.json`);
  await writeFileAtomic(file, toJson(snap));
  return file;
}

/** Snapshots whose window ends at or after `sinceMs` (all when undefined), oldest first. */
export async function readSnapshots(home: string, sinceMs?: number): Promise<{ file: string; snapshot: TopologySnapshot }[]> {
  let names: string[];
  try {
    names = (await readdir(snapshotsDir(home))).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const out: { file: string; snapshot: TopologySnapshot }[] = [];
  for (const n of names) {
    const file = join(snapshotsDir(home), n);
    let doc: unknown;
    try {
      doc = JSON.parse(await readFile(file, 'utf8'));
    } catch {
      continue; // a torn or foreign file: skipped (writes are atomic, so only foreign ones)
    }
    if (!isSnapshot(doc)) continue;
    const end = doc.window.to ? Date.parse(doc.window.to) : 0;
    if (sinceMs !== undefined && end && end < sinceMs) continue;
    out.push({ file, snapshot: doc });
  }
  return out;
}
