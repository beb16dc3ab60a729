import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as kb from './index.js';
import { plan } from '../plan/planner.js';
import type { LearnedKnowledge } from './catalog.js';

const learned = (releases: [string, string?][], extra: Partial<LearnedKnowledge> = {}): LearnedKnowledge => ({
  updatedAt: '2026-12-20T08:00:00.000Z',
  checkedAt: '2026-12-20T08:00:00.000Z',
  releases: releases.map(([version, date]) => ({ version, ...(date ? { date } : {}), source: `proxy:https://proxy.example go.etcd.io/etcd/server/v3@v${version}`, learnedAt: '2026-12-20T08:00:00.000Z' })),
  preReleases: [],
  ...extra,
});

test('learned patches extend their line: latest, standing, dates, knowledge stamp', () => {
  const c = kb.catalogWith(learned([['3.6.18', '2026-12-16T20:00:00Z'], ['3.6.19', '2026-12-18T20:00:00Z']]));
  kb.withCatalog(c, () => {
    assert.equal(kb.latestPatch('3.6'), '3.6.19');
    assert.equal(kb.releaseLine('3.6')?.latestDate, '2026-12-18');
    assert.equal(kb.standingOf('3.6.18').kind, 'learned');
    assert.equal(kb.standingOf('3.6.20').kind, 'newer');
    assert.equal(kb.isKnownVersion('3.6.19'), true);
    assert.deepEqual(kb.releasedPatches('3.6').slice(-3), ['3.6.17', '3.6.18', '3.6.19']);
    const stamp = kb.knowledgeEdition();
    assert.equal(stamp.newestRelease, '3.6.19');
    assert.equal(stamp.releasesCheckedAt, '2026-12-20');
    assert.deepEqual(stamp.learned, { updatedAt: '2026-12-20T08:00:00.000Z', releases: 2 });
    assert.equal(kb.eolStatus('3.6.17').patchesBehind, 2);
    const [f] = kb.staleFindings('3.6.18');
    assert.equal(f?.severity, 'warning');
    assert.match(f!.message, /was published 2026-12-16, after upshift's shipped data \(learned by `upshift knowledge update` from proxy:/);
  });
  // Outside the scope: the shipped data again.
  assert.equal(kb.latestPatch('3.6'), '3.6.17');
  assert.equal(kb.standingOf('3.6.18').kind, 'newer');
});

test('the planner goes through a learned latest patch, with a knowledge-stale warning', () => {
  const c = kb.catalogWith(learned([['3.6.18', '2026-12-16T20:00:00Z']]));
  const p = kb.withCatalog(c, () => plan({ from: '3.6.5', to: '3.7.4', authEnabled: false }));
  assert.deepEqual(p.path, ['3.6.5', '3.6.18', '3.7.4']);
  assert.ok(p.findings.some((f) => f.code === 'knowledge-stale' && f.severity === 'warning' && /3\.6\.18/.test(f.message)));
  assert.equal(p.blocked, false);
  assert.equal(p.knowledge.newestRelease, '3.6.18');
});

test('a learned new minor exists, but a hop into it is blocked: upshift has no rules for it', () => {
  const c = kb.catalogWith(learned([['3.8.0', '2027-03-01T00:00:00Z']]));
  kb.withCatalog(c, () => {
    const st = kb.standingOf('3.8.0');
    assert.equal(st.kind, 'learned');
    assert.equal(st.rules, false);
    assert.equal(kb.activeCatalog().preReleases.length, 0, 'the 3.8 pre-release no longer matters once 3.8.0 exists');
    const p = plan({ from: '3.7.4', to: '3.8.0', authEnabled: false });
    const stale = p.findings.filter((f) => f.code === 'knowledge-stale' && f.severity === 'blocker');
    assert.equal(stale.length, 1);
    assert.equal(stale[0]!.hop, '3.7.4 -> 3.8.0');
    assert.match(stale[0]!.message, /no upgrade floors, flag changes or advisories for 3\.8/);
    assert.equal(p.blocked, true);
  });
});

test('a version a refresh proved absent is refused like one after an end-of-life line', () => {
  const c = kb.catalogWith(learned([['3.6.19']], { absent: [{ version: '3.6.18', source: 'proxy https://proxy.example (4 modules)', checkedAt: '2026-12-20T08:00:00.000Z' }] }));
  kb.withCatalog(c, () => {
    assert.equal(kb.standingOf('3.6.18').kind, 'never-released');
    assert.match(kb.standingOf('3.6.18').reason, /did not have it on 2026-12-20, and 3\.6\.19 exists/);
    assert.throws(() => plan({ from: '3.6.17', to: '3.6.18' }), /never released/);
  });
});

test('learned releases of lines older than the shipped ones are ignored', () => {
  const c = kb.catalogWith(learned([['3.1.20'], ['2.3.8']]));
  assert.deepEqual([...c.lines.keys()], ['3.2', '3.3', '3.4', '3.5', '3.6', '3.7']);
});

test('withCatalog scopes concurrent async work', async () => {
  const a = kb.catalogWith(learned([['3.6.18']]));
  const b = kb.catalogWith(learned([['3.6.25']]));
  const read = async (c: kb.ReleaseCatalog) => kb.withCatalog(c, async () => {
    await new Promise((r) => setTimeout(r, 5));
    return kb.latestPatch('3.6');
  });
  assert.deepEqual(await Promise.all([read(a), read(b)]), ['3.6.18', '3.6.25']);
});
