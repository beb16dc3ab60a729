/** `upshift cluster start NAME`: start the stopped members of a cluster kept by `cluster down` (no --purge). */
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { clusterStart } from '../cluster/local.js';
import { clusterView, type ClusterView } from '../cluster/view.js';

export { render } from './cluster-up.js';

export interface ClusterStartOpts {
  name: string;
  output?: string;
}

export async function run(opts: ClusterStartOpts, ctx: CommandContext): Promise<ClusterView> {
  const c = await clusterStart(ctx.home, opts.name, { progress: (l) => note(ctx, l), signal: ctx.signal });
  note(ctx, `cluster "${c.name}" is running`);
  return clusterView(c);
}
