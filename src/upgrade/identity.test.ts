import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterMismatch, runMembers, isWrongCluster, wrongCluster } from './identity.js';
import { runBelongs, clusterKey, beforeFirstStep, type RunSummary } from './runs.js';
import { cluster, member } from './testing.js';
import type { JournalRecord, RunBeginRecord } from './journal.js';
import type { ClusterObservation } from './observation.js';

function begin(over: Partial<RunBeginRecord['target']> = {}): RunBeginRecord {
  const obs = cluster(3);
  return { type: 'run-begin', at: '', runId: 'r1', from: '3.4.23', to: '3.5.30', path: ['3.4.23', '3.5.30'], target: { cluster: 'cb', endpoints: ['http://127.0.0.1:1'], clusterId: 'c1', members: runMembers(obs), ...over }, driver: 'local', options: {}, steps: [], memberVersions: {}, pid: 1, host: 'h' };
}

function summary(b: RunBeginRecord, records: JournalRecord[] = [b]): RunSummary {
  return { runId: b.runId, paths: {} as RunSummary['paths'], begin: b, open: true, records };
}

/** Another cluster made the same way: same member names, other ids. */
function other(): ClusterObservation {
  const o = cluster(3);
  o.clusterId = 'c2';
  o.members = o.members.map((m) => ({ ...m, id: `other-${m.name}` }));
  return o;
}

test('the run\'s own cluster matches, also with a member down or removed', () => {
  assert.equal(clusterMismatch(begin(), [], cluster(3)), undefined);
  const down = cluster(3, { over: { m2: { reachable: false, healthy: false } } });
  assert.equal(clusterMismatch(begin(), [], down), undefined);
  const removed = cluster(3);
  removed.members = removed.members.filter((m) => m.name !== 'm3');
  assert.equal(clusterMismatch(begin(), [], removed), undefined);
});

test('another cluster (same member names) is refused, naming both cluster ids', () => {
  const why = clusterMismatch(begin(), [], other());
  assert.ok(why);
  assert.match(why, /id c2/);
  assert.match(why, /cluster c1 \(local cluster cb\)/);
  const e = wrongCluster(begin(), 'c2', why, '--cluster ca');
  assert.ok(isWrongCluster(e));
  assert.equal(e.exitCode, 2);
  assert.deepEqual(e.details, { runId: 'r1', runClusterId: 'c1', clusterId: 'c2' });
  assert.match(e.message, /nothing was touched/);
});

test('same cluster id but a member with another id (a re-created cluster with the same token and URLs) is refused', () => {
  const o = cluster(3);
  o.members[1] = { ...o.members[1]!, id: 'new-m2' };
  assert.match(clusterMismatch(begin(), [], o) ?? '', /member m2 .* has id new-m2, but .* m2 is id-m2/);
  const extra = cluster(4);
  assert.match(clusterMismatch(begin(), [], extra) ?? '', /member m4 .* was not in run r1/);
});

test('a member the run replaced as a fresh one keeps matching under its new id; an added, unstarted member is fine', () => {
  const o = cluster(3);
  o.members[2] = { ...o.members[2]!, id: 'fresh-m3' };
  assert.ok(clusterMismatch(begin(), [], o));
  const recs: JournalRecord[] = [{ type: 'rollback', at: '', member: 'm3', phase: 'replace', toVersion: '3.4.23', stage: 'add', status: 'end', ok: true, detail: { newId: 'fresh-m3' } }];
  assert.equal(clusterMismatch(begin(), recs, o), undefined);
  const unstarted = cluster(3);
  unstarted.members.push(member('', { id: 'just-added', reachable: false, healthy: false }));
  assert.equal(clusterMismatch(begin(), [], unstarted), undefined);
});

test('journals from before ids were recorded: cluster id only, or nothing to compare', () => {
  assert.equal(clusterMismatch(begin({ members: undefined }), [], cluster(4)), undefined);
  assert.ok(clusterMismatch(begin({ members: undefined }), [], other()));
  assert.equal(clusterMismatch(begin({ clusterId: undefined, members: undefined }), [], other()), undefined);
});

test('runBelongs: by ids when the cluster answers, else by local name or a shared endpoint', () => {
  const r = summary(begin());
  assert.equal(runBelongs(r, { cluster: 'ca', endpoints: ['http://127.0.0.1:9'], obs: cluster(3) }), true, 'ids win over names');
  assert.equal(runBelongs(r, { cluster: 'cb', endpoints: ['http://127.0.0.1:1'], obs: other() }), false, 'ids win over names');
  assert.equal(runBelongs(r, { cluster: 'cb', endpoints: [] }), true);
  assert.equal(runBelongs(r, { cluster: 'ca', endpoints: ['http://127.0.0.1:1'] }), false);
  const byEndpoints = summary(begin({ cluster: undefined, clusterId: undefined }));
  assert.equal(runBelongs(byEndpoints, { endpoints: ['http://127.0.0.1:1/'] }), true);
  assert.equal(runBelongs(byEndpoints, { endpoints: ['http://127.0.0.1:2'] }), false);
  assert.notEqual(clusterKey(r), clusterKey(summary(begin({ clusterId: 'c2' }))));
});

test('beforeFirstStep: no step begun yet', () => {
  const b = begin();
  assert.equal(beforeFirstStep(summary(b, [b, { type: 'lock', at: '', action: 'acquired', key: 'k' }])), true);
  assert.equal(beforeFirstStep(summary(b, [b, { type: 'step-begin', at: '', step: 'preflight', attempt: 1 }])), false);
});
