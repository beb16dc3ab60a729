/** cluster.json: load, save (crash-safe), list. */
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/files.js';
import { homePaths } from '../core/home.js';
import { EnvironmentError, UsageError } from '../core/errors.js';
import type { LocalCluster } from './model.js';

export const CLUSTER_FILE = 'cluster.json';

/** Cluster names become directory names and etcd tokens: keep them short and plain. */
export const CLUSTER_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,39}$/i;

export function validateClusterName(name: string): void {
  if (!CLUSTER_NAME_RE.test(name)) {
    throw new UsageError(`--name: "${name}" is not a valid cluster name`, {
      code: 'invalid-cluster-name',
      hint: 'use 1-40 letters, digits, "-" or "_", starting with a letter or digit',
    });
  }
}

export function clusterFile(home: string, name: string): string {
  return join(homePaths.clusterDir(home, name), CLUSTER_FILE);
}

/** The cluster `name`, or exit 2 naming the existing clusters. */
export async function loadCluster(home: string, name: string): Promise<LocalCluster> {
  validateClusterName(name);
  const file = clusterFile(home, name);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    const known = (await listClusterNames(home)).join(', ');
    throw new UsageError(`no local cluster named "${name}" in ${homePaths.clustersDir(home)}`, {
      code: 'cluster-not-found',
      hint: known ? `known clusters: ${known}` : 'create one with: upshift cluster up --name ' + name,
    });
  }
  try {
    return JSON.parse(text) as LocalCluster;
  } catch (e) {
    throw new EnvironmentError('cluster-file-unreadable', `${file} is not valid JSON: ${(e as Error).message}`, {
      cause: e,
      hint: `the cluster's processes (if any) are not tracked any more; stop them by hand and remove ${homePaths.clusterDir(home, name)}`,
    });
  }
}

/** Write cluster.json crash-safely (.part, fsync, rename). */
export async function saveCluster(cluster: LocalCluster): Promise<void> {
  await writeFileAtomic(join(cluster.dir, CLUSTER_FILE), JSON.stringify(cluster, null, 2) + '\n', { mode: 0o600 });
}

export async function listClusterNames(home: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(homePaths.clustersDir(home));
  } catch {
    return [];
  }
  return names.filter((n) => CLUSTER_NAME_RE.test(n) && existsSync(clusterFile(home, n))).sort();
}

export async function listClusters(home: string): Promise<LocalCluster[]> {
  const out: LocalCluster[] = [];
  for (const n of await listClusterNames(home)) {
    try {
      out.push(JSON.parse(await readFile(clusterFile(home, n), 'utf8')) as LocalCluster);
    } catch {
      // A cluster.json removed between readdir and read (concurrent `down --purge`): skip it.
    }
  }
  return out;
}
