/**
 * `upshift plan --to V [--from V] [--via V]... [--config FILE]... [--auth-enabled|--no-auth-enabled]`:
 * discover (live cluster, unless --from) -> plan (pure) -> print. Exit 1 when the plan has a blocker or
 * is a downgrade; exit 2 for unknown versions or unreadable configs; exit 3 when the cluster is unreachable.
 */
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { outcome } from './command.js';
import type { CommandOutcome } from '../core/errors.js';
import type { ConnectionFlags } from '../cli/common.js';
import { plan } from '../plan/planner.js';
import { knowledgeLine, knownRange, latestPatch, parseMinor, standingOf } from '../knowledge/index.js';
import { readConfigFile } from '../plan/config.js';
import { renderPlan } from '../plan/render.js';
import type { Plan, PlanInput, V2State } from '../plan/types.js';

export interface PlanOptions extends ConnectionFlags {
  to?: string;
  from?: string;
  via?: string[];
  config?: string[];
  authEnabled?: boolean;
  v2Store?: string;
  /** Trace files or topology snapshots: the target's impact on the services they show (src/topology/plan-hook.ts). */
  topology?: string[];
  output?: string;
}

const V2_STATES: readonly V2State[] = ['in-use', 'enabled', 'not-observed', 'unknown'];

export async function run(opts: PlanOptions, ctx: CommandContext): Promise<Plan | CommandOutcome<Plan>> {
  if (!opts.to) throw new UsageError('--to is required: the etcd version to plan for', { hint: 'e.g. upshift plan --to 3.6.14 --from 3.5.30' });
  if (opts.v2Store !== undefined && !V2_STATES.includes(opts.v2Store as V2State)) {
    throw new UsageError(`--v2-store: unknown state "${opts.v2Store}"`, { hint: `use one of: ${V2_STATES.join(', ')}` });
  }
  // `--to 3.6` means the latest known 3.6 patch.
  const toMinor = parseMinor(opts.to);
  if (toMinor && latestPatch(toMinor)) {
    const resolved = latestPatch(toMinor)!;
    note(ctx, `upshift plan: --to ${opts.to} is the latest known ${toMinor} patch, ${resolved}`);
    opts = { ...opts, to: resolved };
  }
  const configs = [];
  for (const c of opts.config ?? []) configs.push(await readConfigFile(c));
  const input: PlanInput = {
    from: opts.from ?? '',
    to: opts.to!,
    via: opts.via ?? [],
    authEnabled: opts.authEnabled,
    v2Store: opts.v2Store as V2State | undefined,
    configs,
  };
  if (!opts.from) {
    // Validate the target before touching the network, so a typo fails fast with exit 2.
    plan({ ...input, from: input.to, via: [], configs: [] });
    const [{ resolveConnection }, { discover }] = await Promise.all([import('../client/index.js'), import('../plan/discover.js')]);
    const conn = resolveConnection(opts, ctx.env, ctx.home);
    note(ctx, `upshift plan: reading the cluster at ${conn.endpoints.join(', ')}`);
    const d = await discover(conn);
    const st = standingOf(d.from);
    if (!st.accepted) {
      throw new UsageError(`the cluster runs etcd ${d.from}: ${st.reason} (known: ${knownRange().text})`, {
        code: 'unknown-version',
        hint: 'a custom or pre-release build: plan with --from set to the closest release; releases published since the data: `upshift knowledge update`',
      });
    }
    input.from = d.from;
    input.cluster = d.cluster;
    if (input.authEnabled === undefined) input.authEnabled = d.authEnabled;
    if (input.v2Store === undefined) input.v2Store = d.v2Store;
  }
  let p = plan(input);
  if (opts.topology?.length) p = await (await import('../topology/plan-hook.js')).addTopologyImpact(p, opts.topology, opts, ctx.env, ctx.home);
  return p.blocked || p.direction === 'downgrade' ? outcome(p, ExitCode.problem) : p;
}

export function render(result: Plan): string {
  return `${renderPlan(result)}\n${knowledgeLine(result.knowledge)}\n`;
}
