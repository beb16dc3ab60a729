import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeLearned, shippedCovers, type SourceResult } from './merge.js';
import { releaseLines } from './data/releases.js';
import { LEARNED_SCHEMA, type LearnedFile } from './store.js';

const T1 = '2026-12-10T00:00:00.000Z';
const T2 = '2026-12-20T00:00:00.000Z';

function result(kind: 'proxy' | 'github' | 'git', source: string, releases: [string, string?][], extra: Partial<SourceResult> = {}): SourceResult {
  return {
    check: { source, kind, ok: true, versions: releases.length },
    releases: releases.map(([version, date]) => ({ version, date, source: `${kind}:${source} v${version}` })),
    preReleases: [],
    absent: [],
    notes: [],
    ...extra,
  };
}
const failed = (kind: 'proxy' | 'github' | 'git', source: string): SourceResult => ({ check: { source, kind, ok: false, versions: 0, error: 'unreachable' }, releases: [], preReleases: [], absent: [], notes: [] });

test('shipped data wins: listed patches, end-of-life lines and lines older than the shipped ones are not learned', () => {
  assert.equal(shippedCovers('3.6.17', releaseLines), true);
  assert.equal(shippedCovers('3.6.18', releaseLines), false);
  assert.equal(shippedCovers('3.4.46', releaseLines), true, '3.4 is end-of-life at 3.4.45');
  assert.equal(shippedCovers('3.1.20', releaseLines), true, 'older than every shipped line');
  assert.equal(shippedCovers('3.8.0', releaseLines), false);
  const { file, added } = mergeLearned(undefined, [result('git', '/src/etcd', [['3.1.20'], ['3.6.17'], ['3.4.46'], ['3.6.18', '2026-12-09T10:00:00Z'], ['3.8.0']])], releaseLines, T1);
  assert.deepEqual(added.map((r) => r.version), ['3.6.18', '3.8.0']);
  assert.deepEqual(file?.releases.map((r) => r.version), ['3.6.18', '3.8.0']);
  assert.equal(file?.releases[0]?.date, '2026-12-09T10:00:00Z');
  assert.equal(file?.releases[0]?.learnedAt, T1);
  assert.match(file?.releases[0]?.source ?? '', /^git:\/src\/etcd/);
  assert.equal(file?.checkedAt, undefined, 'a git clone does not make the release list current');
});

test('the first source keeps a fact; a later one only adds a missing date', () => {
  const first = mergeLearned(undefined, [result('git', '/src/etcd', [['3.6.18']])], releaseLines, T1).file!;
  const second = mergeLearned(first, [result('proxy', 'https://proxy', [['3.6.18', '2026-12-09T10:00:00Z'], ['3.6.19', '2026-12-19T10:00:00Z']])], releaseLines, T2);
  assert.deepEqual(second.added.map((r) => r.version), ['3.6.19']);
  const r18 = second.file!.releases.find((r) => r.version === '3.6.18')!;
  assert.equal(r18.date, '2026-12-09T10:00:00Z');
  assert.match(r18.source, /^proxy:/);
  assert.equal(second.file!.checkedAt, T2);
  const third = mergeLearned(second.file, [result('github', 'https://api', [['3.6.18', '2026-12-09T11:00:00Z']])], releaseLines, T2);
  assert.match(third.file!.releases.find((r) => r.version === '3.6.18')!.source, /^proxy:/, 'a dated fact is not replaced');
  assert.deepEqual(third.added, []);
});

test('a run where every source failed changes nothing', () => {
  const before = mergeLearned(undefined, [result('proxy', 'https://proxy', [['3.6.18', '2026-12-09T10:00:00Z']])], releaseLines, T1).file!;
  const after = mergeLearned(before, [failed('proxy', 'https://proxy'), failed('github', 'https://api')], releaseLines, T2);
  assert.equal(after.file, undefined);
  assert.deepEqual(after.added, []);
});

test('checks: one per source, newest first; failures are recorded beside a working source', () => {
  const a = mergeLearned(undefined, [result('proxy', 'https://proxy', []), failed('github', 'https://api')], releaseLines, T1).file!;
  const b = mergeLearned(a, [result('git', '/src/etcd', [['3.6.18']])], releaseLines, T2).file!;
  assert.deepEqual(b.checks.map((c) => [c.source, c.ok, c.at]), [['/src/etcd', true, T2], ['https://proxy', true, T1], ['https://api', false, T1]]);
  assert.equal(b.checkedAt, T1, 'the proxy answered at T1');
  assert.equal(b.schema, LEARNED_SCHEMA);
});

test('absent versions: recorded when no module had them, dropped once any source lists them', () => {
  const a = mergeLearned(undefined, [result('proxy', 'https://proxy', [['3.6.19']], { absent: [{ version: '3.6.18', source: 'proxy https://proxy (4 modules)' }] })], releaseLines, T1).file!;
  assert.deepEqual(a.absent?.map((x) => [x.version, x.checkedAt]), [['3.6.18', T1]]);
  const b = mergeLearned(a, [result('git', '/src/etcd', [['3.6.18']])], releaseLines, T2).file!;
  assert.equal(b.absent, undefined);
});

test('pre-releases are kept only for lines newer than the shipped ones', () => {
  const r = result('proxy', 'https://proxy', [], {
    preReleases: [
      { version: '3.7.0-rc.0', source: 'p' },
      { version: '3.8.0-alpha.0', date: '2026-06-05T09:22:42Z', source: 'p' },
      { version: '3.8.0-beta.0', source: 'p' },
    ],
  });
  const f = mergeLearned(undefined, [r], releaseLines, T1).file! as LearnedFile;
  assert.deepEqual(f.preReleases.map((p) => p.version), ['3.8.0-alpha.0', '3.8.0-beta.0']);
});
