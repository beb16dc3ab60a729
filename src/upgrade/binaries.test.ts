import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkBinaries, type PathInput } from './binaries.js';
import { upgradePath } from '../plan/planner.js';
import * as kb from '../knowledge/index.js';
import type { SourceOffer } from '../binaries/availability.js';

function input(from: string, to: string, via: string[] = []): PathInput {
  const p = upgradePath(from, to, via);
  return { from, to, via, path: p.path, reasons: p.reasons.slice(1) };
}
const down: SourceOffer = { source: 'dir:/x', origin: '/x', reachable: false, versions: [], error: 'no such directory' };
const mirror = (...versions: string[]): SourceOffer => ({ source: 'github', origin: 'http://m', reachable: true, versions });

test('everything installed: ok, nothing to say', () => {
  const r = checkBinaries(input('3.4.23', '3.5.30'), ['3.4.23', '3.5.30'], []);
  assert.equal(r.ok, true);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.versions.map((v) => [v.version, v.reason, v.installed]), [['3.5.30', 'target', true]]);
});

test('a missing target: where it can be had, or that nobody that answered has it; never a substitute', () => {
  const offered = checkBinaries(input('3.4.23', '3.5.30'), ['3.4.23'], [down, mirror('3.5.30')], ' --base-url http://m');
  assert.equal(offered.ok, false);
  assert.equal(offered.versions[0]!.install, 'upshift etcd install 3.5.30 --source github --base-url http://m');
  assert.match(offered.problems[0]!, /github \(http:\/\/m\) offers it/);
  const nobody = checkBinaries(input('3.4.23', '3.5.30'), ['3.4.23', '3.5.16'], [down, mirror('3.5.16')]);
  assert.equal(nobody.versions[0]!.substitutes, undefined);
  assert.match(nobody.problems[0]!, /no source that answered offers it \(asked: github; could not ask dir:\/x: no such directory\)/);
  assert.deepEqual(nobody.suggestedVia, []);
});

test('the recommended intermediate missing: obtainable patches of its minor that would do, installed first, then newest; what it fixes', () => {
  const r = checkBinaries(input('3.3.25', '3.5.30'), ['3.3.25', '3.4.23', '3.5.30'], [down, mirror('3.4.40', '3.4.44', '3.5.30')]);
  const need = r.versions[0]!;
  assert.equal(need.version, '3.4.45');
  assert.deepEqual(need.substitutes!.map((s) => [s.version, s.installed, s.offeredBy]), [['3.4.23', true, []], ['3.4.44', false, ['github']], ['3.4.40', false, ['github']]]);
  assert.deepEqual(r.suggestedVia, ['3.4.23']);
  assert.ok(need.substitutes![0]!.lacks.some((l) => /^CVE-/.test(l)));
  assert.ok(need.substitutes![0]!.lacks.length > need.substitutes![1]!.lacks.length, '3.4.44 lacks less than 3.4.23');
  assert.match(r.problems[0]!, /pass --via 3\.4\.23; 3\.4\.45 fixes what 3\.4\.23 lacks: \d+ security advisories \(CVE-/);
  // Nothing installed of 3.4: the newest offered one, with the command that installs it.
  const off = checkBinaries(input('3.3.25', '3.5.30'), ['3.3.25', '3.5.30'], [mirror('3.4.40', '3.4.44')]);
  assert.deepEqual(off.suggestedVia, ['3.4.44']);
  assert.match(off.problems[0]!, /pass --via 3\.4\.44 after `upshift etcd install 3\.4\.44 --source github`/);
});

test('substitutes must pass the patch floor before the next minor (3.5 -> 3.6 needs 3.5.32+)', () => {
  const i = input('3.5.16', '3.6.14');
  assert.deepEqual(i.path, ['3.5.16', kb.latestPatch('3.5'), '3.6.14']);
  const r = checkBinaries(i, ['3.5.16', '3.5.30', '3.6.14'], [mirror('3.5.32')]);
  const need = r.versions[0]!;
  assert.deepEqual(need.substitutes!.map((s) => s.version), ['3.5.32'], '3.5.30 is below the floor and would not do');
  const none = checkBinaries(i, ['3.5.16', '3.5.30', '3.6.14'], [down]);
  assert.deepEqual(none.versions[0]!.substitutes, []);
  assert.match(none.problems[0]!, /no 3\.5 patch that would do \(patch floors included\) is installed or offered either/);
});

test('a pinned intermediate that cannot be had gets the same help', () => {
  const r = checkBinaries(input('3.3.25', '3.5.30', ['3.4.40']), ['3.3.25', '3.4.23', '3.5.30'], [down]);
  assert.equal(r.versions[0]!.reason, 'pinned with --via');
  assert.deepEqual(r.suggestedVia, ['3.4.23']);
});
