/**
 * `upshift cluster env NAME`: `export ETCDCTL_...` lines for `eval`. The password is not printed: the
 * line reads it from its 0600 file when the shell evaluates it. ETCDCTL_USER carries `root:PASSWORD`
 * because etcdctl 3.3 has no --password flag (ETCDCTL_PASSWORD is 3.4+). ETCDCTL_API=3 is exported while
 * any member runs 3.5 or older (etcdctl 3.3 defaults to v2); etcdctl 3.6+ has no v2 API and warns
 * "unrecognized environment variable" about it, so a cluster whose members all run 3.6+ gets it unset.
 */
import type { CommandContext } from '../core/context.js';
import { loadCluster } from '../cluster/local.js';
import { shellQuote } from '../cluster/view.js';
import { compareVersions } from '../binaries/sources/source.js';

export interface ClusterEnvOpts {
  name: string;
  output?: string;
}

export interface ClusterEnvResult {
  name: string;
  /** Variable name -> value; absent variables are unset by the shell form. */
  env: Record<string, string>;
  /** Where the password is (for ETCDCTL_USER=root:PASSWORD); never the password itself. */
  passwordFile: string | null;
}

const ALL = ['ETCDCTL_API', 'ETCDCTL_ENDPOINTS', 'ETCDCTL_CACERT', 'ETCDCTL_CERT', 'ETCDCTL_KEY', 'ETCDCTL_USER', 'ETCDCTL_PASSWORD'];

export async function run(opts: ClusterEnvOpts, ctx: CommandContext): Promise<ClusterEnvResult> {
  const c = await loadCluster(ctx.home, opts.name);
  const oldest = c.members.map((m) => m.version).sort(compareVersions)[0] ?? c.version;
  const env: Record<string, string> = {
    ...(compareVersions(oldest, '3.6.0') < 0 ? { ETCDCTL_API: '3' } : {}),
    ETCDCTL_ENDPOINTS: c.members.map((m) => m.clientURL).join(','),
  };
  if (c.tls) {
    env.ETCDCTL_CACERT = c.tls.caCert;
    env.ETCDCTL_CERT = c.tls.clientCert;
    env.ETCDCTL_KEY = c.tls.clientKey;
  }
  if (c.auth) env.ETCDCTL_USER = c.auth.user;
  return { name: c.name, env, passwordFile: c.auth?.passwordFile ?? null };
}

export function render(r: ClusterEnvResult): string {
  const lines = [`# etcdctl settings for local cluster "${r.name}"; use: eval "$(upshift cluster env ${r.name})"`];
  const unset = ALL.filter((k) => !(k in r.env) && !(k === 'ETCDCTL_PASSWORD'));
  // Clear settings left over from another cluster (e.g. a CA file when this one has no TLS).
  if (unset.length || r.passwordFile) lines.push(`unset ${[...unset, 'ETCDCTL_PASSWORD'].join(' ')}`);
  for (const [k, v] of Object.entries(r.env)) {
    if (k === 'ETCDCTL_USER' && r.passwordFile) lines.push(`export ETCDCTL_USER="${v}:$(cat ${shellQuote(r.passwordFile)})"`);
    else lines.push(`export ${k}=${shellQuote(v)}`);
  }
  return lines.join('\n') + '\n';
}
