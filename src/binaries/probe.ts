/**
 * What a set of etcd binaries really is: the version each one reports and the sha256 of its bytes.
 * Labels (file names, package versions, directory names) are not trusted; `etcd --version` is.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { ProblemError, EnvironmentError, errorMessage } from '../core/errors.js';
import type { BinaryName, ManifestFile } from './layout.js';

export const BINARY_NAMES: readonly BinaryName[] = ['etcd', 'etcdctl', 'etcdutl'];

/** `etcd Version: 3.4.23` (etcd), `etcdctl version: 3.4.23` / `etcdutl version: 3.5.30` (the tools). */
export function parseVersionOutput(output: string, binary: BinaryName): string | undefined {
  const re = binary === 'etcd' ? /^etcd Version:\s*(\S+)/m : new RegExp(`^${binary} version:\\s*(\\S+)`, 'm');
  return re.exec(output)?.[1];
}

const PROBE_DEADLINE_MS = 15_000;

/** Run the binary's version command (deadline 15 s) and return the version it reports. */
export async function reportedVersion(path: string, binary: BinaryName): Promise<string> {
  // etcdctl before 3.4 defaults to the v2 API, whose `--version` flag differs; ETCDCTL_API=3 makes
  // `etcdctl version` work on every release (etcd@v3.3.25:etcdctl/main.go reads ETCDCTL_API).
  const args = binary === 'etcd' ? ['--version'] : ['version'];
  const out = await new Promise<string>((resolve, reject) => {
    execFile(path, args, { timeout: PROBE_DEADLINE_MS, env: { PATH: process.env.PATH ?? '', ETCDCTL_API: '3' } }, (err, stdout, stderr) => {
      if (err) reject(err);
      else resolve(`${stdout}\n${stderr}`);
    });
  }).catch((e: unknown) => {
    throw new ProblemError('binary-broken', `${path} does not run (${args.join(' ')}): ${errorMessage(e)}`, {
      hint: 'the file may be for another architecture or damaged; reinstall it',
      cause: e,
    });
  });
  const v = parseVersionOutput(out, binary);
  if (!v) throw new ProblemError('binary-broken', `${path} ${args.join(' ')} printed no version: ${out.trim().slice(0, 200)}`);
  return v;
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

export async function describeFile(path: string, origin: string): Promise<ManifestFile> {
  const [sha256, st] = await Promise.all([sha256File(path), stat(path)]);
  return { sha256, size: st.size, origin };
}

/**
 * Check that the binaries in `dir` all run and agree on one version; returns it. etcdutl is optional
 * (first shipped with 3.5), etcd and etcdctl are required.
 */
export async function probeVersions(files: Partial<Record<BinaryName, string>>, where: string): Promise<string> {
  if (!files.etcd || !files.etcdctl) {
    const missing = (['etcd', 'etcdctl'] as const).filter((b) => !files[b]);
    throw new EnvironmentError('binary-missing', `${where} has no ${missing.join(' or ')}`, { hint: 'etcd and etcdctl are both required' });
  }
  const etcdVersion = await reportedVersion(files.etcd, 'etcd');
  for (const b of ['etcdctl', 'etcdutl'] as const) {
    const p = files[b];
    if (!p) continue;
    const v = await reportedVersion(p, b);
    if (v !== etcdVersion) {
      throw new ProblemError('version-mismatch', `${where}: etcd reports ${etcdVersion} but ${b} reports ${v}`, {
        hint: 'the binaries come from different releases; use a matching set',
      });
    }
  }
  return etcdVersion;
}
