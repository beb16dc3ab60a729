import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildFailureSummary,
  commonVersions,
  compareGoVersions,
  etcdModulesOffVersion,
  expectedEtcdModuleVersion,
  isMissingVersionError,
  isNetworkError,
  maxGoVersion,
  parseBuildInfo,
  parseJsonStream,
  predatesGoModules,
  releaseCommit,
  toolchainPlan,
  wrapperGoMod,
  wrapperToolsGo,
  ETCD_MAINS,
} from './gobuild.js';

test('predatesGoModules: 3.4 and older are not /v3 modules', () => {
  assert.equal(predatesGoModules('3.4.23'), true);
  assert.equal(predatesGoModules('3.3.25'), true);
  assert.equal(predatesGoModules('3.5.0'), false);
  assert.equal(predatesGoModules('3.7.4'), false);
});

test('expected module versions: v3.X.Y, and client/v2 v2.305.Y in 3.5', () => {
  assert.equal(expectedEtcdModuleVersion('go.etcd.io/etcd/api/v3', '3.6.17'), 'v3.6.17');
  assert.equal(expectedEtcdModuleVersion('go.etcd.io/etcd/client/v2', '3.5.36'), 'v2.305.36');
  assert.equal(expectedEtcdModuleVersion('go.etcd.io/etcd/client/v2', '3.5.0-alpha.0'), 'v2.305.0-alpha.0');
});

test('etcdModulesOffVersion flags any etcd module MVS moved off the release', () => {
  const mods = [
    { path: 'upshift.invalid/etcd-build', version: '' },
    { path: 'go.etcd.io/etcd/server/v3', version: 'v3.5.36' },
    { path: 'go.etcd.io/etcd/client/v2', version: 'v2.305.36' },
    { path: 'go.etcd.io/etcd/api/v3', version: 'v3.7.4' },
    { path: 'go.etcd.io/bbolt', version: 'v1.3.12' },
    { path: 'go.etcd.io/raft/v3', version: 'v3.6.0' },
  ];
  assert.deepEqual(etcdModulesOffVersion(mods, '3.5.36', 'upshift.invalid/etcd-build'), ['go.etcd.io/etcd/api/v3 resolved to v3.7.4, expected v3.5.36']);
});

test('wrapper module: only the named requirements; tools.go is build-tagged and imports the mains', () => {
  const mod = wrapperGoMod('upshift.invalid/etcd-build', '1.26', [{ path: 'go.etcd.io/etcd/server/v3', version: 'v3.7.4' }]);
  assert.match(mod, /^module upshift\.invalid\/etcd-build$/m);
  assert.match(mod, /^go 1\.26$/m);
  assert.match(mod, /^\tgo\.etcd\.io\/etcd\/server\/v3 v3\.7\.4$/m);
  assert.doesNotMatch(mod, /replace|indirect/);
  const tools = wrapperToolsGo(ETCD_MAINS);
  assert.match(tools, /^\/\/go:build tools\n/);
  for (const m of ETCD_MAINS) assert.ok(tools.includes(`_ "${m.pkg}"`));
});

test('Go versions: releases, language versions, pre-releases', () => {
  assert.ok(compareGoVersions('go1.26.8', '1.26') > 0);
  assert.ok(compareGoVersions('go1.25.3', '1.26') < 0);
  assert.ok(compareGoVersions('go1.26rc1', '1.26') > 0, 'go 1.26 (a language version) is satisfied by 1.26rc1');
  assert.ok(compareGoVersions('go1.26rc1', '1.26.0') < 0);
  assert.equal(compareGoVersions('1.25.0', 'go1.25.0'), 0);
  assert.equal(maxGoVersion(['1.25.0', undefined, '1.26', '1.25.12']), '1.26');
});

test('toolchainPlan follows GOTOOLCHAIN', () => {
  assert.deepEqual(toolchainPlan('local', 'go1.26.8', '1.26'), { ok: true, switches: false });
  const old = toolchainPlan('local', 'go1.25.3', '1.26');
  assert.equal(old.ok, false);
  assert.match((old as { reason: string }).reason, /go1\.25\.3 is older than the go 1\.26.*GOTOOLCHAIN=local/);
  assert.equal(toolchainPlan('auto', 'go1.25.3', '1.26').ok, true);
  assert.equal(toolchainPlan('', 'go1.25.3', '1.26').ok, true, 'unset means auto');
  assert.equal(toolchainPlan('go1.25.0+auto', 'go1.25.3', '1.26').ok, true);
  assert.equal(toolchainPlan('local+path', 'go1.25.3', '1.26').ok, true);
  assert.equal(toolchainPlan('go1.24.0', 'go1.26.8', '1.26').ok, false, 'a pinned older toolchain cannot build it');
  assert.deepEqual(toolchainPlan('go1.26.2', 'go1.25.0', '1.26'), { ok: true, switches: true, how: 'GOTOOLCHAIN=go1.26.2 selects go1.26.2' });
});

test('commonVersions keeps versions all modules list', () => {
  const out = [
    'go.etcd.io/etcd/server/v3 v3.5.32 v3.5.36 v3.6.17 v3.7.0 v3.7.4',
    'go.etcd.io/etcd/etcdctl/v3 v3.5.36 v3.6.17 v3.7.4',
    'go.etcd.io/etcd/etcdutl/v3 v3.5.36 v3.6.17 v3.7.0 v3.7.4',
  ].join('\n');
  assert.deepEqual(commonVersions(out, ETCD_MAINS.map((m) => m.pkg)), ['3.5.36', '3.6.17', '3.7.4']);
  assert.deepEqual(commonVersions('go.etcd.io/etcd/server/v3 v3.5.36', ETCD_MAINS.map((m) => m.pkg)), []);
});

test('error classification: missing version vs unreachable proxy', () => {
  assert.ok(isMissingVersionError('reading https://proxy.golang.org/go.etcd.io/etcd/server/v3/@v/v3.5.30.info: 403 Forbidden\n\tserver response: This module version is not available.'));
  assert.ok(isMissingVersionError('go.etcd.io/etcd/server/v3@v3.6.99: invalid version: unknown revision server/v3.6.99'));
  assert.ok(!isMissingVersionError('dial tcp: lookup proxy.example: no such host'));
  assert.ok(isNetworkError('Get "https://proxy.example/x/@v/list": dial tcp: lookup proxy.example: no such host'));
  assert.ok(isNetworkError('go: module lookup disabled by GOPROXY=off'));
  assert.ok(!isNetworkError('server/etcdserver/x.go:12:2: undefined: foo'));
});

test('releaseCommit: one agreed hash, else none', () => {
  const h = '4d71f7c83a2cef992d57abd3284edfaf66c91a4a';
  assert.deepEqual(releaseCommit([undefined, h, h]), { sha: h, seen: [h] });
  assert.deepEqual(releaseCommit([undefined, undefined]), { seen: [] });
  assert.equal(releaseCommit([h, 'f'.repeat(40)]).sha, undefined);
});

test('parseBuildInfo reads go version -m', () => {
  const text = [
    '/tmp/bin/etcd: go1.26.8',
    '\tpath\tgo.etcd.io/etcd/server/v3',
    '\tmod\tgo.etcd.io/etcd/server/v3\tv3.7.4\th1:CF4y3CspVWqGO6p76K/M7/+cWDI7NbxpWItTK5QO4GI=',
    '\tdep\tgo.etcd.io/bbolt\tv1.4.3\th1:abc=',
    '\tdep\tgithub.com/x/y\tv1.0.0\th1:def=',
    '\t=>\tgithub.com/x/z\tv1.0.1\th1:ghi=',
    '\tbuild\t-trimpath=true',
    '\tbuild\tCGO_ENABLED=0',
    '\tbuild\t-ldflags="-X go.etcd.io/etcd/api/v3/version.GitSHA=4d71f7c"',
    '',
  ].join('\n');
  const info = parseBuildInfo(text)!;
  assert.equal(info.goVersion, 'go1.26.8');
  assert.equal(info.path, 'go.etcd.io/etcd/server/v3');
  assert.deepEqual(info.main, { path: 'go.etcd.io/etcd/server/v3', version: 'v3.7.4', sum: 'h1:CF4y3CspVWqGO6p76K/M7/+cWDI7NbxpWItTK5QO4GI=' });
  assert.equal(info.deps.length, 2);
  assert.equal(info.deps[1]!.path, 'github.com/x/y => github.com/x/z v1.0.1 h1:ghi=');
  assert.deepEqual(info.settings, ['-trimpath=true', 'CGO_ENABLED=0', '-ldflags="-X go.etcd.io/etcd/api/v3/version.GitSHA=4d71f7c"']);
  assert.equal(parseBuildInfo('not a go binary'), undefined);
});

test('parseJsonStream splits concatenated objects, braces inside strings included', () => {
  const text = '{\n\t"Path": "a",\n\t"Error": {"Err": "x } {"}\n}\n{"Path": "b\\"}"}\n';
  assert.deepEqual(parseJsonStream(text), [{ Path: 'a', Error: { Err: 'x } {' } }, { Path: 'b"}' }]);
});

test('buildFailureSummary starts at the first failing package, without -v package lines', () => {
  const out = ['internal/goarch', 'go.etcd.io/etcd/api/v3/version', '# internal/goarch', 'flag provided but not defined: -no-such-flag', 'usage: compile [options] file.go...', ...Array.from({ length: 40 }, (_, i) => `  -f${i} flag`)].join('\n');
  const s = buildFailureSummary(out, 5).split('\n');
  assert.deepEqual(s.slice(0, 2), ['# internal/goarch', 'flag provided but not defined: -no-such-flag']);
  assert.equal(s.length, 5);
  assert.equal(buildFailureSummary('a\nb failed: x\nc: y', 2), 'b failed: x\nc: y');
});
