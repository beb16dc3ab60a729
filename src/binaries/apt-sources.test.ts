import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOneLineSources, parseDeb822Sources, binaryArchiveCandidates, readAptSources } from './apt-sources.js';

test('parseOneLineSources reads options, comments and deb-src', () => {
  const text = [
    '# comment',
    'deb http://deb.debian.org/debian bookworm main contrib',
    'deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] https://mirror.example/debian/ trixie main # trailing',
    'deb-src http://deb.debian.org/debian bookworm main',
    'not a source line',
    '',
  ].join('\n');
  const e = parseOneLineSources(text, 'f.list');
  assert.equal(e.length, 3);
  assert.deepEqual(e[0], { file: 'f.list', types: ['deb'], uris: ['http://deb.debian.org/debian'], suites: ['bookworm'], components: ['main', 'contrib'], enabled: true });
  assert.equal(e[1]!.signedBy, '/usr/share/keyrings/x.gpg');
  assert.deepEqual(e[1]!.suites, ['trixie']);
  assert.deepEqual(e[2]!.types, ['deb-src']);
});

test('parseDeb822Sources reads paragraphs, continuation lines, Enabled and inline keys', () => {
  const text = [
    'Types: deb',
    '# http://snapshot.debian.org/archive/debian/20250520T000000Z',
    'URIs: http://deb.debian.org/debian',
    'Suites: bookworm bookworm-updates',
    'Components: main',
    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
    '',
    'Types: deb deb-src',
    'URIs: http://deb.debian.org/debian-security',
    'Suites: bookworm-security',
    'Components: main',
    'Enabled: no',
    '',
    'Types: deb',
    'URIs: https://a.example/x https://b.example/x',
    'Suites: stable',
    'Components: main',
    'Signed-By:',
    ' -----BEGIN PGP PUBLIC KEY BLOCK-----',
    ' .',
    ' abc',
  ].join('\n');
  const e = parseDeb822Sources(text, 'd.sources');
  assert.equal(e.length, 3);
  assert.deepEqual(e[0]!.suites, ['bookworm', 'bookworm-updates']);
  assert.equal(e[0]!.signedBy, '/usr/share/keyrings/debian-archive-keyring.gpg');
  assert.equal(e[1]!.enabled, false);
  assert.deepEqual(e[1]!.types, ['deb', 'deb-src']);
  assert.deepEqual(e[2]!.uris, ['https://a.example/x', 'https://b.example/x']);
  assert.equal(e[2]!.signedBy, undefined, 'inline key block is not a path');
});

test('binaryArchiveCandidates keeps enabled http(s) deb URIs, merged and normalised', () => {
  const e = [
    ...parseOneLineSources('deb http://h/debian/ bookworm main\ndeb-src http://src/debian bookworm main\ndeb file:/srv/repo ./\ndeb http://h/debian sid main'),
    ...parseDeb822Sources('Types: deb\nURIs: http://off/debian\nSuites: x\nEnabled: no\n'),
  ];
  assert.deepEqual(binaryArchiveCandidates(e), [{ uri: 'http://h/debian', suites: ['bookworm', 'sid'] }]);
});

test('readAptSources reads sources.list, *.list and *.sources, ignoring other names', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apt-src-'));
  try {
    mkdirSync(join(dir, 'sources.list.d'));
    writeFileSync(join(dir, 'sources.list'), 'deb http://a/debian bookworm main\n');
    writeFileSync(join(dir, 'sources.list.d', 'b.list'), 'deb http://b/debian trixie main\n');
    writeFileSync(join(dir, 'sources.list.d', 'c.sources'), 'Types: deb\nURIs: http://c/debian\nSuites: sid\nComponents: main\n');
    writeFileSync(join(dir, 'sources.list.d', 'd.list.disabled-by-farm'), 'deb http://d/debian sid main\n');
    const e = await readAptSources({ sourceList: join(dir, 'sources.list'), sourceParts: join(dir, 'sources.list.d') });
    assert.deepEqual(e.map((x) => x.uris[0]), ['http://a/debian', 'http://b/debian', 'http://c/debian']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
