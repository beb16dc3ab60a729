import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { UsageError } from './errors.js';
import { produceFileAtomic, readInputFile, writeFileAtomic } from './files.js';

const dir = await mkdtemp(join(tmpdir(), 'upshift-files-'));
after(() => rm(dir, { recursive: true, force: true }));

test('writeFileAtomic: creates parent dirs, writes private by default, replaces the old file', async () => {
  const target = join(dir, 'a', 'b.json');
  await writeFileAtomic(target, 'one');
  await writeFileAtomic(target, 'two');
  assert.equal(await readFile(target, 'utf8'), 'two');
  assert.equal((await stat(target)).mode & 0o777, 0o600);
  assert.deepEqual(await readdir(join(dir, 'a')), ['b.json']);
});

test('writeFileAtomic: a failed verify keeps the old file and leaves no .part', async () => {
  const target = join(dir, 'v.txt');
  await writeFileAtomic(target, 'old');
  let seen = '';
  await assert.rejects(
    writeFileAtomic(target, 'new', {
      verify: async (part) => {
        seen = await readFile(part, 'utf8');
        throw new Error('bad');
      },
    }),
    /bad/,
  );
  assert.equal(seen, 'new');
  assert.equal(await readFile(target, 'utf8'), 'old');
  assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.part')), []);
});

test('produceFileAtomic: applies the mode, and removes the .part when produce fails', async () => {
  const target = join(dir, 'p.bin');
  await produceFileAtomic(target, (part) => writeFile(part, 'data', { mode: 0o644 }), { mode: 0o640 });
  assert.equal(await readFile(target, 'utf8'), 'data');
  assert.equal((await stat(target)).mode & 0o777, 0o640);
  await assert.rejects(
    produceFileAtomic(join(dir, 'q.bin'), async (part) => {
      await writeFile(part, 'partial');
      throw new Error('stream broke');
    }),
    /stream broke/,
  );
  assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.part') || n === 'q.bin'), []);
});

test('readInputFile: the text, or a usage error naming the input, the file and the fix', async () => {
  const f = join(dir, 'in.txt');
  await writeFile(f, 'hello');
  assert.equal(await readInputFile(f, '--x', { hint: 'h' }), 'hello');
  await assert.rejects(readInputFile(join(dir, 'missing'), '--graph', { code: 'graph-unreadable', hint: 'pass a file' }), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.equal(e.code, 'graph-unreadable');
    assert.equal(e.exitCode, 2);
    assert.equal(e.hint, 'pass a file');
    assert.match(e.message, /^--graph: cannot read .*missing: ENOENT/);
    return true;
  });
});
