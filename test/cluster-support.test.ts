/** The shared integration-test support itself: library-built test clusters and shell-script clusters. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startTestCluster } from './support/cluster.js';
import { startShellCluster } from './support/shell-cluster.js';
import { isAlive } from '../src/cluster/process.js';
import { httpRequest, isHealthyBody } from '../src/cluster/http.js';

test('startTestCluster: a healthy 1-member 3.5.30 cluster; stop() kills by PID, removes the home, and is idempotent', async () => {
  const tc = await startTestCluster({ version: '3.5.30' });
  try {
    assert.equal(tc.conn.endpoints.length, 1);
    const res = await httpRequest(`${tc.conn.endpoints[0]}/health`, { timeoutMs: 5000 });
    assert.ok(isHealthyBody(res.body), res.body);
  } finally {
    const pid = tc.cluster.members[0].pid!;
    await tc.stop();
    await tc.stop();
    assert.equal(isAlive(pid), false);
    assert.equal(existsSync(tc.home), false);
  }
});

test('startShellCluster: 3 members of 3.4.23 started by a plain shell script', async () => {
  const sc = await startShellCluster({ version: '3.4.23', members: 3 });
  const pids = sc.members.map((m) => m.pid);
  try {
    assert.equal(sc.endpoints.length, 3);
    for (const m of sc.members) {
      assert.ok(isAlive(m.pid));
      const res = await httpRequest(`${m.clientURL}/health`, { timeoutMs: 5000 });
      assert.ok(isHealthyBody(res.body), res.body);
    }
  } finally {
    await sc.stop();
    await sc.stop();
  }
  for (const p of pids) assert.equal(isAlive(p), false);
  assert.equal(existsSync(sc.root), false);
});
