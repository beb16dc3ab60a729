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
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError, isUpshiftError, errorMessage } from '../../core/errors.js';
import { note } from '../../core/context.js';
import { formatDuration } from '../../core/output.js';
import type { BinaryName, GoBuildProvenance } from '../layout.js';
import {
  ETCD_GIT_SHA_VAR,
  ETCD_MAINS,
  ETCD_RELEASE_MODULES,
  commonVersions,
  etcdModulesOffVersion,
  logTail,
  maxGoVersion,
  predatesGoModules,
  releaseCommit,
  type BuildInfo,
  type ModuleVersion,
} from '../gobuild.js';
import { GO_MIN_FOR_ETCD, findGo, runGo, type GoTool } from '../gotool.js';
import { WRAPPER_MODULE, buildInWrapper, requireToolchain, resolveModules, throwIfProxyFailed, type GoRunContext } from '../gowrapper.js';
import { compareVersions, unknownVersion, type AvailableReport, type BinarySource, type FetchedBinaries, type SourceContext } from './source.js';

export interface GoSourceOptions {
  /** Deadline of `go env`, version listings and module resolution. */
  requestDeadlineMs: number;
  /** Deadline of each long step: `go mod tidy` (downloads) and each binary's build. */
  downloadDeadlineMs: number;
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
    const c: GoRunContext = { go, home: ctx.home, signal: ctx.signal, say: (line) => note(ctx, `  etcd ${version} (go): ${line}`) };
    c.say(`building from Go modules with ${go.env.GOVERSION} through GOPROXY=${go.env.GOPROXY}`);

    // Does the proxy have the version? Which Go does it need? Which commit is it?
    const infos = await resolveModules(c, ETCD_RELEASE_MODULES.map((m) => `${m}@v${version}`), join(workDir, 'resolve'), this.opts.requestDeadlineMs);
    const mains = ETCD_MAINS.map((m) => infos.find((i) => i.Path === m.pkg)!);
    throwIfProxyFailed(c, mains, `etcd ${version}`);
    const missing = mains.filter((i) => i.Error);
    if (missing.length) {
      throw unknownVersion('go', version, await this.offeredQuietly(ctx), `GOPROXY=${go.env.GOPROXY} has no ${missing.map((i) => `${i.Path}@v${version}`).join(', ')}`);
    }
    const needed = maxGoVersion(mains.map((i) => i.GoVersion)) ?? GO_MIN_FOR_ETCD;
    requireToolchain(c, needed, `etcd ${version}`, `upshift etcd install ${version} --source go`);
    const commit = releaseCommit(infos.map((i) => i.Origin?.Hash));
    const gitSha = commit.sha?.slice(0, 7);

    // Official build flags: CGO_ENABLED=0, -trimpath, the Git SHA by -X (etcd@v3.6.14:scripts/build_lib.sh).
    const built = await buildInWrapper(c, {
      label: `etcd ${version}`,
      workDir,
      goDirective: needed,
      requires: ETCD_MAINS.map((m) => ({ path: m.pkg, version: `v${version}` })),
      mains: ETCD_MAINS,
      ...(gitSha ? { ldflags: `-X ${ETCD_GIT_SHA_VAR}=${gitSha}` } : {}),
      stepDeadlineMs: this.opts.downloadDeadlineMs,
      quickDeadlineMs: Math.max(this.opts.requestDeadlineMs, 60_000),
      // Another release's requirements must not leak in (MVS would happily mix them).
      checkResolved: (mods) => etcdModulesOffVersion(mods, version, WRAPPER_MODULE),
    });
    const files: Partial<Record<BinaryName, string>> = {};
    const origins: Partial<Record<BinaryName, string>> = {};
    for (const m of ETCD_MAINS) {
      files[m.binary as BinaryName] = built.files[m.binary]!;
      origins[m.binary as BinaryName] = `go build ${m.pkg}@v${version}`;
    }
    const build = provenance(go, version, built.infos as Partial<Record<BinaryName, BuildInfo>>, built.flags, needed, commit, Date.now() - t0);
    c.say(`built in ${formatDuration(Date.now() - t0)} with ${build.goVersion}; Git SHA ${build.gitSha ?? 'unknown'}`);
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
    flags,
    modules: [...modules.values()].sort((a, b) => a.path.localeCompare(b.path) || a.version.localeCompare(b.version)),
    binaries,
    durationMs,
  };
}
