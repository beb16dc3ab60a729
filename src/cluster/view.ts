/** The JSON shape of a local cluster in command output (SPEC "cluster up"), and its table rendering. */
import { renderTable } from '../core/output.js';
import type { LocalCluster } from './model.js';
import { memberRunState, type MemberRunState } from './local.js';

export interface MemberView {
  name: string;
  version: string;
  clientURL: string;
  peerURL: string;
  metricsURL: string | null;
  /** null when the member is not running. */
  pid: number | null;
  state: MemberRunState;
  dataDir: string;
  logFile: string;
}

export interface ClusterView {
  name: string;
  version: string;
  endpoints: string[];
  members: MemberView[];
  tls: { caCert: string; clientCert: string; clientKey: string } | null;
  /** The password is never shown; it is in `passwordFile` (mode 0600). */
  auth: { user: string; passwordFile: string } | null;
  dir: string;
  createdAt: string;
}

export function clusterView(c: LocalCluster): ClusterView {
  return {
    name: c.name,
    version: c.version,
    endpoints: c.members.map((m) => m.clientURL),
    members: c.members.map((m) => {
      const state = memberRunState(m);
      return {
        name: m.name,
        version: m.version,
        clientURL: m.clientURL,
        peerURL: m.peerURL,
        metricsURL: m.metricsURL ?? null,
        pid: state === 'running' ? (m.pid ?? null) : null,
        state,
        dataDir: m.dataDir,
        logFile: m.logFile,
      };
    }),
    tls: c.tls ? { caCert: c.tls.caCert, clientCert: c.tls.clientCert, clientKey: c.tls.clientKey } : null,
    auth: c.auth ? { user: c.auth.user, passwordFile: c.auth.passwordFile } : null,
    dir: c.dir,
    createdAt: c.createdAt,
  };
}

/** One row per member. */
export function renderMembers(clusters: ClusterView[]): string {
  return renderTable({
    head: ['CLUSTER', 'MEMBER', 'VERSION', 'STATE', 'PID', 'CLIENT URL', 'PEER URL'],
    rows: clusters.flatMap((c) => c.members.map((m) => [c.name, m.name, m.version, m.state, m.pid ?? '-', m.clientURL, m.peerURL])),
  });
}

/** POSIX-shell single quoting. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:,=@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
