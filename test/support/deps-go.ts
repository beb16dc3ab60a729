/**
 * The Go toolchain for the deps tests. Every project machine (and CI) has Go and the module proxy, so these
 * tests do not skip: a missing `go` fails them, unless UPSHIFT_TEST_ALLOW_NO_GO=1 says this machine has none
 * on purpose (then they skip, saying so).
 *
 * One module cache per run, shared by every test and test file: UPSHIFT_TEST_GOMODCACHE when set (CI can point
 * it at an empty directory), else the machine's own GOMODCACHE — never a fresh cache per test, so each module
 * is downloaded once. GOTOOLCHAIN=local: the tests use the installed Go and never download another.
 */
import { spawnSync } from 'node:child_process';

function goEnvValue(key: string): string {
  const r = spawnSync('go', ['env', key], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } });
  return r.status === 0 ? r.stdout.trim() : '';
}

export const haveGo = spawnSync('go', ['version'], { env: { ...process.env, GOTOOLCHAIN: 'local' } }).status === 0;

/** `{ skip }` for node:test: false when Go is here; a reason only when the machine is allowed to lack it. */
export const goSkip: false | string = haveGo ? false : process.env.UPSHIFT_TEST_ALLOW_NO_GO === '1' ? 'no Go toolchain (UPSHIFT_TEST_ALLOW_NO_GO=1)' : false;

/** Fail loudly (not skip) when Go is missing on a machine that should have it. */
export function requireGo(): void {
  if (!haveGo && process.env.UPSHIFT_TEST_ALLOW_NO_GO !== '1') {
    throw new Error('these tests need Go (every project machine has Go 1.26 at /usr/local/go and the module proxy); set UPSHIFT_TEST_ALLOW_NO_GO=1 to skip them on a machine without Go');
  }
}

export const GOMODCACHE = process.env.UPSHIFT_TEST_GOMODCACHE || (haveGo ? goEnvValue('GOMODCACHE') : '');

/** Environment for go commands and for `upshift deps --verify` in tests (network: the module proxy). */
export function goTestEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GOTOOLCHAIN: 'local',
    GOWORK: 'off',
    GOFLAGS: '-modcacherw',
    NO_COLOR: '1',
    ...(GOMODCACHE ? { GOMODCACHE } : {}),
    ...extra,
  };
}

/** Same, but offline: only what the shared module cache already has (GOPROXY=off). */
export const goOfflineEnv = (): NodeJS.ProcessEnv => goTestEnv({ GOPROXY: 'off', GOFLAGS: '' });
