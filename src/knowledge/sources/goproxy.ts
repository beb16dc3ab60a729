/**
 * The Go module proxy as a source of etcd releases. etcd 3.5+ is published as Go modules
 * (go.etcd.io/etcd/{server,api,client,etcdutl}/v3, tagged `<dir>/vX.Y.Z` with every release), and a
 * proxy answers `$GOPROXY/<module>/@v/list` (the versions) and `/@v/<version>.info` (`{Version, Time}`),
 * per the GOPROXY protocol (https://go.dev/ref/mod#goproxy-protocol). No Go toolchain is needed for that;
 * when one is present, `go env` supplies the settings the user made with `go env -w`, and a GOPROXY that
 * reaches only `direct` (the module's VCS) is asked through `go list -m`.
 *
 * Settings honoured (https://go.dev/ref/mod#environment-variables): GOPROXY (`,` falls through to the
 * next entry on 404/410 only, `|` on any error; `direct`; `off`; http(s):// and file:// URLs),
 * GONOPROXY (default GOPRIVATE): etcd's modules matching it bypass the proxies; GOFLAGS is passed to the
 * go command. Some mirrors answer 403 for versions they do not serve: treated like 404.
 *
 * Proxies' `@v/list` may omit published versions (the public proxy lists 3.6.0, 3.6.4, 3.6.5, 3.6.8 but
 * not 3.6.1-3.6.3), so patch numbers between the known ones, and one past the newest of each line and
 * of the next minor, are asked for one by one.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import semver from 'semver';
import { fetchText, type HttpContext } from '../../binaries/http.js';
import { errorMessage } from '../../core/errors.js';
import { runProcessGroup } from '../../core/subprocess.js';
import type { FoundRelease, SourceResult } from '../merge.js';

/** The etcd modules asked, in order: the server first (it is the etcd binary's module). */
export const ETCD_MODULES = ['go.etcd.io/etcd/server/v3', 'go.etcd.io/etcd/api/v3', 'go.etcd.io/etcd/client/v3', 'go.etcd.io/etcd/etcdutl/v3'] as const;

/** Oldest line published as /v3 modules (3.4 and older are `go.etcd.io/etcd` pseudo-versions). */
const FIRST_MODULE_LINE = '3.5';

export type ProxyEntry = { kind: 'url'; url: string; fallThroughOnError: boolean } | { kind: 'direct' } | { kind: 'off' };

export interface GoSettings {
  GOPROXY: string;
  GONOPROXY: string;
  GOFLAGS: string;
  /** `go env` (toolchain present) or `environment` (variables, with Go's defaults). */
  from: string;
  /** The go command, when it could be run. */
  go?: string | undefined;
}

/** Parse GOPROXY into entries; the separator after each URL decides when the next one is tried. */
export function parseGoProxy(value: string): ProxyEntry[] {
  const out: ProxyEntry[] = [];
  const parts = value.trim().split(/([,|])/);
  for (let i = 0; i < parts.length; i += 2) {
    const item = parts[i]!.trim();
    const sep = parts[i + 1];
    if (!item) continue;
    if (item === 'direct') out.push({ kind: 'direct' });
    else if (item === 'off') out.push({ kind: 'off' });
    else out.push({ kind: 'url', url: item.replace(/\/+$/, ''), fallThroughOnError: sep === '|' });
  }
  return out;
}

/** Go's path.Match for one glob element set (no '/' crossing), as a RegExp. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) return /$^/;
      let cls = glob.slice(i + 1, end);
      if (cls.startsWith('^')) cls = '^' + cls.slice(1).replace(/\\/g, '\\\\');
      re += `[${cls}]`;
      i = end;
    } else if (c === '\\' && i + 1 < glob.length) re += `\\${glob[++i]}`;
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Go's module.MatchPrefixPatterns: does any comma-separated glob match a leading path prefix of
 * `path` with as many elements as the glob has?
 */
export function matchesPrefixPatterns(patterns: string, path: string): boolean {
  const elems = path.split('/');
  for (const raw of patterns.split(',')) {
    const p = raw.trim().replace(/\/+$/, '');
    if (!p) continue;
    const n = p.split('/').length;
    if (n > elems.length) continue;
    if (globToRegExp(p).test(elems.slice(0, n).join('/'))) return true;
  }
  return false;
}

/** Module path escaping of the proxy protocol: an upper-case letter becomes '!' + lower case. */
export function escapeModulePath(path: string): string {
  return path.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}

/** A release or pre-release tag, not a pseudo-version (`v0.0.0-20210101000000-abcdef012345` and kin). */
export function isTaggedVersion(v: string): boolean {
  return semver.valid(v) !== null && !/\d{14}-[0-9a-f]{12}$/.test(v);
}

/** Run a program with a deadline, its whole process group killed on timeout or abort (core/subprocess.ts). */
async function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, signal: AbortSignal, cwd?: string): Promise<{ code: number; stdout: string; stderr: string; missing: boolean }> {
  const r = await runProcessGroup(cmd, args, { env, deadlineMs: timeoutMs, signal, ...(cwd ? { cwd } : {}) });
  const why = r.spawnError ? errorMessage(r.spawnError) : r.timedOut ? `no answer within ${timeoutMs} ms` : r.aborted ? 'interrupted' : '';
  return { code: r.code ?? 1, stdout: r.stdout, stderr: why ? `${why} ${r.stderr}`.trim() : r.stderr, missing: r.spawnError?.code === 'ENOENT' };
}

/** The Go settings in effect: from `go env` when a toolchain is on PATH, else the environment with Go's defaults. */
export async function goSettings(env: NodeJS.ProcessEnv, signal: AbortSignal, deadlineMs: number): Promise<GoSettings> {
  const r = await run('go', ['env', '-json', 'GOPROXY', 'GONOPROXY', 'GOPRIVATE', 'GOFLAGS'], env, deadlineMs, signal);
  if (r.code === 0) {
    const j = JSON.parse(r.stdout) as Record<string, string>;
    return { GOPROXY: j.GOPROXY ?? '', GONOPROXY: j.GONOPROXY || j.GOPRIVATE || '', GOFLAGS: j.GOFLAGS ?? '', from: 'go env', go: 'go' };
  }
  return {
    GOPROXY: env.GOPROXY || 'https://proxy.golang.org,direct',
    GONOPROXY: env.GONOPROXY || env.GOPRIVATE || '',
    GOFLAGS: env.GOFLAGS ?? '',
    from: r.missing ? 'environment (no go command on PATH)' : `environment (\`go env\` failed: ${r.stderr.split('\n')[0]})`,
    go: r.missing ? undefined : 'go',
  };
}

/** One module's answer: a value, "this version/module is not there", or an error (unreachable, 5xx, off). */
type Answer<T> = { ok: true; value: T; where: string } | { ok: false; missing: boolean; error: string };

/** Asks modules through GOPROXY's URL entries over HTTP (and file://). */
export class HttpModuleProxy {
  constructor(
    private readonly entries: readonly ProxyEntry[],
    private readonly ctx: HttpContext,
    private readonly deadlineMs: number,
  ) {}

  /** The proxy URLs it asks, for messages. */
  get urls(): string[] {
    return this.entries.flatMap((e) => (e.kind === 'url' ? [e.url] : []));
  }

  private async get(url: string): Promise<{ status: number; text: string }> {
    if (url.startsWith('file://')) {
      try {
        return { status: 200, text: await readFile(fileURLToPath(url), 'utf8') };
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'ENOENT' ? { status: 404, text: '' } : { status: 500, text: errorMessage(e) };
      }
    }
    return fetchText(url, this.ctx, this.deadlineMs);
  }

  /** GET `<proxy>/<module>/@v/<file>` through the entries, falling through as GOPROXY's separators say. */
  async ask(module: string, file: string): Promise<Answer<string>> {
    let lastMissing = '';
    for (const e of this.entries) {
      if (e.kind === 'off') return { ok: false, missing: false, error: 'GOPROXY=off: module lookups are disabled' };
      if (e.kind === 'direct') return { ok: false, missing: lastMissing !== '', error: lastMissing || 'GOPROXY reaches only `direct` (the module\'s VCS)' };
      const url = `${e.url}/${escapeModulePath(module)}/@v/${file}`;
      let res: { status: number; text: string };
      try {
        res = await this.get(url);
      } catch (err) {
        if (e.fallThroughOnError) continue;
        return { ok: false, missing: false, error: errorMessage(err) };
      }
      if (res.status === 200) return { ok: true, value: res.text, where: e.url };
      if (res.status === 404 || res.status === 410 || res.status === 403) {
        lastMissing = `${url}: HTTP ${res.status}`;
        continue;
      }
      if (e.fallThroughOnError) continue;
      return { ok: false, missing: false, error: `${url}: HTTP ${res.status}` };
    }
    return { ok: false, missing: true, error: lastMissing || 'no proxy in GOPROXY' };
  }
}

export interface ModuleLookup {
  describe: string;
  list(module: string): Promise<Answer<string[]>>;
  info(module: string, version: string): Promise<Answer<{ version: string; time?: string | undefined }>>;
}

function httpLookup(proxy: HttpModuleProxy): ModuleLookup {
  return {
    describe: `proxy ${proxy.urls.join(', ')}`,
    async list(module) {
      const a = await proxy.ask(module, 'list');
      return a.ok ? { ...a, value: a.value.split('\n').map((l) => l.trim().split(/\s+/)[0]!).filter(Boolean) } : a;
    },
    async info(module, version) {
      const a = await proxy.ask(module, `v${version}.info`);
      if (!a.ok) return a;
      try {
        const j = JSON.parse(a.value) as { Version?: string; Time?: string };
        return { ok: true, where: a.where, value: { version: (j.Version ?? `v${version}`).replace(/^v/, ''), time: j.Time } };
      } catch {
        return { ok: false, missing: false, error: `${a.where}: ${module}@v${version}.info is not JSON` };
      }
    },
  };
}

/** Asks through `go list -m` (honours every Go setting, including `direct` VCS access and GOFLAGS). */
function goLookup(go: string, env: NodeJS.ProcessEnv, signal: AbortSignal, deadlineMs: number, settings: GoSettings): ModuleLookup {
  // Outside any module, with module mode on: `go list -m` then resolves queries against GOPROXY only.
  const goEnv = { ...env, GO111MODULE: 'on', GOWORK: 'off', GOFLAGS: settings.GOFLAGS };
  const where = `go list -m (${go}, GOPROXY=${settings.GOPROXY})`;
  const cwd = env.TMPDIR || '/tmp';
  return {
    describe: where,
    async list(module) {
      const r = await run(go, ['list', '-m', '-json', '-versions', module], goEnv, deadlineMs, signal, cwd);
      if (r.code !== 0) return { ok: false, missing: /not found|404|410|no matching versions/i.test(r.stderr), error: r.stderr.trim().split('\n').slice(-2).join(' ') };
      const j = JSON.parse(r.stdout) as { Versions?: string[] };
      return { ok: true, where, value: j.Versions ?? [] };
    },
    async info(module, version) {
      const r = await run(go, ['list', '-m', '-json', '-e', `${module}@v${version}`], goEnv, deadlineMs, signal, cwd);
      if (r.code !== 0 && !r.stdout) return { ok: false, missing: false, error: r.stderr.trim() };
      const j = JSON.parse(r.stdout) as { Version?: string; Time?: string; Error?: { Err?: string } };
      if (j.Error) return { ok: false, missing: /not available|not found|404|410|403|unknown revision|invalid version/i.test(j.Error.Err ?? ''), error: j.Error.Err ?? 'error' };
      return { ok: true, where, value: { version: (j.Version ?? `v${version}`).replace(/^v/, ''), time: j.Time } };
    },
  };
}

export interface ProxySourceOptions {
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  http: HttpContext;
  deadlineMs: number;
  /** Replaces GOPROXY for this run. */
  goproxy?: string | undefined;
  /** Ask through the go command even when GOPROXY has proxy URLs. */
  useGo?: boolean | undefined;
  /** Lines the caller already knows, `X.Y` -> newest known patch (the shipped/learned catalogue). */
  known: ReadonlyMap<string, number>;
  /** Versions already learned with a date: not asked again. */
  dated: ReadonlySet<string>;
  /** At most this many requests in flight. */
  concurrency?: number;
}

function sourceName(lookup: ModuleLookup): string {
  return lookup.describe;
}

/** Learn etcd releases from the Go module proxy (see the module comment). Never throws for network trouble. */
export async function learnFromProxy(opts: ProxySourceOptions): Promise<SourceResult> {
  const notes: string[] = [];
  const settings = await goSettings(opts.goproxy ? { ...opts.env, GOPROXY: opts.goproxy } : opts.env, opts.signal, opts.deadlineMs);
  if (opts.goproxy) settings.GOPROXY = opts.goproxy;
  const entries = parseGoProxy(settings.GOPROXY);
  notes.push(`GOPROXY=${settings.GOPROXY}${settings.GONOPROXY ? ` GONOPROXY=${settings.GONOPROXY}` : ''} (from ${opts.goproxy ? '--goproxy' : settings.from})`);
  const bypass = ETCD_MODULES.some((m) => matchesPrefixPatterns(settings.GONOPROXY, m));
  const hasUrl = entries.some((e) => e.kind === 'url');
  let lookup: ModuleLookup;
  if (opts.useGo || bypass || !hasUrl) {
    const why = opts.useGo ? '--go-command' : bypass ? 'GONOPROXY/GOPRIVATE covers go.etcd.io' : 'GOPROXY has no proxy URL';
    if (entries.some((e) => e.kind === 'off') && !hasUrl && !entries.some((e) => e.kind === 'direct')) {
      return failed('proxy (GOPROXY=off)', 'GOPROXY=off: module lookups are disabled on this machine', notes);
    }
    if (!settings.go) return failed(`proxy (${why})`, `${why}, so the modules must be asked through the go command, and none is on PATH: install Go (https://go.dev/dl/) or set GOPROXY to a module proxy URL`, notes);
    notes.push(`asked through the go command (${why})`);
    lookup = goLookup(settings.go, opts.env, opts.signal, opts.deadlineMs, settings);
  } else {
    lookup = httpLookup(new HttpModuleProxy(entries, opts.http, opts.deadlineMs));
  }
  const name = sourceName(lookup);
  const limit = pLimit(opts.concurrency ?? 4);

  // 1. Every module's list.
  const lists = await Promise.all(ETCD_MODULES.map((m) => limit(() => lookup.list(m))));
  const errors = lists.flatMap((l, i) => (l.ok || l.missing ? [] : [`${ETCD_MODULES[i]}: ${l.error}`]));
  if (lists.every((l) => !l.ok)) return failed(name, errors[0] ?? `no etcd module found (${lists.map((l) => (!l.ok ? l.error : '')).join('; ')})`, notes);
  const seen = new Map<string, string>(); // version -> module that listed it
  for (const [i, l] of lists.entries()) {
    if (!l.ok) continue;
    for (const raw of l.value) {
      if (!isTaggedVersion(raw)) continue;
      const v = raw.replace(/^v/, '');
      if (!seen.has(v)) seen.set(v, ETCD_MODULES[i]!);
    }
  }

  // 2. What to ask one by one: listed versions not yet dated, gaps, and one past the newest of each line.
  const releases = new Map<string, FoundRelease>();
  const preReleases: FoundRelease[] = [];
  const absent: { version: string; source: string }[] = [];
  const infoOf = async (v: string, modules: readonly string[]): Promise<FoundRelease | 'missing' | 'error'> => {
    let sawError = false;
    for (const m of modules) {
      const a = await lookup.info(m, v);
      if (a.ok) return { version: v, date: a.value.time, source: `proxy:${a.where} ${m}@v${v}` };
      if (!a.missing) sawError = true;
    }
    return sawError ? 'error' : 'missing';
  };
  const releaseLines = new Map<string, number>();
  for (const v of seen.keys()) {
    if (semver.prerelease(v)) continue;
    const line = `${semver.major(v)}.${semver.minor(v)}`;
    releaseLines.set(line, Math.max(releaseLines.get(line) ?? -1, semver.patch(v)));
  }
  for (const [line, newest] of opts.known) if (semver.gte(`${line}.0`, `${FIRST_MODULE_LINE}.0`)) releaseLines.set(line, Math.max(releaseLines.get(line) ?? -1, newest));

  const record = (r: FoundRelease): void => {
    if (semver.prerelease(r.version)) preReleases.push(r);
    else releases.set(r.version, r);
  };
  /** Already settled: above nothing we need (known or learned with a date). */
  const settled = (v: string): boolean => {
    const top = opts.known.get(`${semver.major(v)}.${semver.minor(v)}`);
    return opts.dated.has(v) || (!semver.prerelease(v) && top !== undefined && semver.patch(v) <= top);
  };
  const tasks: Promise<void>[] = [];
  for (const [v, module] of seen) {
    if (settled(v)) continue;
    tasks.push(limit(async () => {
      const r = await infoOf(v, [module, ...ETCD_MODULES.filter((m) => m !== module)]);
      if (typeof r === 'object') record(r);
    }));
  }
  // Gaps between the known top and the newest listed patch of each line.
  for (const [line, newest] of releaseLines) {
    for (let p = (opts.known.get(line) ?? -1) + 1; p < newest; p++) {
      const v = `${line}.${p}`;
      if (seen.has(v) || settled(v)) continue;
      tasks.push(limit(async () => {
        const r = await infoOf(v, ETCD_MODULES);
        if (typeof r === 'object') record(r);
        else if (r === 'missing') absent.push({ version: v, source: `${name} (${ETCD_MODULES.join(', ')})` });
      }));
    }
  }
  await Promise.all(tasks);
  // Walk past the newest patch of each line, and into the next minor, until a version is not there.
  const probeUp = async (start: string): Promise<void> => {
    for (let v = start, i = 0; i < 50; v = semver.inc(v, 'patch')!, i++) {
      if (seen.has(v) || settled(v)) continue;
      const r = await infoOf(v, ETCD_MODULES);
      if (typeof r !== 'object') return;
      record(r);
    }
  };
  const lines = [...releaseLines.keys()].sort((a, b) => semver.compare(`${a}.0`, `${b}.0`));
  const newestMinor = lines[lines.length - 1];
  await Promise.all([
    ...lines.map((line) => limit(() => probeUp(`${line}.${releaseLines.get(line)! + 1}`))),
    ...(newestMinor ? [limit(() => probeUp(semver.inc(`${newestMinor}.0`, 'minor')!))] : []),
  ]);

  if (errors.length) notes.push(`some modules could not be listed: ${errors.join('; ')}`);
  const found = [...releases.values()];
  return {
    check: { source: name, kind: 'proxy', ok: true, versions: [...seen.keys()].filter((v) => !semver.prerelease(v)).length + found.filter((f) => !seen.has(f.version)).length },
    releases: found,
    preReleases,
    absent,
    notes,
  };
}

function failed(source: string, error: string, notes: string[]): SourceResult {
  return { check: { source, kind: 'proxy', ok: false, versions: 0, error }, releases: [], preReleases: [], absent: [], notes };
}
