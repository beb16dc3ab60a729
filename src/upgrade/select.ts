/**
 * Which run `upgrade resume|status|abort` act on. A run belongs to one cluster (identity.ts), so:
 *  - pointed at a cluster (--cluster, --endpoints or ETCDCTL_ENDPOINTS): the newest (open) run OF THAT
 *    CLUSTER; with --run, that run only if it is that cluster's (else exit 2, both cluster ids named);
 *  - pointed at nothing: the run named by --run, or the newest open run when all open runs are of one
 *    cluster (exit 2 asking to name one when they are of several); the run's recorded target is used to
 *    reach its cluster, and what answers there must still be that cluster.
 * The cluster is identified by what it answers (cluster id, member ids); when nothing answers, by the
 * local cluster name or a shared endpoint, and the executor checks the ids once members answer again.
 */
import type { CommandContext } from '../core/context.js';
import { EnvironmentError, ProblemError, UsageError, errorMessage } from '../core/errors.js';
import type { ConnectionFlags } from '../cli/common.js';
import { resolveConnection, type ConnectionConfig } from '../client/connection.js';
import { observeCluster } from './observe.js';
import type { ClusterObservation } from './observation.js';
import { clusterMismatch, describeRunCluster, wrongCluster } from './identity.js';
import { clusterKey, listRuns, runBelongs, type PointedCluster, type RunSummary } from './runs.js';

export type RunPurpose = 'resume' | 'abort' | 'status';

export interface SelectedRun {
  run: RunSummary;
  /** Connection flags that reach the run's cluster: the ones given, else the run's recorded target. */
  flags: ConnectionFlags;
  /** Undefined only for status/abort of a run whose recorded target cannot be resolved any more (configError says why). */
  config?: ConnectionConfig | undefined;
  configError?: string | undefined;
  /** The cluster as it answered while selecting; undefined when nothing answered (or status did not ask). */
  obs?: ClusterObservation | undefined;
}

export async function selectRun(opts: ConnectionFlags & { run?: string | undefined }, ctx: CommandContext, purpose: RunPurpose): Promise<SelectedRun> {
  const runs = await listRuns(ctx.home);
  const wantOpen = purpose !== 'status';
  const runsDir = `${ctx.home}/runs`;
  const named = (id: string): RunSummary => {
    const r = runs.find((x) => x.runId === id);
    if (!r) throw new UsageError(`--run ${id}: no such upgrade run under ${runsDir}`, { code: 'no-run', hint: '`ls` that directory, or leave out --run to pick the newest run of the cluster' });
    return r;
  };

  if (opts.cluster !== undefined || opts.endpoints !== undefined || ctx.env.ETCDCTL_ENDPOINTS !== undefined) {
    const config = resolveConnection(opts, ctx.env, ctx.home);
    const obs = await observeQuietly(config, ctx, purpose);
    const pointed: PointedCluster = { cluster: opts.cluster, endpoints: config.endpoints, obs };
    const label = `${opts.cluster !== undefined ? `cluster ${opts.cluster}` : `the cluster at ${config.endpoints.join(',')}`}${obs?.clusterId ? ` (id ${obs.clusterId})` : ''}`;
    if (opts.run !== undefined) {
      const r = named(opts.run);
      if (!runBelongs(r, pointed)) {
        const why = obs ? (clusterMismatch(r.begin, r.records, obs) ?? `it is not run ${r.runId}'s ${describeRunCluster(r.begin)}`) : `it does not answer (so its id cannot be read), and run ${r.runId} belongs to ${describeRunCluster(r.begin)}`;
        throw wrongCluster(r.begin, obs?.clusterId, why, label);
      }
      return { run: r, flags: opts, config, obs };
    }
    const mine = runs.filter((r) => runBelongs(r, pointed));
    const r = [...mine].reverse().find((x) => x.open) ?? (wantOpen ? undefined : mine.at(-1));
    if (!r) throw nothingFor(purpose, label, mine.at(-1), runsDir);
    return { run: r, flags: opts, config, obs };
  }

  let r: RunSummary | undefined;
  if (opts.run !== undefined) r = named(opts.run);
  else {
    const open = runs.filter((x) => x.open);
    const clusters = [...new Set(open.map(clusterKey))];
    if (clusters.length > 1) {
      const newest = clusters.map((k) => open.filter((x) => clusterKey(x) === k).at(-1)!);
      throw new UsageError(`open upgrade runs of ${clusters.length} clusters under ${runsDir}: ${newest.map((x) => `${x.runId} (${describeRunCluster(x.begin)})`).join('; ')}`, {
        code: 'ambiguous-run',
        hint: 'name the cluster (--cluster NAME or --endpoints URLS) or the run (--run ID)',
      });
    }
    r = open.at(-1) ?? (wantOpen ? undefined : runs.at(-1));
    if (!r) throw nothingFor(purpose, undefined, runs.at(-1), runsDir);
  }
  const t = r.begin.target;
  const flags: ConnectionFlags = { ...opts, ...(t.cluster ? { cluster: t.cluster } : { endpoints: t.endpoints.join(',') }) };
  let config: ConnectionConfig;
  try {
    config = resolveConnection(flags, ctx.env, ctx.home);
  } catch (e) {
    // The run's local cluster may be gone (`cluster down`): its journal can still be shown or closed.
    if (purpose === 'resume') throw e;
    return { run: r, flags, configError: errorMessage(e) };
  }
  // status only reads the journal: it does not need the cluster to answer.
  const obs = purpose === 'status' ? undefined : await observeQuietly(config, ctx, purpose);
  if (obs) {
    const why = clusterMismatch(r.begin, r.records, obs);
    if (why) throw wrongCluster(r.begin, obs.clusterId, why, `the run's recorded ${t.cluster ? `cluster ${t.cluster}` : `endpoints ${t.endpoints.join(',')}`}`);
  }
  return { run: r, flags, config, obs };
}

/** The cluster as it answers now, or undefined when nothing answers (status: whatever went wrong). */
async function observeQuietly(config: ConnectionConfig, ctx: CommandContext, purpose: RunPurpose): Promise<ClusterObservation | undefined> {
  try {
    return await observeCluster(config, { signal: ctx.signal });
  } catch (e) {
    if (purpose === 'status' || (e instanceof EnvironmentError && e.code === 'etcd-unreachable')) return undefined;
    throw e;
  }
}

function nothingFor(purpose: RunPurpose, label: string | undefined, last: RunSummary | undefined, runsDir: string): ProblemError {
  const lastRun = last ? `${label ? 'its' : 'the'} newest run ${last.runId}${label ? '' : ` (${describeRunCluster(last.begin)})`} ended: ${last.end?.result ?? 'unknown'}` : `no upgrade run${label ? ' of it' : ''} under ${runsDir}`;
  if (purpose === 'resume') {
    return new ProblemError('nothing-to-resume', `Nothing to resume for ${label ?? 'any cluster'}: ${lastRun}`, { hint: 'start a new run with `upshift upgrade --to V`' });
  }
  if (purpose === 'abort') return new ProblemError('no-run', `no open upgrade run of ${label ?? 'any cluster'} to abort: ${lastRun}`);
  return new ProblemError('no-run', `no upgrade run of ${label ?? 'any cluster'} under ${runsDir}`, { hint: 'start one with `upshift upgrade --to V`' });
}
