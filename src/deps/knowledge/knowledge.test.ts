import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapImportPath, etcdModuleOf } from './families.js';
import { ETCD_34_TAGS, etcdReleaseOf, grpcWindowOf, pseudoVersionFor34, goFloorOf, grpcFloorOf } from './releases.js';
import { advisoriesFor } from './advisories.js';
import { MOVES_34_TO_35 } from './moves-data.js';

test('the five families and bbolt/raft are recognised', () => {
  const cases: [string, string | undefined, string | undefined][] = [
    ['github.com/coreos/etcd/clientv3', 'github.com/coreos/etcd', 'coreos'],
    ['go.etcd.io/etcd/clientv3', 'go.etcd.io/etcd', 'etcd-root'],
    ['go.etcd.io/etcd/v3/clientv3', 'go.etcd.io/etcd/v3', 'etcd-v3-master'],
    ['go.etcd.io/etcd/client/v3/concurrency', 'go.etcd.io/etcd/client/v3', 'split'],
    ['go.etcd.io/etcd/client/pkg/v3/transport', 'go.etcd.io/etcd/client/pkg/v3', 'split'],
    ['go.etcd.io/etcd/client/v2', 'go.etcd.io/etcd/client/v2', 'split'],
    ['go.etcd.io/raft/v3/raftpb', 'go.etcd.io/raft/v3', 'raft'],
    ['github.com/coreos/bbolt', 'github.com/coreos/bbolt', 'bbolt-coreos'],
    ['go.etcd.io/bbolt', 'go.etcd.io/bbolt', 'bbolt'],
    ['go.etcd.io/etcdx', undefined, undefined],
  ];
  for (const [p, m, f] of cases) assert.deepEqual([etcdModuleOf(p)?.module, etcdModuleOf(p)?.family], [m, f], p);
});

test('Appendix A has all 134 rows of the 3.4 -> 3.5 table', () => {
  assert.equal(MOVES_34_TO_35.length, 134);
  assert.equal(new Set(MOVES_34_TO_35.map((m) => m.from)).size, 134);
});

test('import paths map across 3.3 -> 3.4 -> 3.5 -> 3.6 (reference §1.6)', () => {
  const to = (p: string, t: string): string | undefined => mapImportPath(p, t).to;
  assert.equal(to('github.com/coreos/etcd/clientv3', 'v3.5.33'), 'go.etcd.io/etcd/client/v3');
  assert.equal(to('go.etcd.io/etcd/v3/clientv3/concurrency', 'v3.5.33'), 'go.etcd.io/etcd/client/v3/concurrency');
  assert.equal(to('github.com/coreos/etcd/snap', 'v3.5.33'), 'go.etcd.io/etcd/server/v3/etcdserver/api/snap');
  assert.equal(to('github.com/coreos/etcd/store', 'v3.4.45'), 'go.etcd.io/etcd/etcdserver/api/v2store');
  assert.equal(to('go.etcd.io/etcd/etcdserver/api/v3rpc/rpctypes', 'v3.5.0'), 'go.etcd.io/etcd/api/v3/v3rpc/rpctypes');
  assert.equal(to('go.etcd.io/etcd/etcdserver/etcdserverpb', 'v3.6.14'), 'go.etcd.io/etcd/api/v3/etcdserverpb');
  assert.equal(to('go.etcd.io/etcd/pkg/transport', 'v3.5.33'), 'go.etcd.io/etcd/client/pkg/v3/transport');
  assert.equal(to('go.etcd.io/etcd/pkg/mock/mockserver', 'v3.5.33'), 'go.etcd.io/etcd/client/v3/mock/mockserver');
  assert.equal(to('go.etcd.io/etcd/contrib/recipes', 'v3.5.33'), 'go.etcd.io/etcd/client/v3/experimental/recipes');
  assert.equal(to('go.etcd.io/etcd/raft/raftpb', 'v3.5.33'), 'go.etcd.io/etcd/raft/v3/raftpb');
  assert.equal(to('go.etcd.io/etcd/raft/raftpb', 'v3.6.14'), 'go.etcd.io/raft/v3/raftpb');
  assert.equal(to('go.etcd.io/etcd/mvcc/backend', 'v3.5.33'), 'go.etcd.io/etcd/server/v3/mvcc/backend');
  assert.equal(to('go.etcd.io/etcd/mvcc/backend', 'v3.6.14'), 'go.etcd.io/etcd/server/v3/storage/backend');
  assert.equal(to('go.etcd.io/etcd/wal/walpb', 'v3.6.0'), 'go.etcd.io/etcd/server/v3/storage/wal/walpb');
  assert.equal(to('go.etcd.io/etcd/pkg/grpc_testing', 'v3.6.0'), 'go.etcd.io/etcd/pkg/v3/grpctesting');
  assert.equal(to('go.etcd.io/etcd/client', 'v3.5.33'), 'go.etcd.io/etcd/client/v2');
  assert.equal(mapImportPath('go.etcd.io/etcd/client', 'v3.6.14').kind, 'removed');
  assert.equal(mapImportPath('go.etcd.io/etcd/clientv3/naming', 'v3.5.33').kind, 'api-change');
  assert.equal(mapImportPath('github.com/coreos/etcd/clientv3/naming', 'v3.6.14').kind, 'api-change');
  assert.equal(mapImportPath('go.etcd.io/etcd/clientv3/snapshot', 'v3.5.33').kind, 'split');
  assert.equal(mapImportPath('go.etcd.io/etcd/clientv3/balancer/picker', 'v3.5.33').kind, 'removed');
  assert.equal(mapImportPath('github.com/coreos/etcd/pkg/cors', 'v3.5.33').kind, 'removed');
  assert.equal(mapImportPath('go.etcd.io/etcd/client/v3', 'v3.6.14').kind, 'unchanged');
  assert.equal(to('github.com/coreos/bbolt', 'v3.5.33'), 'go.etcd.io/bbolt');
  assert.equal(mapImportPath('go.etcd.io/etcd/server/v3/proxy/httpproxy', 'v3.6.0').kind, 'removed');
  assert.equal(mapImportPath('go.etcd.io/etcd/server/v3/proxy/httpproxy', 'v3.5.33').kind, 'unchanged');
});

test('pseudo-versions map to etcd releases by commit (reference §1.3)', () => {
  assert.equal(ETCD_34_TAGS.length, 46);
  const dd = etcdReleaseOf('go.etcd.io/etcd', 'v0.5.0-alpha.5.0.20200910180754-dd1b699fc489')!;
  assert.deepEqual([dd.release, dd.ahead, dd.describe], ['v3.4.13', 2, 'v3.4.13-2-gdd1b699fc']);
  assert.equal(etcdReleaseOf('go.etcd.io/etcd', 'v0.5.0-alpha.5.0.20200824191128-ae9734ed278b')!.release, 'v3.4.13');
  assert.equal(etcdReleaseOf('go.etcd.io/etcd', 'v0.5.0-alpha.5.0.20190917205325-a14579fbfb1a')!.release, 'v3.4.1');
  // The no-base form of the same commit maps the same (go-kit/kit used it).
  assert.equal(etcdReleaseOf('go.etcd.io/etcd', 'v0.0.0-20191023171146-3cf2f69b5738')!.release, 'v3.4.3');
  const unknown = etcdReleaseOf('go.etcd.io/etcd', 'v0.5.0-alpha.5.0.20200301000000-aaaaaaaaaaaa')!;
  assert.deepEqual([unknown.via, unknown.release, unknown.ahead], ['timestamp-estimate', 'v3.4.4', -1]);
  assert.deepEqual([etcdReleaseOf('github.com/coreos/etcd', 'v3.3.25+incompatible')!.release], ['v3.3.25']);
  assert.equal(etcdReleaseOf('go.etcd.io/etcd/client/v2', 'v2.305.33')!.release, 'v3.5.33');
  assert.equal(etcdReleaseOf('go.etcd.io/etcd/v3', 'v3.3.0-rc.0.0.20200518175753-732df43cf85b')!.release, 'v3.5.0-dev');
  assert.equal(pseudoVersionFor34('v3.4.45'), 'v0.5.0-alpha.5.0.20260601203031-6e72c68a3199');
});

test('grpc windows and floors (reference §1.4)', () => {
  assert.equal(grpcWindowOf('v3.3.25')!.grpcMax, 'v1.26.0');
  assert.equal(grpcWindowOf('v3.4.7')!.grpcMax, 'v1.26.0');
  assert.deepEqual([grpcWindowOf('v3.4.13')!.grpcMin, grpcWindowOf('v3.4.13')!.grpcMax], ['v1.26.0', 'v1.29.1']);
  assert.equal(grpcWindowOf('v3.4.28')!.grpcMax, undefined);
  assert.equal(grpcFloorOf('v3.5.0'), 'v1.38.0');
  assert.equal(grpcFloorOf('v3.6.14'), 'v1.82.1');
  assert.equal(goFloorOf('v3.5.16'), '1.22');
  assert.equal(goFloorOf('v3.4.45'), undefined);
});

test('advisories are pseudo-version aware, including the vuln DB false negatives (reference §4.1)', () => {
  const of = (m: string, v: string) => advisoriesFor(m, v, etcdReleaseOf(m, v));
  // v3.4.9 sorts above the master fix of GO-2020-0005, but the fix reached release-3.4 in v3.4.10.
  const v349 = of('go.etcd.io/etcd', 'v0.5.0-alpha.5.0.20200520232829-54ba9589114f').find((a) => a.id === 'GO-2020-0005')!;
  assert.deepEqual([v349.affected, v349.reportedByVulnDb], [true, false]);
  assert.match(v349.note!, /govulncheck misses this/);
  const v3410 = of('go.etcd.io/etcd', 'v0.5.0-alpha.5.0.20200716221620-18dfb9cca345').find((a) => a.id === 'GO-2020-0005');
  assert.equal(v3410, undefined);
  // The no-base form sorts below the fix bound of GO-2021-0077 but the code (3.4.3) has the fix.
  const fp = of('go.etcd.io/etcd', 'v0.0.0-20191023171146-3cf2f69b5738').find((a) => a.id === 'GO-2021-0077')!;
  assert.deepEqual([fp.affected, fp.reportedByVulnDb], [false, true]);
  assert.match(fp.note!, /false positive/);
  // +incompatible sorts above every 0.5.0-alpha bound: 3.3.25 is affected by the tlsutil issue, DB silent.
  const inc = of('go.etcd.io/etcd', 'v3.3.25+incompatible').find((a) => a.id === 'GO-2024-2527')!;
  assert.deepEqual([inc.affected, inc.reportedByVulnDb], [true, false]);
  // github.com/coreos/etcd has no DB entries at all.
  const coreos = of('github.com/coreos/etcd', 'v3.3.25+incompatible');
  assert.ok(coreos.length > 0 && coreos.every((a) => !a.reportedByVulnDb));
  // Split modules: plain semver ranges.
  assert.deepEqual(of('go.etcd.io/etcd/server/v3', 'v3.5.29').map((a) => a.id), ['GO-2026-5736', 'GO-2026-6114']);
  assert.deepEqual(of('go.etcd.io/etcd/client/pkg/v3', 'v3.6.14').map((a) => a.id), []);
  assert.deepEqual(of('go.etcd.io/etcd/client/pkg/v3', 'v3.6.13').map((a) => a.id), ['GO-2026-6107']);
});

test('every release-3.4 and pre-split master commit resolves by commit, not timestamp', () => {
  // 4571e528f is on release-3.4 between v3.4.9 and v3.4.10 (the WAL fix backport, reference §4.1).
  const wal = etcdReleaseOf('go.etcd.io/etcd', 'v0.5.0-alpha.5.0.20200622155743-4571e528f496')!;
  assert.deepEqual([wal.release, wal.via], ['v3.4.9', 'commit-table']);
  assert.ok(wal.ahead > 0);
  assert.equal(etcdReleaseOf('go.etcd.io/etcd', 'v0.5.0-alpha.5.0.20200601000000-4571e528f000')?.via, 'timestamp-estimate', 'a made-up sha does not resolve');
  const master = etcdReleaseOf('go.etcd.io/etcd', 'v0.5.0-alpha.5.0.20200423152442-f4b650b51dc4')!;
  assert.deepEqual([master.release, master.ahead, master.via], ['v3.5.0-dev', -1, 'commit-table']);
  const m4 = etcdReleaseOf('go.etcd.io/etcd', 'v0.5.0-alpha.5.0.20190108173120-83c051b701d3')!;
  assert.equal(m4.release, 'v3.4.0-dev');
});

test('issue 11 §2 facts: functional/cmd binaries, GO-2020-0005 / GO-2021-0077 on 3.2, bbolt per release (proxy go.mod files)', async () => {
  for (const c of ['etcd-agent', 'etcd-proxy', 'etcd-runner', 'etcd-tester']) assert.equal(mapImportPath(`go.etcd.io/etcd/functional/cmd/${c}`, 'v3.5.36').kind, 'binary', c);
  const { advisoriesFor: adv } = await import('./advisories.js');
  const affected = (v: string, id: string): boolean => adv('github.com/coreos/etcd', `${v}+incompatible`, etcdReleaseOf('github.com/coreos/etcd', `${v}+incompatible`)).some((a) => a.id === id && a.affected);
  assert.deepEqual(['v3.2.31', 'v3.2.32', 'v3.3.22', 'v3.3.23'].map((v) => affected(v, 'GO-2020-0005')), [true, false, true, false]);
  assert.deepEqual(['v3.2.25', 'v3.2.26', 'v3.3.10', 'v3.3.11'].map((v) => affected(v, 'GO-2021-0077')), [true, false, true, false]);
  const { bboltVersionFor, raftVersionFor, LATEST_PATCH, SPLIT_RELEASES } = await import('./releases.js');
  assert.deepEqual(['v3.5.0', 'v3.5.8', 'v3.5.22', 'v3.5.23', 'v3.6.1', 'v3.6.2', 'v3.6.4', 'v3.6.5', 'v3.7.4'].map(bboltVersionFor), ['v1.3.6', 'v1.3.7', 'v1.3.11', 'v1.3.12', 'v1.4.0', 'v1.4.2', 'v1.4.2', 'v1.4.3', 'v1.5.0']);
  assert.deepEqual([raftVersionFor('v3.6.17'), raftVersionFor('v3.7.4')], ['v3.6.0', 'v3.7.0']);
  assert.deepEqual([LATEST_PATCH['3.5'], LATEST_PATCH['3.6'], LATEST_PATCH['3.7']], ['v3.5.36', 'v3.6.17', 'v3.7.4']);
  assert.equal(SPLIT_RELEASES.length, 37 + 18 + 5, 'every 3.5, 3.6 and 3.7 patch');
  assert.deepEqual([grpcFloorOf('v3.5.36'), grpcFloorOf('v3.6.17'), grpcFloorOf('v3.7.0'), goFloorOf('v3.7.4')], ['v1.83.2', 'v1.83.2', 'v1.81.0', '1.26.0']);
});
