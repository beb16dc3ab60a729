/**
 * upshift's entry point: wires commands (each domain registers its own in src/cli/<domain>.ts, with
 * lazily imported implementations) and is the only place that calls process.exit.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, UsageError } from './core/errors.js';
import { reportError, type CliIO } from './cli/run.js';
import { registerEtcd } from './cli/etcd.js';
import { registerCluster } from './cli/cluster.js';
import { registerStatus } from './cli/status.js';
import { registerBackup } from './cli/backup.js';
import { registerPlan } from './cli/plan.js';
import { registerUpgrade } from './cli/upgrade.js';
import { registerBench } from './cli/bench.js';
import { registerDeps } from './cli/deps.js';
import { registerMisc } from './cli/misc.js';
import { registerFaults } from './cli/faults.js';
import { registerRehearse } from './cli/rehearse.js';
import { registerDashboard } from './cli/dashboard.js';
import { registerKnowledge } from './cli/knowledge.js';
import { registerGovernance } from './cli/governance.js';

export const VERSION = '0.1.0';

export function buildProgram(io: CliIO): Command {
  const program = new Command('upshift')
    .description('Safe, observable etcd upgrades: see, back up, plan, execute, prove.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    // Root options (-V/--version) must come before the subcommand, so `cluster up --version 3.4.23` reaches the subcommand.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  // One per line: each domain adds its own line.
  const domains = [
    registerEtcd,
    registerCluster,
    registerStatus,
    registerBackup,
    registerPlan,
    registerUpgrade,
    registerBench,
    registerDeps,
    registerKnowledge,
    registerRehearse,
    registerFaults,
    registerMisc,
    registerDashboard,
    registerGovernance,
  ];
  for (const register of domains) {
    register(program, io);
  }
  // Every command logs the same way: human lines by default, pino JSON lines with --log-format json.
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const c of program.commands.flatMap(all)) {
    c.addOption(new Option('--log-format <format>', 'stderr as human lines (text) or pino JSON lines (json); env UPSHIFT_LOG_FORMAT').choices(['text', 'json']));
  }
  return program;
}

/** Run the CLI in-process; returns the exit code. Tests call this with their own streams. */
export async function runCli(argv: string[], partial: Partial<CliIO> = {}): Promise<number> {
  const io: CliIO = {
    stdout: partial.stdout ?? process.stdout,
    stderr: partial.stderr ?? process.stderr,
    env: partial.env ?? process.env,
    signal: partial.signal ?? new AbortController().signal,
    exitCode: ExitCode.ok,
  };
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0 through here; everything else is a usage error (exit 2).
      if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      return ExitCode.usage;
    }
    const json = argv.includes('json') && (argv.includes('-o') || argv.includes('--output'));
    return reportError(io, e instanceof Error ? e : new UsageError(String(e)), json);
  }
  return io.exitCode;
}

/**
 * grpc-js passes the endpoint's IP address as the TLS server name, which makes Node print DEP0123 on every
 * TLS connection to 127.0.0.1. The certificate is still verified against its IP SANs; only the noise goes.
 */
function silenceTlsServernameWarning(): void {
  const original = process.emitWarning.bind(process) as (...a: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    const opt = rest[0];
    const code = typeof opt === 'object' && opt !== null ? (opt as { code?: string }).code : rest[1];
    if (code === 'DEP0123') return;
    original(warning, ...rest);
  }) as typeof process.emitWarning;
}

/** --log-format json (or UPSHIFT_LOG_FORMAT=json) on this command line: for lines written before a command runs. */
function jsonLogRequested(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  const i = argv.lastIndexOf('--log-format');
  const flag = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--log-format='))?.slice('--log-format='.length);
  return (flag ?? env.UPSHIFT_LOG_FORMAT) === 'json';
}

export async function main(argv: string[]): Promise<void> {
  silenceTlsServernameWarning();
  const ac = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) process.exit(130);
    const text = `upshift: ${sig} received, stopping safely (repeat to force)`;
    process.stderr.write(jsonLogRequested(argv, process.env) ? `${JSON.stringify({ level: 40, time: new Date().toISOString(), msg: text })}\n` : `\n${text}\n`);
    ac.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await runCli(argv.slice(2), { signal: ac.signal });
  // Let stdout drain before exiting (pipes are async in Node).
  await new Promise<void>((r) => (process.stdout.writableNeedDrain ? process.stdout.once('drain', () => r()) : r()));
  process.exit(code);
}

// Run directly (`tsx src/cli.ts`, `npm run upshift`) it is the CLI; imported (bin/upshift.js, tests) it only exports.
function invokedDirectly(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}
if (invokedDirectly()) void main(process.argv);
