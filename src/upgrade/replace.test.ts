import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replacementGuard, replaceProgress, replacementBegun, initialClusterFor } from './replace.js';
import { reconstruct, type JournalRecord } from './journal.js';
import { cluster, member } from './testing.js';

const HOP = { from: '3.4.23', to: '3.5.30' };

test('guard: a mixed minor hop with another old member left may replace the failed member', () => {
  const obs = cluster(3, { leader: 'm2', over: { m1: { reachable: false, healthy: false, version: undefined } } });
  assert.deepEqual(replacementGuard(obs, 'm1', HOP, undefined), { ok: true });
});

test('guard: refused when every other member already runs the new minor (the bump would follow the removal)', () => {
  const obs = cluster(3, { leader: 'm2', over: { m1: { reachable: false, healthy: false }, m2: { version: '3.5.30' }, m3: { version: '3.5.30' } } });
  const v = replacementGuard(obs, 'm1', HOP, undefined);
  assert.equal(v.ok, false);
  if (!v.ok) assert.match(v.reason, /raise the cluster version to 3\.5/);
  // A patch hop has no bump to fear.
  assert.equal(replacementGuard(cluster(3, { version: '3.5.30', leader: 'm2', over: { m1: { reachable: false, healthy: false } } }), 'm1', { from: '3.5.16', to: '3.5.30' }, undefined).ok, true);
});

test('guard: refused after the bump, without a leader, or when another member is down', () => {
  assert.equal(replacementGuard(cluster(3, { leader: 'm2', clusterVersion: '3.5.0' }), 'm1', HOP, undefined).ok, false);
  const noLeader = cluster(3, { leader: 'none' });
  noLeader.leaderId = undefined;
  assert.equal(replacementGuard(noLeader, 'm1', HOP, undefined).ok, false);
  const v = replacementGuard(cluster(3, { leader: 'm2', over: { m1: { reachable: false, healthy: false }, m3: { reachable: false, healthy: false } } }), 'm1', HOP, undefined);
  assert.equal(v.ok, false);
  if (!v.ok) assert.match(v.reason, /down: m3/);
  // Once removed, the member is found by its peer URL only (the re-added one has no name yet).
  const after = cluster(3, { leader: 'm2', over: { m1: { name: '', id: 'new', reachable: false, healthy: false } } });
  assert.equal(replacementGuard(after, 'm1', HOP, 'http://127.0.0.1:m1p').ok, true);
});

test('initial cluster: the re-added member is listed under its own name', () => {
  const ms = [member('m2'), member('m3'), { ...member(''), id: 'fresh', peerURLs: ['http://127.0.0.1:9'] }];
  assert.equal(initialClusterFor(ms, { name: 'm1', id: 'fresh' }), 'm2=http://127.0.0.1:m2p,m3=http://127.0.0.1:m3p,m1=http://127.0.0.1:9');
});

const begin = {
  type: 'run-begin', at: '', runId: 'r', from: HOP.from, to: HOP.to, path: [HOP.from, HOP.to], target: { endpoints: [] }, driver: 'local', options: {},
  steps: [{ id: 'hop1/m1/start', kind: 'start', hop: 1, member: 'm1', from: HOP.from, to: HOP.to, description: '' }], memberVersions: {}, pid: 1, host: 'h',
} as unknown as JournalRecord;
const rb = (stage: string, status: 'begin' | 'end', detail?: Record<string, unknown>): JournalRecord =>
  ({ type: 'rollback', at: '', member: 'm1', phase: 'replace', toVersion: HOP.from, stage, status, ...(status === 'end' ? { ok: true } : {}), ...(detail ? { detail } : {}) }) as JournalRecord;

test('progress: killed between add and move-aside, a resume knows the old and new ids and the membership', () => {
  const records: JournalRecord[] = [
    begin,
    { type: 'rollback', at: '', member: 'm1', phase: 'begin', toVersion: HOP.from },
    rb('begin', 'begin'),
    rb('begin', 'end', { oldId: 'a1', peerURL: 'http://p1', clientURL: 'http://c1' }),
    rb('stop', 'begin'),
    rb('stop', 'end'),
    rb('remove', 'begin'),
    rb('remove', 'end'),
    rb('add', 'begin'),
    rb('add', 'end', { newId: 'b2', initialCluster: 'm1=http://p1,m2=http://p2' }),
    rb('move-aside', 'begin'),
  ];
  const p = replaceProgress(records, 'm1');
  assert.deepEqual([...p.ended], ['begin', 'stop', 'remove', 'add']);
  assert.ok(p.begun.has('move-aside') && !p.ended.has('move-aside'));
  assert.equal(p.oldId, 'a1');
  assert.equal(p.newId, 'b2');
  assert.equal(p.initialCluster, 'm1=http://p1,m2=http://p2');
  assert.equal(replacementBegun(records, 'm1'), true);
  assert.equal(replacementBegun(records, 'm2'), false);
  // The run is open and resumes with the rollback first.
  const point = reconstruct(records, cluster(3));
  assert.equal(point.state, 'resumable');
  if (point.state === 'resumable') assert.deepEqual(point.rollback, { member: 'm1', toVersion: HOP.from });
});

test('progress: a finished replacement closes the rollback', () => {
  const records: JournalRecord[] = [begin, rb('begin', 'end', { oldId: 'a1' }), { type: 'rollback', at: '', member: 'm1', phase: 'end', toVersion: HOP.from, ok: true }];
  const point = reconstruct(records, cluster(3));
  assert.equal(point.state === 'resumable' ? point.rollback : undefined, undefined);
});
