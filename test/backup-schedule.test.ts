/**
 * `upshift backup schedule` on a real cluster and a real S3-compatible store (moto, see test/support/s3.ts):
 * two schedulers of one cluster, firing at the same instants, never run at the same time (the lease-backed
 * lock in the cluster); /metrics; JSON log lines; SIGTERM stops both with exit 0, releases the lock and
 * leaves every snapshot object with its manifest and no pending upload; a bad cron is exit 2.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { killQuietly } from '../src/cluster/process.js';
import { S3Client, ListObjectsV2Command, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { startTestCluster, type TestCluster } from './support/cluster.js';
import { hasTestVersion } from './support/home.js';
import { binPath, repoRoot, runCliInProcess } from './support/cli.js';
import { motoAvailable, startTestS3, type TestS3 } from './support/s3.js';
import { resolveConnection } from '../src/client/connection.js';
import { EtcdClient } from '../src/client/kv.js';

const skip = motoAvailable() ? false : 'moto_server is not installed (pip install "moto[server]")';

interface LogLine {
  time: string;
  event?: string;
  runId?: string;
  url?: string;
  msg: string;
}

describe('backup schedule', { skip }, () => {
  let s3: TestS3;
  let tc: TestCluster;
  // Every scheduler started here, killed by PID in after(): a failed assertion must not leave them running
  // (their pipes would keep this test file, and so the whole suite, from ending).
  const children: ChildProcess[] = [];
  before(async () => {
    s3 = await startTestS3();
    await s3.createBucket('sched');
    tc = await startTestCluster({ version: hasTestVersion('3.5.30') ? '3.5.30' : '3.4.23', members: 1 });
  });
  after(async () => {
    for (const c of children) if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) killQuietly(c.pid, 'SIGKILL');
    await tc?.stop();
    await s3?.stop();
  });

  test('configuration errors exit non-zero before any run', async () => {
    const env = { ...tc.testHome.env, ...s3.env };
    const badCron = await runCliInProcess(['backup', 'schedule', '--cluster', tc.cluster.name, '--to', 's3://sched/x/', '--cron', 'every day'], env);
    assert.equal(badCron.code, 2);
    assert.match(badCron.stderr, /--cron/);
    const noBucket = await runCliInProcess(['backup', 'schedule', '--cluster', tc.cluster.name, '--to', 's3://nope-bucket/x/', '--every', '1h'], env);
    assert.equal(noBucket.code, 2, noBucket.stderr);
    const wrong = await runCliInProcess(['backup', 'schedule', '--cluster', tc.cluster.name, '--to', 's3://sched/x/', '--every', '1h'], { ...env, AWS_SECRET_ACCESS_KEY: 'wrong-secret-0123456789' });
    assert.equal(wrong.code, 3, wrong.stderr);
  });

  test('two schedulers of one cluster never run at once; /metrics; SIGTERM exits 0 and leaves no half object', async () => {
    const prefix = 'two/';
    const start = (): { kill: () => void; exited: Promise<number>; lines: () => LogLine[]; stdout: () => string } => {
      const child = spawn(
        process.execPath,
        [binPath, 'backup', 'schedule', '--cluster', tc.cluster.name, '--to', `s3://sched/${prefix}`, '--every', '1s', '--jitter', '0s', '--keep-last', '2', '--metrics-addr', '127.0.0.1:0'],
        { env: { ...tc.testHome.env, ...s3.env, UPSHIFT_FROM_SOURCE: '1' }, cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.push(child);
      let err = '';
      let out = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
      const exited = new Promise<number>((r) => child.on('exit', (code, sig) => r(code ?? (sig ? 128 : 1))));
      const lines = (): LogLine[] => err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
      return { kill: () => child.kill('SIGTERM'), exited, lines, stdout: () => out };
    };
    const a = start();
    const b = start();
    const count = (ev: string): number => [...a.lines(), ...b.lines()].filter((l) => l.event === ev).length;
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline && !(count('run-succeeded') >= 4 && count('skipped') >= 1)) await new Promise((r) => setTimeout(r, 200));
    assert.ok(count('run-succeeded') >= 4 && count('skipped') >= 1, `runs ${count('run-succeeded')}, skipped ${count('skipped')}`);

    // Scrape a scheduler that has had a success (which one wins the lock is not fixed): the last-success
    // families are labelled by cluster_id, so they show only after a success.
    const winner = a.lines().some((l) => l.event === 'run-succeeded') ? a : b;
    const url = winner.lines().find((l) => l.event === 'metrics')!.url!;
    const metrics = await (await fetch(url)).text();
    for (const name of ['upshift_backup_last_success_timestamp_seconds', 'upshift_backup_last_duration_seconds', 'upshift_backup_last_size_bytes', 'upshift_backup_next_run_timestamp_seconds', 'upshift_backup_failures_total', 'upshift_backup_runs_total']) {
      assert.match(metrics, new RegExp(`^${name}`, 'm'), name);
    }
    // The same cluster_id label as serve's backup families, so one alert rule covers both.
    assert.match(metrics, /^upshift_backup_last_success_timestamp_seconds\{cluster_id="[0-9a-f]+"\} /m);

    a.kill();
    b.kill();
    assert.equal(await a.exited, 0);
    assert.equal(await b.exited, 0);
    assert.match(a.stdout() + b.stdout(), /backup scheduler stopped/);

    // No overlap: every run (lock held from run-started to its end) of one scheduler is disjoint from the other's.
    const intervals = (lines: LogLine[]): [number, number][] => {
      const out: [number, number][] = [];
      for (const s of lines.filter((l) => l.event === 'run-started')) {
        const end = lines.find((l) => l.runId === s.runId && /^run-(succeeded|failed|interrupted)$/.test(l.event ?? ''));
        out.push([Date.parse(s.time), end ? Date.parse(end.time) : Infinity]);
      }
      return out;
    };
    const ia = intervals(a.lines());
    const ib = intervals(b.lines());
    assert.ok(ia.length + ib.length >= 4);
    for (const [s1, e1] of ia) for (const [s2, e2] of ib) assert.ok(e1 <= s2 || e2 <= s1, `runs overlap: ${new Date(s1).toISOString()}..${e1} and ${new Date(s2).toISOString()}..${e2}`);
    for (const l of [...a.lines(), ...b.lines()]) assert.ok(!l.msg.includes(s3.secretAccessKey));

    // The lock is released, every snapshot object has its manifest, no upload is left pending.
    const kv = new EtcdClient(resolveConnection({ cluster: tc.cluster.name }, {}, tc.home));
    try {
      assert.equal((await kv.range('/upshift/locks/backup')).kvs.length, 0);
    } finally {
      kv.close();
    }
    const c = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    try {
      const keys = ((await c.send(new ListObjectsV2Command({ Bucket: 'sched', Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);
      const snaps = keys.filter((k) => k.endsWith('.db'));
      assert.ok(snaps.length >= 1 && snaps.length <= 3, keys.join());
      for (const k of snaps) assert.ok(keys.includes(`${k}.manifest.json`), k);
      assert.deepEqual((await c.send(new ListMultipartUploadsCommand({ Bucket: 'sched', Prefix: prefix }))).Uploads ?? [], []);
    } finally {
      c.destroy();
    }
  });
});
