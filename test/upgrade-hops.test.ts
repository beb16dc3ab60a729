// Multi-hop rolling upgrades under a light load, each hop ending with the cluster-version bump, no lost writes:
// - 5 members: 3.3.25 -> 3.4.23 -> 3.5.30 (pinned with --via);
// - 3 members: the upgrade users face today, 3.5.30 -> newest 3.5 (a patch hop across the 3.5.32 floor before
//   3.6) -> newest 3.6 -> newest 3.7 (the newest installed, built from Go modules by scripts/test.sh), pinned
//   with --via so a newer release in the knowledge base does not change the path; the storage version follows.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hasTestVersion, newestTestVersion } from './support/home.js';
import { runCliInProcess, runCliSubprocess } from './support/cli.js';
import { trackCluster } from './support/cluster.js';
import { upgradeTestCluster, journalRecords, type UpgradeTestCluster } from './upgrade-support.js';
import type { StatusResult } from '../src/status/model.js';

/** The cluster versions the run's wait-cluster-version steps saw, in order. */
function bumps(tc: UpgradeTestCluster, runId: string): string[] {
  return journalRecords(tc.home, runId)
    .filter((x) => x.type === 'step-end' && /wait-cluster-version$/.test(x.step ?? ''))
    .map((x) => (x.detail as { clusterVersion: string }).clusterVersion);
}

describe('5 members, 3.3 -> 3.5', () => {
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
    assert.deepEqual(bumps(tc, rep.runId), ['3.4.0', '3.5.0']);
  });
});

describe('3 members, 3.5.30 -> newest 3.5 -> newest 3.6 -> newest 3.7', () => {
  const [n35, n36, n37] = [newestTestVersion('3.5'), newestTestVersion('3.6'), newestTestVersion('3.7')];
  const path = ['3.5.30', n35, n36, n37];
  const skip = !path.every((v) => v && hasTestVersion(v)) || n35 === '3.5.30' ? `needs 3.5.30, a newer 3.5, a 3.6 and a 3.7 installed (have ${path.join(', ')})` : false;
  let tc: UpgradeTestCluster;
  before(async () => {
    if (!skip) tc = await upgradeTestCluster('3.5.30', 3);
  });
  after(async () => tc?.stop());

  test(`three hops under load: ${path.join(' -> ')}; cluster and storage versions follow`, { skip, timeout: 600_000 }, async () => {
    const r = await runCliSubprocess(['upgrade', '--cluster', tc.cluster.name, '--to', n37!, '--via', n35!, '--via', n36!, '--yes', '--load', '30', '--soak', '0s', '--baseline', '1s', '-o', 'json'], tc.env, 580_000);
    trackCluster(await tc.reload());
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.result, 'succeeded');
    assert.deepEqual(rep.path, path);
    assert.equal(rep.clusterVersion, '3.7.0');
    assert.equal(rep.members.length, 9, 'three members, three times');
    assert.equal(rep.verification.lostWrites, 0);
    assert.equal(rep.verification.consistent, true);
    assert.equal(rep.verification.ok, true, JSON.stringify(rep.verification));
    // The patch hop keeps 3.5; the minor hops raise it.
    assert.deepEqual(bumps(tc, rep.runId), ['3.5.0', '3.6.0', '3.7.0']);
    assert.ok((await tc.reload()).members.every((m) => m.version === n37));
    // The storage version (3.6+) follows the cluster version shortly after the bump (etcd updates it in the
    // backend on its own schedule): wait for it with a deadline.
    const until = Date.now() + 60_000;
    let s: StatusResult;
    for (;;) {
      const st = await runCliInProcess(['status', '--cluster', tc.cluster.name, '-o', 'json'], tc.env);
      s = JSON.parse(st.stdout) as StatusResult;
      if (s.members.every((m) => m.storageVersion === '3.7.0')) break;
      assert.ok(Date.now() < until, `storage version did not reach 3.7.0: ${JSON.stringify(s.members.map((m) => m.storageVersion))}`);
      await new Promise((res) => setTimeout(res, 500));
    }
    assert.equal(s.clusterVersion, '3.7.0');
    assert.ok(s.healthy);
  });
});
