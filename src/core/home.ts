/** Where upshift keeps its state: `$UPSHIFT_HOME` (default `~/.upshift`). */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function upshiftHome(env: NodeJS.ProcessEnv = process.env): string {
  const h = env.UPSHIFT_HOME;
  return h && h.length > 0 ? resolve(h) : join(homedir(), '.upshift');
}

export const homePaths = {
  /** Installed etcd binaries: `etcd/VERSION/{etcd,etcdctl,etcdutl,manifest.json}`. */
  etcdDir: (home: string) => join(home, 'etcd'),
  etcdVersionDir: (home: string, version: string) => join(home, 'etcd', version),
  /** Local clusters: `clusters/NAME/{cluster.json,members/...}`. */
  clustersDir: (home: string) => join(home, 'clusters'),
  clusterDir: (home: string, name: string) => join(home, 'clusters', name),
  /** Backups, by cluster id (hex). */
  backupsDir: (home: string, clusterId: string) => join(home, 'backups', clusterId),
  /** Upgrade run journals. */
  runsDir: (home: string) => join(home, 'runs'),
  /** Downloads and apt state (private; never the system's). */
  cacheDir: (home: string) => join(home, 'cache'),
} as const;
