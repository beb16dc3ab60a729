/**
 * Which binary restores a snapshot for a given etcd version, and how it is called.
 * etcd@v3.6.14 recovery docs (web:content/en/docs/v3.6/op-guide/recovery.md): 3.6+ restores only with
 * etcdutl; 3.5 has etcdutl (etcdctl still works, deprecated); 3.3/3.4 only `ETCDCTL_API=3 etcdctl`.
 * Flags are the same in all of them: --data-dir --name --initial-cluster --initial-cluster-token
 * --initial-advertise-peer-urls [--skip-hash-check]; 3.5.10+ add --bump-revision N --mark-compacted
 * (kubernetes.ts).
 */
import { execFile } from 'node:child_process';
import type { InstalledEtcd } from '../binaries/layout.js';
import { EnvironmentError, ProblemError } from '../core/errors.js';

export interface RestoreTool {
  binary: string;
  kind: 'etcdutl' | 'etcdctl';
  env: Record<string, string>;
}

export function restoreToolFor(inst: InstalledEtcd): RestoreTool {
  if (inst.etcdutl) return { binary: inst.etcdutl, kind: 'etcdutl', env: {} };
  const [maj, min] = inst.version.split('.').map(Number);
  if (maj === 3 && (min ?? 0) >= 6) {
    throw new EnvironmentError('etcdutl-missing', `etcd ${inst.version} restores only with etcdutl, which is not installed in ${inst.dir}`, {
      hint: `reinstall it: upshift etcd install ${inst.version}`,
    });
  }
  return { binary: inst.etcdctl, kind: 'etcdctl', env: { ETCDCTL_API: '3' } };
}

export interface RestoreMemberArgs {
  snapshot: string;
  dataDir: string;
  name: string;
  initialCluster: string;
  initialClusterToken: string;
  initialAdvertisePeerUrls: string;
  skipHashCheck?: boolean;
  /** `--bump-revision N --mark-compacted` (etcdutl requires both together). */
  bumpRevision?: number | undefined;
}

export function restoreArgs(a: RestoreMemberArgs): string[] {
  return [
    'snapshot',
    'restore',
    a.snapshot,
    `--data-dir=${a.dataDir}`,
    `--name=${a.name}`,
    `--initial-cluster=${a.initialCluster}`,
    `--initial-cluster-token=${a.initialClusterToken}`,
    `--initial-advertise-peer-urls=${a.initialAdvertisePeerUrls}`,
    ...(a.skipHashCheck ? ['--skip-hash-check'] : []),
    ...(a.bumpRevision ? [`--bump-revision=${a.bumpRevision}`, '--mark-compacted'] : []),
  ];
}

/** A shell-ready command line (for the "run this on the other members" hints). */
export function shellLine(tool: RestoreTool, args: string[]): string {
  const q = (s: string): string => (/^[A-Za-z0-9_./:=,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const env = Object.entries(tool.env).map(([k, v]) => `${k}=${v} `).join('');
  return env + [tool.kind, ...args].map(q).join(' ');
}

/** Run the restore for one member, with a deadline (restore copies the db: allow for large files). */
export function runRestore(tool: RestoreTool, args: RestoreMemberArgs, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      tool.binary,
      restoreArgs(args),
      { env: { ...process.env, ...tool.env }, timeout: timeoutMs, maxBuffer: 4 << 20, signal },
      (err, stdout, stderr) => {
        if (err) {
          const tail = `${stderr}`.trim().split('\n').slice(-3).join(' | ');
          reject(
            new ProblemError('restore-failed', `${tool.kind} snapshot restore for member ${args.name} failed: ${tail || err.message}`, {
              hint: (err as NodeJS.ErrnoException & { killed?: boolean }).killed ? `it did not finish within ${Math.round(timeoutMs / 1000)} s` : 'see the message above',
            }),
          );
        } else resolve(`${stdout}${stderr}`);
      },
    );
  });
}
