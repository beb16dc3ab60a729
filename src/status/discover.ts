/**
 * Discovery for `upshift status` (all the I/O): the member list from any reachable endpoint, then per member
 * Status (gRPC), a health read, /version and /metrics, in parallel, each with its own deadline. A member that
 * does not answer is recorded with its error; discovery itself only fails when nothing answers at all.
 */
import { setMaxListeners } from 'node:events';
import type { Agent } from 'node:http';
import { EnvironmentError, errorMessage } from '../core/errors.js';
import type { ConnectionConfig } from '../client/connection.js';
import { EndpointClient, tokenSourceFor } from '../client/endpoint.js';
import { EtcdAuthError, toEtcdError } from '../client/errors.js';
import { getMetrics, getVersion, httpAgent } from '../client/http.js';
import { metricLabel, metricValue } from '../client/prometheus.js';
import type { Member, MemberList } from '../client/types.js';
import type { MemberObservation, StatusObservation } from './model.js';

/** The metrics status reads (etcd-versions.md §6.3): quota (before 3.6 Status has it), cluster version fallback, leader, 3.6 feature gates. */
const STATUS_METRICS = new Set(['etcd_server_quota_backend_bytes', 'etcd_cluster_version', 'etcd_server_has_leader', 'etcd_server_feature_enabled']);

export interface DiscoverOptions {
  /** Query only the given endpoints instead of every member of the member list. */
  endpointsOnly?: boolean;
  /** Read /metrics (quota and cluster-version fallback for servers before 3.6). Default true. */
  metrics?: boolean;
  signal?: AbortSignal;
}

/** The client URL to query for a member: one the user gave, else one with the same scheme, else the first. */
export function pickEndpoint(member: Member, seeds: readonly string[]): string | undefined {
  const norm = (u: string): string => u.replace(/\/+$/, '');
  const urls = member.clientURLs.map(norm);
  const seeded = urls.find((u) => seeds.includes(u));
  if (seeded) return seeded;
  const scheme = seeds[0] ? new URL(seeds[0]).protocol : undefined;
  return urls.find((u) => scheme === undefined || u.startsWith(scheme)) ?? urls[0];
}

/**
 * Per-endpoint clients sharing one auth token, kept open across status checks. The upgrade executor and tests
 * check status often: with a pool, a repeated check costs no reconnect and no Authenticate (a raft proposal plus
 * a bcrypt check on the server, ~0.2-0.4 s here). Close it when done.
 */
export class EndpointPool {
  private readonly clients = new Map<string, EndpointClient>();
  private readonly tokens;

  constructor(readonly config: ConnectionConfig) {
    this.tokens = tokenSourceFor(config);
  }

  private readonly agents = new Map<string, Agent>();

  /** Keep-alive HTTP(S) agent for /version and /metrics of `endpoint`. */
  agent(endpoint: string): Agent {
    let a = this.agents.get(endpoint);
    if (!a) {
      a = httpAgent(endpoint, this.config);
      this.agents.set(endpoint, a);
    }
    return a;
  }

  get(endpoint: string): EndpointClient {
    let c = this.clients.get(endpoint);
    if (!c) {
      c = new EndpointClient(endpoint, this.config, { tokens: this.tokens });
      this.clients.set(endpoint, c);
    }
    return c;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }
}

export async function discoverStatus(config: ConnectionConfig, opts: DiscoverOptions & { pool?: EndpointPool } = {}): Promise<StatusObservation> {
  const pool = opts.pool ?? new EndpointPool(config);
  const clientFor = (endpoint: string): EndpointClient => pool.get(endpoint);
  const call = { signal: opts.signal };
  // Every in-flight call listens for abort: 4-5 per member run at once, more than the default warning limit.
  if (opts.signal) setMaxListeners(Math.max(50, config.endpoints.length * 20), opts.signal);
  try {
    const seeds = config.endpoints;
    // 1. The member list, from the first seed that answers (serializable: a member cut off from the leader
    //    can still say who its peers are, which is what a diagnosis needs).
    const lists = await Promise.allSettled(seeds.map((s) => clientFor(s).memberList({ ...call, linearizable: false })));
    let list: MemberList | undefined;
    let listFrom: string | undefined;
    const listErrors: unknown[] = [];
    lists.forEach((r, i) => {
      if (r.status === 'fulfilled' && !list) {
        list = r.value;
        listFrom = seeds[i];
      } else if (r.status === 'rejected') listErrors.push(r.reason);
    });

    // 2. Which members to look at, and where.
    let targets: { member: Member; listed: boolean; endpoint: string | undefined }[];
    if (list && !opts.endpointsOnly) {
      targets = list.members.map((m) => ({ member: m, listed: true, endpoint: pickEndpoint(m, seeds) }));
    } else {
      targets = seeds.map((s) => ({ member: { id: '0', name: '', peerURLs: [], clientURLs: [s], isLearner: false }, listed: false, endpoint: s }));
    }

    // 3. Per member, in parallel.
    const statusErrors = new Map<MemberObservation, unknown>();
    // One-off checks use a connection per request (nothing to close); a caller's pool keeps them alive.
    const agentFor = opts.pool ? (e: string) => pool.agent(e) : () => undefined;
    const members = await Promise.all(targets.map((t) => observeMember(t, clientFor, agentFor, config, opts, statusErrors)));

    // With --endpoints-only (or no list), fill names and URLs from the list by the ID Status reported.
    if (list) {
      for (const m of members) {
        if (m.listed || !m.status) continue;
        const known = list.members.find((x) => x.id === m.status!.memberId);
        if (known) {
          m.member = known;
          m.listed = true;
        }
      }
    }

    const reachable = members.filter((m) => m.status);
    // Every member refused Status for lack of rights (e.g. no --user on 3.5.28-3.5.31, where Status is admin-only):
    // that is a usage problem (exit 2), not an unhealthy cluster.
    const statusAuth = members.map((m) => statusErrors.get(m)).filter((e): e is EtcdAuthError => e instanceof EtcdAuthError);
    if (reachable.length === 0 && statusAuth.length > 0 && statusAuth.length === members.filter((m) => m.endpoint).length) {
      const e = statusAuth[0]!;
      throw new EtcdAuthError(e.code, `etcd refused Status: ${e.message}`, { outcome: 'definite', grpcCode: e.grpcCode, etcdMessage: e.etcdMessage, endpoint: e.endpoint, method: e.method }, {
        hint: 'pass a user allowed to call Maintenance.Status (root on some versions): --user NAME:PASSWORD or ETCDCTL_USER/ETCDCTL_PASSWORD',
      });
    }
    if (!list && reachable.length === 0) {
      const errs = [...listErrors, ...members.map((m) => m.statusError)].filter((e) => e !== undefined);
      const auth = listErrors.find((e): e is EtcdAuthError => e instanceof EtcdAuthError);
      if (auth) throw auth;
      throw new EnvironmentError('etcd-unreachable', `no etcd endpoint answered (${seeds.join(', ')}): ${errs.length > 0 ? errorMessage(errs[0]) : 'no answer'}`, {
        hint: 'check --endpoints (or --cluster), that etcd runs there, and the TLS flags (--cacert/--cert/--key)',
        cause: listErrors[0],
      });
    }

    // 4. Alarms (cluster-wide), from a member that answered Status.
    let alarms: StatusObservation['alarms'];
    let alarmsError: string | undefined;
    for (const m of reachable.length > 0 ? reachable : members.filter((x) => x.endpoint)) {
      try {
        alarms = await clientFor(m.endpoint!).alarmList(call);
        alarmsError = undefined;
        break;
      } catch (e) {
        alarmsError = errorMessage(e);
      }
    }
    return {
      seeds,
      memberListFrom: listFrom,
      memberListError: list ? undefined : listErrors.length > 0 ? errorMessage(listErrors[0]) : undefined,
      members,
      alarms,
      alarmsError,
    };
  } finally {
    if (!opts.pool) pool.close();
  }
}

async function observeMember(
  t: { member: Member; listed: boolean; endpoint: string | undefined },
  clientFor: (e: string) => EndpointClient,
  agentFor: (e: string) => Agent | undefined,
  config: ConnectionConfig,
  opts: DiscoverOptions,
  statusErrors: Map<MemberObservation, unknown>,
): Promise<MemberObservation> {
  const obs: MemberObservation = { member: t.member, listed: t.listed, endpoint: t.endpoint };
  if (!t.endpoint) {
    obs.statusError = t.member.name === '' ? 'member has not started yet (no client URLs in the member list)' : 'member advertises no client URL';
    return obs;
  }
  const client = clientFor(t.endpoint);
  const call = { signal: opts.signal };
  const agent = agentFor(t.endpoint);
  const [status, health, version, metrics] = await Promise.allSettled([
    client.status(call),
    client.health({ ...call, serializable: t.member.isLearner }),
    getVersion(t.endpoint, config, { ...call, agent }),
    opts.metrics === false ? Promise.resolve(undefined) : getMetrics(t.endpoint, config, { ...call, agent, only: STATUS_METRICS }),
  ]);
  if (status.status === 'fulfilled') obs.status = status.value;
  else {
    const err = toEtcdError(status.reason, { endpoint: t.endpoint });
    obs.statusError = errorMessage(err);
    statusErrors.set(obs, err);
  }
  if (health.status === 'fulfilled') obs.health = health.value;
  if (version.status === 'fulfilled') obs.version = version.value;
  else obs.versionError = errorMessage(version.reason);
  if (metrics.status === 'fulfilled' && metrics.value) {
    const m = metrics.value;
    obs.metrics = {
      quotaBytes: metricValue(m, 'etcd_server_quota_backend_bytes'),
      clusterVersion: metricLabel(m, 'etcd_cluster_version', 'cluster_version'),
      hasLeader: metricValue(m, 'etcd_server_has_leader'),
      // 3.6+: etcd_server_feature_enabled{name, stage} 1|0 (etcd@v3.6.14:server/etcdserver/metrics.go:143).
      featureGates: m.get('etcd_server_feature_enabled')?.samples.filter((x) => x.labels.name).map((x) => ({ name: x.labels.name!, stage: x.labels.stage ?? '', enabled: x.value === 1 })),
    };
  }
  return obs;
}

