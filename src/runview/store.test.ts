import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from './store.js';
import { sampleJournal, writeSampleRun, RUN_ID } from './testing.js';

test('RunStore: runs that appear later are found, followed runs push their updates in order', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'upshift-store-'));
  mkdirSync(join(home, 'runs'));
  const store = new RunStore(home);
  t.after(() => {
    store.stop();
    rmSync(home, { recursive: true, force: true });
  });
  store.start();
  // Idle ticks first (nothing to read): the poller must keep going.
  await new Promise((r) => setTimeout(r, 1200));
  const recs = sampleJournal();
  const changed = new Promise<void>((resolve) => store.onIndexChange(() => resolve()));
  const dir = writeSampleRun(home, recs.slice(0, 10));
  await Promise.race([changed, new Promise((_, reject) => setTimeout(() => reject(new Error('the new run was not noticed within 5 s')), 5000))]);
  assert.deepEqual(store.views().map((v) => v.runId), [RUN_ID]);

  const updates: number[] = [];
  let snapshotSteps = -1;
  let cursor = '';
  const off = await store.subscribe(RUN_ID, undefined, (v, c) => ((snapshotSteps = v.steps.filter((s) => s.status !== 'pending').length), (cursor = c)), (u) => updates.push(u.records?.length ?? 0));
  assert.ok(off, 'subscribed');
  assert.ok(snapshotSteps > 0, 'the snapshot came first');
  appendFileSync(join(dir, 'journal.jsonl'), recs.slice(10, 13).map((r) => JSON.stringify(r) + '\n').join(''));
  const until = Date.now() + 5000;
  while (!updates.some((n) => n > 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  assert.equal(updates.reduce((a, b) => a + b, 0), 3);
  off!();
  // A reconnect from the first cursor gets the missed updates, not a snapshot; an unknown cursor gets the snapshot.
  const replayed: number[] = [];
  let snapshots = 0;
  const off2 = await store.subscribe(RUN_ID, cursor, () => snapshots++, (u) => replayed.push(u.records?.length ?? 0));
  assert.equal(snapshots, 0);
  assert.equal(replayed.reduce((a, b) => a + b, 0), 3);
  off2!();
  const off3 = await store.subscribe(RUN_ID, 'beef:0', () => snapshots++, () => undefined);
  assert.equal(snapshots, 1);
  off3!();
  assert.equal(await store.subscribe('../etc', undefined, () => undefined, () => undefined), undefined, 'no path tricks');
});
