/** Small helpers shared by the analysis and the migration plan. */
import type { Replace } from './gomod.js';
import type { Family } from './knowledge/families.js';

export const GRPC = 'google.golang.org/grpc';

/** Families whose import paths and module paths the migration replaces. */
export const LEGACY_FAMILIES: ReadonlySet<Family> = new Set(['coreos', 'etcd-root', 'etcd-v3-master']);

/**
 * The replace directive that applies to path@version. A versioned left side wins over an unversioned one
 * (go.dev/ref/mod#go-mod-file-replace); among duplicates the last one counts (the go command keys
 * replacements by their left side).
 */
export function effectiveReplace(replaces: readonly Replace[], path: string, version: string): Replace | undefined {
  return replaces.findLast((r) => r.oldPath === path && r.oldVersion === version) ?? replaces.findLast((r) => r.oldPath === path && !r.oldVersion);
}

export const replText = (r: Replace): string => (r.newVersion ? `${r.newPath} ${r.newVersion}` : r.newPath);
