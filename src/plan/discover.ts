/**
 * Live discovery for the planner: a thin I/O layer over src/client that reads what the pure planner
 * needs — member versions, leader, db size, cluster version, whether auth is on, whether the v2 store
 * is in use. Every call has the connection's deadline; reads only, nothing is written.
 */
import { randomBytes } from 'node:crypto';
import { EndpointClient, EtcdClient, EtcdAuthError, Transport, toEtcdError, getMetrics, getVersion, httpGet, type ConnectionConfig, type StatusInfo, type MemberList } from '../client/index.js';
import { EnvironmentError, errorMessage } from '../core/errors.js';
import { compareVersions, parseVersion } from '../knowledge/index.js';
import type { ClusterFacts, V2State } from './types.js';

export interface Discovery {
  /** Oldest server version among the members (the plan's source). */
  from: string;
  authEnabled: boolean | undefined;
  v2Store: V2State;
  cluster: ClusterFacts;
}

async function tryStatus(endpoint: string, config: ConnectionConfig): Promise<StatusInfo | undefined> {
  const c = new EndpointClient(endpoint, config);
  try {
    return await c.status({ timeoutMs: config.commandTimeoutMs });
  } catch {
    return undefined;
  } finally {
    c.close();
  }
}

/**
 * Auth on or off, on any version (3.4 has no AuthStatus RPC; 3.5's needs admin rights when auth is on).
 * First an Authenticate with a throw-away user name, without credentials: etcd answers "authentication is
 * not enabled" when auth is off and "authentication failed, invalid user ID or password" when it is on
 * (etcd@v3.3.27:auth/store.go:59,63 ErrAuthFailed / ErrAuthNotEnabled; etcd@v3.5.33:api/v3rpc/rpctypes/error.go:61,66) — independent of any
 * client certificate. If that is inconclusive, one serializable Range without credentials: refused with
 * "user name is empty" when auth is on (a client certificate's CN can authenticate it, so "served" is
 * weaker evidence with TLS client certs).
 */
export async function probeAuth(endpoint: string, config: ConnectionConfig): Promise<{ enabled: boolean | undefined; evidence: string }> {
  const anon: ConnectionConfig = { ...config, endpoints: [endpoint], auth: undefined };
  const t = new Transport(endpoint, anon, undefined);
  try {
    await t.unary('Auth', 'Authenticate', { name: 'upshift-auth-probe', password: randomBytes(16).toString('hex') }, { timeoutMs: config.commandTimeoutMs, op: 'read' });
    return { enabled: true, evidence: `Authenticate on ${endpoint} succeeded for the probe user (auth is on)` };
  } catch (e) {
    const msg = errorMessage(toEtcdError(e, { endpoint, method: 'Auth.Authenticate' }));
    if (/authentication is not enabled/.test(msg)) return { enabled: false, evidence: `Authenticate on ${endpoint}: "authentication is not enabled"` };
    if (/authentication failed|invalid user ID or password/.test(msg)) return { enabled: true, evidence: `Authenticate on ${endpoint} rejected a throw-away user ("authentication failed")` };
  } finally {
    t.close();
  }
  const c = new EtcdClient(anon);
  try {
    await c.range('\u0000upshift-auth-probe', { serializable: true, keysOnly: true, limit: 1, timeoutMs: config.commandTimeoutMs });
    if (config.tls?.cert) return { enabled: undefined, evidence: `an unauthenticated read on ${endpoint} was served, but a client certificate can authenticate by CN` };
    return { enabled: false, evidence: `an unauthenticated read on ${endpoint} was served` };
  } catch (e) {
    if (e instanceof EtcdAuthError || /user name is empty|permission denied|invalid auth token/.test(errorMessage(e))) {
      return { enabled: true, evidence: `an unauthenticated read on ${endpoint} was refused (${errorMessage(e)})` };
    }
    return { enabled: undefined, evidence: `auth probe on ${endpoint} failed: ${errorMessage(e)}` };
  } finally {
    c.close();
  }
}

/**
 * v2 store use. 3.3 serves /v2 by default, 3.4/3.5 only with --enable-v2: list /v2/keys when it answers.
 * 3.5 also counts v2 requests in etcd_server_client_requests_total{client_api_version="2"}.
 */
export async function probeV2(endpoint: string, config: ConnectionConfig): Promise<{ state: V2State; evidence: string }> {
  const evidence: string[] = [];
  let state: V2State = 'unknown';
  try {
    const r = await httpGet(endpoint, '/v2/keys/', config);
    if (r.status === 200) {
      const body = JSON.parse(r.body) as { node?: { nodes?: unknown[] } };
      const n = body.node?.nodes?.length ?? 0;
      state = n > 0 ? 'in-use' : 'enabled';
      evidence.push(n > 0 ? `/v2/keys lists ${n} top-level node(s)` : '/v2/keys answers and is empty');
    } else if (r.status === 404) {
      state = 'not-observed';
      evidence.push('the v2 API is disabled (/v2/keys: 404)');
    } else if (r.status === 401 || r.status === 403) {
      state = 'enabled';
      evidence.push(`the v2 API is enabled but needs credentials (/v2/keys: ${r.status})`);
    } else {
      evidence.push(`/v2/keys answered ${r.status}`);
    }
  } catch (e) {
    evidence.push(`/v2/keys: ${errorMessage(e)}`);
  }
  try {
    const m = await getMetrics(endpoint, config);
    const fam = m.get('etcd_server_client_requests_total');
    if (fam) {
      const v2 = fam.samples.filter((s) => s.labels.client_api_version === '2').reduce((sum, s) => sum + s.value, 0);
      if (v2 > 0) {
        state = 'in-use';
        evidence.push(`${v2} v2 API request(s) since the member started (etcd_server_client_requests_total)`);
      } else if (state === 'unknown') state = 'not-observed';
    }
  } catch (e) {
    evidence.push(`/metrics: ${errorMessage(e)}`);
  }
  return { state, evidence: evidence.join('; ') };
}

/** Read the facts `plan()` needs from a live cluster. Throws EnvironmentError (exit 3) when no member answers. */
export async function discover(config: ConnectionConfig): Promise<Discovery> {
  const byId = new Map<string, StatusInfo>();
  for (const ep of config.endpoints) {
    const s = await tryStatus(ep, config);
    if (s && !byId.has(s.memberId)) byId.set(s.memberId, s);
  }
  const first = [...byId.values()][0];
  if (!first) {
    throw new EnvironmentError('cluster-unreachable', `no member answered at ${config.endpoints.join(', ')}`, {
      hint: 'check --endpoints / --cluster and TLS flags, or plan offline with --from VERSION',
    });
  }
  let list: MemberList | undefined;
  const lc = new EndpointClient(first.endpoint, config);
  try {
    list = await lc.memberList({ timeoutMs: config.commandTimeoutMs });
  } catch {
    list = undefined;
  } finally {
    lc.close();
  }
  const members: ClusterFacts['members'] = [];
  for (const m of list?.members ?? [{ id: first.memberId, name: '', clientURLs: [first.endpoint], peerURLs: [], isLearner: first.isLearner }]) {
    let s = byId.get(m.id);
    if (!s && m.clientURLs[0]) s = await tryStatus(m.clientURLs[0], config);
    members.push({
      name: m.name,
      id: m.id,
      version: s?.version,
      isLeader: s !== undefined && s.leader === m.id,
      isLearner: m.isLearner,
      clientURL: s?.endpoint ?? m.clientURLs[0],
      dbSize: s?.dbSize,
      reachable: s !== undefined,
    });
  }
  const versions = members.map((m) => m.version).filter((v): v is string => Boolean(v && parseVersion(v)));
  const from = [...versions].sort(compareVersions)[0] ?? first.version;
  let clusterVersion: string | undefined;
  try {
    clusterVersion = (await getVersion(first.endpoint, config)).etcdcluster;
  } catch {
    clusterVersion = undefined;
  }
  const auth = await probeAuth(first.endpoint, config);
  const v2 = await probeV2(first.endpoint, config);
  const sizes = members.map((m) => m.dbSize ?? 0);
  return {
    from,
    authEnabled: auth.enabled,
    v2Store: v2.state,
    cluster: {
      members,
      clusterVersion,
      dbSize: sizes.length ? Math.max(...sizes) : undefined,
      authEvidence: auth.evidence,
      v2Evidence: v2.evidence,
    },
  };
}
