/**
 * `upshift rehearse` of a TLS cluster on real etcd: a per-RPC delay on every client link puts the L7 proxy
 * there, which must terminate TLS with each member's own certificate; the rehearsal is a go with its proof,
 * the report says the client links were L7 with TLS terminated, the delay shows in the proxies' counts,
 * and the copy is gone afterwards. Rehearsing from an UPSHIFT_HOME without etcd binaries installs the
 * source's and the target's versions first (from a local release mirror, checksums verified).
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, etcdProcessesUnder, type TestCluster } from './support/cluster.js';
import { rehearsalHop, rehearseJson, LEAN, noGoDetail } from './support/rehearse.js';
import { startReleaseMirror } from './support/release-mirror.js';
import { testBinDir } from './support/home.js';
import { readInstalled } from '../src/binaries/layout.js';
import { runCliInProcess } from './support/cli.js';
import { resolveConnection } from '../src/client/connection.js';
import { EtcdClient } from '../src/client/kv.js';

const hop = rehearsalHop();
// These tests prove mechanics (TLS termination, installs), not speed: on a busy 2-core machine a member's
// restart can time out a few canary RPCs and health reads, so the latency, error and health gates are wide.
// The proof (lost writes, linearizability, consistency, quorum) stays strict.
const GENEROUS = ['--max-p99', '20s', '--max-p99-slack', '20s', '--max-error-rate', '0.5', '--max-failed-health-checks', '10'];

describe('rehearse a TLS cluster', { skip: !hop }, () => {
  let tc: TestCluster;
  before(async () => {
    tc = await startTestCluster({ version: hop!.from, members: 3, tls: true });
    const c = new EtcdClient(resolveConnection({ cluster: tc.cluster.name }, {}, tc.home));
    try {
      for (let i = 0; i < 10; i++) await c.put(`/app/key-${i}`, String(i));
    } finally {
      c.close();
    }
  });
  after(async () => {
    await tc?.stop();
  });

  test('a per-RPC delay on TLS client links: L7 proxies terminate TLS, a go with the proof', async () => {
    const faults = join(tc.home, 'slow-tls.yaml');
    // 20 ms on every Put from the baseline's end: enough to count, far below the generous P99 gates; the
    // gates' own health reads (Range) are left undelayed, as their 2 s deadline is tight on a busy machine.
    writeFileSync(faults, 'faults:\n  - name: slow-put\n    fault: delay\n    target: all\n    latency: 20ms\n    methods: [/etcdserverpb.KV/Put]\n    after: baseline\n');
    const { code, r, stderr } = await rehearseJson(['--cluster', tc.cluster.name, '--to', hop!.to, '--faults', faults, '--seed', '7', ...LEAN, ...GENEROUS], tc.testHome.env);
    assert.equal(code, 0, noGoDetail(r, stderr));
    assert.equal(r.go, true);
    const u = r.upgrade!;
    assert.equal(u.result, 'succeeded');
    assert.deepEqual(u.path, [hop!.from, hop!.to]);
    assert.ok(r.report.source.endpoints.every((e) => e.startsWith('https://')), 'the source serves TLS');
    // Every client link went through an L7 proxy that terminated TLS, and the report says so.
    for (const m of ['m1', 'm2', 'm3']) {
      const c = r.report.proxies!.client[m]!;
      assert.equal(c.kind, 'l7', m);
      assert.equal(c.tls, 'terminated', m);
    }
    assert.ok(r.report.notes.some((n) => /L7 proxy for m1, m2, m3 .*TLS terminated/.test(n)), r.report.notes.join('\n'));
    // The delay acted on RPCs that passed the proxies, and the faults section counts them.
    const delayed = Object.values(r.report.proxies!.client).reduce((n, c) => n + (c.stats as { delayed: number }).delayed, 0);
    assert.ok(delayed > 0, JSON.stringify(r.report.proxies!.client));
    assert.equal(r.faults.length, 1);
    assert.equal(r.faults[0]!.fault, 'delay');
    assert.match(r.reasons.join('\n'), /faults: 1 of 1 happened; the proxies delayed \d+ RPCs/);
    // The proof.
    assert.equal(u.verification.ok, true);
    assert.equal(u.verification.lostWrites, 0);
    assert.equal(u.verification.consistent, true);
    assert.ok((u.workload?.ops ?? 0) > 0, 'the canary ran');
    assert.equal(r.report.quorum?.kept, true);
    // The copy is gone; only the source runs.
    assert.deepEqual(readdirSync(join(tc.home, 'clusters')), [tc.cluster.name]);
    assert.deepEqual(etcdProcessesUnder(tc.home).sort(), tc.cluster.members.map((m) => m.pid!).sort());
  });

  test('an UPSHIFT_HOME without etcd binaries: rehearse installs both versions first, then a go (TLS passed through at L4)', async () => {
    const mirror = await startReleaseMirror([hop!.from, hop!.to]);
    // Not a test home: its etcd/ does not link the shared binaries.
    const bare = mkdtempSync(join(tmpdir(), 'upshift-bare-'));
    try {
      const t = tc.cluster.tls!;
      const args = ['--endpoints', tc.cluster.members.map((m) => m.clientURL).join(','), '--cacert', t.caCert, '--cert', t.clientCert, '--key', t.clientKey];
      const { code, r, stderr } = await rehearseJson([...args, '--to', hop!.to, '--base-url', mirror.url, '--seed', '5', ...LEAN, ...GENEROUS], { ...tc.testHome.env, UPSHIFT_HOME: bare });
      assert.equal(code, 0, noGoDetail(r, stderr));
      assert.equal(r.go, true);
      assert.equal(r.upgrade!.result, 'succeeded');
      // It said it installed them (stderr), from the mirror, and they are the same bytes as the originals.
      assert.ok(stderr.includes(`upshift rehearse: installing etcd ${hop!.from}, ${hop!.to} (--base-url ${mirror.url})`), stderr);
      for (const v of [hop!.from, hop!.to]) {
        assert.match(stderr, new RegExp(`etcd ${v.replace(/\./g, '\\.')}: installed \\(source github\\)`));
        assert.ok(mirror.requests.some((p) => p.startsWith(`/v${v}/etcd-v${v}-`)), `${v} downloaded: ${mirror.requests.join(' ')}`);
        const got = await readInstalled(bare, v);
        const orig = await readInstalled(join(testBinDir(), '..'), v);
        assert.equal(got?.manifest.source, 'github');
        assert.equal(got?.manifest.files.etcd?.sha256, orig?.manifest.files.etcd?.sha256, v);
      }
      // No per-RPC fault: L4 client links, TLS passed through to the members.
      for (const m of ['m1', 'm2', 'm3']) assert.deepEqual([r.report.proxies!.client[m]!.kind, r.report.proxies!.client[m]!.tls], ['l4', 'passed-through'], m);
      assert.ok(r.report.notes.some((n) => /L4 proxy .*TLS passed through/.test(n)), r.report.notes.join('\n'));
      assert.equal(r.report.backup.how, 'saved-now');
      assert.equal(r.upgrade!.verification.lostWrites, 0);
      assert.equal(r.upgrade!.verification.ok, true);
      assert.equal(r.report.quorum?.kept, true);
      assert.deepEqual(etcdProcessesUnder(bare), [], 'the copy is gone');
      assert.deepEqual(etcdProcessesUnder(tc.home).sort(), tc.cluster.members.map((m) => m.pid!).sort());
    } finally {
      await mirror.close();
      rmSync(bare, { recursive: true, force: true });
    }
  });

  test('--source and --base-url are checked before the source is read (exit 2)', async () => {
    for (const bad of [['--base-url', 'ftp://mirror'], ['--source', 'dir:/x', '--base-url', 'http://mirror'], ['--source', 'nope']]) {
      const r = await runCliInProcess(['rehearse', '--endpoints', 'http://127.0.0.1:1', '--to', hop!.to, ...bad], tc.testHome.env);
      assert.equal(r.code, 2, `${bad.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /reading the source cluster/);
    }
  });
});
