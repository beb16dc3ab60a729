/** Option groups shared by many commands, with etcdctl's names. */
import { Command, Option } from 'commander';

/** etcdctl's connection flags (SPEC "Conventions"); env fallbacks are applied in resolveConnection. */
export function withConnectionOptions<T extends Command>(cmd: T): T {
  cmd
    .option('--endpoints <urls>', 'comma-separated client URLs (env ETCDCTL_ENDPOINTS)')
    .option('--cluster <name>', 'a local cluster made by `upshift cluster up` instead of connection flags')
    .option('--cacert <file>', 'CA bundle to verify servers (env ETCDCTL_CACERT)')
    .option('--cert <file>', 'client certificate (env ETCDCTL_CERT)')
    .option('--key <file>', 'client key (env ETCDCTL_KEY)')
    .option('--user <name[:password]>', 'username, optionally with password (env ETCDCTL_USER)')
    .option('--password <password>', 'password (env ETCDCTL_PASSWORD)')
    .option('--insecure-skip-tls-verify', 'accept any server certificate (testing only)')
    .option('--dial-timeout <duration>', 'connection deadline (env ETCDCTL_DIAL_TIMEOUT; default 2s)')
    .option('--command-timeout <duration>', 'per-request deadline (env ETCDCTL_COMMAND_TIMEOUT; default 5s)');
  return cmd;
}

export function withOutputOption<T extends Command>(cmd: T, formats: readonly string[] = ['table', 'json']): T {
  cmd.addOption(new Option('-o, --output <format>', `output format: ${formats.join('|')}`).default('table'));
  return cmd;
}

/** Connection options as commander hands them over (camelCased). */
export interface ConnectionFlags {
  endpoints?: string;
  cluster?: string;
  cacert?: string;
  cert?: string;
  key?: string;
  user?: string;
  password?: string;
  insecureSkipTlsVerify?: boolean;
  dialTimeout?: string;
  commandTimeout?: string;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
