/**
 * `cluster up --tls --auth` on 3.3.25 (v2-era etcdctl: no --password), 3.5.30 and the newest 3.6 and 3.7: etcdctl of the same
 * version reaches the cluster using only `cluster env` output; the password never appears in output;
 * keys and the password file are private.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { makeTestHome, newestTestVersion, testBinDir } from './support/home.js';
import { runCliInProcess } from './support/cli.js';
import { etcdProcessesUnder, trackCluster } from './support/cluster.js';
import { loadCluster, clusterConnection, stopMember, startMember, probeHealth, clusterClientTls } from '../src/cluster/local.js';
import { httpRequest } from '../src/cluster/http.js';
import type { ClusterView } from '../src/cluster/view.js';

const th = makeTestHome();
after(async () => {
  const ls = await runCliInProcess(['cluster', 'ls', '-o', 'json'], th.env);
  for (const c of (JSON.parse(ls.stdout || '{"clusters":[]}') as { clusters: ClusterView[] }).clusters) {
    await runCliInProcess(['cluster', 'down', c.name, '--purge', '--timeout', '5s'], th.env);
  }
  const left = etcdProcessesUnder(th.home);
  th.cleanup();
  assert.deepEqual(left, []);
});

function sh(envText: string, version: string, args: string[]): { code: number; out: string } {
  const f = join(th.home, `env-${process.hrtime.bigint()}.sh`);
  writeFileSync(f, envText);
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ETCDCTL_')) clean[k] = v;
  try {
    const out = execFileSync('sh', ['-c', `. "$1"; shift; exec "$@" 2>&1`, 'sh', f, join(testBinDir(), version, 'etcdctl'), ...args], { env: clean, encoding: 'utf8', timeout: 30_000 });
    return { code: 0, out };
  } catch (e) {
    const err = e as { status?: number; stdout?: string };
    return { code: err.status ?? 1, out: err.stdout ?? '' };
  }
}

// 3.6 and 3.7: the newest installed (scripts/test.sh builds them from Go modules); 3 members where peers use TLS too.
for (const [version, members] of [
  ['3.3.25', 1],
  ['3.5.30', 3],
  [newestTestVersion('3.6'), 1],
  [newestTestVersion('3.7'), 3],
] as const) {
  test(`TLS + auth cluster on ${version ?? 'a missing version'}, reachable with etcdctl via cluster env`, { skip: !version && 'not installed' }, async () => {
    if (!version) return;
    const name = `tls${version.replace(/\./g, '')}`;
    const up = await runCliInProcess(['cluster', 'up', '--name', name, '--version', version, '--members', String(members), '--tls', '--auth', '-o', 'json'], th.env);
    assert.equal(up.code, 0, up.stderr);
    const cluster = await loadCluster(th.home, name);
    trackCluster(cluster);
    const view = JSON.parse(up.stdout) as ClusterView;
    assert.ok(view.endpoints.every((e) => e.startsWith('https://127.0.0.1:')));
    assert.ok(view.auth && view.tls);
    const password = readFileSync(view.auth.passwordFile, 'utf8').trim();
    assert.ok(password.length >= 16);

    // Private material is private.
    assert.equal(statSync(view.auth.passwordFile).mode & 0o777, 0o600);
    const tlsDir = join(cluster.dir, 'tls');
    for (const f of readdirSync(tlsDir).filter((f) => f.endsWith('.key'))) assert.equal(statSync(join(tlsDir, f)).mode & 0o777, 0o600, f);
    assert.equal(statSync(tlsDir).mode & 0o777, 0o700);

    const env = await runCliInProcess(['cluster', 'env', name], th.env);
    const envJson = await runCliInProcess(['cluster', 'env', name, '-o', 'json'], th.env);
    const ls = await runCliInProcess(['cluster', 'ls', '-o', 'json'], th.env);
    for (const out of [up.stdout, up.stderr, env.stdout, envJson.stdout, ls.stdout, readFileSync(join(cluster.dir, 'cluster.json'), 'utf8')]) {
      assert.ok(!out.includes(password), 'the password must not be printed or stored in cluster.json');
    }
    assert.match(env.stdout, /^export ETCDCTL_CACERT=/m);
    assert.match(env.stdout, /^export ETCDCTL_CERT=/m);
    assert.match(env.stdout, /^export ETCDCTL_KEY=/m);
    assert.match(env.stdout, /^export ETCDCTL_USER="root:\$\(cat /m);

    const put = sh(env.stdout, version, ['put', 'secure', 'yes']);
    assert.equal(put.code, 0, put.out);
    const get = sh(env.stdout, version, ['get', 'secure', '--print-value-only']);
    assert.equal(get.out.trim(), 'yes');
    // Auth is really on: the client cert alone (no password) is refused.
    const noPw = sh(env.stdout + 'unset ETCDCTL_USER\n', version, ['get', 'secure']);
    assert.notEqual(noPw.code, 0, noPw.out);
    // TLS is really on: plain http to the client port fails.
    const plain = await httpRequest(view.endpoints[0].replace('https:', 'http:') + '/health', { timeoutMs: 3000 }).then(
      (r) => r.status,
      () => 0,
    );
    assert.notEqual(plain, 200);
    // The library connection carries the same settings.
    const conn = await clusterConnection(th.home, cluster);
    assert.equal(conn.user, 'root');
    assert.equal(conn.password, password);
    assert.equal(conn.cacert, view.tls.caCert);

    if (version === '3.5.30') {
      // Without a metrics listener, readiness is probed on the TLS client port with the cluster's client cert.
      const m1 = cluster.members[0];
      await stopMember(cluster, 'm1', { timeoutMs: 20_000 });
      await startMember(th.home, cluster, 'm1', { args: m1.args.filter((a) => !a.startsWith('--listen-metrics-urls=')), wait: 'healthy', timeoutMs: 60_000 });
      trackCluster(cluster);
      const p = await probeHealth(m1, clusterClientTls(cluster));
      assert.equal(p.healthy, true, p.detail);
    }
  });
}
