import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { shellQuote } from './view.js';
import { validateClusterName } from './store.js';
import { UsageError } from '../core/errors.js';

test('shellQuote round-trips through sh', () => {
  for (const s of ['plain', '/tmp/a b/c', "it's", 'a"b$c`d\\e', 'x=1,y=2', '']) {
    const out = execFileSync('sh', ['-c', `printf %s ${shellQuote(s) || "''"}`], { encoding: 'utf8' });
    assert.equal(out, s);
  }
});

test('validateClusterName: plain names pass, path-like or empty names are usage errors', () => {
  for (const ok of ['x', 'prod-like_1', 'A9']) validateClusterName(ok);
  for (const bad of ['', '../x', 'a/b', '-x', 'a b', 'x'.repeat(41), '.hidden']) {
    assert.throws(() => validateClusterName(bad), (e: unknown) => e instanceof UsageError && e.exitCode === 2, bad);
  }
});
