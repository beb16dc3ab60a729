/**
 * `upshift cluster up|ls|env|down|start` end to end against real etcd 3.3.25, 3.4.23, 3.5.30 and the newest
 * 3.6 and 3.7 the suite installed (built from Go modules by scripts/test.sh; skipped when absent):
 * `up` runs as a subprocess, so the members must outlive the CLI; `env` output is evaluated by sh and
 * used by that version's etcdctl; `down` stops every PID.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { makeTestHome, newestTestVersion, testBinDir } from './support/home.js';
import { runCliInProcess, runCliSubprocess } from './support/cli.js';
import { etcdProcessesUnder, trackCluster } from './support/cluster.js';
import { isAlive } from '../src/cluster/process.js';
import { loadCluster } from '../src/cluster/local.js';
import { httpRequest, isHealthyBody } from '../src/cluster/http.js';
import type { ClusterView } from '../src/cluster/view.js';

const th = makeTestHome();
after(async () => {
  // Whatever a failed case left behind: down every cluster, then check nothing of ours still runs.
  const ls = await runCliInProcess(['cluster', 'ls', '-o', 'json'], th.env);
  for (const c of (JSON.parse(ls.stdout || '{"clusters":[]}') as { clusters: ClusterView[] }).clusters) {
    await runCliInProcess(['cluster', 'down', c.name, '--purge', '--timeout', '5s'], th.env);
  }
  const left = etcdProcessesUnder(th.home);
  th.cleanup();
  assert.deepEqual(left, [], 'no etcd process of this test may remain');
});

/** Run `etcdctl ARGS` of `version` in a shell that evaluated `cluster env` output. */
function etcdctlWithEnv(envText: string, version: string, args: string[]): string {
  const f = join(th.home, `env-${process.hrtime.bigint()}.sh`);
  writeFileSync(f, envText);
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ETCDCTL_')) clean[k] = v;
  return execFileSync('sh', ['-c', `. "$1"; shift; exec "$@"`, 'sh', f, join(testBinDir(), version, 'etcdctl'), ...args], {
    env: clean,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

for (const [version, members] of [
  ['3.3.25', 3],
  ['3.4.23', 1],
  ['3.5.30', 3],
  [newestTestVersion('3.6'), 1],
  [newestTestVersion('3.7'), 3],
] as const) {
  test(`cluster lifecycle on etcd ${version ?? '(not installed)'} with ${members} member(s)`, { skip: !version && 'not installed' }, async () => {
    if (!version) return;
    const name = `c${version.replace(/\./g, '')}`;
    const up = await runCliSubprocess(['cluster', 'up', '--name', name, '--version', version, '--members', String(members), '-o', 'json'], th.env);
    assert.equal(up.code, 0, up.stderr);
    const view = JSON.parse(up.stdout) as ClusterView;
    trackCluster(await loadCluster(th.home, name));
    assert.equal(view.name, name);
    assert.equal(view.version, version);
    assert.equal(view.endpoints.length, members);
    assert.equal(view.members.length, members);
    for (const m of view.members) {
      assert.ok(m.pid && m.pid > 0);
      assert.ok(m.dataDir.startsWith(join(th.home, 'clusters', name)), m.dataDir);
      assert.match(m.clientURL, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(m.peerURL, /^http:\/\/127\.0\.0\.1:\d+$/);
      // The CLI process has exited: the member must still run and answer.
      assert.equal(isAlive(m.pid!), true, `${m.name} outlives the CLI`);
      const h = await httpRequest(`${m.clientURL}/health`, { timeoutMs: 5000 });
      assert.ok(isHealthyBody(h.body), h.body);
      assert.ok(existsSync(m.logFile));
    }

    const ls = await runCliInProcess(['cluster', 'ls', '-o', 'json'], th.env);
    assert.equal(ls.code, 0, ls.stderr);
    const listed = (JSON.parse(ls.stdout) as { clusters: ClusterView[] }).clusters.find((c) => c.name === name)!;
    assert.deepEqual(listed.members.map((m) => m.state), Array(members).fill('running'));
    const table = await runCliInProcess(['cluster', 'ls'], th.env);
    assert.match(table.stdout, new RegExp(`${name}.*m1.*${version.replace(/\./g, '\\.')}.*running`));

    const env = await runCliInProcess(['cluster', 'env', name], th.env);
    assert.equal(env.code, 0, env.stderr);
    // etcdctl 3.6+ has no v2 API and warns about ETCDCTL_API: exported only for older clusters.
    if (/^3\.[345]\./.test(version)) assert.match(env.stdout, /^export ETCDCTL_API=3$/m);
    else assert.match(env.stdout, /^unset ETCDCTL_API /m);
    assert.match(env.stdout, new RegExp(`^export ETCDCTL_ENDPOINTS=${view.endpoints.join(',').replace(/[./]/g, '\\$&')}$`, 'm'));
    etcdctlWithEnv(env.stdout, version, ['put', 'upshift-test', version]);
    assert.equal(etcdctlWithEnv(env.stdout, version, ['get', 'upshift-test', '--print-value-only']).trim(), version);

    const down = await runCliInProcess(['cluster', 'down', name, '-o', 'json'], th.env);
    assert.equal(down.code, 0, down.stderr);
    const d = JSON.parse(down.stdout) as { members: { wasRunning: boolean; signal: string }[]; purged: boolean };
    assert.ok(d.members.every((m) => m.wasRunning));
    assert.equal(d.purged, false);
    for (const m of view.members) assert.equal(isAlive(m.pid!), false, `${m.name} stopped`);
    const ls2 = JSON.parse((await runCliInProcess(['cluster', 'ls', '-o', 'json'], th.env)).stdout) as { clusters: ClusterView[] };
    assert.deepEqual(ls2.clusters.find((c) => c.name === name)!.members.map((m) => m.state), Array(members).fill('stopped'));

    if (version === '3.3.25') {
      // Data kept by `down` comes back with `start`.
      const st = await runCliInProcess(['cluster', 'start', name, '-o', 'json'], th.env);
      assert.equal(st.code, 0, st.stderr);
      trackCluster(await loadCluster(th.home, name));
      assert.equal(etcdctlWithEnv(env.stdout, version, ['get', 'upshift-test', '--print-value-only']).trim(), version);
    }

    const purge = await runCliInProcess(['cluster', 'down', name, '--purge'], th.env);
    assert.equal(purge.code, 0, purge.stderr);
    assert.equal(existsSync(join(th.home, 'clusters', name)), false);
  });
}
