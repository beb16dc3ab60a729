import type { Command } from 'commander';
import { runCommand, type CliIO } from './run.js';
import { collect, withConnectionOptions, withOutputOption } from './common.js';

/** The options `upgrade` and `downgrade` share: driver, canary, gates, failure policy. */
function withRunOptions(cmd: Command, what: 'upgrade' | 'downgrade'): Command {
  return cmd
    .option('--driver <driver>', 'how members are stopped/installed/started: local (a cluster from `upshift cluster up`) or exec')
    .option('--driver-config <file>', 'exec driver YAML: stop/install/start templates, per-member overrides, check (v2 content before 3.6), config files')
    .option('--load <ops>', 'canary load in ops/s (0 = none)', '50')
    .option('--soak <duration>', `gate each ${what}d member for this long (e.g. 10s)`, '5s')
    .option('--on-failure <policy>', what === 'upgrade' ? 'rollback (while mixed: the member back; after the bump on 3.6+: the downgrade API) or pause' : 'rollback (cancel the downgrade, newer binaries back) or pause', 'rollback')
    .option('--no-backup', `skip the snapshot before the ${what} (explicitly)`)
    .option('--no-drain', 'do not move canary traffic off a member before it stops')
    .option('--leader-transfer <method>', 'auto (graceful stop when possible), move-leader, graceful-stop', 'auto')
    .option('--baseline <duration>', 'baseline measurement window', '3s')
    .option('--max-error-rate <ratio>', 'gate: error rate over the window (default 0.01)')
    .option('--max-p99 <duration>', 'gate: absolute P99 (default 1s)')
    .option('--max-p99-factor <n>', 'gate: P99 relative to the baseline P99 (default 5)')
    .option('--max-p99-slack <duration>', 'gate: the relative P99 limit is at least baseline + this (default 300ms)')
    .option('--max-failed-health-checks <n>', 'gate: failed health checks per window (default 2)')
    .option('--max-applied-lag <entries>', 'gate: applied-index distance to the leader (default 100)')
    .option('--ready-timeout <duration>', 'how long a restarted member may take to be ready', '60s')
    .option('--metrics-addr <host:port>', 'serve Prometheus /metrics for this run on HOST:PORT while it runs (e.g. 127.0.0.1:9464)')
    .option('--dry-run', 'print the exact steps without touching anything (and which etcd binaries are missing)')
    .option('--yes', 'do not ask for confirmation');
}

export function registerUpgrade(program: Command, io: CliIO): void {
  const upgrade = withOutputOption(
    withConnectionOptions(
      withRunOptions(
        program
          .command('upgrade')
          .description('rolling upgrade under a canary load: readiness checks, backup, member by member (leader last), gated, journaled, verified')
          .option('--to <version>', 'target etcd version (installed under $UPSHIFT_HOME/etcd)')
          .option('--via <version>', 'pin an intermediate version (repeatable), e.g. --via 3.4.23', collect, [])
          .option('--assume-v2-clean', 'exec driver without a check template: you ran `etcdutl check v2store` (3.5.32+) on every member and it found no custom content')
          .option('--source <source>', 'where a missing etcd binary could come from, as for `etcd install` (asked only when one is missing)', 'auto')
          .option('--base-url <url>', 'release archive base for --source github'),
        'upgrade',
      ),
    ),
  ).action(async (opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/upgrade.js'), opts);
  });

  const downgrade = withOutputOption(
    withConnectionOptions(
      withRunOptions(
        program
          .command('downgrade')
          .description("3.6+: etcd's downgrade API, then member by member onto the older binary (leader last), gated, journaled, verified; one minor at a time")
          .option('--to <version>', 'target: X.Y (the newest release of that line) or X.Y.Z, one minor below the cluster version'),
        'downgrade',
      ),
    ),
  ).action(async (opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/downgrade.js'), opts);
  });
  withOutputOption(
    withConnectionOptions(
      downgrade
        .command('cancel')
        .description('abandon the open downgrade run of the cluster pointed at: cancel the downgrade, newer binaries back on the members already downgraded')
        .option('--run <id>', 'run id (default: the newest open run of the cluster pointed at)')
        .option('--yes', 'accepted for scripts (cancel never asks)'),
    ),
  ).action(async (opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/downgrade-cancel.js'), opts);
  });

  withOutputOption(
    withConnectionOptions(
      upgrade
        .command('resume')
        .description('continue a killed or paused upgrade run of the cluster pointed at, from its journal and the cluster\'s state')
        .option('--run <id>', 'run id (default: the newest open run of the cluster pointed at; refused if it is another cluster\'s)')
        .option('--metrics-addr <host:port>', 'serve Prometheus /metrics for this run on HOST:PORT while it runs')
        .option('--yes', 'accepted like `upgrade --yes` (resume never asks)'),
    ),
  ).action(async (opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/upgrade-resume.js'), opts);
  });
  withOutputOption(
    withConnectionOptions(upgrade.command('abort').description('stop the current run of the cluster pointed at safely and release its upgrade lock').option('--run <id>', 'run id (default: the newest open run of the cluster pointed at)')),
  ).action(async (opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/upgrade-abort.js'), opts);
  });
  withOutputOption(withConnectionOptions(upgrade.command('status').description('where the current upgrade run of the cluster pointed at is').option('--run <id>', 'run id (default: the newest open run of the cluster pointed at, else its newest run)'))).action(async (opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/upgrade-status.js'), opts);
  });

  withOutputOption(
    program
      .command('verify')
      .description('check a recorded operation history: no lost writes, linearizable per key, watch complete and ordered')
      .argument('<history>', 'history file (JSONL), e.g. $UPSHIFT_HOME/runs/<id>/history-1.jsonl')
      .option('--lenient', 'accept a torn last line (a run killed while writing)'),
  ).action(async (history: string, opts: { output?: string; lenient?: boolean }) => {
    await runCommand(io, () => import('../commands/verify.js'), { ...opts, history });
  });
}
