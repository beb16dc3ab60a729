// A dry run always shows the plan. A 3-member 3.3.25 cluster on a machine with only 3.3.25, 3.4.23 and 3.5.30
// installed: the plan 3.3.25 -> 3.5.30 goes through 3.4.45 (the latest 3.4), which is not installed. The dry
// run prints the plan and says so: which sources were asked (one that cannot be asked, or a release mirror
// that has 3.4.45 and how to install it from there), that 3.4.23 would do (`--via 3.4.23`) and what 3.4.45
// fixes that 3.4.23 lacks. The real run refuses before touching anything with the same information (exit 3).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hasTestVersion } from './support/home.js';
import { runCliInProcess } from './support/cli.js';
import { upgradeTestCluster, runIds, type UpgradeTestCluster } from './upgrade-support.js';
import { readLock } from '../src/upgrade/lock.js';
import { resolveConnection } from '../src/client/connection.js';

const INSTALLED = ['3.3.25', '3.4.23', '3.5.30'];
const skip = !INSTALLED.every(hasTestVersion);
let tc: UpgradeTestCluster;
let mirror: Server;
let mirrorUrl: string;

before(async () => {
  if (skip) return;
  tc = await upgradeTestCluster('3.3.25', 3);
  // This machine has only these three versions (the shared test binaries hold more).
  const shared = readlinkSync(join(tc.home, 'etcd'));
  rmSync(join(tc.home, 'etcd'));
  mkdirSync(join(tc.home, 'etcd'));
  for (const v of INSTALLED) symlinkSync(join(shared, v), join(tc.home, 'etcd', v));
  // A release mirror (github layout) whose listing has 3.4.45 and 3.5.30.
  mirror = createServer((req, res) => {
    if (req.url === '/') res.writeHead(200).end('<html><a href="v3.4.45/">v3.4.45/</a> <a href="v3.5.30/">v3.5.30/</a></html>');
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => mirror.listen(0, '127.0.0.1', r));
  mirrorUrl = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}`;
});
after(async () => {
  mirror?.closeAllConnections();
  mirror?.close();
  await tc?.stop();
});

const cli = (args: string[]) => runCliInProcess(['upgrade', '--cluster', tc.cluster.name, '--to', '3.5.30', ...args], tc.env);
const pids = async () => (await tc.reload()).members.map((m) => m.pid);

test('dry run with a missing intermediate nobody offers: the plan, the missing binary, and the --via that would do', { skip, timeout: 60_000 }, async () => {
  const r = await cli(['--dry-run', '--source', 'dir:/nonexistent', '-o', 'json']);
  assert.equal(r.code, 3, r.stderr);
  const d = JSON.parse(r.stdout);
  assert.equal(d.dryRun, true);
  assert.deepEqual(d.path, ['3.3.25', '3.4.45', '3.5.30']);
  assert.ok(d.steps.some((s: { id: string }) => s.id === 'hop1/m1/install') && d.steps.some((s: { id: string }) => s.id === 'hop2/wait-cluster-version'), 'the plan is there');
  const b = d.binaries;
  assert.equal(b.ok, false);
  assert.deepEqual(b.versions.map((v: { version: string; installed: boolean }) => [v.version, v.installed]), [['3.4.45', false], ['3.5.30', true]]);
  const need = b.versions[0];
  assert.equal(need.reason, 'latest patch of 3.4');
  assert.deepEqual(need.offeredBy, []);
  assert.deepEqual(need.substitutes.map((s: { version: string; installed: boolean }) => [s.version, s.installed]), [['3.4.23', true]]);
  assert.ok(need.substitutes[0].lacks.length > 0, 'what 3.4.45 fixes that 3.4.23 lacks');
  assert.deepEqual(b.suggestedVia, ['3.4.23']);
  assert.equal(b.sources[0].reachable, false);
  assert.match(b.problems[0], /etcd 3\.4\.45 \(latest patch of 3\.4\) is not installed, and no source that answered offers it \(could not ask dir:\/nonexistent: .*no such directory\)/);
  assert.match(b.problems[0], /pass --via 3\.4\.23; 3\.4\.45 fixes what 3\.4\.23 lacks: \d+ security advisor/);

  const table = await runCliInProcess(['upgrade', '--cluster', tc.cluster.name, '--to', '3.5.30', '--dry-run', '--source', 'dir:/nonexistent'], { ...tc.env, NO_COLOR: '1' });
  assert.equal(table.code, 3);
  assert.match(table.stdout, /dry run: 3\.3\.25 -> 3\.4\.45 -> 3\.5\.30/);
  assert.match(table.stdout, /etcd binaries: 3\.4\.45 MISSING, 3\.5\.30 installed/);
  assert.match(table.stdout, /a real run refuses \(exit 3, nothing touched\) until they are installed, or with --via 3\.4\.23/);
});

test('dry run when a source offers the missing binary: which one, and the command that installs it', { skip, timeout: 60_000 }, async () => {
  const r = await cli(['--dry-run', '--source', 'github', '--base-url', mirrorUrl, '-o', 'json']);
  assert.equal(r.code, 3, r.stderr);
  const need = JSON.parse(r.stdout).binaries.versions[0];
  assert.deepEqual(need.offeredBy, [{ source: 'github', origin: mirrorUrl }]);
  assert.equal(need.install, `upshift etcd install 3.4.45 --source github --base-url ${mirrorUrl}`);
});

test('pinned to an installed patch (--via 3.4.23): everything installed, exit 0, no source asked', { skip, timeout: 60_000 }, async () => {
  const r = await cli(['--dry-run', '--via', '3.4.23', '--source', 'dir:/nonexistent', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const d = JSON.parse(r.stdout);
  assert.deepEqual(d.path, ['3.3.25', '3.4.23', '3.5.30']);
  assert.equal(d.binaries.ok, true);
  assert.deepEqual(d.binaries.sources, []);
  assert.doesNotMatch(r.stderr, /asking the binary sources/);
});

test('the real run refuses before touching anything, with the same information (exit 3)', { skip, timeout: 60_000 }, async () => {
  const before = await pids();
  const r = await cli(['--yes', '--source', 'dir:/nonexistent', '-o', 'json']);
  assert.equal(r.code, 3, r.stderr);
  const err = JSON.parse(r.stdout).error;
  assert.equal(err.code, 'etcd-not-installed');
  assert.match(err.message, /etcd 3\.4\.45 \(latest patch of 3\.4\) is not installed/);
  assert.match(err.message, /pass --via 3\.4\.23/);
  assert.match(err.hint, /add --via 3\.4\.23; nothing was touched/);
  assert.deepEqual(err.details.binaries.suggestedVia, ['3.4.23']);
  assert.deepEqual(runIds(tc.home), [], 'no run was created');
  assert.deepEqual(await pids(), before);
  assert.equal(await readLock(resolveConnection({ cluster: tc.cluster.name }, {}, tc.home)), undefined);
  assert.ok((await tc.reload()).members.every((m) => m.version === '3.3.25'));
});
