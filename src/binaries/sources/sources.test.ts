import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSha256Sums, versionsFromListing, releasePlatform } from './github.js';
import { offersOf, pickOffer, isDebianRelease, orderSuites, type DebianSuite } from './debian.js';
import { normalizeVersion, compareVersions } from './source.js';
import { makeSource, parseSourceSpec, sourcesToList } from './resolve.js';
import { UsageError } from '../../core/errors.js';

test('parseSha256Sums reads sha256sum output in text and binary mode', () => {
  const h = 'a'.repeat(64);
  const m = parseSha256Sums(`${h}  etcd-v3.5.30-linux-amd64.tar.gz\n${'B'.repeat(64)} *./etcd-v3.5.30-darwin-arm64.zip\njunk\n`);
  assert.equal(m.get('etcd-v3.5.30-linux-amd64.tar.gz'), h);
  assert.equal(m.get('etcd-v3.5.30-darwin-arm64.zip'), 'b'.repeat(64));
  assert.equal(m.size, 2);
});

test('versionsFromListing reads directory listings and the GitHub releases API', () => {
  const html = '<a href="v3.5.30/">v3.5.30/</a> <a href="./v3.4.23/">x</a> <a href="v3.6.0-rc.1/">x</a> <a href="other/">x</a>';
  assert.deepEqual(versionsFromListing(html), ['3.4.23', '3.5.30', '3.6.0-rc.1']);
  const api = JSON.stringify([{ tag_name: 'v3.6.14' }, { tag_name: 'v3.5.33' }]);
  assert.deepEqual(versionsFromListing(api), ['3.5.33', '3.6.14']);
});

test('releasePlatform names Linux archives and refuses others', () => {
  assert.equal(releasePlatform('linux', 'x64'), 'linux-amd64');
  assert.equal(releasePlatform('linux', 'arm64'), 'linux-arm64');
  assert.throws(() => releasePlatform('darwin', 'arm64'), /no etcd release archive/);
});

test('normalizeVersion and compareVersions', () => {
  assert.equal(normalizeVersion('v3.5.30'), '3.5.30');
  assert.equal(normalizeVersion('3.6.0-rc.1'), '3.6.0-rc.1');
  assert.throws(() => normalizeVersion('3.5'), UsageError);
  assert.throws(() => normalizeVersion('latest'), UsageError);
  assert.deepEqual(['3.5.30', '3.10.0', '3.4.23', '3.6.0', '3.6.0-rc.1'].sort(compareVersions), ['3.4.23', '3.5.30', '3.6.0-rc.1', '3.6.0', '3.10.0']);
});

test('parseSourceSpec', () => {
  assert.deepEqual(parseSourceSpec(undefined), { kind: 'auto' });
  assert.deepEqual(parseSourceSpec('dir:/opt/etcd'), { kind: 'dir', path: '/opt/etcd' });
  assert.deepEqual(parseSourceSpec('go'), { kind: 'go' });
  assert.throws(() => parseSourceSpec('dir:'), UsageError);
  assert.throws(() => parseSourceSpec('ftp'), UsageError);
});

const suite = (codename: string, aliases: string[], release?: string): DebianSuite => ({ uri: 'http://m/debian', codename, aliases, ...(release ? { release } : {}) });

test('isDebianRelease accepts Debian main suites of this architecture only', () => {
  const base = { Origin: 'Debian', Label: 'Debian', Codename: 'trixie', Components: 'main contrib non-free-firmware', Architectures: 'all amd64 arm64' };
  assert.equal(isDebianRelease(base, 'amd64'), true);
  assert.equal(isDebianRelease({ ...base, Label: 'Debian-Security' }, 'amd64'), false);
  assert.equal(isDebianRelease({ ...base, Origin: 'Node Source' }, 'amd64'), false);
  assert.equal(isDebianRelease(base, 's390x'), false);
  assert.equal(isDebianRelease({ ...base, Components: 'contrib' }, 'amd64'), false);
});

test('orderSuites puts older releases first, unknown suites last', () => {
  const got = orderSuites([suite('sid', ['unstable']), suite('bookworm-updates', []), suite('bullseye', ['oldoldstable'], '11.11'), suite('trixie', ['stable'], '13.7'), suite('forky', ['testing'])]);
  assert.deepEqual(got.map((s) => s.codename), ['bullseye', 'trixie', 'forky', 'sid', 'bookworm-updates']);
});

test('offersOf pairs server and client packages by upstream version; pickOffer takes the first suite', () => {
  const bullseye = suite('bullseye', ['oldoldstable']);
  const forky = suite('forky', ['testing']);
  const sid = suite('sid', ['unstable']);
  const offers = [
    ...offersOf(bullseye, ['3.3.25+dfsg-6+b6'], ['3.3.25+dfsg-6+b6']),
    ...offersOf(forky, ['3.5.30-2'], ['3.5.30-1']),
    ...offersOf(sid, ['3.5.30-2', '3.6.0-1'], ['3.5.30-2']),
  ];
  assert.deepEqual(
    offers.map((o) => [o.suite.codename, o.version, o.server, o.client]),
    [
      ['bullseye', '3.3.25', '3.3.25+dfsg-6+b6', '3.3.25+dfsg-6+b6'],
      ['forky', '3.5.30', '3.5.30-2', '3.5.30-1'],
      ['sid', '3.5.30', '3.5.30-2', '3.5.30-2'],
    ],
    'a server without a matching client (3.6.0 in sid) is not offered',
  );
  assert.equal(pickOffer(offers, '3.5.30')!.suite.codename, 'forky');
  assert.equal(pickOffer(offers, '3.6.0'), undefined);
});

test('auto tries the prebuilt sources first and builds from Go modules last; list --available asks all three', () => {
  const settings = { requestDeadlineMs: 1000, downloadDeadlineMs: 1000 };
  assert.deepEqual(sourcesToList({ kind: 'auto' }, settings).map((s) => s.name), ['debian', 'github', 'go']);
  assert.deepEqual(sourcesToList({ kind: 'go' }, settings).map((s) => s.name), ['go']);
  assert.equal(makeSource({ kind: 'auto' }, { ...settings, baseUrl: 'http://m' }).name, 'github', 'an explicit mirror means release archives');
});
