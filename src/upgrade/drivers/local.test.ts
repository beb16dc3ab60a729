import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argsForVersion, freshArgs } from './local.js';

test('a member keeps its own command line on the same version', () => {
  const a = argsForVersion({ version: '3.4.23', args: ['--name=m1', '--logger=capnslog'] }, '3.4.23');
  assert.deepEqual(a, { args: ['--name=m1', '--logger=capnslog'], adjustments: [], unresolved: [] });
});

test('3.4 -> 3.5: --logger=capnslog becomes zap, the rest is kept as it was, and the change says why', () => {
  const args = ['--name=m1', '--data-dir=/d', '--logger=zap', '--log-outputs=stderr', '--logger=capnslog', '--snapshot-count=1000'];
  const a = argsForVersion({ version: '3.4.23', args }, '3.5.30');
  assert.deepEqual(a.args, ['--name=m1', '--data-dir=/d', '--logger=zap', '--log-outputs=stderr', '--logger=zap', '--snapshot-count=1000']);
  assert.equal(a.adjustments.length, 1);
  assert.equal(a.adjustments[0]!.from, '--logger=capnslog');
  assert.equal(a.adjustments[0]!.to, '--logger=zap');
  assert.match(a.adjustments[0]!.source, /\S/);
  assert.deepEqual(a.unresolved, []);
});

test('a flag no version defines stays unresolved (the run refuses before touching anything)', () => {
  const a = argsForVersion({ version: '3.4.23', args: ['--name=m1', '--no-such-flag=1'] }, '3.5.30');
  assert.deepEqual(a.unresolved, ['--no-such-flag=1']);
});

test('a fresh member joins the existing cluster with the membership MemberAdd returned; the token and the rest stay', () => {
  const args = ['--name=m1', '--initial-cluster=m1=http://a,m2=http://b', '--initial-cluster-state=new', '--initial-cluster-token=t', '--initial-cluster', 'x=y', '--data-dir=/d'];
  assert.deepEqual(freshArgs(args, 'm2=http://b,m1=http://a'), ['--name=m1', '--initial-cluster-token=t', '--data-dir=/d', '--initial-cluster=m2=http://b,m1=http://a', '--initial-cluster-state=existing']);
});
