/**
 * Pure parts of building Go programs from published modules (no I/O here; see gotool.ts for running
 * `go` and sources/go.ts for etcd). The approach, checked at etcd v3.5.33, v3.6.14 and v3.7.1
 * (shared/reference/etcd-versions.md §8): etcd's modules carry local `replace` lines, so
 * `go install go.etcd.io/etcd/server/v3@V` fails (etcd-io/etcd#18501); Go ignores the replaces of
 * dependencies, so a throw-away wrapper module that requires the modules at one version and imports
 * their `package main`s from a build-tagged file builds them with Go's own resolution and checksums.
 */

export interface ModuleVersion {
  path: string;
  version: string;
  /** The go.sum hash (`h1:...`) of the module's zip. */
  sum?: string;
}

/** One `package main` to build and the file name to give the binary. */
export interface MainPackage {
  pkg: string;
  binary: string;
}

/** The etcd binaries and the upstream `package main` each comes from (3.5+: server/main.go etc.). */
export const ETCD_MAINS: readonly MainPackage[] = [
  { pkg: 'go.etcd.io/etcd/server/v3', binary: 'etcd' },
  { pkg: 'go.etcd.io/etcd/etcdctl/v3', binary: 'etcdctl' },
  { pkg: 'go.etcd.io/etcd/etcdutl/v3', binary: 'etcdutl' },
];

/**
 * Modules of one etcd release asked for their VCS origin (the release commit): every module of a
 * release is tagged on the same commit (etcd@v3.6.14:scripts/release.sh tags each module), and the
 * proxy reports `Origin.Hash` for some modules and not others.
 */
export const ETCD_RELEASE_MODULES: readonly string[] = [
  ...ETCD_MAINS.map((m) => m.pkg),
  'go.etcd.io/etcd/api/v3',
  'go.etcd.io/etcd/client/pkg/v3',
  'go.etcd.io/etcd/client/v3',
  'go.etcd.io/etcd/pkg/v3',
  'go.etcd.io/etcd/tests/v3',
  'go.etcd.io/etcd/v3',
];

/** Where `etcd --version` gets its Git SHA line (etcd@v3.6.14:scripts/build_lib.sh sets it the same way). */
export const ETCD_GIT_SHA_VAR = 'go.etcd.io/etcd/api/v3/version.GitSHA';

/** The first minor published as `/v3` modules; 3.4 and older live in `go.etcd.io/etcd` (no /v3, no module tags). */
export const ETCD_FIRST_GO_MODULE_MINOR = 5;

/** `3.4.23` -> true: not buildable from `/v3` modules. */
export function predatesGoModules(version: string): boolean {
  const [maj, min] = version.split('.').map(Number);
  return maj! < 3 || (maj === 3 && min! < ETCD_FIRST_GO_MODULE_MINOR);
}

/**
 * The version an etcd module of release `version` must resolve to: `vVERSION`, except the 3.5
 * `client/v2` module, which is versioned v2.305.PATCH (etcd@v3.5.33:client/v2/go.mod is required as
 * `go.etcd.io/etcd/client/v2 v2.305.33`).
 */
export function expectedEtcdModuleVersion(path: string, version: string): string {
  if (path === 'go.etcd.io/etcd/client/v2') {
    const [, min, patch] = version.split(/[.-]/);
    return `v2.3${min!.padStart(2, '0')}.${patch}${version.includes('-') ? version.slice(version.indexOf('-')) : ''}`;
  }
  return `v${version}`;
}

/** etcd modules (`go.etcd.io/etcd/...`) of a resolved module list that are not at `version`. */
export function etcdModulesOffVersion(mods: readonly ModuleVersion[], version: string, mainModule: string): string[] {
  return mods
    .filter((m) => m.path !== mainModule && (m.path === 'go.etcd.io/etcd' || m.path.startsWith('go.etcd.io/etcd/')))
    .filter((m) => m.version !== expectedEtcdModuleVersion(m.path, version))
    .map((m) => `${m.path} resolved to ${m.version}, expected ${expectedEtcdModuleVersion(m.path, version)}`);
}

/** The wrapper's go.mod: only the named modules; Go resolves the rest from their own requirements. */
export function wrapperGoMod(modulePath: string, goVersion: string, requires: readonly ModuleVersion[]): string {
  const lines = requires.map((r) => `\t${r.path} ${r.version}`);
  return `// Throw-away module written by upshift to build published Go programs; safe to delete.\nmodule ${modulePath}\n\ngo ${goVersion}\n\nrequire (\n${lines.join('\n')}\n)\n`;
}

/** A build-tagged file importing the main packages, so `go mod tidy` records everything they need. */
export function wrapperToolsGo(mains: readonly MainPackage[]): string {
  const imports = mains.map((m) => `\t_ "${m.pkg}"`).join('\n');
  return `//go:build tools\n\n// Package tools pins the programs upshift builds; it is never compiled itself.\npackage tools\n\nimport (\n${imports}\n)\n`;
}

// ---- Go versions and GOTOOLCHAIN ----

/** [major, minor, patch, stage] where stage 0 = language version (`1.26`), 1 = pre-release, 2 = release. */
type GoVer = [number, number, number, number];

/** `go1.26.8`, `1.25.0`, `1.26`, `go1.27rc1` -> comparable tuple; undefined when not a Go version. */
export function parseGoVersion(v: string): GoVer | undefined {
  const m = /^(?:go)?(\d+)\.(\d+)(?:\.(\d+)|(rc|beta)(\d+))?/.exec(v.trim());
  if (!m) return undefined;
  if (m[3] !== undefined) return [Number(m[1]), Number(m[2]), Number(m[3]), 2];
  if (m[4]) return [Number(m[1]), Number(m[2]), 0, 1];
  // `go 1.21` and later name a language version, satisfied by 1.21rc1 and 1.21.0 (go.dev/doc/toolchain).
  return [Number(m[1]), Number(m[2]), 0, Number(m[1]) === 1 && Number(m[2]) < 21 ? 2 : 0];
}

export function compareGoVersions(a: string, b: string): number {
  const pa = parseGoVersion(a);
  const pb = parseGoVersion(b);
  if (!pa || !pb) return 0;
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}

/** The highest of some `go` directives (`1.25.0`, `1.26`). */
export function maxGoVersion(versions: readonly (string | undefined)[]): string | undefined {
  return versions.filter((v): v is string => !!v && !!parseGoVersion(v)).sort(compareGoVersions).at(-1);
}

export type ToolchainPlan =
  | { ok: true; switches: false }
  | { ok: true; switches: true; how: string }
  | { ok: false; reason: string };

/**
 * Can `go` with this GOTOOLCHAIN build code that needs Go `needed`? Semantics from go.dev/doc/toolchain:
 * `local`; `<name>` (always that toolchain); `<name>+auto` / `auto` (= local+auto: switch by downloading
 * golang.org/toolchain through GOPROXY); `<name>+path` / `path` (switch only to a goX.Y.Z on PATH).
 */
export function toolchainPlan(gotoolchain: string, localGo: string, needed: string): ToolchainPlan {
  const setting = (gotoolchain || 'auto').trim();
  const [minName, mode = ''] = setting === 'auto' || setting === 'path' ? ['local', setting] : (setting.split('+') as [string, string?]);
  const base = minName === 'local' ? localGo : minName;
  if (compareGoVersions(base, needed) >= 0) {
    return minName === 'local' ? { ok: true, switches: false } : { ok: true, switches: true, how: `GOTOOLCHAIN=${setting} selects ${minName}` };
  }
  if (mode === 'auto') return { ok: true, switches: true, how: `GOTOOLCHAIN=${setting}: go switches to a go${needed}+ toolchain, downloaded through GOPROXY` };
  if (mode === 'path') return { ok: true, switches: true, how: `GOTOOLCHAIN=${setting}: go looks for a go${needed}+ toolchain on PATH` };
  return { ok: false, reason: `${base} is older than the go ${needed} the modules declare, and GOTOOLCHAIN=${setting} does not allow switching` };
}

// ---- module proxy answers ----

/** Versions every listed module offers (`go list -m -versions A B C` lines), `v` stripped, ascending as given. */
export function commonVersions(listLines: string, modules: readonly string[]): string[] {
  const sets = new Map<string, string[]>();
  for (const line of listLines.split('\n')) {
    const [path, ...versions] = line.trim().split(/\s+/);
    if (path && modules.includes(path)) sets.set(path, versions);
  }
  if (modules.some((m) => !sets.has(m))) return [];
  const [first, ...rest] = modules.map((m) => sets.get(m)!);
  return first!.filter((v) => rest.every((s) => s.includes(v))).map((v) => v.replace(/^v/, ''));
}

/** Whether a module error means "no such version here" (vs. the proxy or network failing). */
export function isMissingVersionError(message: string): boolean {
  return /\b(403|404|410)\b|not found|unknown revision|invalid version|no matching versions|not available|does not exist/i.test(message);
}

/** Whether go's output shows it could not reach the proxy/origin at all. */
export function isNetworkError(output: string): boolean {
  return /dial tcp|no such host|connection refused|i\/o timeout|TLS handshake|network is unreachable|GOPROXY=off|module lookup disabled|Client\.Timeout/i.test(output);
}

/** The release commit from the `Origin.Hash` the proxy reported for some modules; undefined if none or they disagree. */
export function releaseCommit(origins: readonly (string | undefined)[]): { sha?: string; seen: string[] } {
  const seen = [...new Set(origins.filter((h): h is string => !!h && /^[0-9a-f]{40}$/.test(h)))];
  return seen.length === 1 ? { sha: seen[0], seen } : { seen };
}

// ---- what a built binary says about itself ----

export interface BuildInfo {
  /** Toolchain that built it, e.g. `go1.26.8`. */
  goVersion: string;
  /** The main package's import path. */
  path?: string;
  /** The module holding the main package. */
  main?: ModuleVersion;
  deps: ModuleVersion[];
  /** `-trimpath=true`, `CGO_ENABLED=0`, `-ldflags=...`, ... in the order Go recorded them. */
  settings: string[];
}

/** Parse `go version -m FILE` (runtime/debug.BuildInfo's text form, one binary). */
export function parseBuildInfo(text: string): BuildInfo | undefined {
  const lines = text.split('\n');
  const head = /:\s+(go\S+)\s*$/.exec(lines[0] ?? '');
  if (!head) return undefined;
  const info: BuildInfo = { goVersion: head[1]!, deps: [], settings: [] };
  for (const line of lines.slice(1)) {
    const [kind, ...f] = line.trim().split('\t');
    if (kind === 'path') info.path = f[0];
    else if (kind === 'mod' && f[0] && f[1]) info.main = { path: f[0], version: f[1], ...(f[2] ? { sum: f[2] } : {}) };
    else if (kind === 'dep' && f[0] && f[1]) info.deps.push({ path: f[0], version: f[1], ...(f[2] ? { sum: f[2] } : {}) });
    else if (kind === '=>' && f[0] && info.deps.length) info.deps[info.deps.length - 1]!.path += ` => ${f.join(' ')}`;
    else if (kind === 'build' && f.length) info.settings.push(f.join('='));
  }
  return info;
}

/** `go list -m -json` prints concatenated JSON objects; split them. */
export function parseJsonStream<T>(text: string): T[] {
  const out: T[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)) as T);
  }
  return out;
}

/** A line `go build -v` prints for each package it compiles. */
export function isPackageLine(line: string): boolean {
  return /^[\w.-]+(\/[\w.~-]+)*$/.test(line.trim());
}

/**
 * The part of a failed `go build`'s output worth showing: from the first `# package` header (Go prints
 * the errors of each failing package under one) for `n` lines, without -v's package list; else the tail.
 */
export function buildFailureSummary(output: string, n = 25): string {
  const lines = output.split('\n').filter((l) => l.trim() && !isPackageLine(l));
  const first = lines.findIndex((l) => l.startsWith('# '));
  return (first >= 0 ? lines.slice(first, first + n) : lines.slice(-n)).join('\n');
}

/** The last `n` non-empty lines of a log, for error messages. */
export function logTail(text: string, n = 25): string {
  return text.split('\n').filter((l) => l.trim()).slice(-n).join('\n');
}
