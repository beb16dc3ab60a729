/**
 * The machine's Go toolchain, run as the user configured it (GOPROXY, GONOSUMDB, GOPRIVATE, GOFLAGS,
 * `go env -w` settings, netrc all apply), with deadlines and process-group kills (core/subprocess.ts).
 * upshift never needs Go except for the features that say so; a missing `go` is exit 3 naming what to install.
 */
import { join } from 'node:path';
import { EnvironmentError } from '../core/errors.js';
import { formatDuration } from '../core/output.js';
import { homePaths } from '../core/home.js';
import { runProcessGroup, type GroupRun } from '../core/subprocess.js';
import { isNetworkError, logTail } from './gobuild.js';

/**
 * The Go the newest etcd releases need: the `go` line of go.etcd.io/etcd/server/v3 is 1.26 from v3.5.34,
 * v3.6.15 and v3.7.0 on (1.25.0 at v3.5.33 and v3.6.14; read per version from the proxy when building).
 */
export const GO_MIN_FOR_ETCD = '1.26';

export interface GoEnv {
  GOVERSION: string;
  GOTOOLCHAIN: string;
  GOPROXY: string;
  GOMODCACHE: string;
  GOCACHE: string;
  GOFLAGS: string;
  GONOSUMDB: string;
  GOSUMDB: string;
}

const GO_ENV_KEYS: (keyof GoEnv)[] = ['GOVERSION', 'GOTOOLCHAIN', 'GOPROXY', 'GOMODCACHE', 'GOCACHE', 'GOFLAGS', 'GONOSUMDB', 'GOSUMDB'];

export interface GoTool {
  /** `go`, as found on PATH. */
  bin: string;
  env: GoEnv;
  /** The environment every `go` command of this build runs with. */
  procEnv: NodeJS.ProcessEnv;
}

export function goMissing(feature: string, detail?: string): EnvironmentError {
  return new EnvironmentError('go-missing', `${feature} needs a Go toolchain, and none was found on PATH${detail ? ` (${detail})` : ''}`, {
    hint: `install Go ${GO_MIN_FOR_ETCD} or newer (https://go.dev/dl; older etcd releases need less) and put its bin directory on PATH; or use another --source`,
  });
}

/**
 * Find `go` and read its settings. The process environment is the user's, except: GOWORK=off (a
 * workspace of the user's must not leak into the build), GOOS/GOARCH removed (the binaries run here),
 * CGO_ENABLED=0 (official etcd builds; etcd@v3.6.14:scripts/build_lib.sh), and caches under UPSHIFT_HOME
 * only when Go has no default for them (no HOME).
 */
export async function findGo(env: NodeJS.ProcessEnv, home: string, feature: string, deadlineMs: number, signal?: AbortSignal): Promise<GoTool> {
  const bin = 'go';
  const procEnv: NodeJS.ProcessEnv = { ...env, GOWORK: 'off', CGO_ENABLED: '0', GO111MODULE: 'on' };
  delete procEnv.GOOS;
  delete procEnv.GOARCH;
  const r = await runProcessGroup(bin, ['env', '-json', ...GO_ENV_KEYS], { env: procEnv, deadlineMs, signal });
  if (r.spawnError?.code === 'ENOENT') throw goMissing(feature);
  if (r.spawnError || r.code !== 0) throw goFailedToRun(bin, r);
  let parsed: Partial<GoEnv>;
  try {
    parsed = JSON.parse(r.stdout) as Partial<GoEnv>;
  } catch {
    throw goFailedToRun(bin, r);
  }
  const goEnv = Object.fromEntries(GO_ENV_KEYS.map((k) => [k, parsed[k] ?? ''])) as unknown as GoEnv;
  if (!goEnv.GOMODCACHE) procEnv.GOMODCACHE = goEnv.GOMODCACHE = join(homePaths.cacheDir(home), 'go', 'mod');
  if (!goEnv.GOCACHE || goEnv.GOCACHE === 'off') procEnv.GOCACHE = goEnv.GOCACHE = join(homePaths.cacheDir(home), 'go', 'build');
  return { bin, env: goEnv, procEnv };
}

function goFailedToRun(bin: string, r: GroupRun): EnvironmentError {
  return new EnvironmentError('go-broken', `\`${bin} env\` failed (exit ${r.code ?? r.signal}): ${logTail(r.stderr, 5) || 'no output'}`, {
    hint: 'check the Go installation (`go env` should work)',
  });
}

export interface GoRunOptions {
  cwd: string;
  deadlineMs: number;
  signal?: AbortSignal | undefined;
  onStderrLine?: (line: string) => void;
}

/** Run `go ARGS`; a missing or timed-out go, or an unreachable proxy, is an EnvironmentError; other failures are returned. */
export async function runGo(tool: GoTool, args: string[], what: string, opts: GoRunOptions): Promise<GroupRun> {
  const r = await runProcessGroup(tool.bin, args, { env: tool.procEnv, ...opts });
  if (r.spawnError?.code === 'ENOENT') throw goMissing(what);
  if (r.aborted) throw new EnvironmentError('interrupted', `${what}: interrupted`, { hint: 'nothing was installed; run the command again' });
  if (r.timedOut) {
    throw new EnvironmentError('go-timeout', `${what}: \`go ${args[0]}\` did not finish within ${formatDuration(opts.deadlineMs)} (killed)`, {
      hint: 'raise --timeout (cold builds take minutes on 2 cores), or check the module proxy',
    });
  }
  if (r.code !== 0 && isNetworkError(r.stderr)) {
    throw new EnvironmentError('go-proxy-unreachable', `${what}: the Go module proxy (GOPROXY=${tool.env.GOPROXY}) could not be reached:\n${logTail(r.stderr, 8)}`, {
      hint: 'check the network or GOPROXY (a module mirror works; GOPROXY=off works only when the module cache already has everything)',
    });
  }
  return r;
}
