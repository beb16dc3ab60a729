/**
 * Cross-member consistency: HashKV of every member at one common revision, as etcd's own corruption
 * checker and `etcdctl endpoint hashkv --rev` compare (web:content/en/docs/v3.6/op-guide/data_corruption.md).
 * HashKV only reads, so re-asking after a racing compaction is safe; the race shows as ErrCompacted or as
 * members reporting different compact revisions (each member applies a compaction at its own moment, and
 * the hash covers (compactRevision, revision]), which makes their hashes incomparable, not inconsistent.
 */
import { EndpointClient, tokenSourceFor } from '../client/endpoint.js';
import type { ConnectionConfig } from '../client/connection.js';
import { toEtcdError } from '../client/errors.js';
import type { Member } from '../client/types.js';
import { EnvironmentError } from '../core/errors.js';

const HASHKV_DEADLINE_MS = 60_000;

export interface MemberHash {
  name: string;
  id: string;
  endpoint: string;
  hash: number | null;
  hashRevision: number | null;
  compactRevision: number | null;
  error?: string;
}

export interface ConsistencyReport {
  revision: number;
  members: MemberHash[];
  consistent: boolean;
  /** Members whose hash differs from the majority (both sides when there is no majority). */
  differing: string[];
  attempts: number;
  problems: string[];
}

export interface ConsistencyOptions {
  revision?: number;
  retries: number;
  signal?: AbortSignal;
}

interface Target {
  member: Member;
  /** Undefined for a member that never started (no client URL). */
  client: EndpointClient | undefined;
}

/** One client per member: an endpoint the user gave when it is that member, else the member's advertised URL. */
async function memberClients(config: ConnectionConfig, signal?: AbortSignal): Promise<{ targets: Target[]; close: () => void }> {
  const tokens = tokenSourceFor(config);
  const given = config.endpoints.map((ep) => new EndpointClient(ep, config, { tokens }));
  const byMember = new Map<string, EndpointClient>();
  let members: Member[] | undefined;
  const errors: string[] = [];
  for (const c of given) {
    try {
      const s = await c.status({ signal });
      if (!byMember.has(s.memberId)) byMember.set(s.memberId, c);
      if (!members) members = (await c.memberList({ signal })).members;
    } catch (e) {
      errors.push(`${c.endpoint}: ${(e as Error).message}`);
    }
  }
  if (!members) {
    for (const c of given) c.close();
    throw new EnvironmentError('etcd-unavailable', `no endpoint answered: ${errors.join('; ')}`, { hint: 'check --endpoints and the TLS/auth flags' });
  }
  const extra: EndpointClient[] = [];
  const targets: Target[] = [];
  for (const m of members) {
    let c = byMember.get(m.id);
    if (!c && m.clientURLs[0]) {
      c = new EndpointClient(m.clientURLs[0], config, { tokens });
      extra.push(c);
    }
    targets.push({ member: m, client: c });
  }
  return {
    targets,
    close: () => {
      for (const c of [...given, ...extra]) c.close();
    },
  };
}

export async function checkConsistency(config: ConnectionConfig, opts: ConsistencyOptions): Promise<ConsistencyReport> {
  const { targets, close } = await memberClients(config, opts.signal);
  try {
    let attempts = 0;
    let last: ConsistencyReport | undefined;
    while (attempts <= opts.retries) {
      attempts++;
      const revision = opts.revision ?? (await commonRevision(targets, opts.signal));
      const members = await Promise.all(targets.map((t) => hashOne(t, revision, opts.signal)));
      const report = judge(revision, members, attempts);
      last = report;
      const raced = members.some((m) => m.error && /compacted/.test(m.error)) || new Set(members.filter((m) => m.compactRevision !== null).map((m) => m.compactRevision)).size > 1;
      if (!raced || opts.revision !== undefined) return report;
    }
    last!.problems.push(`a compaction raced the check ${attempts} times; the hashes could not be compared at one compact revision`);
    last!.consistent = false;
    return last!;
  } finally {
    close();
  }
}

/** The lowest current revision among members: every member has applied it. */
async function commonRevision(targets: Target[], signal?: AbortSignal): Promise<number> {
  const revs = await Promise.all(
    targets.map(async (t) => {
      if (!t.client) return Infinity;
      try {
        return (await t.client.status({ signal })).header.revision;
      } catch {
        return Infinity;
      }
    }),
  );
  const min = Math.min(...revs);
  if (!Number.isFinite(min)) throw new EnvironmentError('etcd-unavailable', 'no member answered Status: cannot choose a revision');
  return min;
}

async function hashOne(t: Target, revision: number, signal?: AbortSignal): Promise<MemberHash> {
  const base = { name: t.member.name, id: t.member.id, endpoint: t.client?.endpoint ?? '' };
  if (!t.client) return { ...base, hash: null, hashRevision: null, compactRevision: null, error: 'member has no client URL (not started?)' };
  try {
    // HashKV hashes the member's whole key bucket: seconds on a GB-sized db, so --command-timeout's 5 s
    // default would turn a slow hash into a false "not consistent".
    const r = await t.client.hashKV(revision, { signal, timeoutMs: Math.max(t.client.config.commandTimeoutMs, HASHKV_DEADLINE_MS) });
    return { ...base, hash: r.hash, hashRevision: r.hashRevision ?? revision, compactRevision: r.compactRevision };
  } catch (e) {
    return { ...base, hash: null, hashRevision: null, compactRevision: null, error: toEtcdError(e).message };
  }
}

/** Pure: decide consistency and name the members that differ from the majority. */
export function judge(revision: number, members: MemberHash[], attempts: number): ConsistencyReport {
  const problems: string[] = [];
  for (const m of members) if (m.error) problems.push(`${m.name || m.id}: ${m.error}`);
  const answered = members.filter((m) => m.hash !== null);
  const counts = new Map<number, number>();
  for (const m of answered) counts.set(m.hash!, (counts.get(m.hash!) ?? 0) + 1);
  let differing: string[] = [];
  if (counts.size > 1) {
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    const top = ranked[0]!;
    const majority = ranked[1]![1] < top[1] ? top[0] : undefined;
    differing = answered.filter((m) => majority === undefined || m.hash !== majority).map((m) => m.name || m.id);
    problems.push(
      majority === undefined
        ? `members disagree with no majority at revision ${revision}: ${answered.map((m) => `${m.name || m.id}=${m.hash}`).join(', ')}`
        : `${differing.join(', ')} differ${differing.length === 1 ? 's' : ''} from the majority hash ${majority} at revision ${revision}`,
    );
  }
  const consistent = counts.size === 1 && answered.length === members.length;
  return { revision, members, consistent, differing, attempts, problems };
}
