/**
 * Build etcd's own load generator (`tools/benchmark`) from the Go module proxy, the way `upshift etcd
 * install --source go` builds etcd (src/binaries/gowrapper.ts): it lives in the root module
 * `go.etcd.io/etcd/v3`, whose go.mod has local replaces, so a wrapper module requires it at one version.
 * At 3.7 the root requires `tests/v3`, which requires the unpublished `cache/v3`; module graph pruning
 * (root `go 1.26`) never loads tests/v3's requirements because tools/benchmark imports none of its
 * packages, so the build works without cache/v3 (checked at v3.7.1).
 * The root module is not published at every patch (a proxy serves what it has): the newest patch of the
 * server's minor at or below its version is used, and said.
 *
 *   node --import tsx bench/go-benchmark.ts 3.6.17     # prints the binary's path
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { upshiftHome, homePaths } from '../src/core/home.js';
import { findGo } from '../src/binaries/gotool.js';
import { etcdModulesOffVersion } from '../src/binaries/gobuild.js';
import { WRAPPER_MODULE, buildInWrapper, requireToolchain, resolveModules, throwIfProxyFailed, type GoRunContext } from '../src/binaries/gowrapper.js';

const ROOT_MODULE = 'go.etcd.io/etcd/v3';
const BENCHMARK_PKG = 'go.etcd.io/etcd/v3/tools/benchmark';

export interface BuiltBenchmark {
  path: string;
  /** The root module version it was built from (may be below the server's patch). */
  version: string;
  goVersion: string;
  built: boolean;
}

export async function buildEtcdBenchmark(serverVersion: string, opts: { home?: string; say?: (l: string) => void; signal?: AbortSignal } = {}): Promise<BuiltBenchmark> {
  const home = opts.home ?? upshiftHome();
  const say = opts.say ?? ((l: string) => process.stderr.write(`  etcd tools/benchmark: ${l}\n`));
  const go = await findGo(process.env, home, 'building etcd tools/benchmark', 60_000, opts.signal);
  const c: GoRunContext = { go, home, signal: opts.signal, say };
  const [maj, min, patch] = serverVersion.split('.').map(Number) as [number, number, number];
  const candidates = Array.from({ length: patch + 1 }, (_, i) => `${maj}.${min}.${patch - i}`);
  const dir = join(homePaths.cacheDir(home), 'go', 'tools');
  await mkdir(dir, { recursive: true });
  const work = await mkdtemp(join(dir, '.benchmark-'));
  try {
    const infos = await resolveModules(c, candidates.map((v) => `${ROOT_MODULE}@v${v}`), join(work, 'resolve'), 120_000);
    throwIfProxyFailed(c, infos, `${ROOT_MODULE} ${maj}.${min}.x`);
    const found = infos.find((i) => !i.Error);
    if (!found) throw new Error(`the module proxy has no ${ROOT_MODULE} of ${maj}.${min} at or below v${serverVersion}`);
    const version = found.Version.replace(/^v/, '');
    const target = join(dir, `benchmark-${version}`);
    if (version !== serverVersion) say(`${ROOT_MODULE}@v${serverVersion} is not on the proxy; using v${version}, the newest ${maj}.${min} patch it has`);
    if (existsSync(target)) return { path: target, version, goVersion: go.env.GOVERSION, built: false };
    requireToolchain(c, found.GoVersion ?? '1.26', `etcd tools/benchmark ${version}`, `node --import tsx bench/go-benchmark.ts ${serverVersion}`);
    const r = await buildInWrapper(c, {
      label: `etcd-benchmark ${version}`,
      workDir: work,
      goDirective: found.GoVersion ?? '1.26',
      requires: [{ path: ROOT_MODULE, version: found.Version }],
      mains: [{ pkg: BENCHMARK_PKG, binary: 'benchmark' }],
      stepDeadlineMs: 20 * 60_000,
      quickDeadlineMs: 60_000,
      checkResolved: (mods) => etcdModulesOffVersion(mods, version, WRAPPER_MODULE),
    });
    const part = `${target}.part`;
    await copyFile(r.files.benchmark!, part);
    await rename(part, target);
    return { path: target, version, goVersion: r.infos.benchmark!.goVersion, built: true };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const v = process.argv[2];
  if (!v) throw new Error('usage: bench/go-benchmark.ts SERVER_VERSION');
  const b = await buildEtcdBenchmark(v);
  process.stdout.write(`${b.path}\n`);
}
