/**
 * Go's version orderings, written by hand because npm's `semver` differs from golang.org/x/mod/semver:
 * Go requires the `v` prefix, accepts the shorthands v1 and v1.2, keeps `+incompatible` in canonical
 * versions while ignoring build metadata for precedence (go.dev/ref/mod#versions,
 * #glos-canonical-version; golang/go#32700), and Go toolchain versions (1.21rc1) are not semver at all.
 */

export interface Semver {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
  build: string;
  /** Written in a shorthand form (v1, v1.2): valid for comparison, not canonical. */
  short: boolean;
}

const SEMVER_RE = /^v(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?)?)?$/;

export function parseSemver(v: string): Semver | undefined {
  const m = SEMVER_RE.exec(v);
  if (!m) return undefined;
  const pre = m[4] ? m[4].split('.') : [];
  // Numeric identifiers must not have leading zeros (semver 2.0.0 §9).
  if (pre.some((p) => /^\d+$/.test(p) && p.length > 1 && p.startsWith('0'))) return undefined;
  return {
    major: Number(m[1]),
    minor: Number(m[2] ?? 0),
    patch: Number(m[3] ?? 0),
    prerelease: pre,
    build: m[5] ?? '',
    short: m[3] === undefined,
  };
}

export function isValidSemver(v: string): boolean {
  return parseSemver(v) !== undefined;
}

function cmpNum(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpIdent(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return a.length !== b.length ? cmpNum(a.length, b.length) : a < b ? -1 : a > b ? 1 : 0;
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Compare like x/mod/semver.Compare: invalid versions sort below valid ones (and equal each other);
 * build metadata (including +incompatible) does not affect precedence.
 */
export function compareSemver(a: string, b: string): number {
  const x = parseSemver(a);
  const y = parseSemver(b);
  if (!x || !y) return x ? 1 : y ? -1 : 0;
  const c = cmpNum(x.major, y.major) || cmpNum(x.minor, y.minor) || cmpNum(x.patch, y.patch);
  if (c) return c;
  if (x.prerelease.length === 0 && y.prerelease.length === 0) return 0;
  if (x.prerelease.length === 0) return 1;
  if (y.prerelease.length === 0) return -1;
  for (let i = 0; i < Math.min(x.prerelease.length, y.prerelease.length); i++) {
    const d = cmpIdent(x.prerelease[i], y.prerelease[i]);
    if (d) return d;
  }
  return cmpNum(x.prerelease.length, y.prerelease.length);
}

/** The higher of two versions; on equal precedence the first one (so `+incompatible` is kept). */
export function maxSemver(a: string, b: string): string {
  return compareSemver(a, b) >= 0 ? a : b;
}

export function isIncompatible(v: string): boolean {
  return v.endsWith('+incompatible');
}

export function major(v: string): number | undefined {
  return parseSemver(v)?.major;
}

// ---------- pseudo-versions (go.dev/ref/mod#pseudo-versions) ----------

export interface PseudoVersion {
  version: string;
  /** The tag the pseudo-version is based on ('' for the vX.0.0-ts-rev "no base" form). */
  base: string;
  form: 'no-base' | 'pre-release-base' | 'release-base';
  /** UTC commit time, ISO 8601. */
  time: string;
  /** The 12-hex-digit commit prefix. */
  commit: string;
  incompatible: boolean;
}

// x/mod/module/pseudo.go pseudoVersionRE.
const PSEUDO_RE = /^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

export function isPseudoVersion(v: string): boolean {
  return PSEUDO_RE.test(v) && parseSemver(v) !== undefined;
}

export function decodePseudoVersion(v: string): PseudoVersion | undefined {
  if (!isPseudoVersion(v)) return undefined;
  const sv = parseSemver(v)!;
  const noBuild = v.replace(/\+.*$/, '');
  const dash = noBuild.indexOf('-');
  const core = noBuild.slice(0, dash);
  const pre = noBuild.slice(dash + 1);
  // The last two '-'-separated fields are timestamp and revision; they can follow a '.' (pre/release base).
  const m = /^(.*?)(\d{14})-([A-Za-z0-9]+)$/.exec(pre)!;
  const prefix = m[1];
  const ts = m[2];
  const commit = m[3];
  const time = `${ts.slice(0, 4)}-${ts.slice(4, 6)}-${ts.slice(6, 8)}T${ts.slice(8, 10)}:${ts.slice(10, 12)}:${ts.slice(12, 14)}Z`;
  const incompatible = sv.build === 'incompatible';
  if (prefix === '') {
    return { version: v, base: '', form: 'no-base', time, commit, incompatible };
  }
  if (prefix === '0.') {
    // vX.Y.(Z+1)-0.ts-rev: base is vX.Y.Z
    const base = sv.patch > 0 ? `v${sv.major}.${sv.minor}.${sv.patch - 1}` : core;
    return { version: v, base, form: 'release-base', time, commit, incompatible };
  }
  // vX.Y.Z-pre.0.ts-rev: base is vX.Y.Z-pre
  return { version: v, base: `${core}-${prefix.slice(0, -'.0.'.length)}`, form: 'pre-release-base', time, commit, incompatible };
}

// ---------- Go toolchain / language versions (go.dev/doc/toolchain#version) ----------

// x/mod/modfile GoVersionRE.
const GO_VERSION_RE = /^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$/;

export function isValidGoVersion(v: string): boolean {
  return GO_VERSION_RE.test(v);
}

interface GoVer {
  major: number;
  minor: number;
  patch: number | undefined;
  kind: string;
  pre: number;
}

function parseGoVer(v: string): GoVer | undefined {
  const s = v.startsWith('go') ? v.slice(2) : v;
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(alpha|beta|rc)(\d+))?$/.exec(s);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), patch: m[3] === undefined ? undefined : Number(m[3]), kind: m[4] ?? '', pre: Number(m[5] ?? 0) };
}

/**
 * Order Go versions: 1.21 < 1.21rc1 < 1.21.0 < 1.21.1 < 1.22 (the language version "1.21" names the
 * family and sorts before its pre-releases; go.dev/doc/toolchain#version).
 */
export function compareGoVersion(a: string, b: string): number {
  const x = parseGoVer(a);
  const y = parseGoVer(b);
  if (!x || !y) return x ? 1 : y ? -1 : 0;
  const c = cmpNum(x.major, y.major) || cmpNum(x.minor, y.minor);
  if (c) return c;
  const rank = (g: GoVer): number => (g.kind === '' && g.patch === undefined ? 0 : g.kind === 'alpha' ? 1 : g.kind === 'beta' ? 2 : g.kind === 'rc' ? 3 : 4);
  const r = cmpNum(rank(x), rank(y));
  if (r) return r;
  if (x.kind) return cmpNum(x.pre, y.pre);
  return cmpNum(x.patch ?? -1, y.patch ?? -1);
}
