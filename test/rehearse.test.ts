/**
 * `upshift rehearse` on real etcd, against a cluster made by `cluster up`: with no faults it is a go, with
 * the proof (no lost writes, linearizable, watch complete, consistent, quorum kept), on a copy restored
 * through the Kubernetes-safe restore path and removed afterwards; a partition of one member during the
 * hop never loses writes or quorum and the report says what the upgrade did and why.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCluster, etcdProcessesUnder, type TestCluster } from './support/cluster.js';
import { rehearsalHop, rehearseJson, journalOf, LEAN, noGoDetail } from './support/rehearse.js';
import { resolveConnection } from '../src/client/connection.js';
import { EtcdClient } from '../src/client/kv.js';

const hop = rehearsalHop();

describe('rehearse a cluster made by `cluster up`', { skip: !hop }, () => {
  let tc: TestCluster;
  before(async () => {
    tc = await startTestCluster({ version: hop!.from, members: 3 });
    const c = new EtcdClient(resolveConnection({ cluster: tc.cluster.name }, {}, tc.home));
    try {
      for (let i = 0; i < 10; i++) await c.put(`/registry/configmaps/default/cm-${i}`, `{"n":${i}}`);
      for (let i = 0; i < 10; i++) await c.put(`/app/key-${i}`, String(i));
    } finally {
      c.close();
    }
  });
  after(async () => {
    await tc?.stop();
  });

  const sourcePids = (): number[] => tc.cluster.members.map((m) => m.pid!).sort();

  test(`no faults: ${hop?.from} -> ${hop?.to} is a go, with the proof`, async () => {
    // Gates generous on latency: this proves the mechanics on a shared, busy machine, not its speed.
    const { code, r, stderr } = await rehearseJson(['--cluster', tc.cluster.name, '--to', hop!.to, ...LEAN, '--max-p99', '20s', '--max-p99-slack', '20s'], tc.testHome.env);
    assert.equal(code, 0, noGoDetail(r, stderr));
    assert.equal(r.go, true);
    const u = r.upgrade!;
    assert.equal(u.result, 'succeeded');
    assert.deepEqual(u.path, [hop!.from, hop!.to]);
    assert.equal(u.verification.ok, true);
    assert.equal(u.verification.lostWrites, 0);
    assert.equal(u.verification.consistent, true);
    assert.ok((u.workload?.ops ?? 0) > 0, 'the canary ran');
    assert.equal(r.report.quorum?.kept, true);
    assert.equal(r.report.members.length, 3);
    for (const m of r.report.members) {
      assert.ok(m.downtimeMs !== null && m.catchUpMs !== null, `figures for ${m.member}`);
      assert.equal(m.gates?.ok, true);
    }
    assert.match(r.reasons.join('\n'), /proof: \d+ canary ops, 0 lost writes/);
    assert.deepEqual(r.faults, []);
    // The same restore path as `upshift restore`: Kubernetes keys in the backup bump the copy's revision.
    if (hop!.from >= '3.5') assert.equal(r.report.copy.revisionBump?.amount, 1_000_000_000);
    // Evidence beside the journal; the copy is gone, the source untouched.
    assert.ok(existsSync(r.report.html!), 'report.html');
    assert.ok(existsSync(r.report.json!), 'rehearsal.json');
    assert.equal(journalOf(r)[0]!.type, 'run-begin');
    // Each copy member's log tail outlives the copy, beside the journal (what a no-go is diagnosed from).
    assert.deepEqual(Object.keys(r.report.memberLogs).sort(), [...tc.cluster.members.map((m) => m.name)].sort());
    for (const f of Object.values(r.report.memberLogs)) assert.ok(readFileSync(f).length > 0, f);
    assert.deepEqual(readdirSync(join(tc.home, 'clusters')), [tc.cluster.name]);
    assert.deepEqual(etcdProcessesUnder(tc.home).sort(), sourcePids());
  });

  test('a partition of one member during the hop: no lost writes, quorum kept, the outcome explained', async (t) => {
    const faults = join(tc.home, 'partition.yaml');
    // m2 is cut from its peers right after it starts on the new version, for 8 s: it cannot catch up
    // until the partition heals, whatever order the members are upgraded in.
    writeFileSync(faults, 'faults:\n  - fault: partition\n    target: m2\n    after: hop1/m2/start\n    for: 8s\n');
    const { code, r, stderr } = await rehearseJson(['--cluster', tc.cluster.name, '--to', hop!.to, '--faults', faults, '--seed', '3', ...LEAN, '--max-p99', '20s', '--max-p99-slack', '20s'], tc.testHome.env);
    assert.ok(code === 0 || code === 1, stderr);
    t.diagnostic(`outcome: ${r.report.outcome.result}: ${r.report.outcome.why}`);
    assert.equal(r.faults.length, 1);
    assert.equal(r.faults[0]!.fault, 'partition');
    assert.ok(r.faults[0]!.endedAt, 'the partition was lifted');
    assert.match(r.faults[0]!.detail ?? '', /peer links m2<->/);
    const u = r.upgrade!;
    assert.ok(['succeeded', 'rolled-back', 'paused'].includes(u.result), `${u.result}: ${u.message}`);
    assert.equal(u.verification.lostWrites, 0);
    assert.notEqual(u.verification.ok, false);
    assert.equal(r.report.quorum?.kept, true, JSON.stringify(r.report.quorum));
    assert.equal(r.report.outcome.result, u.result);
    assert.ok(r.report.outcome.why.length > 0);
    assert.equal(r.go, u.result === 'succeeded');
    const recs = journalOf(r).filter((x) => x.type === 'fault') as unknown as { event: string }[];
    assert.deepEqual(recs.map((x) => x.event), ['timeline', 'begin', 'end']);
    assert.deepEqual(etcdProcessesUnder(tc.home).sort(), sourcePids());
  });
});
