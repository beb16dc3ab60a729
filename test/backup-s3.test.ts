/**
 * Backups in an S3-compatible store (moto's server on 127.0.0.1, started here; see test/support/s3.ts):
 * save --to s3:// and restore s3:// on 3.5, 3.6 and 3.7 with TLS+auth clusters; an upload killed mid-stream
 * leaves no object (SIGKILL: an invisible pending upload; SIGTERM: aborted) and the next save works; wrong
 * credentials, a missing bucket and an unreachable endpoint; a flipped byte in the stored object found by
 * verify; prune against the store; the credentials in no output and no file.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client, GetObjectCommand, PutObjectCommand, ListObjectsV2Command, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { startTestCluster, trackCluster, type TestCluster } from './support/cluster.js';
import { hasTestVersion } from './support/home.js';
import { runCliInProcess, binPath, repoRoot, type CliRun } from './support/cli.js';
import { motoAvailable, startTestS3, type TestS3 } from './support/s3.js';
import { allocateFreePorts } from '../src/cluster/ports.js';
import { resolveConnection } from '../src/client/connection.js';
import { EndpointClient } from '../src/client/endpoint.js';
import { clusterDown, loadCluster } from '../src/cluster/local.js';

const skip = motoAvailable() ? false : 'moto_server is not installed (pip install "moto[server]")';
const BUCKET = 'backups';

interface SaveJson {
  file: string;
  size: number;
  sha256: string;
  revision: number;
  ok: boolean;
  object: { url: string; key: string; verifiedBy: string; size: number; manifestUrl: string } | null;
  localFile: string | null;
}

let s3: TestS3;
let client: S3Client;
const runs: CliRun[] = [];
const homes: string[] = [];

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const r = await runCliInProcess(args, env);
  runs.push(r);
  return r;
}

async function putKeys(tc: TestCluster, n: number, valueBytes = 300): Promise<void> {
  const c = new EndpointClient(tc.cluster.members[0]!.clientURL, resolveConnection({ cluster: tc.cluster.name }, {}, tc.home));
  try {
    for (let i = 0; i < n; i++) await c.transport.unary('KV', 'Put', { key: Buffer.from(`/s3/${i}`), value: Buffer.alloc(valueBytes, 97 + (i % 26)) }, { op: 'write' });
  } finally {
    c.close();
  }
}

async function keysUnder(prefix: string): Promise<string[]> {
  const r = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (r.Contents ?? []).map((o) => o.Key!).sort();
}

async function pendingUnder(prefix: string): Promise<string[]> {
  const r = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: prefix }));
  return (r.Uploads ?? []).map((u) => u.Key!);
}

describe('backups in an S3-compatible store', { skip }, () => {
  const clusters: TestCluster[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  before(async () => {
    s3 = await startTestS3();
    await s3.createBucket(BUCKET);
    client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    for (const tc of clusters) await tc.stop();
    client?.destroy();
    await s3?.stop();
  });

  const envOf = (tc: TestCluster, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...tc.testHome.env, ...s3.env, ...extra });

  for (const version of ['3.5.30', '3.6.17', '3.7.4'].filter(hasTestVersion)) {
    test(`save --to s3:// and restore s3:// on ${version} (TLS + auth)`, async () => {
      const tc = await startTestCluster({ version, members: 1, tls: true, auth: true });
      clusters.push(tc);
      homes.push(tc.home);
      await putKeys(tc, 40);
      const prefix = `v${version}/`;
      const r = await cli(['backup', 'save', '--cluster', tc.cluster.name, '--to', `s3://${BUCKET}/${prefix}`, '-o', 'json'], envOf(tc));
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout) as SaveJson;
      assert.equal(s.ok, true);
      assert.equal(s.localFile, null, 'no local copy without --dir');
      assert.equal(s.object!.url, s.file);
      assert.equal(s.object!.verifiedBy, 'etag');
      assert.deepEqual(await keysUnder(prefix), [s.object!.key, `${s.object!.key}.manifest.json`]);
      assert.deepEqual(await pendingUnder(prefix), []);
      const stored = Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: s.object!.key }))).Body!.transformToByteArray());
      assert.equal(stored.length, s.size);
      assert.equal(stored.length % 512, 32, "etcd's trailer kept");

      const ls = await cli(['backup', 'ls', '--dir', `s3://${BUCKET}/${prefix}`, '-o', 'json'], envOf(tc));
      assert.equal(ls.code, 0, ls.stderr);
      const lj = JSON.parse(ls.stdout) as { backups: { file: string; present: boolean; revision: number }[] };
      assert.deepEqual(lj.backups.map((b) => [b.file, b.present, b.revision]), [[s.file, true, s.revision]]);

      const v = await cli(['backup', 'verify', s.file, '--require-manifest', '-o', 'json'], envOf(tc));
      assert.equal(v.code, 0, v.stdout + v.stderr);

      const name = `r${version.replace(/\./g, '')}`;
      cleanups.push(async () => {
        if (existsSync(join(tc.home, 'clusters', name, 'cluster.json'))) await clusterDown(tc.home, name, { purge: true, timeoutMs: 5000 });
      });
      const rr = await cli(['restore', s.file, '--name', name, '--members', '1', '--user', `${tc.conn.user}:${tc.conn.password}`, '-o', 'json'], envOf(tc));
      if (existsSync(join(tc.home, 'clusters', name, 'cluster.json'))) trackCluster(await loadCluster(tc.home, name));
      assert.equal(rr.code, 0, rr.stdout + rr.stderr);
      const rj = JSON.parse(rr.stdout) as { ok: boolean; file: string; revision: number; version: string };
      assert.equal(rj.ok, true);
      assert.equal(rj.file, s.file);
      assert.equal(rj.revision, s.revision);
      await clusterDown(tc.home, name, { purge: true, timeoutMs: 5000 });
    });
  }

  describe('failures leave nothing half-written', () => {
    let tc: TestCluster;
    let small: TestCluster;
    before(async () => {
      tc = await startTestCluster({ version: hasTestVersion('3.5.30') ? '3.5.30' : '3.4.23', members: 1 });
      small = await startTestCluster({ version: hasTestVersion('3.5.30') ? '3.5.30' : '3.4.23', members: 1 });
      clusters.push(tc, small);
      homes.push(tc.home, small.home);
      // ~30 MiB, so an upload in 5 MiB parts is caught in flight.
      await putKeys(tc, 30, 1 << 20);
      await putKeys(small, 40);
    });

    /** Start a save as a child process; resolve once its multipart upload exists (or the save ended). */
    function startSave(prefix: string): { child: ReturnType<typeof spawn>; exited: Promise<number>; inFlight: Promise<boolean>; stderr: () => string } {
      const child = spawn(process.execPath, [binPath, 'backup', 'save', '--cluster', tc.cluster.name, '--to', `s3://${BUCKET}/${prefix}`, '--s3-part-size', '5'], {
        env: { ...envOf(tc), UPSHIFT_FROM_SOURCE: '1' },
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
      const exited = new Promise<number>((r) => child.on('exit', (code, sig) => r(code ?? (sig ? 128 : 1))));
      let done = false;
      void exited.then(() => (done = true));
      const inFlight = (async (): Promise<boolean> => {
        const deadline = Date.now() + 60_000;
        while (!done && Date.now() < deadline) {
          if ((await pendingUnder(prefix)).length > 0) return true;
          await new Promise((r) => setTimeout(r, 15));
        }
        return false;
      })();
      return { child, exited, inFlight, stderr: () => err };
    }

    test('SIGKILL mid-upload: no object (only an invisible pending upload), ls names it, the next save works', async () => {
      const prefix = 'killed/';
      let caught = false;
      for (let attempt = 0; attempt < 3 && !caught; attempt++) {
        const s = startSave(prefix);
        caught = await s.inFlight;
        if (caught) s.child.kill('SIGKILL');
        await s.exited;
        if (!caught) assert.deepEqual(await keysUnder(prefix), [], 'a save that finished before the kill would have made objects; start over');
      }
      assert.ok(caught, 'the upload was caught in flight');
      assert.deepEqual(await keysUnder(prefix), [], 'no visible object');
      const ls = await cli(['backup', 'ls', '--dir', `s3://${BUCKET}/${prefix}`, '-o', 'json'], envOf(tc));
      const lj = JSON.parse(ls.stdout) as { backups: unknown[]; partials: string[] };
      assert.equal(lj.backups.length, 0);
      assert.equal(lj.partials.length, 1, ls.stdout);
      const again = await cli(['backup', 'save', '--cluster', tc.cluster.name, '--to', `s3://${BUCKET}/${prefix}`, '--s3-part-size', '5', '-o', 'json'], envOf(tc));
      assert.equal(again.code, 0, again.stderr);
      assert.equal((await keysUnder(prefix)).length, 2);
    });

    test('SIGTERM mid-upload: the multipart upload is aborted, no object', async () => {
      const prefix = 'terminated/';
      let caught = false;
      for (let attempt = 0; attempt < 3 && !caught; attempt++) {
        const s = startSave(prefix);
        caught = await s.inFlight;
        if (caught) s.child.kill('SIGTERM');
        const code = await s.exited;
        if (caught) {
          assert.notEqual(code, 0, s.stderr());
          assert.match(s.stderr(), /aborted: no object was created/);
        } else {
          assert.deepEqual(await keysUnder(prefix), []);
        }
      }
      assert.ok(caught, 'the upload was caught in flight');
      assert.deepEqual(await keysUnder(prefix), []);
      assert.deepEqual(await pendingUnder(prefix), [], 'the multipart upload was aborted');
    });

    test('wrong credentials (exit 3), missing bucket (exit 2), unreachable endpoint (exit 3): clear errors, nothing written', async () => {
      const tc = small;
      const args = (url: string): string[] => ['backup', 'save', '--cluster', tc.cluster.name, '--to', url, '-o', 'json'];
      const wrong = await cli(args(`s3://${BUCKET}/wrong/`), envOf(tc, { AWS_SECRET_ACCESS_KEY: 'not-the-secret-0123456789' }));
      assert.equal(wrong.code, 3, wrong.stderr);
      assert.match(wrong.stderr, /rejected the credentials \(SignatureDoesNotMatch\)/);
      const unknown = await cli(args(`s3://${BUCKET}/wrong/`), envOf(tc, { AWS_ACCESS_KEY_ID: 'AKIANOSUCHKEY0000000' }));
      assert.equal(unknown.code, 3);
      assert.match(unknown.stderr, /InvalidAccessKeyId/);
      const missing = await cli(args('s3://no-such-bucket/x/'), envOf(tc));
      assert.equal(missing.code, 2, missing.stderr);
      assert.match(missing.stderr, /no bucket "no-such-bucket"/);
      assert.equal((JSON.parse(missing.stdout) as { error: { code: string } }).error.code, 's3-no-such-bucket');
      const [port] = await allocateFreePorts(1);
      const down = await cli([...args(`s3://${BUCKET}/wrong/`), '--s3-endpoint', `http://127.0.0.1:${port}`], envOf(tc));
      assert.equal(down.code, 3, down.stderr);
      assert.match(down.stderr, /cannot reach the store at http:\/\/127\.0\.0\.1:\d+/);
      assert.deepEqual(await keysUnder('wrong/'), []);
    });

    test('a flipped byte in the stored object is found by verify; prune against the store keeps the newest verified', async () => {
      const tc = small;
      const prefix = 'prune/';
      const saved: SaveJson[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await cli(['backup', 'save', '--cluster', tc.cluster.name, '--to', `s3://${BUCKET}/${prefix}`, '--s3-part-size', '5', '-o', 'json'], envOf(tc));
        assert.equal(r.code, 0, r.stderr);
        saved.push(JSON.parse(r.stdout) as SaveJson);
      }
      // Damage the newest object in place.
      const newest = saved[2]!;
      const body = Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: newest.object!.key }))).Body!.transformToByteArray());
      body[Math.floor(body.length / 2)]! ^= 0xff;
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: newest.object!.key, Body: body }));
      const v = await cli(['backup', 'verify', newest.file, '-o', 'json'], envOf(tc));
      assert.equal(v.code, 1, v.stdout);
      const codes = (JSON.parse(v.stdout) as { problems: { code: string }[] }).problems.map((p) => p.code);
      assert.ok(codes.includes('checksum-mismatch') && codes.includes('manifest-mismatch'), codes.join());

      // keep-last 1 would keep only the damaged newest: the newest *verified* one stays as well.
      const dry = await cli(['backup', 'prune', '--dir', `s3://${BUCKET}/${prefix}`, '--keep-last', '1', '--dry-run', '-o', 'json'], envOf(tc));
      assert.equal(dry.code, 0, dry.stderr);
      const dj = JSON.parse(dry.stdout) as { decisions: { file: string; action: string; reason: string }[]; newestVerified: string; deleted: string[] };
      assert.equal(dj.newestVerified, saved[1]!.file);
      assert.deepEqual(dj.decisions.map((d) => d.action), ['keep', 'keep', 'delete']);
      assert.match(dj.decisions[1]!.reason, /newest verified/);
      assert.deepEqual(dj.deleted, []);
      assert.equal((await keysUnder(prefix)).length, 6);
      const real = await cli(['backup', 'prune', '--dir', `s3://${BUCKET}/${prefix}`, '--keep-last', '1', '-o', 'json'], envOf(tc));
      assert.equal(real.code, 0, real.stderr);
      assert.deepEqual((JSON.parse(real.stdout) as { deleted: string[] }).deleted, [saved[0]!.file]);
      assert.deepEqual(await keysUnder(prefix), [saved[1]!.object!.key, `${saved[1]!.object!.key}.manifest.json`, newest.object!.key, `${newest.object!.key}.manifest.json`].sort());
    });
  });

  test('the credentials appear in no output and no file', () => {
    assert.ok(runs.length > 5);
    for (const r of runs) {
      for (const secret of [s3.secretAccessKey, s3.accessKeyId]) {
        assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), 'a credential in the output');
      }
    }
    const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : d.isFile() ? [join(dir, d.name)] : []));
    for (const h of homes.filter(existsSync)) {
      for (const f of walk(h)) {
        if (statSync(f).size > 4 << 20) continue; // etcd's db and WAL files; a leak would be in a manifest, log or journal
        const text = readFileSync(f, 'latin1');
        assert.ok(!text.includes(s3.secretAccessKey) && !text.includes(s3.accessKeyId), `a credential in ${f}`);
      }
    }
  });
});
