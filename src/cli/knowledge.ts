import { Command } from 'commander';
import { runCommand, type CliIO } from './run.js';
import { withOutputOption } from './common.js';

export function registerKnowledge(program: Command, io: CliIO): void {
  const knowledge = new Command('knowledge').description('the etcd version knowledge (releases, floors, flags, advisories): how current it is, and refreshing it');
  withOutputOption(
    knowledge
      .command('update')
      .description('learn etcd releases newer than the shipped data from the Go module proxy, GitHub releases or a git checkout; stored in UPSHIFT_HOME with their sources (exit 3 when no source answers)')
      .option('--sources <list>', 'sources to ask: proxy,github,git', 'proxy,github')
      .option('--git <dir>', 'also read the release tags of a local etcd-io/etcd clone')
      .option('--goproxy <url>', 'module proxy list for this run (GOPROXY syntax); default: GOPROXY from `go env` or the environment')
      .option('--github-api <url>', 'GitHub API base (GitHub Enterprise or a mirror)', 'https://api.github.com')
      .option('--go-command', 'ask the proxy through `go list -m` (needs Go; honours every Go setting, including direct VCS access)')
      .option('--timeout <duration>', 'deadline of each request', '15s'),
  ).action(async (opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/knowledge-update.js'), opts);
  });
  withOutputOption(
    knowledge.command('show').description('what upshift knows about etcd releases, how old it is, and where each fact came from'),
  ).action(async (opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/knowledge-show.js'), opts);
  });
  program.addCommand(knowledge);
}
