import { Option, type Command } from 'commander';
import { runCommand, type CliIO } from './run.js';
import { withOutputOption } from './common.js';

const FORMATS = ['table', 'json', 'sarif'] as const;

export function registerDeps(program: Command, io: CliIO): void {
  const deps = program
    .command('deps')
    .description("analyse a Go module's etcd dependency: import paths, go.mod, grpc, versions, advisories, and the migration plan (no Go toolchain needed; --verify proves the plan with one)")
    .argument('[dir]', 'Go module directory (with go.mod)', '.')
    .option('--target <version>', 'etcd line or release to migrate to (3.4, 3.5, 3.6, 3.7 or e.g. v3.5.33)')
    .option('--graph <file>', '`go mod graph` output (- for stdin): adds MVS selection and requirement chains')
    .option('--go-list <file>', '`go list -m -json all` output (- for stdin): selected versions and replacements')
    .addOption(new Option('--fail-on <level>', 'exit 1 when a finding is at or above this level').choices(['none', 'info', 'warning', 'blocker']).default('blocker'))
    .option('--include-vendor', 'also scan .go files under vendor/')
    .option('--verify', 'apply the plan in a scratch copy and prove it with the Go toolchain (go get, go mod tidy, go build, go vet, go list -m all); exit 1 when it does not build or misses the target, 3 without Go')
    .action(async (dir: string, opts: Record<string, unknown>) => {
      await runCommand(io, () => import('../commands/deps.js'), { ...opts, dir }, FORMATS);
    });
  withOutputOption(deps, [...FORMATS]);

  const fix = deps
    .command('fix')
    .description('rewrite legacy etcd import paths and go.mod requirements to the target line; prints the commands to run next')
    .argument('[dir]', 'Go module directory (with go.mod)', '.')
    .option('--target <version>', 'etcd line or release to migrate to (default: newest 3.6)')
    .option('--dry-run', 'print a unified diff instead of writing files')
    .option('--verify', 'run the whole plan (edits, go get, tidy, build, vet) in a scratch copy first; change the tree only when it builds on the target (with --dry-run: only show the verified diff)')
    .action(async (dir: string, opts: Record<string, unknown>) => {
      await runCommand(io, () => import('../commands/deps-fix.js'), { ...opts, dir });
    });
  withOutputOption(fix);
}
