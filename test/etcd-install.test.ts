/**
 * `upshift etcd install|list` for real: the Debian route against the machine's configured mirror
 * (apt with a private state dir), `dir:`, and the GitHub release layout served by a local HTTP server
 * from archives built here out of the shared test binaries. Each case uses its own UPSHIFT_HOME.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, copyFileSync, rmSync, readFileSync, readdirSync, appendFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as tar from 'tar';
import { spawn, spawnSync } from 'node:child_process';
import { runCliInProcess, runCliSubprocess, binPath, type CliRun } from './support/cli.js';
import { testBinDir, hasTestVersion, newestTestVersion } from './support/home.js';
import { sha256File } from '../src/binaries/probe.js';
import { installVersion } from '../src/binaries/install.js';
import { DirSource } from '../src/binaries/sources/dir.js';
import { DebianSource } from '../src/binaries/sources/debian.js';
import type { BinarySource } from '../src/binaries/sources/source.js';
import { renameSync, utimesSync } from 'node:fs';
import { Writable } from 'node:stream';

const scratch = mkdtempSync(join(tmpdir(), 'upshift-etcd-install-'));
let homeN = 0;
function freshHome(): { home: string; env: NodeJS.ProcessEnv } {
  const home = join(scratch, `home-${++homeN}`);
  mkdirSync(home);
  return { home, env: { ...process.env, UPSHIFT_HOME: home } };
}
const json = (r: CliRun): any => {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
};

// ---- a local release mirror in the official layout ----
const files = new Map<string, Buffer>();
let server: Server;
let base = '';
let archiveDelayMs = 0;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function buildArchive(version: string, fromVersion: string): Promise<Buffer> {
  const top = `etcd-v${version}-linux-amd64`;
  const dir = join(scratch, 'build', version);
  mkdirSync(join(dir, top), { recursive: true });
  for (const b of ['etcd', 'etcdctl', 'etcdutl']) {
    const src = join(testBinDir(), fromVersion, b);
    if (existsSync(src)) copyFileSync(src, join(dir, top, b));
  }
  const readme = join(dir, top, 'README.md');
  appendFileSync(readme, '# etcd\n');
  const out = join(dir, `${top}.tar.gz`);
  await tar.c({ gzip: { level: 1 }, file: out, cwd: dir, portable: true }, [top]);
  return readFileSync(out);
}

before(async () => {
  assert.ok(hasTestVersion('3.5.30'), `test binaries missing in ${testBinDir()}: run upshift etcd install 3.5.30 first`);
  const good = await buildArchive('3.5.30', '3.5.30');
  const bad = Buffer.from(good); // same bytes, but the published checksum will not match
  const name = (v: string): string => `etcd-v${v}-linux-amd64.tar.gz`;
  files.set(`/v3.5.30/${name('3.5.30')}`, good);
  files.set('/v3.5.30/SHA256SUMS', Buffer.from(`${sha(good)}  ${name('3.5.30')}\n${'0'.repeat(64)}  etcd-v3.5.30-darwin-amd64.zip\n`));
  files.set(`/v3.4.23/${name('3.4.23')}`, bad);
  files.set('/v3.4.23/SHA256SUMS', Buffer.from(`${'ab'.repeat(32)}  ${name('3.4.23')}\n`));
  // Mislabelled: the v3.5.16 archive holds 3.5.30 binaries (checksum fine). The label must not be trusted.
  files.set(`/v3.5.16/${name('3.5.16')}`, good);
  files.set('/v3.5.16/SHA256SUMS', Buffer.from(`${sha(good)}  ${name('3.5.16')}\n`));
  files.set('/', Buffer.from('<html><a href="v3.4.23/">v3.4.23/</a> <a href="v3.5.16/">v3.5.16/</a> <a href="v3.5.30/">v3.5.30/</a></html>'));
  server = createServer((req, res) => {
    const body = files.get(req.url ?? '');
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    const send = (): void => void res.writeHead(200, { 'content-length': body.length }).end(body);
    if (req.url!.endsWith('.tar.gz') && archiveDelayMs) setTimeout(send, archiveDelayMs);
    else send();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  rmSync(scratch, { recursive: true, force: true });
});

async function assertManifestMatchesFiles(dir: string): Promise<any> {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  for (const [b, f] of Object.entries<any>(m.files)) assert.equal(await sha256File(join(dir, b)), f.sha256, `${b} hash`);
  return m;
}

test('debian: installs 3.4.23 from the configured mirror; re-install is a no-op; damage is detected; --force repairs', async () => {
  const { home, env } = freshHome();
  const r = await runCliInProcess(['etcd', 'install', '3.4.23', '--source', 'debian', '-o', 'json'], env);
  assert.equal(r.code, 0, r.stderr);
  const v = json(r).versions[0];
  assert.equal(v.action, 'installed');
  assert.equal(v.source, 'debian');
  assert.deepEqual(Object.keys(v.files).sort(), ['etcd', 'etcdctl']);
  const m = await assertManifestMatchesFiles(join(home, 'etcd', '3.4.23'));
  assert.equal(m.version, '3.4.23');
  assert.match(m.sourceDetail['etcd-server'], /^3\.4\.23/);
  assert.match(m.sourceDetail['etcd-server.sha256'], /^[0-9a-f]{64}$/);
  assert.ok(m.sourceDetail.suite, 'records the Debian suite');
  // Private apt state only: nothing under the system's /var/lib/apt is used; our state is in the home.
  assert.ok(existsSync(join(home, 'cache', 'apt', 'discovery.json')));

  const again = await runCliInProcess(['etcd', 'install', '3.4.23', '--source', 'debian', '-o', 'json'], env);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(json(again).versions[0].action, 'already-installed');
  assert.doesNotMatch(again.stderr, /apt-get/, 'an installed version touches no source');

  appendFileSync(join(home, 'etcd', '3.4.23', 'etcdctl'), 'x');
  const damaged = await runCliInProcess(['etcd', 'install', '3.4.23', '-o', 'json'], env);
  assert.equal(damaged.code, 1);
  const err = json(damaged).versions[0].error;
  assert.equal(err.code, 'installed-damaged');
  assert.match(err.message, /etcdctl: sha256 [0-9a-f]{64}, manifest says [0-9a-f]{64}/);

  const forced = await runCliInProcess(['etcd', 'install', '3.4.23', '--source', 'debian', '--force', '-o', 'json'], env);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(json(forced).versions[0].action, 'reinstalled');
  await assertManifestMatchesFiles(join(home, 'etcd', '3.4.23'));
  assert.deepEqual(readdirSync(join(home, 'etcd')), ['3.4.23'], 'no work dirs or locks left behind');

  // list --available: Debian versions per suite (from the cached indices) plus the local github mirror.
  const list = await runCliInProcess(['etcd', 'list', '--available', '--base-url', `${base}/`, '-o', 'json'], env);
  assert.equal(list.code, 0, list.stderr);
  const doc = json(list);
  assert.deepEqual(doc.installed.map((i: any) => [i.version, i.source, i.files]), [['3.4.23', 'debian', ['etcd', 'etcdctl']]]);
  const deb = doc.available.find((a: any) => a.source === 'debian');
  assert.equal(deb.reachable, true);
  const debVersions = deb.versions.map((x: any) => x.version);
  assert.ok(debVersions.includes('3.4.23'), `debian offers ${debVersions}`);
  assert.ok(deb.versions.every((x: any) => /: etcd-server \S+$/.test(x.detail)), 'each offer names its suite and package version');
  const gh = doc.available.find((a: any) => a.source === 'github');
  assert.deepEqual(gh.versions.map((x: any) => x.version), ['3.4.23', '3.5.16', '3.5.30']);

  // Unknown version: exit 2, and the message lists what Debian offers.
  const unknown = await runCliInProcess(['etcd', 'install', '3.0.99', '--source', 'debian', '-o', 'json'], env);
  assert.equal(unknown.code, 2);
  const ue = json(unknown).versions[0].error;
  assert.equal(ue.code, 'unknown-version');
  assert.match(ue.message, /it offers: .*3\.4\.23/);
});

test('dir: installs what a directory holds, version read from etcd --version', async () => {
  const { home, env } = freshHome();
  const src = join(testBinDir(), '3.5.30');
  const r = await runCliInProcess(['etcd', 'install', '--source', `dir:${src}`, '-o', 'json'], env);
  assert.equal(r.code, 0, r.stderr);
  const v = json(r).versions[0];
  assert.equal(v.version, '3.5.30');
  assert.equal(v.source, `dir:${src}`);
  assert.equal(v.files.etcd.origin, join(src, 'etcd'));
  await assertManifestMatchesFiles(join(home, 'etcd', '3.5.30'));

  const wrong = await runCliInProcess(['etcd', 'install', '3.4.23', '--source', `dir:${src}`, '-o', 'json'], env);
  assert.equal(wrong.code, 2);
  assert.match(json(wrong).versions[0].error.message, /not offered .* it offers: 3\.5\.30/);

  const missing = await runCliInProcess(['etcd', 'install', '--source', `dir:${join(scratch, 'nope')}`], env);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such directory/);
});

test('github: installs from a mirror in the release layout, verified against SHA256SUMS', async () => {
  const { home, env } = freshHome();
  const r = await runCliInProcess(['etcd', 'install', 'v3.5.30', '--source', 'github', '--base-url', base, '-o', 'json'], env);
  assert.equal(r.code, 0, r.stderr);
  const v = json(r).versions[0];
  assert.equal(v.source, 'github');
  assert.deepEqual(Object.keys(v.files).sort(), ['etcd', 'etcdctl', 'etcdutl']);
  const m = await assertManifestMatchesFiles(join(home, 'etcd', '3.5.30'));
  assert.equal(m.sourceDetail.archiveUrl, `${base}/v3.5.30/etcd-v3.5.30-linux-amd64.tar.gz`);
  assert.equal(m.files.etcd.sha256, await sha256File(join(testBinDir(), '3.5.30', 'etcd')));
});

test('github: a checksum mismatch exits 1, names the file and both hashes, installs nothing', async () => {
  const { home, env } = freshHome();
  const r = await runCliInProcess(['etcd', 'install', '3.4.23', '--source', 'github', '--base-url', base, '-o', 'json'], env);
  assert.equal(r.code, 1);
  const e = json(r).versions[0].error;
  assert.equal(e.code, 'checksum-mismatch');
  assert.match(e.message, new RegExp(`etcd-v3\\.4\\.23-linux-amd64\\.tar\\.gz .*expected sha256 ${'ab'.repeat(32)} .*got ${sha(files.get('/v3.4.23/etcd-v3.4.23-linux-amd64.tar.gz')!)}`));
  assert.ok(!existsSync(join(home, 'etcd', '3.4.23')));
  assert.deepEqual(readdirSync(join(home, 'etcd')), [], 'work dir removed');
});

test('github: an archive whose binaries report another version is refused (labels are not trusted)', async () => {
  const { home, env } = freshHome();
  const r = await runCliInProcess(['etcd', 'install', '3.5.16', '--source', 'github', '--base-url', base, '-o', 'json'], env);
  assert.equal(r.code, 1);
  assert.equal(json(r).versions[0].error.code, 'version-mismatch');
  assert.ok(!existsSync(join(home, 'etcd', '3.5.16')));
});

test('github: unknown version (404) exits 2 and lists the mirror\'s versions; unreachable exits 3 naming URL and deadline', async () => {
  const { env } = freshHome();
  const r = await runCliInProcess(['etcd', 'install', '3.3.99', '--source', 'github', '--base-url', base, '-o', 'json'], env);
  assert.equal(r.code, 2);
  const e = json(r).versions[0].error;
  assert.equal(e.code, 'unknown-version');
  assert.match(e.message, /3\.3\.99.*it offers: 3\.4\.23, 3\.5\.16, 3\.5\.30/);

  // A server that accepts but never answers: the request deadline ends it.
  const silent = createServer(() => undefined);
  await new Promise<void>((res) => silent.listen(0, '127.0.0.1', res));
  try {
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const t = await runCliInProcess(['etcd', 'install', '3.5.30', '--source', 'github', '--base-url', url, '--request-timeout', '1s', '-o', 'json'], env);
    assert.equal(t.code, 3);
    const te = json(t).versions[0].error;
    assert.equal(te.code, 'unreachable');
    assert.match(te.message, new RegExp(`${url}/v3\\.5\\.30/SHA256SUMS did not answer within the 1\\.0 s deadline`));
    // list --available reports the unreachable source instead of failing; with no other source, exit 3.
    const l = await runCliInProcess(['etcd', 'list', '--available', '--source', 'github', '--base-url', url, '--request-timeout', '1s', '-o', 'json'], env);
    assert.equal(l.code, 3);
    assert.equal(json(l).available[0].reachable, false);
  } finally {
    silent.closeAllConnections();
    silent.close();
  }
});

test('concurrent installs of one version: one installs, the other waits and finds it installed', async () => {
  const { home, env } = freshHome();
  archiveDelayMs = 500; // keep the first download in flight while the second starts
  try {
    const args = ['etcd', 'install', '3.5.30', '--source', 'github', '--base-url', base, '-o', 'json'];
    const [a, b] = await Promise.all([runCliSubprocess(args, env), runCliSubprocess(args, env)]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const actions = [json(a).versions[0].action, json(b).versions[0].action].sort();
    assert.deepEqual(actions, ['already-installed', 'installed']);
  } finally {
    archiveDelayMs = 0;
  }
  await assertManifestMatchesFiles(join(home, 'etcd', '3.5.30'));
  assert.deepEqual(readdirSync(join(home, 'etcd')), ['3.5.30'], 'no work dirs or locks left behind');
});

test('an installer that loses the final rename keeps the winner\'s install; old work dirs are swept', async () => {
  const winner = freshHome();
  const loser = freshHome();
  const src = join(testBinDir(), '3.5.30');
  const ctxOf = (home: string) => ({ home, env: process.env, signal: new AbortController().signal, interactive: false, stderr: new Writable({ write: (_c, _e, cb) => cb() }) });
  await installVersion('3.5.30', () => new DirSource(src), ctxOf(winner.home), { lockWaitMs: 60_000 });
  // A work dir left by a crashed installer long ago.
  mkdirSync(join(loser.home, 'etcd', '.3.5.30.tmp-crashed'), { recursive: true });
  const past = new Date(Date.now() - 2 * 3_600_000);
  utimesSync(join(loser.home, 'etcd', '.3.5.30.tmp-crashed'), past, past);
  // Simulates a second installer that did not see the lock (e.g. it went stale): the complete install
  // appears at the target while this one is still fetching.
  const dir = new DirSource(src);
  const racing: BinarySource = {
    name: dir.name,
    available: (c) => dir.available(c),
    async fetch(v, work, c) {
      renameSync(join(winner.home, 'etcd', '3.5.30'), join(loser.home, 'etcd', '3.5.30'));
      return dir.fetch(v, work, c);
    },
  };
  const winnerManifest = readFileSync(join(winner.home, 'etcd', '3.5.30', 'manifest.json'), 'utf8');
  const r = await installVersion('3.5.30', () => racing, ctxOf(loser.home), { lockWaitMs: 60_000 });
  assert.equal(r.action, 'already-installed');
  assert.equal(readFileSync(join(loser.home, 'etcd', '3.5.30', 'manifest.json'), 'utf8'), winnerManifest, 'the winner\'s install is kept');
  await assertManifestMatchesFiles(join(loser.home, 'etcd', '3.5.30'));
  assert.deepEqual(readdirSync(join(loser.home, 'etcd')), ['3.5.30'], 'own and crashed work dirs removed');
});

test('debian: suites whose signature does not verify with the trusted keyring are refused', async () => {
  const { home } = freshHome();
  // A keyring holding some other key: apt must reject every Debian suite (nothing is read unsigned).
  const keyring = join(scratch, 'wrong-keyring.gpg');
  const other = ['/usr/share/keyrings/debian-archive-removed-keys.gpg', '/usr/share/keyrings/nodesource.gpg'].find((k) => existsSync(k));
  if (other) copyFileSync(other, keyring);
  else appendFileSync(keyring, '');
  const src = new DebianSource({ requestDeadlineMs: 20_000, downloadDeadlineMs: 120_000, keyring });
  const ctx = { home, env: process.env, signal: new AbortController().signal, interactive: false, stderr: new Writable({ write: (_c, _e, cb) => cb() }) };
  const report = await src.available(ctx);
  assert.equal(report.reachable, false);
  assert.match(report.error ?? '', /no Debian suite could be read: .*apt-get update failed for .*(NO_PUBKEY|not signed|signature|keyring)/is);
});

test('debian without apt-get exits 3 and says so', async () => {
  const { env } = freshHome();
  const r = await runCliSubprocess(['etcd', 'install', '3.4.23', '--source', 'debian', '-o', 'json'], { ...env, PATH: join(scratch, 'empty-path') });
  assert.equal(r.code, 3, r.stderr);
  assert.equal(json(r).versions[0].error.code, 'apt-missing');
  assert.match(r.stderr, /apt-get is not installed/);
});

test('bad input exits 2 naming it', async () => {
  const { env } = freshHome();
  for (const args of [
    ['etcd', 'install', 'latest'],
    ['etcd', 'install', '3.5.30', '--source', 'ftp'],
    ['etcd', 'install'],
    ['etcd', 'install', '3.5.30', '--source', 'debian', '--base-url', base],
  ]) {
    const r = await runCliInProcess(args, env);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  }
});

// ---- go: builds from the Go module proxy with the machine's Go toolchain (skipped without Go) ----
const haveGo = spawnSync('go', ['version']).status === 0;
const goSkip = haveGo ? false : 'no Go toolchain on this machine';
/** The 3.6 the suite installed (scripts/test.sh builds it with --source go, so Go's caches are warm for it). */
const go36 = newestTestVersion('3.6') ?? '3.6.17';

test('go: builds etcd 3.6 from the module proxy with provenance; re-install is a no-op; list --available offers 3.5-3.7', { skip: goSkip }, async () => {
  const { home, env } = freshHome();
  const r = await runCliSubprocess(['etcd', 'install', go36, '--source', 'go', '-o', 'json'], env, 600_000);
  assert.equal(r.code, 0, r.stderr);
  const v = json(r).versions[0];
  assert.equal(v.source, 'go');
  assert.deepEqual(Object.keys(v.files).sort(), ['etcd', 'etcdctl', 'etcdutl']);
  for (const step of ['downloading modules', 'building etcd (1/3)', 'building etcdctl (2/3)', 'building etcdutl (3/3)']) assert.ok(r.stderr.includes(step), `progress names "${step}":\n${r.stderr}`);
  const m = await assertManifestMatchesFiles(join(home, 'etcd', go36));
  const goVersion = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).stdout.trim();
  assert.equal(m.build.tool, 'go');
  assert.equal(m.build.goVersion, goVersion, 'the toolchain the binaries report');
  assert.ok(m.build.flags.includes('-trimpath') && m.build.flags.includes('CGO_ENABLED=0'), String(m.build.flags));
  const etcdMods = m.build.modules.filter((x: any) => x.path.startsWith('go.etcd.io/etcd/'));
  assert.ok(etcdMods.length >= 6, `etcd modules linked: ${etcdMods.map((x: any) => x.path)}`);
  for (const x of etcdMods) {
    assert.equal(x.version, `v${go36}`, `${x.path} at the release`);
    assert.match(x.sum, /^h1:[A-Za-z0-9+/]{43}=$/, `${x.path} carries its go.sum hash`);
  }
  assert.ok(m.build.gitSha === null ? /did not report/.test(m.build.gitShaNote) : /^[0-9a-f]{7}$/.test(m.build.gitSha));
  assert.deepEqual(readdirSync(join(home, 'etcd')), [go36], 'no work dirs or locks left behind');

  const again = await runCliInProcess(['etcd', 'install', go36, '--source', 'go', '-o', 'json'], env);
  assert.equal(json(again).versions[0].action, 'already-installed');
  assert.doesNotMatch(again.stderr, /building/);

  const list = await runCliInProcess(['etcd', 'list', '--available', '--source', 'go', '-o', 'json'], env);
  assert.equal(list.code, 0, list.stderr);
  const offered = json(list).available[0].versions.map((x: any) => x.version);
  for (const line of ['3.5', '3.6', '3.7']) assert.ok(offered.some((x: string) => x.startsWith(`${line}.`)), `go offers ${line}: ${offered}`);
  assert.ok(offered.includes(go36));
});

test('go: 3.4 is refused (not /v3 modules), an unknown version exits 2 with the offers, no Go exits 3', { skip: goSkip }, async () => {
  const { home, env } = freshHome();
  const old = await runCliInProcess(['etcd', 'install', '3.4.23', '--source', 'go', '-o', 'json'], env);
  assert.equal(old.code, 2);
  assert.match(json(old).versions[0].error.message, /not published as Go modules/);
  const unknown = await runCliInProcess(['etcd', 'install', '3.6.999', '--source', 'go', '-o', 'json'], env);
  assert.equal(unknown.code, 2, unknown.stderr);
  assert.equal(json(unknown).versions[0].error.code, 'unknown-version');
  assert.match(json(unknown).versions[0].error.message, new RegExp(`it offers: .*${go36.replace(/\./g, '\\.')}`));
  const noGo = { ...env, PATH: '/usr/bin:/bin' };
  const missing = await runCliInProcess(['etcd', 'install', go36, '--source', 'go', '-o', 'json'], noGo);
  assert.equal(missing.code, 3);
  assert.equal(json(missing).versions[0].error.code, 'go-missing');
  assert.match(json(missing).versions[0].error.hint, /install Go 1\.26 or newer/);
  const list = await runCliInProcess(['etcd', 'list', '--available', '--source', 'go', '-o', 'json'], noGo);
  assert.equal(list.code, 3);
  assert.match(json(list).available[0].error, /needs a Go toolchain/);
  assert.ok(!existsSync(join(home, 'etcd', go36)));
});

test('go: a failing build exits 1 with the tail of the build log and installs nothing; Ctrl-C during a build leaves nothing behind', { skip: goSkip }, async () => {
  const { home, env } = freshHome();
  // A compiler flag that does not exist: every compile fails (a real `go build` failure).
  const bad = await runCliInProcess(['etcd', 'install', go36, '--source', 'go', '-o', 'json'], { ...env, GOFLAGS: '-gcflags=all=-no-such-flag' });
  assert.equal(bad.code, 1, bad.stderr);
  const err = json(bad).versions[0].error;
  assert.equal(err.code, 'go-build-failed');
  assert.match(err.message, /go build go\.etcd\.io\/etcd\/server\/v3 failed for etcd .*\n.*no-such-flag/s);
  assert.match(err.hint, /full log is in .*cache\/go\/logs\/etcd-/);
  assert.deepEqual(readdirSync(join(home, 'etcd')), [], 'nothing installed, no work dir left');

  // SIGINT as soon as the first binary's build starts.
  const child = spawn(process.execPath, [binPath, 'etcd', 'install', go36, '--source', 'go'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (!stderr.includes('building etcd (1/3)...') && (stderr + d).includes('building etcd (1/3)...')) child.kill('SIGINT');
    stderr += d;
  });
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.equal(code, 3, stderr);
  assert.match(stderr, /interrupted/);
  assert.deepEqual(readdirSync(join(home, 'etcd')), [], 'no half-built version, work dir or lock left');
});
