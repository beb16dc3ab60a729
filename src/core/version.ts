/**
 * Lenient etcd version arithmetic on `major.minor.patch`, for versions reported by servers, manifests and
 * install directories: a leading `v` and pre-release/build suffixes are ignored, missing or junk parts count
 * as 0. For validating user input and for pre-release order use `src/knowledge` (semver) or
 * `src/binaries/sources/source.ts`.
 */

/** "3.5.30" -> [3, 5, 30]; "v3.6.0-rc.1" -> [3, 6, 0]. */
export function versionParts(v: string): [number, number, number] {
  const [a, b, c] = v.replace(/^v/, '').split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  return [a ?? 0, b ?? 0, c ?? 0];
}

/** Numeric order on major.minor.patch (negative, 0, positive). */
export function compareVersionParts(a: string, b: string): number {
  const x = versionParts(a);
  const y = versionParts(b);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

/** True when `version` is `min` or newer on major.minor.patch; false when `version` is unknown. */
export function versionAtLeast(version: string | undefined, min: string): boolean {
  return version ? compareVersionParts(version, min) >= 0 : false;
}

/** "3.5.30" -> "3.5" */
export function minorOf(version: string): string {
  const [a, b] = versionParts(version);
  return `${a}.${b}`;
}
