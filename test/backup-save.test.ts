/**
 * `backup save|verify|ls|prune` end to end on real etcd: 3.4.23 and 3.5.30, plain and TLS (+auth),
 * every kind of damage named by `verify`, and prune's rules on real files.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync, truncateSync, openSync, writeSync, closeSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { startTestCluster, type TestCluster } from './support/cluster.js';
import { hasTestVersion, newestTestVersion, testBinDir } from './support/home.js';

/** The newest 3.6 and 3.7 the suite installed (built from Go modules by scripts/test.sh). */
const CURRENT = [newestTestVersion('3.6'), newestTestVersion('3.7')].filter((v): v is string => !!v);
import { runCliInProcess } from './support/cli.js';
import { resolveConnection } from '../src/client/connection.js';
import { EndpointClient } from '../src/client/endpoint.js';

interface SaveJson {
  file: string;
  size: number;
  sha256: string;
  revision: number;
  totalKeys: number;
  etcdVersion: string;
  clusterId: string;
  memberId: string;
  createdAt: string;
  ok: boolean;
  memberName: string;
  hashKV: { hash: number; revision: number; compactRevision: number } | null;
  liveKeys: number | null;
  problems: { code: string; message: string }[];
}

async function putKeys(tc: TestCluster, n: number, prefix = '/k'): Promise<void> {
  const config = resolveConnection({ cluster: tc.cluster.name }, {}, tc.home);
  const c = new EndpointClient(tc.cluster.members[0]!.clientURL, config);
  try {
    for (let i = 0; i < n; i++) await c.transport.unary('KV', 'Put', { key: Buffer.from(`${prefix}${i % 40}`), value: Buffer.alloc(200 + (i % 5) * 1000, 97 + (i % 26)) }, { op: 'write' });
  } finally {
    c.close();
  }
}

function env(tc: TestCluster): NodeJS.ProcessEnv {
  return { ...tc.testHome.env };
}

async function save(tc: TestCluster, args: string[] = ['--cluster', tc.cluster.name]): Promise<SaveJson> {
  const r = await runCliInProcess(['backup', 'save', ...args, '-o', 'json'], env(tc));
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as SaveJson;
}

/** etcdctl's own HashKV at a revision, as an independent reference. */
function etcdctlHashKV(tc: TestCluster, version: string, rev: number, endpoint: string): number {
  const a = ['endpoint', 'hashkv', '--rev', String(rev), '-w', 'json', `--endpoints=${endpoint}`];
  if (tc.cluster.tls) a.push(`--cacert=${tc.cluster.tls.caCert}`, `--cert=${tc.cluster.tls.clientCert}`, `--key=${tc.cluster.tls.clientKey}`);
  if (tc.conn.user) a.push(`--user=${tc.conn.user}:${tc.conn.password}`);
  const out = JSON.parse(execFileSync(join(testBinDir(), version, 'etcdctl'), a, { env: { ...process.env, ETCDCTL_API: '3' } }).toString()) as { HashKV: { hash: number } }[];
  return out[0]!.HashKV.hash;
}

function checkSaved(s: SaveJson, tc: TestCluster, version: string): void {
  assert.equal(s.ok, true);
  assert.equal(s.etcdVersion, version);
  assert.ok(s.revision > 1);
  assert.ok(s.totalKeys > 0);
  assert.equal(statSync(s.file).size, s.size);
  assert.equal(s.size % 512, 32, 'etcd trailer kept');
  assert.equal(statSync(s.file).mode & 0o777, 0o600, 'private mode');
  assert.ok(existsSync(`${s.file}.manifest.json`));
  assert.deepEqual(readdirSync(dirname(s.file)).filter((n) => n.endsWith('.part')), [], 'no .part left');
  const leader = tc.cluster.members.find((m) => m.clientURL === (JSON.parse(readFileSync(`${s.file}.manifest.json`, 'utf8')) as { endpoint: string }).endpoint);
  assert.ok(leader, 'saved from a member of the cluster');
  assert.ok(s.hashKV, 'HashKV recorded');
  assert.equal(s.hashKV!.hash, etcdctlHashKV(tc, version, s.revision, leader!.clientURL), 'HashKV equals etcdctl endpoint hashkv --rev');
}

for (const version of ['3.5.30', '3.4.23', ...CURRENT].filter(hasTestVersion)) {
  describe(`backup on etcd ${version} (plain, 3 members for 3.4)`, () => {
    let tc: TestCluster;
    before(async () => {
      tc = await startTestCluster({ version, members: version === '3.4.23' ? 3 : 1 });
      await putKeys(tc, 120);
    });
    after(() => tc?.stop());

    test('save: leader by default, default dir, manifest, HashKV, verify OK', async () => {
      const s = await save(tc);
      checkSaved(s, tc, version);
      assert.equal(dirname(s.file), join(tc.home, 'backups', s.clusterId));
      assert.equal(s.liveKeys, 40);
      const v = await runCliInProcess(['backup', 'verify', s.file, '-o', 'json'], env(tc));
      assert.equal(v.code, 0, v.stdout + v.stderr);
      const vj = JSON.parse(v.stdout) as SaveJson;
      assert.equal(vj.ok, true);
      assert.equal(vj.revision, s.revision);
      assert.equal(vj.sha256, s.sha256);
      // the whole-file sha256 is what sha256sum prints
      assert.equal(execFileSync('sha256sum', [s.file]).toString().split(' ')[0], s.sha256);
    });

    if (version === '3.4.23') {
      test('save --from a follower by name', async () => {
        const st = await runCliInProcess(['backup', 'save', '--cluster', tc.cluster.name, '-o', 'json', '--from', 'm2', '--dir', join(tc.home, 'from')], env(tc));
        assert.equal(st.code, 0, st.stderr);
        const s = JSON.parse(st.stdout) as SaveJson;
        assert.equal(s.memberName, 'm2');
        checkSaved(s, tc, version);
        const bad = await runCliInProcess(['backup', 'save', '--cluster', tc.cluster.name, '--from', 'nope'], env(tc));
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /--from: no member "nope"/);
      });
    }
  });
}

for (const version of ['3.5.30', '3.4.23', ...CURRENT].filter(hasTestVersion)) {
  const auth = version !== '3.4.23';
  test(`backup save over TLS${auth ? ' with auth' : ''} (${version}), via --cluster and via etcdctl flags`, async (t) => {
    let tc: TestCluster | undefined;
    t.after(() => tc?.stop());
    tc = await startTestCluster({ version, members: 1, tls: true, auth });
    await putKeys(tc, 30);
    const s1 = await save(tc);
    checkSaved(s1, tc, version);
    const tls = tc.cluster.tls!;
    const flags = ['--endpoints', tc.cluster.members[0]!.clientURL, '--cacert', tls.caCert, '--cert', tls.clientCert, '--key', tls.clientKey, '--dir', join(tc.home, 'flags')];
    if (tc.conn.user) flags.push('--user', tc.conn.user, '--password', tc.conn.password!);
    const r = await runCliInProcess(['backup', 'save', ...flags, '-o', 'json'], env(tc));
    assert.equal(r.code, 0, r.stderr);
    const s2 = JSON.parse(r.stdout) as SaveJson;
    checkSaved(s2, tc, version);
    if (tc.conn.password) {
      assert.ok(!r.stdout.includes(tc.conn.password) && !r.stderr.includes(tc.conn.password), 'password never printed');
      assert.ok(!readFileSync(`${s2.file}.manifest.json`, 'utf8').includes(tc.conn.password), 'password not in the manifest');
    }
  });
}

describe('verify names each kind of damage; ls and prune', () => {
  let tc: TestCluster;
  let good: SaveJson;
  let dir: string;
  before(async () => {
    tc = await startTestCluster({ version: hasTestVersion('3.5.30') ? '3.5.30' : '3.4.23', members: 1 });
    await putKeys(tc, 200);
    dir = join(tc.home, 'dmg');
    good = await save(tc, ['--cluster', tc.cluster.name, '--dir', dir]);
  });
  after(() => tc?.stop());

  /** A copy of the good backup (with its manifest) under a new name, then `damage` applied to the copy. */
  async function damaged(name: string, damage: (file: string) => void, withManifest = true): Promise<{ code: number; json: SaveJson; stderr: string; stdout: string }> {
    const f = join(dir, name);
    copyFileSync(good.file, f);
    if (withManifest) writeFileSync(`${f}.manifest.json`, readFileSync(`${good.file}.manifest.json`, 'utf8').replace(/"file": "[^"]*"/, `"file": "${name}"`));
    damage(f);
    const r = await runCliInProcess(['backup', 'verify', f, '-o', 'json'], env(tc));
    return { code: r.code, json: JSON.parse(r.stdout) as SaveJson, stderr: r.stderr, stdout: r.stdout };
  }
  const flip = (f: string, at: number): void => {
    const fd = openSync(f, 'r+');
    const b = Buffer.alloc(1);
    const rfd = readFileSync(f);
    b[0] = rfd[at]! ^ 0xff;
    writeSync(fd, b, 0, 1, at);
    closeSync(fd);
  };
  const codes = (j: SaveJson): string[] => j.problems.map((p) => p.code);

  test('intact copy verifies', async () => {
    const r = await damaged('intact.db', () => undefined);
    assert.equal(r.code, 0, r.stdout);
  });
  test('empty file', async () => {
    const r = await damaged('empty.db', (f) => truncateSync(f, 0));
    assert.equal(r.code, 1);
    assert.deepEqual(codes(r.json), ['empty-file', 'manifest-mismatch', 'manifest-mismatch']);
  });
  test('truncation', async () => {
    const r = await damaged('trunc.db', (f) => truncateSync(f, Math.floor(good.size / 2)));
    assert.equal(r.code, 1);
    assert.ok(codes(r.json).includes('truncated'), JSON.stringify(r.json.problems));
  });
  test('a flipped byte in the middle, in the first meta page, in the trailer', async () => {
    for (const [name, at] of [
      ['flip-mid.db', Math.floor(good.size / 2)],
      ['flip-meta.db', 40],
      ['flip-trailer.db', good.size - 5],
      ['flip-last-db-byte.db', good.size - 33],
    ] as const) {
      const r = await damaged(name, (f) => flip(f, at));
      assert.equal(r.code, 1, name);
      assert.ok(codes(r.json).includes('checksum-mismatch'), `${name}: ${JSON.stringify(r.json.problems)}`);
      assert.ok(codes(r.json).includes('manifest-mismatch'), `${name}: sha256 differs from the manifest`);
      if (name === 'flip-meta.db') assert.ok(codes(r.json).includes('bad-meta'), 'meta checksum named');
    }
  });
  test('not a snapshot', async () => {
    const r = await damaged('random.db', (f) => writeFileSync(f, Buffer.alloc(8192, 7)), false);
    assert.equal(r.code, 1);
    assert.deepEqual(codes(r.json), ['not-a-snapshot']);
    assert.match(r.json.problems[0]!.message, /not an etcd snapshot/);
  });
  test('manifest mismatch (revision edited)', async () => {
    const f = join(dir, 'manifest-edit.db');
    copyFileSync(good.file, f);
    writeFileSync(`${f}.manifest.json`, readFileSync(`${good.file}.manifest.json`, 'utf8').replace(`"revision": ${good.revision},`, `"revision": ${good.revision + 1},`));
    const r = await runCliInProcess(['backup', 'verify', f], env(tc));
    assert.equal(r.code, 1);
    assert.match(r.stdout, /\[manifest-mismatch\] revision differs from the manifest: recorded \d+, file has \d+/);
  });
  test('a raw db without trailer; and one with a flipped meta byte', async () => {
    const raw = await damaged('raw.db', (f) => truncateSync(f, good.size - 32), false);
    assert.equal(raw.code, 1);
    assert.deepEqual(codes(raw.json), ['missing-checksum']);
    const rawMeta = await damaged('raw-meta.db', (f) => (truncateSync(f, good.size - 32), flip(f, 4096 + 40)), false);
    assert.ok(codes(rawMeta.json).includes('bad-meta'), JSON.stringify(rawMeta.json.problems));
  });
  test('no manifest: a note by default, a problem with --require-manifest', async () => {
    const f = join(dir, 'no-manifest.db');
    copyFileSync(good.file, f);
    const plain = await runCliInProcess(['backup', 'verify', f, '-o', 'json'], env(tc));
    assert.equal(plain.code, 0, plain.stdout);
    assert.match((JSON.parse(plain.stdout) as { notes: string[] }).notes[0]!, /no manifest/);
    const strict = await runCliInProcess(['backup', 'verify', f, '--require-manifest', '-o', 'json'], env(tc));
    assert.equal(strict.code, 1);
    assert.deepEqual(codes(JSON.parse(strict.stdout) as SaveJson), ['manifest-missing']);
  });
  test('missing file is a usage error (exit 2)', async () => {
    const r = await runCliInProcess(['backup', 'verify', join(dir, 'nope.db')], env(tc));
    assert.equal(r.code, 2);
  });

  test('ls lists newest first; prune keeps the newest verified one', async () => {
    const pdir = join(tc.home, 'prune');
    const a = await save(tc, ['--cluster', tc.cluster.name, '--dir', pdir]);
    await putKeys(tc, 5, '/more');
    const b = await save(tc, ['--cluster', tc.cluster.name, '--dir', pdir]);
    await putKeys(tc, 5, '/more');
    const c = await save(tc, ['--cluster', tc.cluster.name, '--dir', pdir]);
    const ls = await runCliInProcess(['backup', 'ls', '--dir', pdir, '-o', 'json'], env(tc));
    assert.equal(ls.code, 0);
    const files = (JSON.parse(ls.stdout) as { backups: { file: string }[] }).backups.map((x) => x.file);
    assert.deepEqual(files, [c.file, b.file, a.file]);
    writeFileSync(join(pdir, '.snapshot-x.db.123.abcd.part'), 'leftover');
    const lsPart = JSON.parse((await runCliInProcess(['backup', 'ls', '--dir', pdir, '-o', 'json'], env(tc))).stdout) as { partials: string[] };
    assert.deepEqual(lsPart.partials, [join(pdir, '.snapshot-x.db.123.abcd.part')], 'an interrupted save is shown as a leftover');
    const d = await save(tc);
    const lsAll = await runCliInProcess(['backup', 'ls', '-o', 'json'], env(tc));
    assert.deepEqual((JSON.parse(lsAll.stdout) as { backups: { file: string }[] }).backups.map((x) => x.file), [d.file]);
    assert.ok((JSON.parse(lsAll.stdout) as { backups: unknown[] }).backups.length >= 1, 'default dir lists the cluster');

    // The newest is damaged: keep-last 1 must keep b (newest verified), not only c.
    flip(c.file, Math.floor(c.size / 2));
    const dry = await runCliInProcess(['backup', 'prune', '--dir', pdir, '--keep-last', '1', '--dry-run', '-o', 'json'], env(tc));
    assert.equal(dry.code, 0, dry.stderr);
    const dj = JSON.parse(dry.stdout) as { delete?: string[]; decisions: { file: string; action: string }[]; newestVerified: string };
    assert.equal(dj.newestVerified, b.file);
    assert.deepEqual(dj.decisions.filter((d) => d.action === 'delete').map((d) => d.file), [a.file]);
    assert.ok(existsSync(a.file), 'dry run deletes nothing');
    const real = await runCliInProcess(['backup', 'prune', '--dir', pdir, '--keep-last', '1', '-o', 'json'], env(tc));
    assert.equal(real.code, 0);
    assert.ok(!existsSync(a.file) && !existsSync(`${a.file}.manifest.json`));
    assert.ok(existsSync(b.file) && existsSync(c.file));
    const none = await runCliInProcess(['backup', 'prune', '--dir', pdir], env(tc));
    assert.equal(none.code, 2, 'a rule is required');
  });
});

/**
 * A stalled stream must end with a clear error, not hang (etcdctl's snapshot save has no timeout:
 * etcd-io/etcd#10298). A TCP proxy in front of the member stops forwarding the server's bytes after
 * 64 KiB on a connection: only the snapshot stream carries that much.
 */
test('save stops a stalled snapshot stream after --inactivity-timeout and leaves no partial file', async (t) => {
  const { createServer, connect } = await import('node:net');
  let tc: TestCluster | undefined;
  const sockets = new Set<import('node:net').Socket>();
  const proxy = createServer((client) => {
    const url = new URL(tc!.cluster.members[0]!.clientURL);
    const upstream = connect(Number(url.port), url.hostname);
    sockets.add(client).add(upstream);
    let down = 0;
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => {
      down += d.length;
      if (down <= 64 * 1024) client.write(d);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  t.after(async () => {
    for (const s of sockets) s.destroy();
    proxy.close();
    await tc?.stop();
  });
  tc = await startTestCluster({ version: hasTestVersion('3.5.30') ? '3.5.30' : '3.4.23', members: 1 });
  await putKeys(tc, 100);
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  const port = (proxy.address() as import('node:net').AddressInfo).port;
  const dir = join(tc.home, 'stall');
  const r = await runCliInProcess(['backup', 'save', '--endpoints', `http://127.0.0.1:${port}`, '--dir', dir, '--inactivity-timeout', '1s'], env(tc));
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /sent nothing for 1 s after \d+ bytes: stopped/);
  assert.deepEqual(existsSync(dir) ? readdirSync(dir) : [], [], 'no .part and no snapshot left behind');
});
