/**
 * The member-level library that upgrade/rollback/restore build on: stop one member by PID and start it
 * again with another version (3.5.16 -> 3.5.30); start-up failures report the log tail; a port taken
 * between pick and bind makes `clusterUp` pick again.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { startTestCluster, trackCluster, etcdProcessesUnder, type TestCluster } from './support/cluster.js';
import { makeTestHome } from './support/home.js';
import { runCliInProcess } from './support/cli.js';
import { startMember, stopMember, memberRunState, loadCluster, clusterUp, clusterDown, waitClusterHealthy } from '../src/cluster/local.js';
import { allocateFreePorts } from '../src/cluster/ports.js';
import { httpRequest } from '../src/cluster/http.js';
import { isAlive } from '../src/cluster/process.js';
import { UpshiftError } from '../src/core/errors.js';
import type { ClusterView } from '../src/cluster/view.js';

let tc: TestCluster;
before(async () => {
  tc = await startTestCluster({ version: '3.5.16', members: 3 });
});
after(async () => {
  await tc?.stop();
  assert.deepEqual(tc ? etcdProcessesUnder(tc.home) : [], []);
});

async function serverVersion(clientURL: string): Promise<string> {
  const r = await httpRequest(`${clientURL}/version`, { timeoutMs: 5000 });
  return (JSON.parse(r.body) as { etcdserver: string }).etcdserver;
}

test('stop one member by PID, start it with 3.5.30; the cluster stays healthy and records the new version', async () => {
  const c = tc.cluster;
  const m2 = c.members[1];
  const oldPid = m2.pid!;
  const stopped = await stopMember(c, 'm2', { signal: 'SIGTERM', timeoutMs: 20_000 });
  assert.equal(stopped.wasRunning, true);
  assert.equal(stopped.pid, oldPid);
  assert.equal(isAlive(oldPid), false);
  assert.equal(memberRunState(m2), 'stopped');
  assert.equal((await loadCluster(tc.home, c.name)).members[1].pid, undefined, 'cluster.json lost the PID');

  const started = await startMember(tc.home, c, 'm2', { version: '3.5.30', wait: 'healthy', timeoutMs: 60_000 });
  trackCluster(c);
  assert.equal(started.version, '3.5.30');
  assert.notEqual(started.pid, oldPid);
  assert.equal(await serverVersion(m2.clientURL), '3.5.30');
  assert.equal(await serverVersion(c.members[0].clientURL), '3.5.16');
  const saved = await loadCluster(tc.home, c.name);
  assert.equal(saved.members[1].version, '3.5.30');
  assert.equal(saved.members[1].pid, started.pid);
  await waitClusterHealthy(c, 30_000);

  const ls = JSON.parse((await runCliInProcess(['cluster', 'ls', '-o', 'json'], tc.testHome.env)).stdout) as { clusters: ClusterView[] };
  assert.deepEqual(ls.clusters[0].members.map((m) => `${m.name}:${m.version}:${m.state}`), ['m1:3.5.16:running', 'm2:3.5.30:running', 'm3:3.5.16:running']);
});

test('SIGKILL a member and restart it with its stored args; starting a running member is refused', async () => {
  const c = tc.cluster;
  const r = await stopMember(c, 'm3', { signal: 'SIGKILL', timeoutMs: 10_000 });
  assert.equal(r.signal, 'SIGKILL');
  await startMember(tc.home, c, 'm3', { timeoutMs: 60_000 });
  trackCluster(c);
  assert.equal(memberRunState(c.members[2]), 'running');
  await assert.rejects(startMember(tc.home, c, 'm3'), (e: unknown) => e instanceof UpshiftError && e.code === 'member-running' && e.exitCode === 2);
  await assert.rejects(startMember(tc.home, c, 'nope'), (e: unknown) => e instanceof UpshiftError && e.code === 'member-not-found');
});

test('a member that cannot start reports the log tail (unknown flag -> etcd exits 2)', async () => {
  const c = tc.cluster;
  const m1 = c.members[0];
  await stopMember(c, 'm1', { timeoutMs: 20_000 });
  await assert.rejects(
    startMember(tc.home, c, 'm1', { args: [...m1.args, '--no-such-flag=1'], timeoutMs: 30_000 }),
    (e: unknown) => e instanceof UpshiftError && e.code === 'member-start-failed' && /flag provided but not defined/.test(e.message) && e.exitCode === 3,
  );
  assert.equal(m1.pid, undefined);
  // The failed configuration was not kept: a plain restart uses the last one that worked.
  assert.ok(!m1.args.includes('--no-such-flag=1'));
  assert.ok(!(await loadCluster(tc.home, c.name)).members[0].args.includes('--no-such-flag=1'));
  await startMember(tc.home, c, 'm1', { timeoutMs: 60_000 });
  trackCluster(c);
  await waitClusterHealthy(c, 30_000);
});

test('clusterUp picks new ports when one is taken before etcd binds it', async () => {
  const th = makeTestHome();
  const squatter: Server = createServer();
  await new Promise<void>((r) => squatter.listen({ port: 0, host: '127.0.0.1' }, () => r()));
  const taken = (squatter.address() as { port: number }).port;
  let calls = 0;
  try {
    const lines: string[] = [];
    const c = await clusterUp(th.home, {
      name: 'clash',
      version: '3.5.30',
      members: 1,
      progress: (l) => lines.push(l),
      allocatePorts: async (n, host) => {
        calls++;
        const free = await allocateFreePorts(n, host);
        return calls === 1 ? [taken, ...free.slice(1)] : free;
      },
    });
    trackCluster(c);
    assert.equal(calls, 2);
    assert.ok(lines.some((l) => /picking new ports/.test(l)), lines.join('\n'));
    assert.notEqual(c.members[0].spec.clientPort, taken);
    await clusterDown(th.home, 'clash', { purge: true });
    assert.deepEqual(etcdProcessesUnder(th.home), []);
  } finally {
    squatter.close();
    th.cleanup();
  }
});

test('clusterUp with prepareDataDirs boots a 3-member cluster from `etcdutl snapshot restore` output (restore path)', async () => {
  const { execFileSync } = await import('node:child_process');
  const { join } = await import('node:path');
  const { testBinDir } = await import('./support/home.js');
  const src = await startTestCluster({ version: '3.5.30', members: 1 });
  const th = makeTestHome();
  try {
    const bin = join(testBinDir(), '3.5.30');
    const ctl = (args: string[]): string =>
      execFileSync(join(bin, 'etcdctl'), [`--endpoints=${src.conn.endpoints[0]}`, ...args], { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' }, timeout: 30_000 });
    ctl(['put', 'restored-key', 'restored-value']);
    const snap = join(th.home, 'snap.db');
    ctl(['snapshot', 'save', snap]);
    const c = await clusterUp(th.home, {
      name: 'restored',
      version: '3.5.30',
      members: 3,
      prepareDataDirs: async (cl) => {
        for (const m of cl.members) {
          execFileSync(
            join(bin, 'etcdutl'),
            ['snapshot', 'restore', snap, `--name=${m.name}`, `--initial-cluster=${m.spec.initialCluster}`, `--initial-cluster-token=${m.spec.initialClusterToken}`, `--initial-advertise-peer-urls=${m.peerURL}`, `--data-dir=${m.dataDir}`],
            { stdio: 'ignore', timeout: 30_000 },
          );
        }
      },
    });
    trackCluster(c);
    const got = execFileSync(join(bin, 'etcdctl'), [`--endpoints=${c.members[2].clientURL}`, 'get', 'restored-key', '--print-value-only'], { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' }, timeout: 30_000 });
    assert.equal(got.trim(), 'restored-value');
    await clusterDown(th.home, 'restored', { purge: true });
  } finally {
    await src.stop();
    th.cleanup();
  }
  assert.deepEqual(etcdProcessesUnder(th.home), []);
});

test('a 3.3.25 member restarted with 3.4.23 gets 3.4 flags (regenerated from its spec) and keeps its data', async () => {
  const { argValue } = await import('../src/cluster/args.js');
  const one = await startTestCluster({ version: '3.3.25', members: 1 });
  try {
    const c = one.cluster;
    const m = c.members[0];
    assert.equal(argValue(m.args, 'logger'), undefined);
    const put = await httpRequest(`${m.clientURL}/v3beta/kv/put`, { method: 'POST', body: { key: Buffer.from('k').toString('base64'), value: Buffer.from('v33').toString('base64') }, timeoutMs: 5000 });
    assert.equal(put.status, 200, put.body);
    await stopMember(c, 'm1', { timeoutMs: 20_000 });
    await startMember(one.home, c, 'm1', { version: '3.4.23', timeoutMs: 60_000 });
    trackCluster(c);
    assert.equal(argValue(m.args, 'logger'), 'zap');
    assert.equal(await serverVersion(m.clientURL), '3.4.23');
    const get = await httpRequest(`${m.clientURL}/v3/kv/range`, { method: 'POST', body: { key: Buffer.from('k').toString('base64') }, timeoutMs: 5000 });
    const kv = (JSON.parse(get.body) as { kvs: { value: string }[] }).kvs[0];
    assert.equal(Buffer.from(kv.value, 'base64').toString(), 'v33');
  } finally {
    await one.stop();
  }
});
