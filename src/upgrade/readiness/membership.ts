/**
 * Membership that 3.6 will read differently. In 3.5 the v2 store is the source of truth for membership
 * (what MemberList serves); 3.6 bootstraps it from the v3 backend (bbolt buckets `members` and
 * `members_removed`). Where the two disagree, 3.6 brings back removed "zombie" members (etcd#20967, blog
 * `content/en/blog/2025/zombie_members_upgrade.md`), turns promoted voters back into learners ("too many
 * learner members", etcd#19557, blog `upgrade_from_3.5_to_3.6_issue.md`), or loses a member.
 *
 * Pure comparison of the served list with one member's backend (`compareMembership`), and the I/O that
 * reads each member's backend from a fresh snapshot with upshift's bbolt reader (`readBackendMembership`).
 * Backend layout: key = member id in hex (types.ID.String()), value = JSON of membership.Member
 * {id, peerURLs, isLearner?, name?, clientURLs?}; `members_removed`: key = id, value "removed"
 * (etcd@v3.5.36 server/etcdserver/api/membership/store.go backendMemberKey, mustSaveMemberToBackend).
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BoltFile } from '../../backup/bbolt.js';
import { TRAILER_BYTES, hasTrailerSize } from '../../backup/integrity.js';
import type { ConnectionConfig } from '../../client/connection.js';
import { EndpointClient } from '../../client/endpoint.js';

export interface BackendMember {
  /** Hex id, as the key spells it. */
  id: string;
  name?: string | undefined;
  peerURLs: string[];
  isLearner: boolean;
}

export interface BackendMembership {
  members: BackendMember[];
  removed: string[];
}

export interface ServedMember {
  id: string;
  name: string;
  peerURLs: string[];
  isLearner: boolean;
}

export type DisagreementKind = 'zombie' | 'missing' | 'learner-in-backend' | 'voter-in-backend' | 'peer-urls' | 'removed-but-served';

export interface Disagreement {
  kind: DisagreementKind;
  memberId: string;
  /** Name as served (or recorded in the backend for zombies). */
  name: string;
  detail: string;
}

/** Member ids normalised the way etcd prints them (hex, no leading zeros, lower case). */
export function normaliseId(id: string): string {
  return BigInt(`0x${id}`).toString(16);
}

const sameUrls = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && [...a].sort().every((u, i) => u === [...b].sort()[i]);

/** Every way one member's v3 backend disagrees with the membership the cluster serves (pure). */
export function compareMembership(served: readonly ServedMember[], backend: BackendMembership): Disagreement[] {
  const out: Disagreement[] = [];
  const s = new Map(served.map((m) => [normaliseId(m.id), m]));
  const b = new Map(backend.members.map((m) => [normaliseId(m.id), m]));
  const removed = new Set(backend.removed.map(normaliseId));
  for (const [id, m] of b) {
    if (!s.has(id)) out.push({ kind: 'zombie', memberId: id, name: m.name ?? '', detail: `member ${id}${m.name ? ` (${m.name})` : ''} (peer ${m.peerURLs.join(',') || '?'}) is recorded in the v3 backend but not served: 3.6 would bring it back as a zombie member` });
  }
  for (const [id, m] of s) {
    const bm = b.get(id);
    if (removed.has(id)) out.push({ kind: 'removed-but-served', memberId: id, name: m.name, detail: `member ${id} (${m.name || '?'}) is served but recorded as removed in the v3 backend` });
    if (!bm) {
      if (!removed.has(id)) out.push({ kind: 'missing', memberId: id, name: m.name, detail: `member ${id} (${m.name || '?'}) is served but missing from the v3 backend: 3.6 would not know it` });
      continue;
    }
    if (!m.isLearner && bm.isLearner) out.push({ kind: 'learner-in-backend', memberId: id, name: m.name, detail: `member ${id} (${m.name || '?'}) votes, but the v3 backend records it as a learner (promotion kept only in the v2 store): on 3.6 it would revert to a learner` });
    if (m.isLearner && !bm.isLearner) out.push({ kind: 'voter-in-backend', memberId: id, name: m.name, detail: `member ${id} (${m.name || '?'}) is a learner, but the v3 backend records it as a voting member` });
    if (!sameUrls(m.peerURLs, bm.peerURLs)) out.push({ kind: 'peer-urls', memberId: id, name: m.name, detail: `member ${id} (${m.name || '?'}) serves peer URLs ${m.peerURLs.join(',')} but the v3 backend records ${bm.peerURLs.join(',') || 'none'}` });
  }
  return out;
}

/** The `members` and `members_removed` buckets of a bbolt db (a snapshot without its sha256 trailer: pass `limit`). */
export function membershipFromDb(path: string, limit?: number): BackendMembership {
  const db = BoltFile.open(path, limit !== undefined ? { limit } : {});
  try {
    const out: BackendMembership = { members: [], removed: [] };
    const members = db.bucket('members');
    if (members) {
      for (const e of db.leafElements(members)) {
        const id = e.key.toString('latin1');
        const v = JSON.parse(Buffer.from(e.value).toString('utf8')) as { peerURLs?: string[]; isLearner?: boolean; name?: string };
        out.members.push({ id, name: v.name, peerURLs: v.peerURLs ?? [], isLearner: v.isLearner === true });
      }
    }
    const removed = db.bucket('members_removed');
    if (removed) for (const e of db.leafElements(removed)) out.removed.push(e.key.toString('latin1'));
    return out;
  } finally {
    db.close();
  }
}

/**
 * One member's backend membership, from a fresh snapshot of that member (Maintenance.Snapshot is answered
 * by the member it is sent to, from its own backend). The snapshot goes to a temp file and is removed after.
 */
export async function readBackendMembership(endpoint: string, config: ConnectionConfig, opts: { signal?: AbortSignal | undefined; timeoutMs?: number } = {}): Promise<BackendMembership> {
  const dir = await mkdtemp(join(tmpdir(), 'upshift-readiness-'));
  const file = join(dir, 'snapshot.db');
  const c = new EndpointClient(endpoint, config);
  try {
    const s = c.snapshot({ ...(opts.signal ? { signal: opts.signal } : {}), timeoutMs: opts.timeoutMs ?? 120_000 });
    await Promise.all([pipeline(s.stream, createWriteStream(file, { mode: 0o600 })), s.done]);
    const size = (await stat(file)).size;
    return membershipFromDb(file, hasTrailerSize(size) ? size - TRAILER_BYTES : size);
  } finally {
    c.close();
    await rm(dir, { recursive: true, force: true });
  }
}
