import { Option, type Command } from 'commander';
import { runCommand, type CliIO } from './run.js';
import { collect, withConnectionOptions, withOutputOption } from './common.js';

/**
 * Governance around the upgrade (issue 17): `topology` (who depends on etcd, from traces), `contract`
 * (etcd's API per release; buf on the user's protos), `lifecycle` (call frequency x importance).
 */
export function registerGovernance(program: Command, io: CliIO): void {
  const topology = withConnectionOptions(
    program
      .command('topology')
      .description('service dependency graph from trace files: who calls etcd, with which RPCs, who depends on it through others, and the impact of --to')
      .argument('[files...]', 'OTLP JSON / JSONL, Zipkin v2 JSON, or topology snapshots (- for stdin)')
      .addOption(new Option('--format <format>', 'input format (default: detected per document)').choices(['auto', 'otlp', 'zipkin']))
      .option('--etcd-service <name>', "etcd's service name in spans (--distributed-tracing-service-name; default etcd)")
      .option('--to <version>', 'etcd release to upgrade to: report the callers of APIs it removes or changes')
      .option('--from <version>', 'the release the cluster runs now (lowest member): adds mixed-version and changed-route checks')
      .option('--save <file>', 'also write the graph as a snapshot (for lifecycle and later merging)')
      .option('--max-open-traces <n>', 'traces held open while spans arrive (memory bound; default 100000)'),
  );
  withOutputOption(topology, ['table', 'json', 'mermaid']).action(async (files: string[], opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/topology.js'), { ...opts, files }, ['table', 'json', 'mermaid']);
  });

  const collectCmd = withConnectionOptions(
    topology
      .command('collect')
      .description('receive spans live (OTLP/gRPC and OTLP/HTTP on one address, e.g. from etcd --distributed-tracing-address) and build the graph')
      .requiredOption('--otlp <addr>', 'listen address HOST:PORT (port 0: a free one; 4317 is the OTLP default)')
      .option('--duration <duration>', 'stop after this long (default: until Ctrl-C)')
      .option('--until-spans <n>', 'stop once this many spans arrived')
      .option('--snapshot-every <duration>', 'write a snapshot window to UPSHIFT_HOME/topology/snapshots this often (for lifecycle --since)')
      .option('--out <file>', 'also append every request received to this OTLP JSONL file')
      .option('--trace-idle <duration>', 'link a trace once no span of it arrived for this long (default 15s; keep it above the senders\' batch delay, 5s for etcd)')
      .option('--ready-file <file>', 'write {"otlp": "HOST:PORT"} here once listening (for scripts)')
      .option('--etcd-service <name>', "etcd's service name in spans (default etcd)")
      .option('--to <version>', 'etcd release to upgrade to: impact on the callers seen')
      .option('--from <version>', 'the release the cluster runs now')
      .option('--save <file>', 'also write the final graph as a snapshot'),
  );
  withOutputOption(collectCmd, ['table', 'json', 'mermaid']).action(async (opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/topology-collect.js'), opts, ['table', 'json', 'mermaid']);
  });

  const contract = program.command('contract').description("etcd's API across releases (buf rules, gateway routes, annotations, flags); buf on your own protos");
  withOutputOption(
    contract
      .command('diff')
      .description("what changes in etcd's API between two releases: buf at WIRE_JSON and WIRE, gateway routes, v2 API, etcd_version annotations, server flags")
      .option('--from <version>', 'release the cluster runs now (e.g. 3.4.23)')
      .option('--to <version>', 'release to upgrade to (e.g. 3.7.4)')
      .option('--no-buf', 'skip buf (structural checks only)')
      .addOption(new Option('--fail-on <level>', 'exit 1 when a finding is at or above this level').choices(['none', 'info', 'warning', 'blocker']).default('blocker')),
  ).action(async (opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/contract-diff.js'), opts);
  });
  withOutputOption(
    contract
      .command('check')
      .description('buf breaking on your protos: exit 1 when AFTER breaks BEFORE at the category')
      .argument('<before>', 'the old protos: a .proto file, a directory, a buf image or a git ref')
      .argument('<after>', 'the new protos (same kinds)')
      .addOption(new Option('--category <category>', 'buf rule category').choices(['FILE', 'PACKAGE', 'WIRE_JSON', 'WIRE']).default('WIRE_JSON'))
      .option('--exclude-path <path>', 'leave this path out (repeatable)', collect, []),
    ['table', 'json', 'sarif'],
  ).action(async (before: string, after: string, opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/contract-check.js'), { ...opts, before, after }, ['table', 'json', 'sarif']);
  });

  withOutputOption(
    withConnectionOptions(
      program
        .command('lifecycle')
        .description('dependency lifecycle: call frequency x importance per edge and per declared etcd dependency; idle, dead and sleeping-critical ones; optional scream test')
        .argument('[files...]', 'span files or topology snapshots (default: the snapshots `topology collect` wrote in UPSHIFT_HOME)')
        .option('--since <duration>', 'window to consider, e.g. 30d (monthly jobs exist: 30d or more is advised)', '30d')
        .option('--catalog <file>', 'importance map (YAML): service -> tier / owner / lifecycle, or Backstage catalog entities')
        .option('--modules <SERVICE=DIR>', "a service's Go module, whose etcd requirements are declared dependencies (read with upshift deps); repeatable", collect, [])
        .option('--low-calls <n>', 'calls in the window at or below which an edge counts as low frequency (default 1 per day of the window)')
        .addOption(new Option('--format <format>', 'span input format').choices(['auto', 'otlp', 'zipkin']))
        .option('--etcd-service <name>', "etcd's service name in spans (default etcd)")
        .option('--scream <service>', 'scream test: run a fault proxy in front of etcd for this dependency (needs --scream-listen and --scream-target)')
        .option('--scream-listen <addr>', 'scream test: where the proxy listens (the dependency must use this address)')
        .option('--scream-target <addr>', 'scream test: the etcd member behind the proxy')
        .option('--scream-stages <list>', 'scream test stages, e.g. latency:100ms@10m,latency:1s@10m,abort:1%@10m,abort:5%@10m')
        .option('--rollback-window <duration>', 'scream test: after the stages (or the first caller), keep forwarding without faults this long (default: until Ctrl-C)'),
    ),
  ).action(async (files: string[], opts: Record<string, unknown>) => {
    await runCommand(io, () => import('../commands/lifecycle.js'), { ...opts, files });
  });
}
