/** `upshift status`: the cluster's members, versions, health, alarms and findings (SPEC "upshift status"). */
import type { CommandContext } from '../core/context.js';
import { ExitCode } from '../core/errors.js';
import { outcome } from './command.js';
import type { ConnectionFlags } from '../cli/common.js';
import { resolveConnection } from '../client/connection.js';
import { discoverStatus } from '../status/discover.js';
import { assessStatus } from '../status/assess.js';
import { renderStatus } from '../status/render.js';
import type { StatusResult } from '../status/model.js';
import { knowledgeEdition, knowledgeLine } from '../knowledge/index.js';
import { loadCluster } from '../cluster/local.js';
import { effectiveSettings } from '../plan/member-settings.js';
import type { Setting } from '../plan/types.js';

async function localSettings(home: string, name: string): Promise<Record<string, Setting[]>> {
  const c = await loadCluster(home, name);
  const out: Record<string, Setting[]> = {};
  for (const m of c.members) out[m.name] = await effectiveSettings(m.args, `${c.dir}/cluster.json`);
  return out;
}

export interface StatusOptions extends ConnectionFlags {
  output?: string;
  /** Only the given endpoints, not every member of the member list. */
  endpointsOnly?: boolean;
  /** commander's --no-metrics */
  metrics?: boolean;
}

export async function run(opts: StatusOptions, ctx: CommandContext) {
  const config = resolveConnection(opts, ctx.env, ctx.home);
  const obs = await discoverStatus(config, { endpointsOnly: opts.endpointsOnly, metrics: opts.metrics !== false, signal: ctx.signal });
  // A local cluster's command lines are known: status can say which deprecated settings are in effect.
  if (opts.cluster) obs.settings = await localSettings(ctx.home, opts.cluster).catch(() => undefined);
  const result: StatusResult = { ...assessStatus(obs), knowledge: knowledgeEdition() };
  return result.healthy ? result : outcome(result, ExitCode.problem);
}

export function render(result: StatusResult): string {
  return `${renderStatus(result)}${result.knowledge ? `\n${knowledgeLine(result.knowledge)}\n` : ''}`;
}
