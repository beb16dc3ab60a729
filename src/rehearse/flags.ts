/**
 * The source cluster's flags on the rehearsal's copy (pure). The copy is laid out by upshift (names, data
 * dirs, listen and advertise URLs, TLS files, cluster bootstrap), so those flags are not carried over;
 * everything else that changes etcd's behaviour is (snapshot count, heartbeat and election timeouts,
 * quotas, compaction, request limits, experimental and feature flags, ...), from `--config` files, the
 * exec driver's `config:` or a local cluster's recorded command line.
 */
import type { Setting } from '../plan/types.js';

/** Flags that place or identify a member, or wire it to its peers: the copy sets its own. */
const LAYOUT_FLAGS = new Set([
  'name',
  'data-dir',
  'wal-dir',
  'listen-client-urls',
  'advertise-client-urls',
  'listen-client-http-urls',
  'listen-peer-urls',
  'initial-advertise-peer-urls',
  'listen-metrics-urls',
  'initial-cluster',
  'initial-cluster-state',
  'initial-cluster-token',
  'discovery',
  'discovery-srv',
  'discovery-srv-name',
  'discovery-fallback',
  'discovery-proxy',
  'discovery-token',
  'discovery-endpoints',
  'force-new-cluster',
  'config-file',
  'cert-file',
  'key-file',
  'trusted-ca-file',
  'client-cert-auth',
  'client-crl-file',
  'client-cert-allowed-hostname',
  'client-cert-file',
  'client-key-file',
  'auto-tls',
  'peer-cert-file',
  'peer-key-file',
  'peer-trusted-ca-file',
  'peer-client-cert-auth',
  'peer-crl-file',
  'peer-cert-allowed-cn',
  'peer-cert-allowed-hostname',
  'peer-auto-tls',
  'self-signed-cert-validity',
  'logger',
  'log-outputs',
  'log-package-levels',
  'enable-log-rotation',
  'log-rotation-config-json',
  'proxy',
]);

export interface CarriedFlags {
  /** `--flag=value` (or `--flag`) for the copy, in the source's order, last setting of a flag winning. */
  args: string[];
  /** Flags left out, and why (one line each). */
  skipped: string[];
}

/** YAML keys are the flag names (nested `client-transport-security.cert-file` ones are layout). */
function flagName(s: Setting): string {
  return s.name.replace(/^-+/, '').replace(/^ETCD_/, '').toLowerCase().replace(/_/g, '-');
}

export function carriedFlags(settings: readonly Setting[]): CarriedFlags {
  const byName = new Map<string, string>();
  const skipped: string[] = [];
  for (const s of settings) {
    const name = flagName(s);
    if (name.includes('.') || name.startsWith('client-transport-security') || name.startsWith('peer-transport-security')) continue;
    if (LAYOUT_FLAGS.has(name)) continue;
    if (s.value !== undefined && /\$\{?[A-Za-z_]/.test(s.value)) {
      skipped.push(`--${name} (${s.file}${s.line ? `:${s.line}` : ''}): its value ${s.value} names a variable upshift cannot resolve`);
      continue;
    }
    byName.delete(name);
    byName.set(name, s.value === undefined ? `--${name}` : `--${name}=${s.value}`);
  }
  return { args: [...byName.values()], skipped };
}

/** A recorded etcd command line (`--flag=value` words, a local cluster's cluster.json) as settings. */
export function settingsOfArgs(args: readonly string[], file: string): Setting[] {
  const out: Setting[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-')) continue;
    const eq = a.indexOf('=');
    const name = (eq >= 0 ? a.slice(0, eq) : a).replace(/^-+/, '');
    let value: string | undefined = eq >= 0 ? a.slice(eq + 1) : undefined;
    if (value === undefined && args[i + 1] !== undefined && !args[i + 1]!.startsWith('-')) value = args[++i];
    out.push({ name, value, origin: 'cli', file, raw: `--${name}` });
  }
  return out;
}
