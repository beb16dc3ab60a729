import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessStatus, defaultKnowledge, DEFAULT_QUOTA_BYTES, type StatusKnowledge } from './assess.js';
import type { MemberObservation, StatusObservation } from './model.js';
import type { StatusInfo } from '../client/types.js';

const noKnowledge: StatusKnowledge = { eol: () => undefined, badPatches: () => [], advisories: () => [] };

interface M {
  name: string;
  id: string;
  version?: string;
  leader?: string;
  term?: number;
  index?: number;
  applied?: number;
  dbSize?: number;
  inUse?: number;
  quota?: number;
  metricQuota?: number;
  learner?: boolean;
  down?: boolean;
  unhealthy?: boolean;
  errors?: string[];
  clusterId?: string;
  clusterVersion?: string;
  storage?: string;
}

function member(m: M): MemberObservation {
  const endpoint = `http://127.0.0.1:${m.id.length}0${m.name.slice(-1)}`;
  const obs: MemberObservation = {
    member: { id: m.id, name: m.name, peerURLs: [`http://127.0.0.1:1${m.name.slice(-1)}`], clientURLs: [endpoint], isLearner: m.learner ?? false },
    listed: true,
    endpoint,
  };
  if (m.down) {
    obs.statusError = 'cannot reach etcd: connect ECONNREFUSED';
    return obs;
  }
  const v = m.version ?? '3.5.30';
  const s: StatusInfo = {
    endpoint,
    header: { clusterId: m.clusterId ?? 'c1', memberId: m.id, revision: 5, raftTerm: m.term ?? 2 },
    memberId: m.id,
    clusterId: m.clusterId ?? 'c1',
    version: v,
    dbSize: m.dbSize ?? 20480,
    leader: m.leader ?? 'a1',
    raftIndex: m.index ?? 100,
    raftTerm: m.term ?? 2,
    raftAppliedIndex: v.startsWith('3.3') ? undefined : (m.applied ?? m.index ?? 100),
    errors: m.errors ?? [],
    dbSizeInUse: v.startsWith('3.3') ? undefined : (m.inUse ?? 16384),
    isLearner: m.learner ?? false,
    storageVersion: m.storage,
    dbSizeQuota: m.quota,
  };
  obs.status = s;
  obs.health = { endpoint, healthy: !m.unhealthy, tookMs: 1, ...(m.unhealthy ? { error: 'etcdserver: request timed out' } : {}) };
  obs.version = { etcdserver: v, etcdcluster: m.clusterVersion ?? `${v.split('.').slice(0, 2).join('.')}.0` };
  if (m.metricQuota !== undefined) obs.metrics = { quotaBytes: m.metricQuota };
  return obs;
}

function cluster(ms: M[], extra: Partial<StatusObservation> = {}): StatusObservation {
  return { seeds: ['http://127.0.0.1:1'], memberListFrom: 'http://127.0.0.1:1', members: ms.map(member), alarms: [], ...extra };
}

const three = (over: Partial<Record<'m1' | 'm2' | 'm3', Partial<M>>> = {}): M[] => [
  { name: 'm1', id: 'a1', ...over.m1 },
  { name: 'm2', id: 'b2', ...over.m2 },
  { name: 'm3', id: 'c3', ...over.m3 },
];

const codes = (o: StatusObservation, kb = noKnowledge): string[] => assessStatus(o, kb).findings.map((f) => `${f.severity}:${f.code}`);

const cases: { name: string; obs: StatusObservation; healthy: boolean; expect: string[]; absent?: string[] }[] = [
  { name: 'healthy 3-member cluster', obs: cluster(three()), healthy: true, expect: [], absent: ['quorum-at-risk'] },
  { name: 'one member down', obs: cluster(three({ m3: { down: true } })), healthy: false, expect: ['blocker:member-unhealthy', 'blocker:quorum-at-risk'] },
  { name: 'two members down: quorum lost', obs: cluster(three({ m2: { down: true }, m3: { down: true } })), healthy: false, expect: ['blocker:quorum-lost'] },
  { name: 'no leader', obs: cluster(three({ m1: { leader: '0', unhealthy: true }, m2: { leader: '0', unhealthy: true }, m3: { leader: '0', unhealthy: true } })), healthy: false, expect: ['blocker:no-leader'] },
  { name: 'mixed minor versions', obs: cluster(three({ m1: { version: '3.5.30' }, m2: { version: '3.4.23' }, m3: { version: '3.4.23' } })), healthy: true, expect: ['warning:mixed-version'] },
  { name: 'mixed patches', obs: cluster(three({ m1: { version: '3.5.16' } })), healthy: true, expect: ['info:mixed-patch'], absent: ['mixed-version'] },
  { name: 'NOSPACE alarm', obs: cluster(three(), { alarms: [{ memberId: 'b2', alarm: 'NOSPACE' }] }), healthy: false, expect: ['blocker:alarm-nospace'] },
  { name: 'CORRUPT alarm', obs: cluster(three(), { alarms: [{ memberId: 'a1', alarm: 'CORRUPT' }] }), healthy: false, expect: ['blocker:alarm-corrupt'] },
  { name: 'db near the 3.6 quota', obs: cluster(three({ m1: { version: '3.6.5', dbSize: 90, quota: 100 } })), healthy: true, expect: ['warning:db-near-quota'] },
  { name: 'db over 95% of the metric quota', obs: cluster(three({ m2: { dbSize: 96, metricQuota: 100 } })), healthy: true, expect: ['blocker:db-near-quota'] },
  { name: 'db near the default quota', obs: cluster(three({ m2: { dbSize: DEFAULT_QUOTA_BYTES * 0.85 } })), healthy: true, expect: ['warning:db-near-quota'] },
  { name: 'learner', obs: cluster([...three(), { name: 'm4', id: 'd4', learner: true }]), healthy: true, expect: ['info:learner-present'] },
  { name: 'apply lag', obs: cluster(three({ m2: { index: 20000, applied: 10000 } })), healthy: true, expect: ['warning:raft-index-lag'] },
  { name: 'follower far behind the leader', obs: cluster(three({ m1: { index: 20000, applied: 20000 }, m3: { index: 100, applied: 100 } })), healthy: true, expect: ['warning:raft-index-lag'] },
  { name: 'single member', obs: cluster([{ name: 'm1', id: 'a1' }]), healthy: true, expect: ['info:quorum-at-risk'] },
  { name: 'two members', obs: cluster([{ name: 'm1', id: 'a1' }, { name: 'm2', id: 'b2' }]), healthy: true, expect: ['warning:quorum-at-risk'] },
  { name: 'endpoints of two clusters', obs: cluster(three({ m3: { clusterId: 'zz' } })), healthy: false, expect: ['blocker:cluster-id-mismatch'] },
  { name: 'alarm list unreadable', obs: cluster(three(), { alarms: undefined, alarmsError: 'permission denied' }), healthy: true, expect: ['warning:alarms-unknown'] },
];

for (const c of cases) {
  test(`assess: ${c.name}`, () => {
    const r = assessStatus(c.obs, noKnowledge);
    const got = r.findings.map((f) => `${f.severity}:${f.code}`);
    for (const e of c.expect) assert.ok(got.includes(e), `expected ${e} in ${got.join(', ')}`);
    for (const a of c.absent ?? []) assert.ok(!got.some((g) => g.endsWith(`:${a}`)), `did not expect ${a} in ${got.join(', ')}`);
    assert.equal(r.healthy, c.healthy, `healthy; findings ${got.join(', ')}`);
  });
}

test('member rows: a down member is listed with its error and null fields', () => {
  const r = assessStatus(cluster(three({ m2: { down: true } })), noKnowledge);
  const m2 = r.members.find((m) => m.name === 'm2')!;
  assert.equal(m2.healthy, false);
  assert.match(m2.errors[0]!, /ECONNREFUSED/);
  for (const k of ['version', 'storageVersion', 'raftTerm', 'raftIndex', 'raftAppliedIndex', 'dbSize', 'dbSizeInUse'] as const) assert.equal(m2[k], null, k);
  assert.equal(r.leader, 'a1');
  assert.equal(r.members.find((m) => m.name === 'm1')!.isLeader, true);
  assert.equal(r.clusterId, 'c1');
});

test('version-dependent fields: 3.3 has no applied index; 3.6 has a storage version', () => {
  const r = assessStatus(cluster(three({ m1: { version: '3.3.25' }, m2: { version: '3.6.5', storage: '3.6.0' } })), noKnowledge);
  assert.equal(r.members[0]!.raftAppliedIndex, null);
  assert.equal(r.members[0]!.dbSizeInUse, null);
  assert.equal(r.members[1]!.storageVersion, '3.6.0');
  assert.equal(r.members[2]!.storageVersion, null);
});

test('cluster version: the leader\'s /version, else the metric (as X.Y.0)', () => {
  assert.equal(assessStatus(cluster(three({ m1: { clusterVersion: '3.4.0' } })), noKnowledge).clusterVersion, '3.4.0');
  const o = cluster(three());
  for (const m of o.members) {
    delete m.version;
    m.metrics = { clusterVersion: '3.5' };
  }
  assert.equal(assessStatus(o, noKnowledge).clusterVersion, '3.5.0');
  o.members[0]!.metrics = { clusterVersion: '3.4.23' };
  assert.equal(assessStatus(o, noKnowledge).clusterVersion, '3.4.0');
});

test('the leader is the one seen in the highest term', () => {
  const r = assessStatus(cluster(three({ m1: { leader: 'a1', term: 2 }, m2: { leader: 'b2', term: 3 }, m3: { leader: 'b2', term: 3 } })), noKnowledge);
  assert.equal(r.leader, 'b2');
});

test('knowledge base findings: EOL, known-bad patch, advisories', () => {
  const kb: StatusKnowledge = {
    eol: (v) => (v.startsWith('3.4') ? { status: 'eol', finalRelease: '3.4.40', source: 'kb-eol' } : { status: 'supported', source: 'kb' }),
    badPatches: (v) => (v === '3.5.1' ? [{ id: 'bad', recommendedMinimum: '3.5.3', reason: 'data inconsistency', source: 'kb-bad' }] : []),
    advisories: (v) => (v === '3.5.1' ? [{ id: 'CVE-1', kind: 'cve', severity: 'high' }] : []),
  };
  const got = codes(cluster(three({ m1: { version: '3.4.23' }, m2: { version: '3.5.1' }, m3: { version: '3.5.1' } })), kb);
  assert.ok(got.includes('warning:version-eol'));
  assert.ok(got.includes('warning:known-bad-patch'));
  assert.ok(got.includes('warning:advisories'));
  const r = assessStatus(cluster(three({ m1: { version: '3.4.23' } })), kb);
  assert.equal(r.findings.find((f) => f.code === 'version-eol')!.source, 'kb-eol');
});

test('the shipped knowledge: a patch newer than the data is a knowledge-stale warning, not an unknown version', () => {
  const stale = assessStatus(cluster(three({ m1: { version: '3.6.18' }, m2: { version: '3.6.18' }, m3: { version: '3.6.18' } })), defaultKnowledge).findings;
  const f = stale.find((x) => x.code === 'knowledge-stale');
  assert.equal(f?.severity, 'warning');
  assert.deepEqual(f?.members, ['m1', 'm2', 'm3']);
  assert.ok(!stale.some((x) => x.code === 'version-unknown'));
  const never = assessStatus(cluster(three({ m1: { version: '3.4.46' }, m2: { version: '3.4.46' }, m3: { version: '3.4.46' } })), defaultKnowledge).findings;
  assert.match(never.find((x) => x.code === 'version-unknown')?.message ?? '', /3\.4\.46 was never released/);
});

test('findings are sorted blocker, warning, info and deterministic', () => {
  const o = cluster([...three({ m3: { down: true }, m1: { version: '3.4.23' } }), { name: 'm4', id: 'd4', learner: true }]);
  const a = assessStatus(o, noKnowledge);
  const b = assessStatus(o, noKnowledge);
  assert.deepEqual(a, b);
  const ranks = a.findings.map((f) => ({ blocker: 0, warning: 1, info: 2 })[f.severity]);
  assert.deepEqual(ranks, [...ranks].sort());
});
