/**
 * Where installed etcd binaries live and how a version is looked up. Layout:
 *   $UPSHIFT_HOME/etcd/VERSION/{etcd, etcdctl, etcdutl?, manifest.json}
 * The manifest is written last (crash-safely), so a directory without one is an incomplete install.
 */
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../core/errors.js';
import { homePaths } from '../core/home.js';

export type BinaryName = 'etcd' | 'etcdctl' | 'etcdutl';

export interface ManifestFile {
  sha256: string;
  size: number;
  /** Where the bytes came from (archive URL, .deb file name, or source path). */
  origin: string;
}

export interface EtcdManifest {
  /** Version as reported by `etcd --version` (not the label it was asked for). */
  version: string;
  /** `github`, `debian`, `go`, or `dir:PATH`. */
  source: string;
  /** Extra provenance: release URL, Debian package versions, suite. */
  sourceDetail?: Record<string, string>;
  installedAt: string;
  files: Partial<Record<BinaryName, ManifestFile>>;
  /** How the binaries were built, for sources that build them (`go`). */
  build?: GoBuildProvenance;
}

/** Provenance of binaries built from Go modules (src/binaries/sources/go.ts). */
export interface GoBuildProvenance {
  tool: 'go';
  etcdVersion: string;
  /** Toolchain that built the binaries, as they report it (`go version -m`), e.g. `go1.26.8`. */
  goVersion: string;
  /** The highest `go` directive of the main modules (the Go the release needs). */
  goDirective: string;
  goproxy: string;
  gotoolchain: string;
  /** The 7-character release commit passed to -ldflags, or null when the proxy did not report it. */
  gitSha: string | null;
  releaseCommit?: string;
  gitShaNote?: string;
  /** Environment and command-line flags of every `go build`. */
  flags: string[];
  /** Every module linked into the binaries, with its go.sum hash (from the binaries' build info). */
  modules: { path: string; version: string; sum?: string }[];
  binaries: Partial<Record<BinaryName, { package: string; goVersion: string; settings: string[] }>>;
  durationMs: number;
}

export interface InstalledEtcd {
  version: string;
  dir: string;
  etcd: string;
  etcdctl: string;
  /** Absent before 3.5 (etcdutl first shipped with 3.5). */
  etcdutl?: string;
  manifest: EtcdManifest;
}

export async function readInstalled(home: string, version: string): Promise<InstalledEtcd | undefined> {
  const dir = homePaths.etcdVersionDir(home, version);
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) return undefined;
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as EtcdManifest;
  const inst: InstalledEtcd = { version: manifest.version, dir, etcd: join(dir, 'etcd'), etcdctl: join(dir, 'etcdctl'), manifest };
  if (manifest.files.etcdutl) inst.etcdutl = join(dir, 'etcdutl');
  return inst;
}

/** The installed binaries of `version`, or exit 3 telling how to install them. */
export async function requireInstalled(home: string, version: string): Promise<InstalledEtcd> {
  const inst = await readInstalled(home, version);
  if (!inst) {
    throw new EnvironmentError('etcd-not-installed', `etcd ${version} is not installed in ${homePaths.etcdDir(home)}`, {
      hint: `run: upshift etcd install ${version}`,
    });
  }
  return inst;
}

export async function listInstalled(home: string): Promise<InstalledEtcd[]> {
  let names: string[] = [];
  try {
    names = await readdir(homePaths.etcdDir(home));
  } catch {
    return [];
  }
  const out: InstalledEtcd[] = [];
  for (const n of names) {
    // A damaged manifest is skipped here (requireInstalled/readInstalled still report it for that version).
    const i = await readInstalled(home, n).catch(() => undefined);
    if (i) out.push(i);
  }
  return out;
}
