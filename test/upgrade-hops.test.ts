// Multi-hop on 5 members: 3.3.25 -> 3.4.23 -> 3.5.30 (pinned with --via), each hop ending with the
// cluster-version bump, under a light load; no lost writes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hasTestVersion } from './support/home.js';
import { runCliSubprocess } from './support/cli.js';
import { trackCluster } from './support/cluster.js';
import { upgradeTestCluster, journalRecords, type UpgradeTestCluster } from './upgrade-support.js';

const VERSIONS = ['3.3.25', '3.4.23', '3.5.30'];
const skip = !VERSIONS.every(hasTestVersion);
let tc: UpgradeTestCluster;

before(async () => {
  if (!skip) tc = await upgradeTestCluster('3.3.25', 5);
});
after(async () => tc?.stop());

test('5 members, two hops: 3.3.25 -> 3.4.23 -> 3.5.30', { skip, timeout: 420_000 }, async () => {
  const r = await runCliSubprocess(['upgrade', '--cluster', tc.cluster.name, '--to', '3.5.30', '--via', '3.4.23', '--yes', '--load', '30', '--soak', '0s', '--baseline', '1s', '-o', 'json'], tc.env, 400_000);
  trackCluster(await tc.reload());
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.result, 'succeeded');
  assert.deepEqual(rep.path, VERSIONS);
  assert.equal(rep.clusterVersion, '3.5.0');
  assert.equal(rep.members.length, 10, 'five members, twice');
  assert.equal(rep.verification.lostWrites, 0);
  assert.equal(rep.verification.ok, true, JSON.stringify(rep.verification));
  assert.ok((await tc.reload()).members.every((m) => m.version === '3.5.30'));
  // Each hop waited for its own bump: 3.4 after hop 1, 3.5 after hop 2.
  const bumps = journalRecords(tc.home, rep.runId)
    .filter((x) => x.type === 'step-end' && /wait-cluster-version$/.test(x.step ?? ''))
    .map((x) => (x.detail as { clusterVersion: string }).clusterVersion);
  assert.deepEqual(bumps, ['3.4.0', '3.5.0']);
});
