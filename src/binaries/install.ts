/**
 * Installing one etcd version into $UPSHIFT_HOME/etcd/VERSION/ crash-safely and race-safely:
 * fetch into a private work dir BESIDE the target (same file system), verify (run `etcd --version`,
 * hash every file), write manifest.json, fsync, then rename the whole directory into place. rename(2)
 * of a directory onto an existing non-empty one fails, so of two concurrent installers exactly one
 * wins; the other finds a complete install and discards its copy. A per-version lock file makes the
 * second one wait instead of downloading the same bytes twice.
 */
import { join } from 'node:path';
import { mkdir, mkdtemp, rename, rm, chmod, readdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { ProblemError, errorMessage, isUpshiftError } from '../core/errors.js';
import { writeFileAtomic, fsyncDir, fsyncPath } from '../core/files.js';
import { homePaths } from '../core/home.js';
import { note } from '../core/context.js';
import { readInstalled, type EtcdManifest, type InstalledEtcd, type BinaryName } from './layout.js';
import { describeFile, probeVersions, sha256File, BINARY_NAMES } from './probe.js';
import { withLock } from './lock.js';
import type { BinarySource, SourceContext } from './sources/source.js';

export type InstallAction = 'installed' | 'already-installed' | 'reinstalled';

export interface InstallReport {
  version: string;
  action: InstallAction;
  source: string;
  dir: string;
  files: EtcdManifest['files'];
}

export interface InstallOptions {
  /** Replace an existing install (also one whose files no longer match its manifest). */
  force?: boolean;
  /** How long to wait for another process installing the same version. */
  lockWaitMs: number;
}

/** Problems of an installed version: missing files or bytes that differ from the manifest. */
export async function verifyInstalled(inst: InstalledEtcd): Promise<string[]> {
  const problems: string[] = [];
  if (!inst.manifest.files.etcd || !inst.manifest.files.etcdctl) problems.push('manifest lists no etcd or etcdctl');
  for (const [b, f] of Object.entries(inst.manifest.files) as [BinaryName, NonNullable<EtcdManifest['files'][BinaryName]>][]) {
    const p = join(inst.dir, b);
    if (!existsSync(p)) {
      problems.push(`${p} is missing`);
      continue;
    }
    const got = await sha256File(p);
    if (got !== f.sha256) problems.push(`${p}: sha256 ${got}, manifest says ${f.sha256}`);
  }
  return problems;
}

/** An installed version that checks out, undefined if absent; throws (exit 1) if present but damaged. */
async function checkExisting(home: string, version: string): Promise<InstalledEtcd | undefined> {
  let inst: InstalledEtcd | undefined;
  try {
    inst = await readInstalled(home, version);
  } catch (e) {
    throw damaged(version, homePaths.etcdVersionDir(home, version), [`manifest.json unreadable: ${errorMessage(e)}`]);
  }
  if (!inst) return undefined;
  const problems = await verifyInstalled(inst);
  if (problems.length) throw damaged(version, inst.dir, problems);
  return inst;
}

function damaged(version: string, dir: string, problems: string[]): ProblemError {
  return new ProblemError('installed-damaged', `the installed etcd ${version} in ${dir} does not match its manifest: ${problems.join('; ')}`, {
    hint: `reinstall it: upshift etcd install ${version} --force`,
    details: { version, dir, problems },
  });
}

function report(inst: InstalledEtcd, action: InstallAction): InstallReport {
  return { version: inst.version, action, source: inst.manifest.source, dir: inst.dir, files: inst.manifest.files };
}

/** Already installed and intact (hashes re-checked) -> its report, without touching any source. */
export async function alreadyInstalled(home: string, version: string): Promise<InstallReport | undefined> {
  const inst = await checkExisting(home, version);
  return inst ? report(inst, 'already-installed') : undefined;
}

/** Remove work dirs of this version left by crashed installers (we hold the version lock, so none is live). */
async function sweepLeftovers(etcdDir: string, version: string, keep: string): Promise<void> {
  const prefix = `.${version}.tmp-`;
  for (const n of await readdir(etcdDir).catch(() => [] as string[])) {
    const p = join(etcdDir, n);
    if (n.startsWith(prefix) && p !== keep) {
      const st = await stat(p).catch(() => undefined);
      // Only old ones: a lock that went stale under a slow-but-alive installer must not lose its work dir.
      if (st && Date.now() - st.mtimeMs > 3_600_000) await rm(p, { recursive: true, force: true });
    }
  }
}

/**
 * Install `version` from `source` (see module comment). `pickSource` is called only when a download
 * is needed, so an installed version never touches the network.
 */
export async function installVersion(
  version: string,
  pickSource: () => BinarySource | Promise<BinarySource>,
  ctx: SourceContext,
  opts: InstallOptions,
): Promise<InstallReport> {
  const home = ctx.home;
  if (!opts.force) {
    const have = await alreadyInstalled(home, version);
    if (have) return have;
  }
  const etcdDir = homePaths.etcdDir(home);
  const target = homePaths.etcdVersionDir(home, version);
  await mkdir(etcdDir, { recursive: true });
  return withLock(
    join(etcdDir, `.${version}.lock`),
    opts.lockWaitMs,
    async () => {
      if (!opts.force) {
        // Another process may have finished it while we waited for the lock.
        const have = await alreadyInstalled(home, version);
        if (have) return have;
      }
      const work = await mkdtemp(join(etcdDir, `.${version}.tmp-`));
      try {
        await sweepLeftovers(etcdDir, version, work);
        const source = await pickSource();
        const fetchDir = join(work, 'fetch');
        const stage = join(work, version);
        await mkdir(fetchDir);
        await mkdir(stage);
        const fetched = await source.fetch(version, fetchDir, ctx);
        const staged: Partial<Record<BinaryName, string>> = {};
        for (const b of BINARY_NAMES) {
          const p = fetched.files[b];
          if (!p) continue;
          staged[b] = join(stage, b);
          await rename(p, staged[b]!);
          await chmod(staged[b]!, 0o755);
        }
        // The label is not trusted: what the binaries report is the version.
        const actual = await probeVersions(staged, `${source.name} ${version}`);
        if (actual !== version) {
          throw new ProblemError('version-mismatch', `asked ${source.name} for etcd ${version}, but the binaries it delivered report ${actual}`, {
            hint: 'the source mislabels its files; nothing was installed',
            details: { requested: version, reported: actual },
          });
        }
        const manifest: EtcdManifest = {
          version: actual,
          source: fetched.source,
          sourceDetail: fetched.detail,
          installedAt: new Date().toISOString(),
          files: {},
          ...(fetched.build ? { build: fetched.build } : {}),
        };
        for (const b of BINARY_NAMES) {
          if (!staged[b]) continue;
          manifest.files[b] = await describeFile(staged[b]!, fetched.origins[b] ?? fetched.source);
          await fsyncPath(staged[b]!);
        }
        // The manifest is written last inside the stage: a directory without one is never a valid install.
        await writeFileAtomic(join(stage, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o644 });
        await chmod(stage, 0o755);
        const action = await moveIntoPlace(stage, target, work, !!opts.force, home, version);
        if (action === 'lost-race') {
          note(ctx, `  etcd ${version}: another process installed it first; keeping that copy`);
          return (await alreadyInstalled(home, version))!;
        }
        await fsyncDir(etcdDir);
        const inst = (await readInstalled(home, version))!;
        return report(inst, action);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
    { signal: ctx.signal, onWait: () => note(ctx, `  etcd ${version}: another upshift process is installing it; waiting`) },
  );
}

async function moveIntoPlace(stage: string, target: string, work: string, force: boolean, home: string, version: string): Promise<InstallAction | 'lost-race'> {
  try {
    await rename(stage, target);
    return 'installed';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
  }
  if (!force) {
    // Someone else's complete install is there (or a broken leftover without a manifest).
    try {
      if (await checkExisting(home, version)) return 'lost-race';
    } catch (e) {
      if (!isUpshiftError(e)) throw e;
    }
  }
  // Replace what is there: move it aside into our work dir (deleted with it), then rename ours in.
  await rename(target, join(work, 'replaced'));
  await rename(stage, target);
  return force ? 'reinstalled' : 'installed';
}
