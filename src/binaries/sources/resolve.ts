/** `--source auto|github|debian|go|dir:PATH` -> the source objects. */
import { UsageError } from '../../core/errors.js';
import { AutoSource } from './auto.js';
import { DebianSource } from './debian.js';
import { DirSource } from './dir.js';
import { GithubSource } from './github.js';
import { GoSource } from './go.js';
import type { BinarySource } from './source.js';

export interface SourceSettings {
  baseUrl?: string;
  requestDeadlineMs: number;
  downloadDeadlineMs: number;
  /** go: deadline of each build step (tidy, each binary); default max(downloadDeadlineMs, 30 min). */
  buildDeadlineMs?: number;
  refresh?: boolean;
}

/** Default deadline of each `go` build step (see `go` in makeSource). */
export const DEFAULT_BUILD_DEADLINE_MS = 30 * 60_000;

export type SourceSpec = { kind: 'auto' } | { kind: 'github' } | { kind: 'debian' } | { kind: 'go' } | { kind: 'dir'; path: string };

export function parseSourceSpec(input: string | undefined): SourceSpec {
  const s = (input ?? 'auto').trim();
  if (s === 'auto' || s === 'github' || s === 'debian' || s === 'go') return { kind: s };
  if (s.startsWith('dir:') && s.length > 4) return { kind: 'dir', path: s.slice(4) };
  throw new UsageError(`--source: unknown source "${s}"`, { hint: 'use auto, github, debian, go or dir:PATH' });
}

export function makeSource(spec: SourceSpec, settings: SourceSettings): BinarySource {
  const github = (): GithubSource =>
    new GithubSource({ requestDeadlineMs: settings.requestDeadlineMs, downloadDeadlineMs: settings.downloadDeadlineMs, ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}) });
  const debian = (): DebianSource =>
    new DebianSource({ requestDeadlineMs: settings.requestDeadlineMs, downloadDeadlineMs: settings.downloadDeadlineMs, refresh: !!settings.refresh });
  // A cold build of etcd's server took 14 min on a 2-core machine shared with other builds: builds get
  // their own, longer default deadline.
  const go = (): GoSource =>
    new GoSource({ requestDeadlineMs: settings.requestDeadlineMs, downloadDeadlineMs: settings.buildDeadlineMs ?? Math.max(settings.downloadDeadlineMs, DEFAULT_BUILD_DEADLINE_MS) });
  switch (spec.kind) {
    case 'github':
      return github();
    case 'debian':
      return debian();
    case 'go':
      return go();
    case 'dir':
      return new DirSource(spec.path);
    case 'auto':
      // An explicit mirror means the user wants release archives from it. Prebuilt, signed or
      // checksummed binaries first; building from Go modules only for versions nobody ships.
      return settings.baseUrl ? github() : new AutoSource([debian(), github(), go()]);
  }
}

/** Every source `list --available` asks for this spec (auto: all of them). */
export function sourcesToList(spec: SourceSpec, settings: SourceSettings): BinarySource[] {
  if (spec.kind !== 'auto') return [makeSource(spec, settings)];
  return [makeSource({ kind: 'debian' }, settings), makeSource({ kind: 'github' }, settings), makeSource({ kind: 'go' }, settings)];
}
