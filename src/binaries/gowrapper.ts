/**
 * Building published Go programs through a throw-away wrapper module (see gobuild.ts for why): resolve
 * module versions, check the toolchain, write the wrapper, `go mod tidy`, check the resolved graph,
 * `go build` each main package, read back the build info. Used by the `go` binary source (etcd,
 * etcdctl, etcdutl) and by bench/loadgen-compare.ts (etcd's tools/benchmark). Progress goes through
 * `say`; a failure keeps the full log under `$UPSHIFT_HOME/cache/go/logs/`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError, ProblemError } from '../core/errors.js';
import { formatDuration } from '../core/output.js';
import { homePaths } from '../core/home.js';
import { writeFileAtomic } from '../core/files.js';
import {
  buildFailureSummary,
  isMissingVersionError,
  isPackageLine,
  logTail,
  parseBuildInfo,
  parseJsonStream,
  toolchainPlan,
  wrapperGoMod,
  wrapperToolsGo,
  type BuildInfo,
  type MainPackage,
  type ModuleVersion,
} from './gobuild.js';
import { runGo, type GoTool } from './gotool.js';

/** The wrapper's module path (never published; any valid path works for a main module). */
export const WRAPPER_MODULE = 'upshift.invalid/go-build';
/** A heartbeat line this often during a long step, so a log never looks hung. */
const HEARTBEAT_MS = 20_000;

/** One answer of `go list -m -json`. */
export interface ModuleInfo {
  Path: string;
  Version: string;
  GoVersion?: string;
  Time?: string;
  Origin?: { Hash?: string; URL?: string; Ref?: string };
  Error?: { Err: string };
}

export interface GoRunContext {
  go: GoTool;
  home: string;
  signal?: AbortSignal | undefined;
  /** One progress line (already prefixed by the caller). */
  say: (line: string) => void;
}

/** `go list -e -m -json PATH@VERSION...` in `cwd` (an empty directory): one process, one answer per module. */
export async function resolveModules(c: GoRunContext, specs: string[], cwd: string, deadlineMs: number): Promise<ModuleInfo[]> {
  await mkdir(cwd, { recursive: true });
  const r = await runGo(c.go, ['list', '-e', '-m', '-json', ...specs], 'resolving modules', { cwd, deadlineMs, signal: c.signal });
  const infos = parseJsonStream<ModuleInfo>(r.stdout);
  if (r.code !== 0 || infos.length !== specs.length) {
    throw new EnvironmentError('go-proxy-failed', `go list -m could not resolve ${specs.join(' ')} (exit ${r.code}): ${logTail(r.stderr, 8)}`, { hint: 'check GOPROXY and the network' });
  }
  return infos;
}

/** Module infos that are errors other than "no such version" mean the proxy failed: exit 3. */
export function throwIfProxyFailed(c: GoRunContext, infos: readonly ModuleInfo[], what: string): void {
  const errs = infos.filter((i) => i.Error && !isMissingVersionError(i.Error.Err)).map((i) => i.Error!.Err);
  if (errs.length) {
    throw new EnvironmentError('go-proxy-failed', `the Go module proxy (GOPROXY=${c.go.env.GOPROXY}) could not resolve ${what}: ${errs.join(' | ')}`, { hint: 'check the network or GOPROXY' });
  }
}

/** Exit 3 when this Go cannot build code declaring `go NEEDED` and GOTOOLCHAIN forbids switching. */
export function requireToolchain(c: GoRunContext, needed: string, what: string, retry: string): void {
  const plan = toolchainPlan(c.go.env.GOTOOLCHAIN, c.go.env.GOVERSION, needed);
  if (!plan.ok) {
    const exact = needed.split('.').length < 3 ? `${needed}.0` : needed;
    throw new EnvironmentError('go-too-old', `${what} needs Go ${needed} or newer (the go directive of its modules); ${plan.reason}`, {
      hint: `install Go ${needed}+ (https://go.dev/dl), or let Go fetch it: GOTOOLCHAIN=go${exact}+auto ${retry}`,
      details: { needed, local: c.go.env.GOVERSION, GOTOOLCHAIN: c.go.env.GOTOOLCHAIN },
    });
  }
  if (plan.switches) c.say(plan.how);
}

export interface WrapperBuild {
  /** Names the build in messages and the log file (`etcd 3.6.17`). */
  label: string;
  workDir: string;
  goDirective: string;
  requires: ModuleVersion[];
  mains: readonly MainPackage[];
  /** `-ldflags` value, if any. */
  ldflags?: string;
  /** Deadline of `go mod tidy` and of each `go build`. */
  stepDeadlineMs: number;
  /** Deadline of quick commands (`go list -m all`, `go version -m`). */
  quickDeadlineMs: number;
  /** Problems in the resolved module graph that must stop the build (e.g. an etcd module at another version). */
  checkResolved?: (mods: ModuleVersion[]) => string[];
}

export interface WrapperResult {
  /** Binary name -> path inside `workDir/bin`. */
  files: Record<string, string>;
  /** Binary name -> what Go embedded in it (`go version -m`). */
  infos: Record<string, BuildInfo>;
  /** Environment and command-line flags of every `go build`. */
  flags: string[];
}

export async function buildInWrapper(c: GoRunContext, b: WrapperBuild): Promise<WrapperResult> {
  const modDir = join(b.workDir, 'module');
  const binDir = join(b.workDir, 'bin');
  await mkdir(modDir, { recursive: true });
  await mkdir(binDir, { recursive: true });
  await writeFile(join(modDir, 'go.mod'), wrapperGoMod(WRAPPER_MODULE, b.goDirective, b.requires));
  await writeFile(join(modDir, 'tools.go'), wrapperToolsGo(b.mains));
  const log: string[] = [];
  const fail = async (what: string, stderr: string): Promise<never> => {
    const file = await saveLog(c.home, b.label, log.join('\n'));
    const summary = buildFailureSummary(stderr);
    throw new ProblemError('go-build-failed', `${what} failed for ${b.label}:\n${summary}`, {
      hint: file ? `the full log is in ${file}` : 'see the log above',
      details: { output: summary, ...(file ? { log: file } : {}) },
    });
  };
  const go = (args: string[], what: string, deadlineMs: number, onLine?: (l: string) => void) =>
    runGo(c.go, args, `${b.label}: ${what}`, {
      cwd: modDir,
      deadlineMs,
      signal: c.signal,
      onStderrLine: (l) => {
        log.push(l);
        onLine?.(l);
      },
    });

  // Download into Go's module cache and record go.sum (checked against GOSUMDB as in any Go build).
  let downloads = 0;
  const tidy = await step(c.say, 'downloading modules (go mod tidy)', () => (downloads ? `${downloads} module(s) downloaded` : 'all in the module cache'), () =>
    go(['mod', 'tidy'], 'go mod tidy', b.stepDeadlineMs, (l) => {
      if (l.startsWith('go: downloading ')) downloads++;
    }),
  );
  if (tidy.code !== 0) {
    if (isMissingVersionError(tidy.stderr)) {
      throw new EnvironmentError('go-module-missing', `the Go module proxy (GOPROXY=${c.go.env.GOPROXY}) lacks a module ${b.label} needs:\n${logTail(tidy.stderr, 8)}`, {
        hint: 'add the missing module to your module mirror, or point GOPROXY at one that has it',
      });
    }
    await fail('go mod tidy', tidy.stderr);
  }

  const all = await go(['list', '-mod=readonly', '-m', 'all'], 'go list -m all', b.quickDeadlineMs);
  if (all.code !== 0) await fail('go list -m all', all.stderr);
  const resolved = all.stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 2).map(([path, version]) => ({ path: path!, version: version! }));
  const problems = b.checkResolved?.(resolved) ?? [];
  if (problems.length) {
    throw new ProblemError('go-resolution-mismatch', `building ${b.label} would mix versions: ${problems.join('; ')}`, {
      hint: 'a module mirror serving altered go.mod files can cause this; nothing was installed',
      details: { problems },
    });
  }

  const flags = ['-mod=readonly', '-trimpath', ...(b.ldflags ? [`-ldflags=${b.ldflags}`] : [])];
  const out: WrapperResult = { files: {}, infos: {}, flags: ['CGO_ENABLED=0', ...flags] };
  for (const [i, m] of b.mains.entries()) {
    const file = join(binDir, m.binary);
    let compiled = 0;
    const r = await step(c.say, `building ${m.binary} (${i + 1}/${b.mains.length})`, () => (compiled ? `${compiled} package(s) compiled` : 'all in the build cache'), () =>
      // -v prints each package as it is compiled (cached ones are not printed).
      go(['build', ...flags, '-v', '-o', file, m.pkg], `go build ${m.pkg}`, b.stepDeadlineMs, (l) => {
        if (isPackageLine(l)) compiled++;
      }),
    );
    if (r.code !== 0) await fail(`go build ${m.pkg}`, r.stderr);
    out.files[m.binary] = file;
    const v = await runGo(c.go, ['version', '-m', file], 'reading build info', { cwd: modDir, deadlineMs: b.quickDeadlineMs, signal: c.signal });
    const info = v.code === 0 ? parseBuildInfo(v.stdout) : undefined;
    if (!info) throw new ProblemError('go-build-info', `go version -m ${file} printed no build information: ${logTail(v.stderr || v.stdout, 5)}`);
    out.infos[m.binary] = info;
  }
  return out;
}

/** Run a long step with a start line, a heartbeat every HEARTBEAT_MS and an end line with its duration. */
async function step<T>(say: (l: string) => void, title: string, counter: () => string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  say(`${title}...`);
  const beat = setInterval(() => say(`  ... ${title}: ${formatDuration(Date.now() - t0)}, ${counter()}`), HEARTBEAT_MS);
  try {
    const r = await fn();
    say(`${title}: done in ${formatDuration(Date.now() - t0)} (${counter()})`);
    return r;
  } finally {
    clearInterval(beat);
  }
}

/** Keep a failed build's full log (the work dir is deleted) under cache/go/logs. */
async function saveLog(home: string, label: string, text: string): Promise<string | undefined> {
  try {
    const dir = join(homePaths.cacheDir(home), 'go', 'logs');
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${label.replace(/[^\w.-]+/g, '-')}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
    await writeFileAtomic(file, text + '\n', { mode: 0o644 });
    return file;
  } catch {
    return undefined;
  }
}
