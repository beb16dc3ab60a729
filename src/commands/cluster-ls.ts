/** `upshift cluster ls`: local clusters and the state of each member (running = live PID that is this etcd). */
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { errorMessage } from '../core/errors.js';
import { listClusterNames, loadCluster } from '../cluster/local.js';
import { clusterView, renderMembers, type ClusterView } from '../cluster/view.js';

export interface ClusterLsOpts {
  output?: string;
}

export interface ClusterLsResult {
  clusters: ClusterView[];
  /** Cluster directories whose cluster.json cannot be read. */
  unreadable: { name: string; error: string }[];
}

export async function run(_opts: ClusterLsOpts, ctx: CommandContext): Promise<ClusterLsResult> {
  const result: ClusterLsResult = { clusters: [], unreadable: [] };
  for (const name of await listClusterNames(ctx.home)) {
    try {
      result.clusters.push(clusterView(await loadCluster(ctx.home, name)));
    } catch (e) {
      // Removed meanwhile (concurrent `down --purge`) or damaged: report, keep listing the others.
      result.unreadable.push({ name, error: errorMessage(e) });
      note(ctx, `upshift: cluster "${name}": ${errorMessage(e)}`);
    }
  }
  return result;
}

export function render(r: ClusterLsResult): string {
  if (r.clusters.length === 0) return 'no local clusters (create one with: upshift cluster up)\n';
  return renderMembers(r.clusters);
}
