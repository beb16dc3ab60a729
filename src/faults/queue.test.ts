import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrderedReleaseQueue } from './queue.js';
import { seededRng, jittered } from './rng.js';

test('ordered release: jittered delays never reorder; hold keeps everything, release lets it go in order', async () => {
  let now = 0;
  const out: number[] = [];
  const q = new OrderedReleaseQueue<number>((n) => out.push(n), () => now);
  const rng = seededRng(5);
  for (let i = 0; i < 50; i++) q.push(i, jittered(rng, 20, 15));
  q.hold();
  now = 1000;
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(out, []);
  q.release();
  assert.deepEqual(out, Array.from({ length: 50 }, (_, i) => i));
});

test('ordered release: nothing queued and no delay delivers at once; bandwidth occupies the line', () => {
  let now = 0;
  const out: string[] = [];
  const q = new OrderedReleaseQueue<string>((s) => out.push(s), () => now);
  q.push('a', 0);
  assert.deepEqual(out, ['a']);
  q.push('b', 0, 100);
  q.push('c', 0);
  assert.deepEqual(out, ['a', 'b']);
  q.close();
});

test('seeded rng: same seed same stream, forks independent', () => {
  const a = seededRng(9);
  const b = seededRng(9);
  assert.deepEqual([a.next(), a.next()], [b.next(), b.next()]);
  assert.notEqual(seededRng(9).fork('x').next(), seededRng(9).fork('y').next());
  const r = seededRng('s');
  for (let i = 0; i < 100; i++) {
    const v = r.int(3, 5);
    assert.ok(v >= 3 && v <= 5);
  }
});
