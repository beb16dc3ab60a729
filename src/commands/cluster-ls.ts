/** `upshift cluster ls`: local clusters and the state of each member (running = live PID that is this etcd). */
import type { CommandContext } from '../core/context.js';
import { listClusters } from '../cluster/local.js';
import { clusterView, renderMembers, type ClusterView } from '../cluster/view.js';

export interface ClusterLsOpts {
  output?: string;
}

export interface ClusterLsResult {
  clusters: ClusterView[];
}

export async function run(_opts: ClusterLsOpts, ctx: CommandContext): Promise<ClusterLsResult> {
  return { clusters: (await listClusters(ctx.home)).map(clusterView) };
}

export function render(r: ClusterLsResult): string {
  if (r.clusters.length === 0) return 'no local clusters (create one with: upshift cluster up)\n';
  return renderMembers(r.clusters);
}
