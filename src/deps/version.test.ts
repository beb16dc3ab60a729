import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareGoVersion, compareSemver, decodePseudoVersion, isPseudoVersion, isValidGoVersion, maxSemver } from './version.js';

test('semver ordering follows golang.org/x/mod/semver', () => {
  const ordered = [
    'v0.0.0-20191023171146-3cf2f69b5738',
    'v0.5.0-alpha.5',
    'v0.5.0-alpha.5.0.20190830150955-898bd1351fcf',
    'v0.5.0-alpha.5.0.20200910180754-dd1b699fc489',
    'v1.0.0-rc.1',
    'v1.0.0',
    'v3.0.0-20240510030858-58a71a22f3a5',
    'v3.3.0-rc.0.0.20200518175753-732df43cf85b',
    'v3.3.25+incompatible',
    'v3.5.0',
    'v3.5.10',
  ];
  for (let i = 0; i < ordered.length; i++) for (let j = 0; j < ordered.length; j++) assert.equal(Math.sign(compareSemver(ordered[i], ordered[j])), Math.sign(i - j), `${ordered[i]} vs ${ordered[j]}`);
  assert.equal(compareSemver('v1.2', 'v1.2.0'), 0, 'shorthand');
  assert.equal(compareSemver('v1.2.3+incompatible', 'v1.2.3'), 0, 'build metadata does not count');
  assert.equal(maxSemver('v3.3.25+incompatible', 'v3.3.25'), 'v3.3.25+incompatible', 'ties keep the first, with +incompatible');
  assert.equal(compareSemver('bogus', 'v0.0.1'), -1, 'invalid sorts lowest');
  // The 3.4 pseudo-version of v3.4.9 sorts above the master "fixed" bound of GO-2020-0005 (reference §4.1).
  assert.ok(compareSemver('v0.5.0-alpha.5.0.20200520232829-54ba9589114f', 'v0.5.0-alpha.5.0.20200423152442-f4b650b51dc4') > 0);
  // v3.3.27+incompatible sorts above every 3.4 pseudo-version (reference §2.4).
  assert.ok(compareSemver('v3.3.27+incompatible', 'v0.5.0-alpha.5.0.20260601203031-6e72c68a3199') > 0);
});

test('property: compareSemver is a total preorder', () => {
  const v = fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.option(fc.constantFrom('-alpha', '-alpha.1', '-rc.0', '-0.20200101000000-abcdefabcdef', '-1'), { nil: undefined })).map(([a, b, c, p]) => `v${a}.${b}.${c}${p ?? ''}`);
  fc.assert(
    fc.property(v, v, v, (a, b, c) => {
      assert.equal(Math.sign(compareSemver(a, b)), -Math.sign(compareSemver(b, a)) || 0);
      if (compareSemver(a, b) <= 0 && compareSemver(b, c) <= 0) assert.ok(compareSemver(a, c) <= 0);
    }),
  );
});

test('pseudo-versions: the three forms (go.dev/ref/mod#pseudo-versions)', () => {
  assert.deepEqual(decodePseudoVersion('v0.0.0-20191023171146-3cf2f69b5738'), {
    version: 'v0.0.0-20191023171146-3cf2f69b5738', base: '', form: 'no-base', time: '2019-10-23T17:11:46Z', commit: '3cf2f69b5738', incompatible: false,
  });
  const pre = decodePseudoVersion('v0.5.0-alpha.5.0.20200910180754-dd1b699fc489')!;
  assert.deepEqual([pre.base, pre.form, pre.time, pre.commit], ['v0.5.0-alpha.5', 'pre-release-base', '2020-09-10T18:07:54Z', 'dd1b699fc489']);
  const rel = decodePseudoVersion('v1.3.7-0.20220101010101-aaaaaaaaaaaa')!;
  assert.deepEqual([rel.base, rel.form], ['v1.3.6', 'release-base']);
  const v3 = decodePseudoVersion('v3.3.0-rc.0.0.20200518175753-732df43cf85b')!;
  assert.deepEqual([v3.base, v3.commit], ['v3.3.0-rc.0', '732df43cf85b']);
  const inc = decodePseudoVersion('v4.0.0-beta.1.0.20200306084441-875bd09aa3d5+incompatible')!;
  assert.deepEqual([inc.base, inc.incompatible], ['v4.0.0-beta.1', true]);
  assert.equal(decodePseudoVersion('v3.5.0'), undefined);
  assert.equal(isPseudoVersion('v1.4.0-beta.0.0.20250915091448-92b51411872b'), true);
  assert.equal(isPseudoVersion('v0.5.0-alpha.5'), false);
});

test('Go toolchain versions order like go.dev/doc/toolchain#version', () => {
  const ordered = ['1.20', '1.21', '1.21rc1', '1.21rc2', '1.21.0', '1.21.1', '1.22', '1.22.0', 'go1.23.0'];
  for (let i = 0; i < ordered.length; i++) for (let j = 0; j < ordered.length; j++) assert.equal(Math.sign(compareGoVersion(ordered[i], ordered[j])), Math.sign(i - j), `${ordered[i]} vs ${ordered[j]}`);
  assert.ok(isValidGoVersion('1.21rc1') && isValidGoVersion('1.25.0') && !isValidGoVersion('1.x') && !isValidGoVersion('v1.21'));
});
