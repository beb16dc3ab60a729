import { limitYoungGeneration } from '../core/young-generation.js';
import type { Command } from 'commander';
import { runCommand, type CliIO } from './run.js';
import { withConnectionOptions, withOutputOption } from './common.js';
import { withS3Options } from './s3-options.js';

/** `backup save|ls|verify|prune`, `restore`, `check consistency`. */
export function registerBackup(program: Command, io: CliIO): void {
  const backup = program.command('backup').description('verified etcd snapshots: save, list, verify, prune');

  withOutputOption(
    withS3Options(withConnectionOptions(
      backup
        .command('save')
        .description('stream a snapshot from one member (the leader by default), check etcd\'s sha256 trailer, write it crash-safely with a manifest, to a directory and/or an object store')
        .option('--dir <dir>', 'target directory (default $UPSHIFT_HOME/backups/CLUSTER_ID; with --to: also keep a local copy here)')
        .option('--to <s3url>', 'stream to an object store: s3://BUCKET/PREFIX/ (credentials from the AWS chain: env, profile, roles)')
        .option('--from <member>', 'member name, hex member id or client URL to take the snapshot from (default: the leader)')
        .option('--inactivity-timeout <duration>', 'stop when the stream sends nothing for this long', '30s')
        .option('--check-structure', 'also walk every bbolt page of the received file before accepting it'),
    ), { writes: true }),
  ).action(async (opts: Record<string, unknown>) => {
    limitYoungGeneration(); // before the save's modules load: loading the AWS SDK would already grow it
    await runCommand(io, () => import('../commands/backup-save.js'), opts);
  });

  withOutputOption(
    withS3Options(
      backup
        .command('ls')
        .description('the backup catalogue, newest first (from manifests)')
        .option('--dir <dir>', 'a backup directory or s3://BUCKET/PREFIX/ (default: every cluster under $UPSHIFT_HOME/backups)')
        .option('--cluster-id <id>', 'only this cluster\'s directory under $UPSHIFT_HOME/backups'),
    ),
  ).action(async (opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/backup-ls.js'), opts);
  });

  withOutputOption(
    withS3Options(
      backup
        .command('verify')
        .description('check a snapshot: empty, truncated, not a snapshot, sha256 trailer, bbolt metas and pages, manifest agreement; exit 1 on any damage')
        .argument('<file>', 'snapshot file, or s3://BUCKET/KEY (downloaded to a temp dir and checked there)')
        .option('--manifest <file>', 'manifest to compare with (default FILE.manifest.json)')
        .option('--require-manifest', 'a missing manifest is a problem (exit 1), not just a note'),
    ),
  ).action(async (file: string, opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/backup-verify.js'), { ...opts, file } as { file: string; output?: string });
  });

  withOutputOption(
    withS3Options(
      backup
        .command('prune')
        .description('delete old backups by rule (a backup any rule keeps stays); the newest verified backup is never deleted')
        .option('--dir <dir>', 'backup directory or s3://BUCKET/PREFIX/')
        .option('--cluster-id <id>', 'the directory $UPSHIFT_HOME/backups/ID')
        .option('--keep-last <n>', 'keep the newest N')
        .option('--keep-within <duration>', 'keep backups younger than this (e.g. 7d)')
        .option('--keep-hourly <n>', 'keep the newest backup of each of the last N hours that have one (UTC)')
        .option('--keep-daily <n>', 'same per day')
        .option('--keep-weekly <n>', 'same per ISO week')
        .option('--keep-monthly <n>', 'same per month')
        .option('--dry-run', 'show what would be deleted and why each backup stays, delete nothing'),
    ),
  ).action(async (opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/backup-prune.js'), opts);
  });

  withOutputOption(
    withS3Options(withConnectionOptions(
      backup
        .command('schedule')
        .description('long-running: save, verify, upload and prune on a schedule, one run at a time per cluster (a lease-backed lock in etcd); JSON logs on stderr, /metrics; exits non-zero only on configuration errors')
        .option('--every <duration>', 'run on multiples of this interval (e.g. 1h)')
        .option('--cron <expr>', 'run on a five-field cron expression, UTC (e.g. "0 */6 * * *")')
        .option('--jitter <duration>', 'random delay added to each run (default: a tenth of the interval, at most 5m)')
        .option('--to <s3url>', 's3://BUCKET/PREFIX/ to upload to')
        .option('--dir <dir>', 'local directory (with --to: a local copy as well)')
        .option('--from <member>', 'member to snapshot (default: the leader)')
        .option('--inactivity-timeout <duration>', 'stop a save whose stream sends nothing for this long', '30s')
        .option('--keep-last <n>', 'after each save, prune to the newest N')
        .option('--keep-within <duration>', 'after each save, keep backups younger than this')
        .option('--keep-hourly <n>', 'GFS: newest of each of the last N hours')
        .option('--keep-daily <n>', 'GFS: newest of each of the last N days')
        .option('--keep-weekly <n>', 'GFS: newest of each of the last N ISO weeks')
        .option('--keep-monthly <n>', 'GFS: newest of each of the last N months')
        .option('--metrics-addr <host:port>', 'serve Prometheus metrics at http://HOST:PORT/metrics')
        .option('--lock-ttl <duration>', 'lease TTL of the cluster lock (a dead scheduler\'s lock expires after it)', '15s'),
    ), { writes: true }),
  ).action(async (opts: Record<string, unknown>) => {
    limitYoungGeneration();
    await runCommand(io, () => import('../commands/backup-schedule.js'), opts);
  });

  withOutputOption(
    withS3Options(program
      .command('restore')
      .description('restore a snapshot into a new local cluster and check it holds what the manifest says, or into one member\'s data dir')
      .argument('<file>', 'snapshot file, or s3://BUCKET/KEY (streamed down, verified, then restored)')
      .option('--name <name>', 'new local cluster name')
      .option('--members <n>', 'members of the new local cluster', '3')
      .option('--version <version>', 'etcd version to run (default: the snapshot\'s)')
      .option('--data-dir <dir>', 'restore one member of a real deployment into this data dir')
      .option('--member-name <name>', 'with --data-dir: this member\'s --name')
      .option('--initial-cluster <list>', 'with --data-dir: name=peerURL,... of every member')
      .option('--initial-advertise-peer-urls <urls>', 'with --data-dir: this member\'s peer URLs (default: its entry in --initial-cluster)')
      .option('--initial-cluster-token <token>', 'with --data-dir: a token for the new logical cluster', 'etcd-cluster')
      .option('--skip-hash-check', 'restore a raw db copy without etcd\'s sha256 trailer')
      .option('--force', 'with --data-dir: move an existing data dir aside (renamed, never deleted) and restore')
      .option('--bump-revision <n>', 'start the restored data N revisions ahead (etcdutl 3.5.10+; with --mark-compacted). Default when the snapshot holds Kubernetes keys (/registry/): etcd\'s guidance, 1000000000 per week of snapshot age')
      .option('--no-bump-revision', 'restore Kubernetes data without the default revision bump')
      .option('--mark-compacted', 'mark the bumped revision compacted: watches from older revisions get "compacted" (required with --bump-revision)')
      .option('--user <name[:password]>', 'a user of the restored data (when the snapshot has auth enabled), to check it')
      .option('--password <password>', 'that user\'s password')),
  ).action(async (file: string, opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/restore.js'), { ...opts, file } as { file: string; output?: string });
  });

  const check = program.command('check').description('cross-member checks');
  withOutputOption(
    withConnectionOptions(
      check
        .command('consistency')
        .description('HashKV of every member at one common revision; exit 1 when a member differs')
        .option('--revision <rev>', 'revision to compare at (default: the lowest current revision among members)')
        .option('--retries <n>', 'times to pick a new revision when a compaction races the check', '3'),
    ),
  ).action(async (opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/check-consistency.js'), opts);
  });
}
