/** What every binary source (github, debian, go, dir:PATH) provides to the installer. */
import { UsageError } from '../../core/errors.js';
import type { CommandContext } from '../../core/context.js';
import type { BinaryName, GoBuildProvenance } from '../layout.js';

export type SourceContext = Pick<CommandContext, 'signal' | 'stderr' | 'interactive' | 'home' | 'env'>;

export interface FetchedBinaries {
  /** Manifest `source`: `github`, `debian`, `go` or `dir:PATH`. */
  source: string;
  /** Paths of the fetched binaries inside the installer's work dir. */
  files: Partial<Record<BinaryName, string>>;
  /** Where each file's bytes came from (URL, `.deb` name, path). */
  origins: Partial<Record<BinaryName, string>>;
  /** Provenance for the manifest: URLs, package versions, suite, verified checksums. */
  detail: Record<string, string>;
  /** Build provenance, for sources that build the binaries. */
  build?: GoBuildProvenance;
}

export interface OfferedVersion {
  version: string;
  /** e.g. Debian suite and package version, or release URL. */
  detail?: string;
}

export interface AvailableReport {
  source: string;
  /** Where it looked (mirror URL, release base URL, directory). */
  origin: string;
  reachable: boolean;
  versions: OfferedVersion[];
  /** Why it could not be listed (unreachable, not supported, ...). */
  error?: string;
  /** Per-part problems that did not stop the listing (e.g. one Debian suite's signature failed). */
  warnings?: string[];
}

export interface BinarySource {
  readonly name: string;
  /**
   * Put the binaries of `version` into `workDir` and return them. Throws `unknownVersion` when the
   * source does not offer it, EnvironmentError when it cannot be reached, ProblemError on a bad checksum.
   */
  fetch(version: string, workDir: string, ctx: SourceContext): Promise<FetchedBinaries>;
  available(ctx: SourceContext): Promise<AvailableReport>;
}

/** Unknown version: exit 2, listing what the source does offer (when it could be listed). */
export function unknownVersion(source: string, version: string, offered: readonly string[] | undefined, where: string): UsageError {
  const list = offered && offered.length ? `; it offers: ${offered.join(', ')}` : '';
  return new UsageError(`etcd ${version} is not offered by source ${source} (${where})${list}`, {
    code: 'unknown-version',
    hint: offered && offered.length ? 'pick one of the offered versions, or another --source' : 'check the version, or try another --source',
    details: { source, version, offered: offered ?? null },
  });
}

/** Release versions as etcd tags them (`3.5.30`, `3.6.0-rc.1`); a leading `v` is accepted. */
export function normalizeVersion(input: string): string {
  const v = input.trim().replace(/^v/, '');
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/.test(v)) {
    throw new UsageError(`VERSION: "${input}" is not an etcd release version`, { hint: 'write it like 3.5.30 (or v3.5.30)' });
  }
  return v;
}

/** Sort versions ascending by numeric parts (pre-releases before their release). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): [number[], string] => {
    const [core, pre = ''] = v.split(/-(.*)/s) as [string, string?];
    return [core.split('.').map(Number), pre];
  };
  const [ca, pa] = parse(a);
  const [cb, pb] = parse(b);
  for (let i = 0; i < 3; i++) if ((ca[i] ?? 0) !== (cb[i] ?? 0)) return (ca[i] ?? 0) - (cb[i] ?? 0);
  if (pa === pb) return 0;
  if (!pa) return 1;
  if (!pb) return -1;
  return pa < pb ? -1 : 1;
}
