/**
 * `upshift check consistency` on a real 3-member cluster, also while compactions race the check: 3.5.30,
 * and the newest 3.6 and 3.7 installed (input handling is checked on the first only).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from './support/cluster.js';
import { hasTestVersion, newestTestVersion } from './support/home.js';
import { runCliInProcess } from './support/cli.js';
import { resolveConnection } from '../src/client/connection.js';
import { EndpointClient } from '../src/client/endpoint.js';

interface Report {
  revision: number;
  consistent: boolean;
  members: { name: string; hash: number; hashRevision: number; compactRevision: number }[];
  attempts: number;
}

const base = hasTestVersion('3.5.30') ? '3.5.30' : '3.4.23';
for (const version of [base, newestTestVersion('3.6'), newestTestVersion('3.7')]) {
  const first = version === base;
  describe(`check consistency on 3 members of etcd ${version ?? '3.6/3.7 (not installed)'}`, { skip: !version && 'not installed' }, () => {
    let tc: TestCluster;
    let c: EndpointClient;
    before(async () => {
      tc = await startTestCluster({ version: version!, members: 3 });
      c = new EndpointClient(tc.cluster.members[0]!.clientURL, resolveConnection({ cluster: tc.cluster.name }, {}, tc.home));
      for (let i = 0; i < 100; i++) await c.transport.unary('KV', 'Put', { key: Buffer.from(`/c/${i % 30}`), value: Buffer.from(`v${i}`) }, { op: 'write' });
    });
    after(async () => {
      c?.close();
      await tc?.stop();
    });

    test('every member hashes equal at one common revision', async () => {
      const r = await runCliInProcess(['check', 'consistency', '--cluster', tc.cluster.name, '-o', 'json'], tc.testHome.env);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const j = JSON.parse(r.stdout) as Report;
      assert.equal(j.consistent, true);
      assert.deepEqual(j.members.map((m) => m.name).sort(), ['m1', 'm2', 'm3']);
      assert.equal(new Set(j.members.map((m) => m.hash)).size, 1);
      assert.ok(j.members.every((m) => m.hashRevision === j.revision));
    });

    test('one endpoint given: the other members are found through the member list', { skip: !first }, async () => {
      const r = await runCliInProcess(['check', 'consistency', '--endpoints', tc.cluster.members[1]!.clientURL, '-o', 'json'], tc.testHome.env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as Report).members.length, 3);
    });

    test('consistent while writes and compactions race the check (retries are reads)', async () => {
      let stop = false;
      let n = 0;
      const loop = (async () => {
        while (!stop) {
          const res = await c.transport.unary<{ header: { revision: string } }>('KV', 'Put', { key: Buffer.from(`/race/${n % 10}`), value: Buffer.from(String(n)) }, { op: 'write' });
          if (++n % 40 === 0) await c.transport.unary('KV', 'Compact', { revision: String(Number(res.header.revision) - 20) }, { op: 'write' });
        }
      })();
      try {
        for (let i = 0; i < 3; i++) {
          const r = await runCliInProcess(['check', 'consistency', '--cluster', tc.cluster.name, '--retries', '10', '-o', 'json'], tc.testHome.env);
          assert.equal(r.code, 0, r.stdout + r.stderr);
          assert.equal((JSON.parse(r.stdout) as Report).consistent, true);
        }
      } finally {
        stop = true;
        await loop;
      }
    });

    test('bad --revision is a usage error', { skip: !first }, async () => {
      const r = await runCliInProcess(['check', 'consistency', '--cluster', tc.cluster.name, '--revision', 'abc'], tc.testHome.env);
      assert.equal(r.code, 2);
    });
  });
}
