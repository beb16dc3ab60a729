/** `upshift cluster up`: start a local cluster (SPEC "cluster up"). */
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { EnvironmentError, UsageError } from '../core/errors.js';
import { homePaths } from '../core/home.js';
import { listInstalled } from '../binaries/layout.js';
import { clusterUp, MAX_MEMBERS } from '../cluster/local.js';
import { compareVersionParts } from '../core/version.js';
import { clusterView, renderMembers, type ClusterView } from '../cluster/view.js';

export interface ClusterUpOpts {
  name?: string;
  version?: string;
  members?: string;
  tls?: boolean;
  auth?: boolean;
  output?: string;
}

export const DEFAULT_CLUSTER_NAME = 'local';

/** Without --version: the newest installed etcd. */
async function defaultVersion(home: string): Promise<string> {
  const names = (await listInstalled(home))
    .map((i) => i.dir.split('/').pop()!)
    .filter((v) => /^\d+\.\d+\.\d+$/.test(v))
    .sort(compareVersionParts);
  const newest = names[names.length - 1];
  if (!newest) {
    throw new EnvironmentError('etcd-not-installed', `no etcd is installed in ${homePaths.etcdDir(home)}`, {
      hint: 'install one first, e.g.: upshift etcd install 3.5.30',
    });
  }
  return newest;
}

export function parseMembers(v: string | undefined): number {
  if (v === undefined) return 3;
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1 || Number(v) > MAX_MEMBERS) {
    throw new UsageError(`--members: "${v}" is not a member count from 1 to ${MAX_MEMBERS}`, {
      code: 'invalid-members',
      hint: 'use an odd number such as 1, 3 or 5 (an even count adds no fault tolerance)',
    });
  }
  return Number(v);
}

export async function run(opts: ClusterUpOpts, ctx: CommandContext): Promise<ClusterView> {
  const members = parseMembers(opts.members);
  const name = opts.name ?? DEFAULT_CLUSTER_NAME;
  if (opts.version !== undefined && !/^v?\d+\.\d+\.\d+$/.test(opts.version)) {
    throw new UsageError(`--version: "${opts.version}" is not an etcd version`, { code: 'invalid-version', hint: 'write it like 3.5.30 (see: upshift etcd list)' });
  }
  const version = opts.version?.replace(/^v/, '') ?? (await defaultVersion(ctx.home));
  const cluster = await clusterUp(ctx.home, {
    name,
    version,
    members,
    tls: Boolean(opts.tls),
    auth: Boolean(opts.auth),
    progress: (line) => note(ctx, line),
    signal: ctx.signal,
  });
  note(ctx, `cluster "${name}" is up: ${members} member(s) of etcd ${version}; connect with: eval "$(upshift cluster env ${name})"`);
  return clusterView(cluster);
}

export function render(v: ClusterView): string {
  const extra: string[] = [];
  if (v.tls) extra.push(`TLS: CA ${v.tls.caCert}, client cert ${v.tls.clientCert}`);
  if (v.auth) extra.push(`auth: user ${v.auth.user}, password in ${v.auth.passwordFile}`);
  extra.push(`data: ${v.dir}`);
  return renderMembers([v]) + extra.join('\n') + '\n';
}
