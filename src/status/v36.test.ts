import { test } from 'node:test';
import assert from 'node:assert/strict';
import { v36Findings } from './v36.js';
import type { MemberStatus } from './model.js';

const row = (name: string, version: string, extra: Partial<MemberStatus> = {}): MemberStatus => ({
  id: name, name, endpoint: null, clientURLs: [], peerURLs: [], isLearner: false, version, storageVersion: version.startsWith('3.5') ? null : `${version.split('.').slice(0, 2).join('.')}.0`,
  isLeader: false, raftTerm: 1, raftIndex: 1, raftAppliedIndex: 1, dbSize: 1, dbSizeInUse: 1, dbSizeQuota: null, downgradeInfo: null, featureGates: null, healthy: true, errors: [], ...extra,
});

test('storage version lagging or ahead of the cluster version', () => {
  const f = v36Findings([row('m1', '3.7.4', { storageVersion: '3.6.0' }), row('m2', '3.7.4'), row('m3', '3.7.4')], '3.7.0');
  assert.deepEqual(f.map((x) => [x.code, x.members]), [['storage-version-mismatch', ['m1']]]);
  assert.match(f[0]!.message, /lags the cluster version 3\.7\.0/);
  assert.deepEqual(v36Findings([row('m1', '3.6.17')], '3.6.0'), []);
});

test('a downgrade in progress names the members still on the newer binary; a 3.5 member reports none', () => {
  const dg = { enabled: true, targetVersion: '3.5.0' };
  const f = v36Findings([row('m1', '3.5.36'), row('m2', '3.6.17', { storageVersion: '3.5.0', downgradeInfo: dg }), row('m3', '3.6.17', { storageVersion: '3.5.0', downgradeInfo: dg })], '3.5.0');
  assert.deepEqual(f.map((x) => x.code), ['downgrade-in-progress']);
  assert.deepEqual(f[0]!.members, ['m2', 'm3']);
  assert.match(f[0]!.message, /downgrade cancel/);
});

test('feature gates away from their defaults; deprecated settings in effect', () => {
  const gates = [
    { name: 'InitialCorruptCheck', stage: 'ALPHA', enabled: true },
    { name: 'TxnModeWriteWithSharedBuffer', stage: 'BETA', enabled: true },
    { name: 'CompactHashCheck', stage: 'ALPHA', enabled: false },
  ];
  const f = v36Findings([row('m1', '3.6.17', { featureGates: gates }), row('m2', '3.6.17', { featureGates: gates })], '3.6.0', {
    m1: [{ name: 'experimental-corrupt-check-time', value: '5m', origin: 'cli', file: 'x', raw: '--experimental-corrupt-check-time' }],
  });
  assert.deepEqual(f.map((x) => [x.severity, x.code]), [['info', 'feature-gates'], ['warning', 'deprecated-flags']]);
  assert.match(f[0]!.message, /InitialCorruptCheck=true \(every member\)/);
  assert.doesNotMatch(f[0]!.message, /TxnMode/);
  assert.match(f[1]!.message, /--experimental-corrupt-check-time \(use --corrupt-check-time\), removed in 3\.7/);
});
