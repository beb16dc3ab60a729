/**
 * src/cli.ts is both the CLI (`tsx src/cli.ts`, `npm run upshift`) and a module (bin/upshift.js and the tests
 * import it): run directly it must do the work, imported it must not run a second time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const fixture = join(root, 'test', 'fixtures', 'deps', 'defects', 'd8-no-etcd');
const env = { ...process.env, NO_COLOR: '1', UPSHIFT_FROM_SOURCE: '1' };

const count = (s: string): number => s.split('no etcd modules required').length - 1;

test('tsx src/cli.ts runs the CLI (it used to exit 0 printing nothing)', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), 'deps', fixture], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(count(r.stdout), 1, r.stdout);
});

test('bin/upshift.js (which imports src/cli.ts) runs it once', () => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'upshift.js'), 'deps', fixture], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(count(r.stdout), 1, r.stdout);
});
