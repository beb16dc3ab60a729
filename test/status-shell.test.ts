/**
 * `upshift status` and the maintenance client against a 3-member 3.5.30 cluster started by a plain shell
 * script (test/support/shell-cluster.sh), i.e. a cluster upshift did not create: one endpoint is enough to see
 * every member; MoveLeader sent to the leader hands leadership over and status shows it.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startShellCluster, type ShellCluster } from './support/shell-cluster.js';
import { runCliInProcess } from './support/cli.js';
import { resolveConnection } from '../src/client/connection.js';
import { EndpointClient } from '../src/client/endpoint.js';
import { EtcdError, isSafeToRetry } from '../src/client/errors.js';
import { clusterStatus, statusProbe } from '../src/status/index.js';
import type { StatusResult } from '../src/status/model.js';

describe('status on a shell-started 3.5.30 cluster', () => {
  let sc: ShellCluster;
  before(async () => {
    sc = await startShellCluster({ version: '3.5.30', members: 3 });
  });
  after(async () => {
    await sc?.stop();
  });

  test('one endpoint, env var only: all three members, healthy, exit 0', async () => {
    const r = await runCliInProcess(['status', '-o', 'json'], { PATH: process.env.PATH, ETCDCTL_ENDPOINTS: sc.endpoints[2] });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const s = JSON.parse(r.stdout) as StatusResult;
    assert.equal(s.healthy, true);
    assert.deepEqual(s.members.map((m) => m.name).sort(), ['s1', 's2', 's3']);
    assert.equal(s.clusterVersion, '3.5.0');
    assert.ok(s.members.every((m) => m.version === '3.5.30' && m.healthy));
  });

  test('a learner added but not started: listed (no name, no client URL) as unhealthy, learner-present, exit 1', async () => {
    const { allocateFreePorts } = await import('../src/cluster/ports.js');
    const [peer] = await allocateFreePorts(1);
    const config = resolveConnection({ endpoints: sc.endpoints[0] }, {}, '/nonexistent');
    const c = new EndpointClient(sc.endpoints[0]!, config);
    try {
      // etcd refuses member changes until peers have been connected for 5 s ("unhealthy cluster", definite): an
      // explicit retry, allowed only because the error says the request was not applied.
      let added: Awaited<ReturnType<EndpointClient['memberAdd']>> | undefined;
      for (let i = 0; !added; i++) {
        added = await c.memberAdd([`http://127.0.0.1:${peer}`], { isLearner: true }).catch(async (e: unknown) => {
          if (i > 30 || !isSafeToRetry(e, 'write')) throw e;
          await new Promise((r) => setTimeout(r, 500));
          return undefined;
        });
      }
      assert.equal(added.member.isLearner, true);
      try {
        const r = await runCliInProcess(['status', '--endpoints', sc.endpoints[0]!, '-o', 'json'], { PATH: process.env.PATH });
        assert.equal(r.code, 1, r.stderr);
        const s = JSON.parse(r.stdout) as StatusResult;
        const l = s.members.find((m) => m.id === added.member.id)!;
        assert.equal(l.isLearner, true);
        assert.equal(l.name, '');
        assert.equal(l.healthy, false);
        assert.match(l.errors.join(' '), /not started/);
        const codes = s.findings.map((f) => f.code);
        assert.ok(codes.includes('learner-present') && codes.includes('member-unhealthy'), codes.join(','));
        assert.ok(!codes.includes('quorum-at-risk'), 'a learner does not count towards quorum');
      } finally {
        await c.memberRemove(added.member.id);
      }
    } finally {
      c.close();
    }
  });

  test('MoveLeader to a follower (sent to the leader); a non-leader refuses with a definite error', async () => {
    const config = resolveConnection({ endpoints: sc.endpoints.join(',') }, {}, '/nonexistent');
    const before = await clusterStatus(config, { metrics: false });
    const leader = before.members.find((m) => m.isLeader)!;
    const follower = before.members.find((m) => !m.isLeader)!;
    const other = before.members.find((m) => !m.isLeader && m !== follower)!;
    const viaFollower = new EndpointClient(other.endpoint!, config);
    const viaLeader = new EndpointClient(leader.endpoint!, config);
    try {
      await assert.rejects(viaFollower.moveLeader(follower.id), (e: unknown) => e instanceof EtcdError && e.code === 'etcd-not-leader' && e.outcome === 'definite');
      await viaLeader.moveLeader(follower.id, { timeoutMs: 15_000 });
    } finally {
      viaFollower.close();
      viaLeader.close();
    }
    // A probe keeps its connections between checks (what the upgrade gates poll with).
    const probe = statusProbe(config);
    try {
      const after = await probe.check({ metrics: false });
      assert.equal(after.leader, follower.id);
      assert.equal(after.healthy, true);
      assert.equal((await probe.check()).leader, follower.id);
    } finally {
      probe.close();
    }
  });
});
