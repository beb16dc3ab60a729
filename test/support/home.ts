/**
 * A throw-away UPSHIFT_HOME for a test: a temp dir whose `etcd/` is a symlink to the shared installed
 * binaries (`$UPSHIFT_TEST_BIN_HOME/etcd`, default `~/.upshift/etcd`), so tests never download etcd.
 */
import { mkdtempSync, rmSync, symlinkSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { join } from 'node:path';

export interface TestHome {
  home: string;
  /** Environment for a subprocess CLI run against this home (inherits PATH etc.). */
  env: NodeJS.ProcessEnv;
  /** Remove the directory (idempotent). Stop clusters in it first. */
  cleanup(): void;
}

/** Where the test binaries live: `$UPSHIFT_TEST_BIN_HOME/etcd` or `~/.upshift/etcd`. */
export function testBinDir(): string {
  return join(process.env.UPSHIFT_TEST_BIN_HOME ?? join(homedir(), '.upshift'), 'etcd');
}

/** Installed etcd versions available to tests (skip a case when its version is missing). */
export function hasTestVersion(version: string): boolean {
  return existsSync(join(testBinDir(), version, 'manifest.json'));
}

/**
 * The newest installed test version of a minor line (`'3.6'` -> `'3.6.17'`), or undefined. The versions
 * themselves are chosen once, in scripts/test.sh (ETCD_TEST_VERSIONS); tests follow what is installed.
 */
export function newestTestVersion(line: string): string | undefined {
  let names: string[] = [];
  try {
    names = readdirSync(testBinDir());
  } catch {
    return undefined;
  }
  const patch = (v: string): number => Number(v.slice(line.length + 1));
  return names
    .filter((v) => v.startsWith(`${line}.`) && /^\d+$/.test(v.slice(line.length + 1)) && hasTestVersion(v))
    .sort((a, b) => patch(a) - patch(b))
    .at(-1);
}

export function makeTestHome(prefix = 'upshift-test-'): TestHome {
  const home = mkdtempSync(join(tmpdir(), prefix));
  symlinkSync(testBinDir(), join(home, 'etcd'));
  let removed = false;
  const env: NodeJS.ProcessEnv = { ...process.env, UPSHIFT_HOME: home };
  for (const k of Object.keys(env)) if (k.startsWith('ETCDCTL_') || k.startsWith('ETCD_')) delete env[k];
  return {
    home,
    env,
    cleanup() {
      if (removed) return;
      removed = true;
      rmSync(home, { recursive: true, force: true });
    },
  };
}
