/** Bad input to `upshift cluster ...` fails with SPEC exit codes and a message naming the input. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeTestHome } from './support/home.js';
import { runCliInProcess } from './support/cli.js';
import { etcdProcessesUnder, trackCluster } from './support/cluster.js';
import { loadCluster } from '../src/cluster/local.js';

const th = makeTestHome();
before(async () => {
  const up = await runCliInProcess(['cluster', 'up', '--name', 'taken', '--version', '3.5.30', '--members', '1'], th.env);
  assert.equal(up.code, 0, up.stderr);
  trackCluster(await loadCluster(th.home, 'taken'));
});
after(async () => {
  await runCliInProcess(['cluster', 'down', 'taken', '--purge'], th.env);
  const left = etcdProcessesUnder(th.home);
  th.cleanup();
  assert.deepEqual(left, []);
});

const cases: { args: string[]; code: number; stderr: RegExp }[] = [
  { args: ['cluster', 'up', '--name', '../evil', '--version', '3.5.30'], code: 2, stderr: /--name: "\.\.\/evil" is not a valid cluster name/ },
  { args: ['cluster', 'up', '--name', 'x', '--version', '3.5.30', '--members', '0'], code: 2, stderr: /--members: "0"/ },
  { args: ['cluster', 'up', '--name', 'x', '--version', '3.5.30', '--members', '8'], code: 2, stderr: /--members: "8" is not a member count from 1 to 7/ },
  { args: ['cluster', 'up', '--name', 'x', '--version', '3.5.30', '--members', 'three'], code: 2, stderr: /--members/ },
  { args: ['cluster', 'up', '--name', 'x', '--version', 'latest'], code: 2, stderr: /--version: "latest" is not an etcd version/ },
  { args: ['cluster', 'up', '--name', 'x', '--version', '3.9.99'], code: 3, stderr: /etcd 3\.9\.99 is not installed[\s\S]*upshift etcd install 3\.9\.99/ },
  { args: ['cluster', 'up', '--name', 'taken', '--version', '3.5.30', '--members', '1'], code: 2, stderr: /"taken" already exists[\s\S]*cluster down taken --purge/ },
  { args: ['cluster', 'down', 'nope'], code: 2, stderr: /no local cluster named "nope"[\s\S]*known clusters: taken/ },
  { args: ['cluster', 'env', 'nope'], code: 2, stderr: /no local cluster named "nope"/ },
  { args: ['cluster', 'start', 'nope'], code: 2, stderr: /no local cluster named "nope"/ },
  { args: ['cluster', 'down', 'taken', '--timeout', 'soon'], code: 2, stderr: /--timeout: cannot read "soon"/ },
  { args: ['cluster', 'ls', '-o', 'yaml'], code: 2, stderr: /-o\/--output: unknown format "yaml"/ },
  { args: ['cluster', 'down'], code: 2, stderr: /missing required argument/ },
];

for (const c of cases) {
  test(`upshift ${c.args.join(' ')} -> exit ${c.code}`, async () => {
    const r = await runCliInProcess(c.args, th.env);
    assert.equal(r.code, c.code, r.stderr);
    assert.match(r.stderr, c.stderr);
    if (!c.args.includes('ls')) assert.equal(r.stdout, '');
  });
}

test('-o json errors carry one JSON document with the code', async () => {
  const r = await runCliInProcess(['cluster', 'up', '--name', 'taken', '--version', '3.5.30', '-o', 'json'], th.env);
  assert.equal(r.code, 2);
  const doc = JSON.parse(r.stdout) as { error: { code: string; exitCode: number } };
  assert.equal(doc.error.code, 'cluster-exists');
});

test('a failed `up` leaves no directory and no process behind; the existing cluster is untouched', async () => {
  assert.equal(existsSync(join(th.home, 'clusters', 'x')), false);
  const ls = JSON.parse((await runCliInProcess(['cluster', 'ls', '-o', 'json'], th.env)).stdout) as { clusters: { name: string; members: { state: string }[] }[] };
  assert.deepEqual(ls.clusters.map((c) => `${c.name}:${c.members[0].state}`), ['taken:running']);
});

test('without --version: the newest installed etcd; with none installed: exit 3 naming the install command', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const empty = mkdtempSync(join(tmpdir(), 'upshift-empty-'));
  try {
    const r = await runCliInProcess(['cluster', 'up', '--name', 'y', '--members', '1'], { ...th.env, UPSHIFT_HOME: empty });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /no etcd is installed[\s\S]*upshift etcd install/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
  const up = await runCliInProcess(['cluster', 'up', '--name', 'newest', '--members', '1', '-o', 'json'], th.env);
  assert.equal(up.code, 0, up.stderr);
  const c = await loadCluster(th.home, 'newest');
  trackCluster(c);
  const { listInstalled } = await import('../src/binaries/layout.js');
  const versions = (await listInstalled(th.home)).map((i) => i.dir.split('/').pop()!);
  const newest = versions.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).pop();
  assert.equal(JSON.parse(up.stdout).version, newest);
  const down = await runCliInProcess(['cluster', 'down', 'newest', '--purge'], th.env);
  assert.equal(down.code, 0, down.stderr);
});
