/**
 * What the clusters and backups pages show. Clusters: every local cluster (`cluster up`) and the clusters
 * of past runs that are not local, each asked for its status live (short deadlines; a cluster that does not
 * answer is shown with the error). Credentials come from the local cluster's files or the server's
 * ETCDCTL_* environment, and never reach a response: rows are built field by field.
 */
import { listClusters } from '../cluster/store.js';
import { resolveConnection, type ConnectionConfig } from '../client/connection.js';
import { discoverStatus } from '../status/discover.js';
import { errorMessage } from '../core/errors.js';
import type { RunView } from '../runview/model.js';
import { run as backupLs, type BackupLsResult } from '../commands/backup-ls.js';
import { defaultContext } from '../core/context.js';
import type { ClusterRow } from './api-types.js';

const QUICK = { dialTimeoutMs: 1000, commandTimeoutMs: 1500 };

async function ask(config: ConnectionConfig, row: ClusterRow): Promise<ClusterRow> {
  try {
    const d = await discoverStatus({ ...config, ...QUICK }, { metrics: false });
    let cv: string | null = null;
    row.members = d.members.map((m) => {
      const s = m.status;
      if (s && !row.clusterId) row.clusterId = s.clusterId;
      const v = m.version?.etcdcluster;
      if (v && /^\d/.test(v) && (!cv || v > cv)) cv = v;
      return {
        name: m.member.name,
        endpoint: m.endpoint ?? m.member.clientURLs[0] ?? '',
        version: s?.version ?? null,
        reachable: s !== undefined,
        healthy: m.health ? m.health.healthy : null,
        leader: s !== undefined && s.leader !== '0' && s.leader === s.memberId,
        dbSize: s?.dbSize ?? null,
        error: s ? null : (m.statusError ?? null),
      };
    });
    row.clusterVersion = cv;
  } catch (e) {
    row.error = errorMessage(e);
  }
  return row;
}

export async function clusterRows(home: string, env: NodeJS.ProcessEnv, runs: readonly RunView[]): Promise<ClusterRow[]> {
  const rows: Promise<ClusterRow>[] = [];
  const locals = await listClusters(home);
  const runsOf = (pred: (v: RunView) => boolean): string[] => runs.filter(pred).map((v) => v.runId).reverse();
  for (const c of locals) {
    const row: ClusterRow = { name: c.name, source: 'local', clusterId: null, clusterVersion: null, endpoints: c.members.map((m) => m.clientURL), runs: runsOf((v) => v.cluster === c.name), members: [], error: null };
    try {
      rows.push(ask(resolveConnection({ cluster: c.name }, env, home), row));
    } catch (e) {
      row.error = errorMessage(e);
      rows.push(Promise.resolve(row));
    }
  }
  // Clusters of runs made with --endpoints (not local): one row per cluster id (or endpoint list).
  const seen = new Set<string>();
  for (const v of [...runs].reverse()) {
    if (v.cluster && locals.some((c) => c.name === v.cluster)) continue;
    const key = v.clusterId ?? v.endpoints.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    const row: ClusterRow = { name: v.cluster ?? v.clusterId ?? v.endpoints[0] ?? '?', source: 'run', clusterId: v.clusterId ?? null, clusterVersion: null, endpoints: v.endpoints, runs: runsOf((x) => (x.clusterId ?? x.endpoints.join(',')) === key), members: [], error: null };
    if (v.cluster) {
      row.error = `local cluster ${v.cluster} no longer exists`;
      rows.push(Promise.resolve(row));
      continue;
    }
    try {
      rows.push(ask(resolveConnection({ endpoints: v.endpoints.join(',') }, env, home), row));
    } catch (e) {
      row.error = errorMessage(e);
      rows.push(Promise.resolve(row));
    }
  }
  return Promise.all(rows);
}

/** The backup catalogue, as `upshift backup ls -o json` has it. */
export async function backupRows(home: string, env: NodeJS.ProcessEnv): Promise<BackupLsResult> {
  return backupLs({}, defaultContext({ env, home }));
}
