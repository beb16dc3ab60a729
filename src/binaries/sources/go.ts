/**
 * The `go` source: builds etcd, etcdctl and etcdutl (3.5+) from etcd's published Go modules with the
 * machine's Go toolchain and module proxy (a site with a module mirror and no GitHub access uses this).
 * Resolve (go list -m -json: does the proxy have the version, which Go does it declare, the release
 * commit) -> write a wrapper module (gobuild.ts) -> `go mod tidy` (downloads, go.sum) -> check every
 * etcd module resolved to the version -> build each `package main` -> read the provenance back from the
 * binaries (`go version -m`). Go's own module and build caches are used, so a second version or a
 * rebuild reuses what the first downloaded and compiled. Everything else happens in the installer's
 * work dir, which the installer deletes on success, failure or Ctrl-C.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError, ProblemError, UsageError, isUpshiftError, errorMessage } from '../../core/errors.js';
import { note } from '../../core/context.js';
import { formatDuration } from '../../core/output.js';
import { homePaths } from '../../core/home.js';
import { writeFileAtomic } from '../../core/files.js';
import type { BinaryName, GoBuildProvenance } from '../layout.js';
import {
  ETCD_GIT_SHA_VAR,
  ETCD_MAINS,
  ETCD_RELEASE_MODULES,
  buildFailureSummary,
  isPackageLine,
  commonVersions,
  etcdModulesOffVersion,
  isMissingVersionError,
  logTail,
  maxGoVersion,
  parseBuildInfo,
  parseJsonStream,
  predatesGoModules,
  releaseCommit,
  toolchainPlan,
  wrapperGoMod,
  wrapperToolsGo,
  type BuildInfo,
  type ModuleVersion,
} from '../gobuild.js';
import { GO_MIN_FOR_ETCD, findGo, runGo, type GoTool } from '../gotool.js';
import { compareVersions, unknownVersion, type AvailableReport, type BinarySource, type FetchedBinaries, type SourceContext } from './source.js';

export interface GoSourceOptions {
  /** Deadline of `go env`, version listings and module resolution. */
  requestDeadlineMs: number;
  /** Deadline of each long step: `go mod tidy` (downloads) and each binary's build. */
  downloadDeadlineMs: number;
}

/** The wrapper's module path (never published; any valid path works for a main module). */
const WRAPPER_MODULE = 'upshift.invalid/etcd-build';
/** A heartbeat line this often during a long step, so a log never looks hung. */
const HEARTBEAT_MS = 20_000;

interface ModuleInfo {
  Path: string;
  Version: string;
  GoVersion?: string;
  Time?: string;
  Origin?: { Hash?: string; URL?: string; Ref?: string };
  Error?: { Err: string };
}

export class GoSource implements BinarySource {
  readonly name = 'go';
  private listing?: Promise<AvailableReport>;

  constructor(private readonly opts: GoSourceOptions) {}

  private tool(ctx: SourceContext, feature: string): Promise<GoTool> {
    return findGo(ctx.env, ctx.home, feature, this.opts.requestDeadlineMs, ctx.signal);
  }

  async fetch(version: string, workDir: string, ctx: SourceContext): Promise<FetchedBinaries> {
    if (predatesGoModules(version)) {
      throw new UsageError(`etcd ${version} is not published as Go modules: go.etcd.io/etcd/{server,etcdctl,etcdutl}/v3 start with 3.5 (3.4 and older are not /v3 modules)`, {
        code: 'unknown-version',
        hint: 'install it with --source debian or --source github',
        details: { source: 'go', version },
      });
    }
    const go = await this.tool(ctx, `--source go (etcd ${version})`);
    const t0 = Date.now();
    const say = (line: string): void => note(ctx, `  etcd ${version} (go): ${line}`);
    say(`building from Go modules with ${go.env.GOVERSION} through GOPROXY=${go.env.GOPROXY}`);

    // 1. Does the proxy have the version? Which Go does it need? Which commit is it?
    const infos = await this.resolve(go, version, workDir, ctx);
    const mains = ETCD_MAINS.map((m) => infos.find((i) => i.Path === m.pkg)!);
    const missing = mains.filter((i) => i.Error);
    if (missing.length) {
      const errs = missing.map((i) => i.Error!.Err);
      if (!errs.every(isMissingVersionError)) {
        throw new EnvironmentError('go-proxy-failed', `the Go module proxy (GOPROXY=${go.env.GOPROXY}) could not resolve etcd ${version}: ${errs.join(' | ')}`, {
          hint: 'check the network or GOPROXY',
        });
      }
      throw unknownVersion('go', version, await this.offeredQuietly(ctx), `GOPROXY=${go.env.GOPROXY} has no ${missing.map((i) => `${i.Path}@v${version}`).join(', ')}`);
    }
    const needed = maxGoVersion(mains.map((i) => i.GoVersion)) ?? GO_MIN_FOR_ETCD;
    const plan = toolchainPlan(go.env.GOTOOLCHAIN, go.env.GOVERSION, needed);
    if (!plan.ok) {
      throw new EnvironmentError('go-too-old', `etcd ${version} needs Go ${needed} or newer (the go directive of its modules); ${plan.reason}`, {
        hint: `install Go ${needed}+ (https://go.dev/dl), or let Go fetch it: GOTOOLCHAIN=go${needed.split('.').length < 3 ? `${needed}.0` : needed}+auto upshift etcd install ${version} --source go`,
        details: { needed, local: go.env.GOVERSION, GOTOOLCHAIN: go.env.GOTOOLCHAIN },
      });
    }
    if (plan.switches) say(plan.how);
    const commit = releaseCommit(infos.map((i) => i.Origin?.Hash));
    const gitSha = commit.sha?.slice(0, 7);

    // 2. The wrapper module.
    const modDir = join(workDir, 'module');
    const binDir = join(workDir, 'bin');
    await mkdir(modDir);
    await mkdir(binDir);
    const requires: ModuleVersion[] = ETCD_MAINS.map((m) => ({ path: m.pkg, version: `v${version}` }));
    await writeFile(join(modDir, 'go.mod'), wrapperGoMod(WRAPPER_MODULE, needed, requires));
    await writeFile(join(modDir, 'tools.go'), wrapperToolsGo(ETCD_MAINS));
    const log: string[] = [];
    const failLog = async (what: string, stderr: string): Promise<never> => {
      const file = await saveLog(ctx, version, log.join('\n'));
      const summary = buildFailureSummary(stderr);
      throw new ProblemError('go-build-failed', `${what} failed for etcd ${version}:\n${summary}`, {
        hint: file ? `the full log is in ${file}` : 'see the log above',
        details: { version, output: summary, ...(file ? { log: file } : {}) },
      });
    };

    // 3. Download (Go's module cache) and record go.sum.
    let downloads = 0;
    const tidy = await this.step(say, 'downloading modules (go mod tidy)', () => (downloads ? `${downloads} module(s) downloaded` : 'all in the module cache'), () =>
      runGo(go, ['mod', 'tidy'], `etcd ${version}: go mod tidy`, {
        cwd: modDir,
        deadlineMs: this.opts.downloadDeadlineMs,
        signal: ctx.signal,
        onStderrLine: (l) => {
          log.push(l);
          if (l.startsWith('go: downloading ')) downloads++;
        },
      }),
    );
    if (tidy.code !== 0) {
      if (isMissingVersionError(tidy.stderr)) {
        throw new EnvironmentError('go-module-missing', `the Go module proxy (GOPROXY=${go.env.GOPROXY}) lacks a module etcd ${version} needs:\n${logTail(tidy.stderr, 8)}`, {
          hint: 'add the missing module to your module mirror, or point GOPROXY at one that has it',
        });
      }
      await failLog('go mod tidy', tidy.stderr);
    }

    // 4. Every etcd module must be at the version (another version's requirements must not leak in).
    const all = await runGo(go, ['list', '-mod=readonly', '-m', 'all'], `etcd ${version}: go list -m all`, { cwd: modDir, deadlineMs: this.opts.requestDeadlineMs, signal: ctx.signal });
    if (all.code !== 0) await failLog('go list -m all', all.stderr);
    const resolved = all.stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 2).map(([path, v]) => ({ path: path!, version: v! }));
    const off = etcdModulesOffVersion(resolved, version, WRAPPER_MODULE);
    if (off.length) {
      throw new ProblemError('go-resolution-mismatch', `building etcd ${version} would mix versions: ${off.join('; ')}`, {
        hint: 'a module mirror serving altered go.mod files can cause this; nothing was installed',
        details: { version, problems: off },
      });
    }

    // 5. Build each binary (official flags: etcd@v3.6.14:scripts/build_lib.sh).
    const flags = ['-mod=readonly', '-trimpath', ...(gitSha ? [`-ldflags=-X ${ETCD_GIT_SHA_VAR}=${gitSha}`] : [])];
    const files: Partial<Record<BinaryName, string>> = {};
    const origins: Partial<Record<BinaryName, string>> = {};
    const infoOf: Partial<Record<BinaryName, BuildInfo>> = {};
    for (const [i, m] of ETCD_MAINS.entries()) {
      const out = join(binDir, m.binary);
      let compiled = 0;
      const r = await this.step(say, `building ${m.binary} (${i + 1}/${ETCD_MAINS.length})`, () => (compiled ? `${compiled} package(s) compiled` : 'all in the build cache'), () =>
        runGo(go, ['build', ...flags, '-v', '-o', out, m.pkg], `etcd ${version}: go build ${m.pkg}`, {
          cwd: modDir,
          deadlineMs: this.opts.downloadDeadlineMs,
          signal: ctx.signal,
          onStderrLine: (l) => {
            log.push(l);
            // -v prints each package as it is compiled (cached ones are not printed).
            if (isPackageLine(l)) compiled++;
          },
        }),
      );
      if (r.code !== 0) await failLog(`go build ${m.pkg}`, r.stderr);
      files[m.binary as BinaryName] = out;
      origins[m.binary as BinaryName] = `go build ${m.pkg}@v${version}`;
      infoOf[m.binary as BinaryName] = await this.buildInfo(go, out, modDir, ctx);
    }

    const build = provenance(go, version, infoOf, flags, needed, commit, Date.now() - t0);
    say(`built in ${formatDuration(Date.now() - t0)} with ${build.goVersion}; Git SHA ${build.gitSha ?? 'unknown'}`);
    return {
      source: 'go',
      files,
      origins,
      detail: {
        goproxy: go.env.GOPROXY,
        goVersion: build.goVersion,
        gitSha: build.gitSha ?? `unknown (${build.gitShaNote})`,
        modules: ETCD_MAINS.map((m) => `${m.pkg}@v${version}`).join(' '),
      },
      build,
    };
  }

  /** `go list -e -m -json` of the release's modules at `version` (one process, run in an empty dir). */
  private async resolve(go: GoTool, version: string, workDir: string, ctx: SourceContext): Promise<ModuleInfo[]> {
    const dir = join(workDir, 'resolve');
    await mkdir(dir, { recursive: true });
    const r = await runGo(go, ['list', '-e', '-m', '-json', ...ETCD_RELEASE_MODULES.map((m) => `${m}@v${version}`)], `etcd ${version}: resolving modules`, {
      cwd: dir,
      deadlineMs: this.opts.requestDeadlineMs,
      signal: ctx.signal,
    });
    const infos = parseJsonStream<ModuleInfo>(r.stdout);
    if (r.code !== 0 || ETCD_MAINS.some((m) => !infos.find((i) => i.Path === m.pkg))) {
      throw new EnvironmentError('go-proxy-failed', `go list -m could not resolve etcd ${version} (exit ${r.code}): ${logTail(r.stderr, 8)}`, { hint: 'check GOPROXY and the network' });
    }
    return infos;
  }

  /** The build information Go embedded in `file` (`go version -m`): toolchain, modules with go.sum hashes, flags. */
  private async buildInfo(go: GoTool, file: string, cwd: string, ctx: SourceContext): Promise<BuildInfo> {
    const r = await runGo(go, ['version', '-m', file], 'reading build info', { cwd, deadlineMs: this.opts.requestDeadlineMs, signal: ctx.signal });
    const info = r.code === 0 ? parseBuildInfo(r.stdout) : undefined;
    if (!info) throw new ProblemError('go-build-info', `go version -m ${file} printed no build information: ${logTail(r.stderr || r.stdout, 5)}`);
    return info;
  }

  /** Run a long step with a start line, a heartbeat every HEARTBEAT_MS and an end line with its duration. */
  private async step<T>(say: (l: string) => void, title: string, counter: () => string, fn: () => Promise<T>): Promise<T> {
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

  private async offeredQuietly(ctx: SourceContext): Promise<string[] | undefined> {
    const r = await this.available(ctx).catch(() => undefined);
    return r?.reachable ? r.versions.map((v) => v.version) : undefined;
  }

  /**
   * Versions the proxy lists for all three main modules (`go list -m -versions`): nothing is built or
   * downloaded but the lists, so this is cheap. A proxy lists only versions it knows (proxy.golang.org
   * lists those ever requested through it); `fetch` still tries an unlisted version.
   */
  available(ctx: SourceContext): Promise<AvailableReport> {
    this.listing ??= this.list(ctx);
    return this.listing;
  }

  private async list(ctx: SourceContext): Promise<AvailableReport> {
    const report: AvailableReport = { source: 'go', origin: '', reachable: false, versions: [] };
    let dir: string | undefined;
    try {
      const go = await this.tool(ctx, '--source go');
      report.origin = `GOPROXY=${go.env.GOPROXY} (${go.env.GOVERSION})`;
      dir = await mkdtemp(join(tmpdir(), 'upshift-go-list-'));
      const modules = ETCD_MAINS.map((m) => m.pkg);
      const r = await runGo(go, ['list', '-m', '-versions', ...modules], 'listing etcd modules', { cwd: dir, deadlineMs: this.opts.requestDeadlineMs, signal: ctx.signal });
      if (r.code !== 0) {
        report.error = `go list -m -versions failed: ${logTail(r.stderr, 3)}`;
        return report;
      }
      report.reachable = true;
      report.versions = commonVersions(r.stdout, modules)
        .filter((v) => !predatesGoModules(v))
        .sort(compareVersions)
        .map((v) => ({ version: v, detail: `go.etcd.io/etcd/{server,etcdctl,etcdutl}/v3@v${v} (built here)` }));
      if (!report.versions.length) report.error = 'the proxy lists no version that has all of server, etcdctl and etcdutl';
    } catch (e) {
      report.error = isUpshiftError(e) ? `${e.message}${e.hint ? ` (${e.hint})` : ''}` : errorMessage(e);
    } finally {
      if (dir) await rm(dir, { recursive: true, force: true });
    }
    return report;
  }
}

/** The manifest's build record: what built the binaries, from which module versions and hashes, how. */
function provenance(
  go: GoTool,
  version: string,
  infoOf: Partial<Record<BinaryName, BuildInfo>>,
  flags: string[],
  goDirective: string,
  commit: { sha?: string; seen: string[] },
  durationMs: number,
): GoBuildProvenance {
  const modules = new Map<string, ModuleVersion>();
  const binaries: GoBuildProvenance['binaries'] = {};
  for (const [b, info] of Object.entries(infoOf) as [BinaryName, BuildInfo][]) {
    for (const m of [...(info.main ? [info.main] : []), ...info.deps]) modules.set(`${m.path}@${m.version}`, m);
    binaries[b] = { package: info.path ?? '', goVersion: info.goVersion, settings: info.settings };
  }
  const goVersions = [...new Set(Object.values(binaries).map((b) => b!.goVersion))];
  return {
    tool: 'go',
    etcdVersion: version,
    goVersion: goVersions.join(', '),
    goDirective,
    goproxy: go.env.GOPROXY,
    gotoolchain: go.env.GOTOOLCHAIN,
    gitSha: commit.sha ? commit.sha.slice(0, 7) : null,
    ...(commit.sha ? { releaseCommit: commit.sha } : { gitShaNote: commit.seen.length ? `the proxy reported different commits: ${commit.seen.join(', ')}` : 'the module proxy did not report the release commit' }),
    flags: ['CGO_ENABLED=0', ...flags],
    modules: [...modules.values()].sort((a, b) => a.path.localeCompare(b.path) || a.version.localeCompare(b.version)),
    binaries,
    durationMs,
  };
}

/** Keep a failed build's full log (the work dir is deleted) under cache/go/logs. */
async function saveLog(ctx: SourceContext, version: string, text: string): Promise<string | undefined> {
  try {
    const dir = join(homePaths.cacheDir(ctx.home), 'go', 'logs');
    await mkdir(dir, { recursive: true });
    const file = join(dir, `etcd-${version}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
    await writeFileAtomic(file, text + '\n', { mode: 0o644 });
    return file;
  } catch {
    return undefined;
  }
}
