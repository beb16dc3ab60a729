import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeModulePath, isTaggedVersion, matchesPrefixPatterns, parseGoProxy } from './goproxy.js';
import { releasesFromPage } from './github.js';
import { releasesFromTags } from './git.js';

test('GOPROXY: URLs, direct, off, and the separator that decides fall-through', () => {
  assert.deepEqual(parseGoProxy('https://proxy.golang.org,direct'), [
    { kind: 'url', url: 'https://proxy.golang.org', fallThroughOnError: false },
    { kind: 'direct' },
  ]);
  assert.deepEqual(parseGoProxy('https://a.example/|https://b.example,off'), [
    { kind: 'url', url: 'https://a.example', fallThroughOnError: true },
    { kind: 'url', url: 'https://b.example', fallThroughOnError: false },
    { kind: 'off' },
  ]);
  assert.deepEqual(parseGoProxy('file:///srv/goproxy'), [{ kind: 'url', url: 'file:///srv/goproxy', fallThroughOnError: false }]);
  assert.deepEqual(parseGoProxy(''), []);
});

test('GONOPROXY/GOPRIVATE globs match leading path elements (module.MatchPrefixPatterns)', () => {
  const m = 'go.etcd.io/etcd/server/v3';
  assert.equal(matchesPrefixPatterns('go.etcd.io', m), true);
  assert.equal(matchesPrefixPatterns('*.io', m), true);
  assert.equal(matchesPrefixPatterns('go.etcd.io/etcd', m), true);
  assert.equal(matchesPrefixPatterns('example.com,go.etcd.io/etcd/*', m), true);
  assert.equal(matchesPrefixPatterns('go.etcd.io/etcdx', m), false);
  assert.equal(matchesPrefixPatterns('go.etcd.*', m), true);
  assert.equal(matchesPrefixPatterns('github.com/*', m), false);
  assert.equal(matchesPrefixPatterns('', m), false);
  assert.equal(matchesPrefixPatterns('go.etcd.io/etcd/server/v3/extra', m), false);
});

test('module paths are case-escaped; pseudo-versions are not tags', () => {
  assert.equal(escapeModulePath('github.com/Azure/Go'), 'github.com/!azure/!go');
  assert.equal(escapeModulePath('go.etcd.io/etcd/server/v3'), 'go.etcd.io/etcd/server/v3');
  assert.equal(isTaggedVersion('v3.6.17'), true);
  assert.equal(isTaggedVersion('v3.8.0-alpha.0'), true);
  assert.equal(isTaggedVersion('v3.6.0-alpha.0.0.20251230120505-aef0361938cb'), false);
  assert.equal(isTaggedVersion('v0.0.0-20210101000000-abcdef012345'), false);
  assert.equal(isTaggedVersion('latest'), false);
});

test('GitHub releases page: releases, pre-releases; drafts and non-version tags skipped', () => {
  const page = [
    { tag_name: 'v3.6.18', published_at: '2026-12-16T20:00:00Z', prerelease: false, draft: false },
    { tag_name: 'v3.8.0-rc.0', published_at: '2026-12-01T00:00:00Z', prerelease: true },
    { tag_name: 'v3.6.19', draft: true },
    { tag_name: 'api/v3.6.18' },
    { tag_name: 'nightly' },
  ];
  const r = releasesFromPage(page, 'https://api.github.com');
  assert.deepEqual(r.releases.map((x) => [x.version, x.date]), [['3.6.18', '2026-12-16T20:00:00Z']]);
  assert.match(r.releases[0]!.source, /^github:https:\/\/api\.github\.com etcd-io\/etcd release v3\.6\.18$/);
  assert.deepEqual(r.preReleases.map((x) => x.version), ['3.8.0-rc.0']);
  assert.throws(() => releasesFromPage({ message: 'API rate limit exceeded' }, 'x'), /not a list/);
});

test('git tags: release tags with their dates; module tags skipped', () => {
  const text = 'v3.6.18\t2026-12-16T12:00:00-08:00\tabcdef0123456789\napi/v3.6.18\t2026-12-16T12:00:00-08:00\tabc\nv3.8.0-alpha.0\t2026-06-05T11:02:55-07:00\tc608\n';
  const r = releasesFromTags(text, '/src/etcd');
  assert.deepEqual(r.releases.map((x) => [x.version, x.date, x.source]), [['3.6.18', '2026-12-16T12:00:00-08:00', 'git:/src/etcd tag v3.6.18 (abcdef012345)']]);
  assert.deepEqual(r.preReleases.map((x) => x.version), ['3.8.0-alpha.0']);
});
