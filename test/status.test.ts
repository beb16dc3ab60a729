/**
 * `upshift status` against real etcd: a 3-member 3.4.23 cluster (all members from one endpoint,
 * --endpoints-only, a member restarted on 3.5.30 -> mixed-version, a stopped member -> exit 1), and a
 * 1-member 3.3.25 cluster (v2-era server: fields it does not report are null), a 1-member 3.5.30 cluster
 * with a tiny quota driven into a NOSPACE alarm, and 1-member clusters of the newest 3.6 and 3.7 installed
 * (storage version reported).
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, trackCluster, etcdProcessesUnder, type TestCluster } from './support/cluster.js';
import { runCliInProcess } from './support/cli.js';
import { newestTestVersion } from './support/home.js';
import { startMember, stopMember } from '../src/cluster/local.js';
import type { StatusResult } from '../src/status/model.js';

function parse(stdout: string): StatusResult {
  return JSON.parse(stdout) as StatusResult;
}

describe('status on a 3-member 3.4.23 cluster', () => {
  let tc: TestCluster;
  before(async () => {
    tc = await startTestCluster({ version: '3.4.23', members: 3 });
  });
  after(async () => {
    await tc?.stop();
    assert.deepEqual(tc ? etcdProcessesUnder(tc.home) : [], []);
  });

  test('--cluster -o json: every member, leader, cluster version, healthy, exit 0', async () => {
    const r = await runCliInProcess(['status', '--cluster', tc.cluster.name, '-o', 'json'], tc.testHome.env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const s = parse(r.stdout);
    assert.equal(s.healthy, true);
    assert.equal(s.clusterVersion, '3.4.0');
    assert.match(s.clusterId ?? '', /^[0-9a-f]+$/);
    assert.equal(s.members.length, 3);
    assert.deepEqual(s.members.map((m) => m.name).sort(), ['m1', 'm2', 'm3']);
    assert.equal(s.members.filter((m) => m.isLeader).length, 1);
    assert.equal(s.members.find((m) => m.isLeader)!.id, s.leader);
    for (const m of s.members) {
      assert.equal(m.version, '3.4.23');
      assert.equal(m.storageVersion, null, '3.4 reports no storage version');
      assert.equal(m.healthy, true);
      assert.deepEqual(m.errors, []);
      assert.ok(m.raftTerm! >= 2 && m.raftIndex! > 0 && m.raftAppliedIndex! > 0);
      assert.ok(m.dbSize! > 0 && m.dbSizeInUse! > 0);
      assert.equal(m.dbSizeQuota, 2 * 1024 ** 3, 'quota from the etcd_server_quota_backend_bytes metric');
      assert.equal(m.clientURLs.length, 1);
      assert.equal(m.peerURLs.length, 1);
      assert.equal(m.isLearner, false);
    }
    assert.deepEqual(s.alarms, []);
    assert.ok(!s.findings.some((f) => f.severity === 'blocker'), JSON.stringify(s.findings));
    // Only one JSON document on stdout.
    assert.doesNotThrow(() => JSON.parse(r.stdout));
  });

  test('one endpoint shows all members; --endpoints-only shows just that one; table output', async () => {
    const one = tc.cluster.members[1]!.clientURL;
    const all = await runCliInProcess(['status', '--endpoints', one, '-o', 'json'], tc.testHome.env);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(parse(all.stdout).members.length, 3);
    const only = await runCliInProcess(['status', '--endpoints', one, '--endpoints-only', '-o', 'json'], tc.testHome.env);
    assert.equal(only.code, 0, only.stderr);
    const s = parse(only.stdout);
    assert.equal(s.members.length, 1);
    assert.equal(s.members[0]!.name, 'm2', 'name filled from the member list');
    const table = await runCliInProcess(['status', '--endpoints', one], { ...tc.testHome.env, NO_COLOR: '1' });
    assert.equal(table.code, 0);
    assert.match(table.stdout, /^cluster [0-9a-f]+ {2}version 3\.4\.0 {2}leader m\d \([0-9a-f]+\) {2}healthy/);
    for (const name of ['m1', 'm2', 'm3']) assert.match(table.stdout, new RegExp(`│ ${name} `));
    assert.match(table.stdout, /NAME.*ID.*ENDPOINT.*VERSION.*STORAGE.*DB SIZE \/ IN USE.*LEADER.*LEARNER.*TERM.*INDEX.*APPLIED.*HEALTH/);
  });

  test('a member restarted on 3.5.30: mixed-version finding, cluster version stays 3.4.0, still healthy', async () => {
    await stopMember(tc.cluster, 'm3', { signal: 'SIGTERM', timeoutMs: 20_000 });
    await startMember(tc.home, tc.cluster, 'm3', { version: '3.5.30', wait: 'healthy', timeoutMs: 60_000 });
    trackCluster(tc.cluster);
    const r = await runCliInProcess(['status', '--cluster', tc.cluster.name, '-o', 'json'], tc.testHome.env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const s = parse(r.stdout);
    assert.equal(s.healthy, true);
    assert.equal(s.clusterVersion, '3.4.0');
    assert.equal(s.members.find((m) => m.name === 'm3')!.version, '3.5.30');
    const mixed = s.findings.find((f) => f.code === 'mixed-version');
    assert.ok(mixed, JSON.stringify(s.findings));
    assert.equal(mixed.severity, 'warning');
    assert.match(mixed.message, /lowest \(3\.4\)/);
    assert.ok(mixed.source);
  });

  test('a stopped member: listed unhealthy with its error, the rest reported, exit 1', async () => {
    await stopMember(tc.cluster, 'm2', { signal: 'SIGKILL', timeoutMs: 10_000 });
    // If m2 led, the others elect a new leader first (election timeout 1 s); status during the election would
    // truthfully say "no leader".
    const { resolveConnection } = await import('../src/client/connection.js');
    const { statusProbe } = await import('../src/status/index.js');
    const probe = statusProbe(resolveConnection({ cluster: tc.cluster.name }, {}, tc.home));
    try {
      // Until the two others are healthy (a new leader if m2 led), within a deadline: an election on a loaded
      // machine can take longer than any fixed number of polls.
      const until = Date.now() + 60_000;
      while ((await probe.check({ metrics: false })).members.filter((m) => m.healthy).length < 2) {
        assert.ok(Date.now() < until, 'm1 and m3 not healthy within 60 s of stopping m2');
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      probe.close();
    }
    // No wall-clock bound here: the per-call deadlines keep a down member from stalling status, and a stall
    // would hit the test's own timeout (speed is measured in bench/, not asserted under a loaded machine).
    const r = await runCliInProcess(['status', '--cluster', tc.cluster.name, '-o', 'json'], tc.testHome.env);
    assert.equal(r.code, 1, r.stderr);
    const s = parse(r.stdout);
    assert.equal(s.healthy, false);
    assert.equal(s.members.length, 3);
    const m2 = s.members.find((m) => m.name === 'm2')!;
    assert.equal(m2.healthy, false);
    assert.match(m2.errors.join(' '), /ECONNREFUSED|cannot reach/);
    assert.equal(m2.version, null);
    for (const m of s.members.filter((x) => x.name !== 'm2')) assert.equal(m.healthy, true, `${m.name}: ${m.errors.join('; ')}`);
    const codes = s.findings.map((f) => f.code);
    assert.ok(codes.includes('member-unhealthy'));
    assert.ok(codes.includes('quorum-at-risk'));
    // The table says the same, and still exits 1.
    const t = await runCliInProcess(['status', '--cluster', tc.cluster.name], { ...tc.testHome.env, NO_COLOR: '1' });
    assert.equal(t.code, 1);
    assert.match(t.stdout, /NOT HEALTHY/);
    assert.match(t.stdout, /m2: .*(ECONNREFUSED|cannot reach)/);
    assert.match(t.stdout, /BLOCKER member-unhealthy/);
  });
});

describe('status on a 1-member 3.3.25 cluster', () => {
  let tc: TestCluster;
  before(async () => {
    tc = await startTestCluster({ version: '3.3.25', members: 1 });
  });
  after(async () => {
    await tc?.stop();
  });

  test('fields 3.3 does not report are null; cluster version from /version', async () => {
    const r = await runCliInProcess(['status', '--cluster', tc.cluster.name, '-o', 'json'], tc.testHome.env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const s = parse(r.stdout);
    assert.equal(s.healthy, true);
    assert.equal(s.clusterVersion, '3.3.0');
    const m = s.members[0]!;
    assert.equal(m.version, '3.3.25');
    assert.equal(m.raftAppliedIndex, null);
    assert.equal(m.dbSizeInUse, null);
    assert.equal(m.storageVersion, null);
    assert.ok(m.dbSize! > 0);
    assert.equal(m.isLeader, true);
    assert.ok(s.findings.some((f) => f.code === 'version-eol'), JSON.stringify(s.findings));
  });
});

for (const version of [newestTestVersion('3.6'), newestTestVersion('3.7')]) {
  describe(`status on a 1-member ${version ?? '3.6/3.7 (not installed)'} cluster`, { skip: !version && 'not installed' }, () => {
    let tc: TestCluster;
    const minor = version?.split('.').slice(0, 2).join('.');
    before(async () => {
      tc = await startTestCluster({ version: version!, members: 1 });
    });
    after(async () => {
      await tc?.stop();
    });

    test('server, cluster and storage versions; no blocker; the table shows the storage version', async () => {
      const r = await runCliInProcess(['status', '--cluster', tc.cluster.name, '-o', 'json'], tc.testHome.env);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const s = parse(r.stdout);
      assert.equal(s.healthy, true);
      assert.equal(s.clusterVersion, `${minor}.0`);
      const m = s.members[0]!;
      assert.equal(m.version, version);
      // 3.6+ members report the storage (data dir) version in Status (etcd@v3.6.14:api/etcdserverpb/rpc.proto storageVersion).
      assert.equal(m.storageVersion, `${minor}.0`);
      assert.ok(m.raftAppliedIndex! > 0 && m.dbSizeInUse! > 0);
      assert.deepEqual(s.findings.filter((f) => f.severity === 'blocker'), [], JSON.stringify(s.findings));
      const t = await runCliInProcess(['status', '--cluster', tc.cluster.name], { ...tc.testHome.env, NO_COLOR: '1' });
      assert.match(t.stdout, new RegExp(`${version!.replace(/\./g, '\\.')}\\s+│\\s+${minor!.replace('.', '\\.')}\\.0`));
    });
  });
}

describe('status on a 1-member 3.5.30 cluster that runs out of space', () => {
  let tc: TestCluster;
  before(async () => {
    // A backend commit interval of 2 s (default 100 ms) makes "a fixed number of puts exceeds the quota" false on
    // any machine (measured: 40 puts of 32 KiB in 0.7 s, all accepted), so the fill below must wait for NOSPACE.
    tc = await startTestCluster({ version: '3.5.30', members: 1, extraArgs: ['--quota-backend-bytes=262144', '--backend-batch-interval=2s'] });
  });
  after(async () => {
    await tc?.stop();
  });

  test('NOSPACE alarm and db-near-quota are blockers, exit 1; disarmed, healthy again', async () => {
    const { resolveConnection } = await import('../src/client/connection.js');
    const { EtcdClient } = await import('../src/client/kv.js');
    const { EndpointClient } = await import('../src/client/endpoint.js');
    const config = resolveConnection({ cluster: tc.cluster.name }, {}, tc.home);
    const c = new EtcdClient(config);
    const e = new EndpointClient(config.endpoints[0]!, config);
    try {
      // Fill until etcd says NOSPACE, within a deadline — never a fixed number of puts: etcd checks the quota
      // against the backend's size (etcd@v3.5.30:server/etcdserver/quota.go, Backend().Size()), which grows only
      // when the backend commits (every 100 ms: server/mvcc/backend/backend.go defaultBatchInterval), so any
      // number of fast puts can land before it does.
      let noSpace: unknown;
      const until = Date.now() + 60_000;
      for (let i = 0; !noSpace; i++) {
        assert.ok(Date.now() < until, `no NOSPACE after ${i} puts of 32 KiB into a 256 KiB quota within 60 s`);
        await c.put(`/fill/${i}`, Buffer.alloc(32 * 1024, i % 251)).catch((err: unknown) => (noSpace = err));
      }
      assert.equal((noSpace as { code?: string } | undefined)?.code, 'etcd-no-space', String(noSpace));
      const r = await runCliInProcess(['status', '--cluster', tc.cluster.name, '-o', 'json'], tc.testHome.env);
      assert.equal(r.code, 1, r.stderr);
      const st = parse(r.stdout);
      assert.equal(st.healthy, false);
      assert.deepEqual(st.alarms.map((a) => [a.alarm, a.memberName]), [['NOSPACE', 'm1']]);
      assert.equal(st.members[0]!.dbSizeQuota, 262144);
      const codes = st.findings.map((f) => `${f.severity}:${f.code}`);
      assert.ok(codes.includes('blocker:alarm-nospace'), codes.join(','));
      assert.ok(codes.includes('blocker:db-near-quota'), codes.join(','));
      assert.ok(st.members[0]!.errors.some((x) => /NOSPACE/.test(x)), 'Status.errors carries the alarm');
      // Make room and disarm (what the finding tells the user to do).
      const del = await c.deleteRange('/fill/', { prefix: true });
      await c.compact(del.header.revision, { physical: true });
      await e.defragment();
      await e.alarmDisarm(st.members[0]!.id, 'NOSPACE');
      const again = await runCliInProcess(['status', '--cluster', tc.cluster.name, '-o', 'json'], tc.testHome.env);
      assert.equal(again.code, 0, again.stdout);
      assert.deepEqual(parse(again.stdout).alarms, []);
    } finally {
      c.close();
      e.close();
    }
  });
});

describe('status: bad input and unreachable endpoints', () => {
  test('bad flags exit 2 naming the flag', async () => {
    for (const [args, re] of [
      [['--endpoints', 'ftp://127.0.0.1:1'], /--endpoints/],
      [['--endpoints', 'http://127.0.0.1:1,https://127.0.0.1:2'], /mix http and https/],
      [['--dial-timeout', 'soon'], /--dial-timeout/],
      [['--endpoints', 'https://127.0.0.1:1', '--cacert', '/nonexistent/ca.pem'], /--cacert: file not found/],
      [['--cluster', 'no-such-cluster'], /--cluster/],
      [['-o', 'yaml'], /-o\/--output/],
    ] as [string[], RegExp][]) {
      const r = await runCliInProcess(['status', ...args], { PATH: process.env.PATH, UPSHIFT_HOME: '/nonexistent-upshift-home' });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
  });

  test('nothing answers: exit 3 with a JSON error document', async () => {
    const { allocateFreePorts } = await import('../src/cluster/ports.js');
    const [p1, p2] = await allocateFreePorts(2);
    const r = await runCliInProcess(['status', '--endpoints', `http://127.0.0.1:${p1},http://127.0.0.1:${p2}`, '-o', 'json'], { PATH: process.env.PATH });
    assert.equal(r.code, 3, r.stderr);
    const doc = JSON.parse(r.stdout) as { error: { code: string; exitCode: number } };
    assert.equal(doc.error.code, 'etcd-unreachable');
    assert.equal(doc.error.exitCode, 3);
    assert.match(r.stderr, /no etcd endpoint answered/);
  });
});
