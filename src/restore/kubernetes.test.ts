import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideRevisionBump, keyOfKeyValue, BUMP_PER_WEEK, type BumpDecisionInput } from './kubernetes.js';
import { restoreExpectation, judgeRestore } from './plan.js';
import { UsageError } from '../core/errors.js';

const base: BumpDecisionInput = { asked: undefined, markCompacted: undefined, kubernetesKey: undefined, snapshotCreatedAt: '2026-01-01T00:00:00Z', now: new Date('2026-01-02T00:00:00Z'), toolCanBump: true, toolName: 'etcdutl 3.5.30' };

test('bump: off without Kubernetes keys, on by default with them (upstream N per week of age)', () => {
  assert.equal(decideRevisionBump(base).bump, null);
  const k = decideRevisionBump({ ...base, kubernetesKey: '/registry/pods/default/a' });
  assert.equal(k.bump?.amount, BUMP_PER_WEEK);
  assert.equal(k.bump?.markCompacted, true);
  assert.match(k.bump!.reason, /16028/);
  assert.match(k.notes[0]!, /--bump-revision 1000000000 --mark-compacted.*--no-bump-revision/);
  const old = decideRevisionBump({ ...base, kubernetesKey: '/registry/x', now: new Date('2026-01-20T00:00:00Z') });
  assert.equal(old.bump?.amount, 3 * BUMP_PER_WEEK, '19 days old: three weeks\' worth');
  assert.equal(decideRevisionBump({ ...base, kubernetesKey: '/registry/x', snapshotCreatedAt: null }).bump?.amount, BUMP_PER_WEEK);
});

test('bump: explicit flags win and are checked as etcdutl checks them', () => {
  assert.equal(decideRevisionBump({ ...base, asked: 500, markCompacted: true }).bump?.amount, 500);
  assert.equal(decideRevisionBump({ ...base, asked: false, kubernetesKey: '/registry/x' }).bump, null);
  assert.match(decideRevisionBump({ ...base, asked: false, kubernetesKey: '/registry/x' }).notes[0]!, /restart every kube-apiserver/);
  const usage = (i: Partial<BumpDecisionInput>, re: RegExp): void => assert.throws(() => decideRevisionBump({ ...base, ...i }), (e: unknown) => e instanceof UsageError && re.test(e.message));
  usage({ asked: 500 }, /needs --mark-compacted/);
  usage({ markCompacted: true }, /--mark-compacted needs --bump-revision/);
  usage({ asked: 0, markCompacted: true }, /not a positive whole number/);
  usage({ asked: 500, markCompacted: true, toolCanBump: false, toolName: 'etcdctl 3.4.23' }, /etcdctl 3.4.23 cannot bump/);
});

test('bump: a tool that cannot bump restores Kubernetes data without, and says what to do', () => {
  const r = decideRevisionBump({ ...base, kubernetesKey: '/registry/x', toolCanBump: false, toolName: 'etcdctl 3.4.23' });
  assert.equal(r.bump, null);
  assert.match(r.notes[0]!, /etcdctl 3.4.23 cannot bump.*WITHOUT/);
});

test('KeyValue key field read without a protobuf library', () => {
  const key = Buffer.from('/registry/pods/x');
  const kv = Buffer.concat([Buffer.from([0x0a, key.length]), key, Buffer.from([0x10, 0x05])]);
  assert.equal(keyOfKeyValue(kv)?.toString(), '/registry/pods/x');
  const long = Buffer.alloc(200, 0x61);
  assert.equal(keyOfKeyValue(Buffer.concat([Buffer.from([0x0a, 0xc8, 0x01]), long]))?.length, 200);
  assert.equal(keyOfKeyValue(Buffer.from([])), undefined, 'the bump marker entry has an empty value');
  assert.equal(keyOfKeyValue(Buffer.from([0x0a, 0x05, 0x61])), undefined, 'truncated');
});

test('expectation after a bump: revision + N, compacted there, no HashKV comparison with the source', () => {
  const exp = restoreExpectation(100, { hashKV: { hash: 1, compactRevision: 0 }, liveKeys: 7 }, 1000);
  assert.deepEqual(exp, { revision: 1100, hashKV: null, liveKeys: 7, compactRevision: 1100 });
  const m = { name: 'm1', revision: 1100, hash: 9, compactRevision: 1100, liveKeys: 7 };
  assert.ok(judgeRestore(exp, [m, { ...m, name: 'm2' }]).every((c) => c.ok));
  const bad = judgeRestore(exp, [{ ...m, compactRevision: 0 }]);
  assert.deepEqual(bad.filter((c) => !c.ok).map((c) => c.name), ['m1:compacted']);
  assert.equal(restoreExpectation(100, { hashKV: { hash: 1, compactRevision: 0 }, liveKeys: 7 }, undefined).hashKV?.hash, 1);
});
