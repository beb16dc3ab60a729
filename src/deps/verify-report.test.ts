import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { judgeBuildList, parseGoOutput, type ParseContext } from './verify-report.js';
import { explainError } from './knowledge/api-changes.js';

const OUT = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'deps', 'go-output');
const read = (f: string): string => readFileSync(join(OUT, f), 'utf8');
const ctx: ParseContext = { cwd: '/tmp/upshift-verify-x/src', root: '/tmp/upshift-verify-x/src', modCache: '/home/u/go/pkg/mod' };

test('go build output: located errors in the module, dependency errors by module, each with its known cause', () => {
  const errs = parseGoOutput(read('build-36.txt'), 'build', ctx);
  assert.deepEqual(
    errs.map((e) => [e.file, e.line, e.column, e.module ?? '']),
    [
      ['dial/dial.go', 14, 57, ''],
      ['embedded/embedded.go', 13, 6, ''],
      ['embedded/embedded.go', 14, 6, ''],
      ['embedded/embedded.go', 17, 6, ''],
      ['github.com/coreos/etcd@v3.3.27+incompatible/clientv3/balancer/picker/err.go', 37, 53, 'github.com/coreos/etcd@v3.3.27+incompatible'],
      ['go.etcd.io/etcd@v3.3.27+incompatible/clientv3/naming/grpc.go', 25, 2, 'go.etcd.io/etcd@v3.3.27+incompatible'],
    ],
  );
  assert.match(errs[0].cause!, /deleted in grpc-go v1\.46\.0/);
  assert.match(errs[0].fix!, /WithDefaultServiceConfig/);
  assert.match(errs[1].fix!, /LCUrls -> ListenClientUrls/);
  assert.match(errs[3].cause!, /v2 API .* removed in etcd 3\.6/);
  assert.match(errs[4].cause!, /grpc ≥ v1\.27\.0/);
  assert.match(errs[5].message, /to add it: go get google\.golang\.org\/grpc\/naming$/, 'continuation lines are part of the message');
  assert.match(errs[5].cause!, /GRPCResolver/);
});

test('3.7: gogo methods gone, Experimental fields removed (absolute paths shown relative), vet copylocks', () => {
  const b = parseGoOutput(read('build-37.txt'), 'build', ctx);
  assert.deepEqual(b.map((e) => e.file), ['protos/protos.go', 'embedded/embedded.go']);
  assert.match(b[0].cause!, /protoc-gen-go/);
  assert.match(b[0].fix!, /proto\.Marshal/);
  assert.equal(b[1].fix, 'ExperimentalCompactHashCheckEnabled -> the CompactHashCheck feature gate (--feature-gates=CompactHashCheck=true)');
  const v = parseGoOutput(read('vet-37.txt'), 'vet', ctx);
  assert.equal(v.length, 1);
  assert.deepEqual([v[0].file, v[0].line, v[0].step], ['protos/protos.go', 15, 'vet']);
  assert.match(v[0].fix!, /proto\.Clone/);
});

test('go mod tidy output: the import chain becomes one go.mod error with its cause; progress lines are not errors', () => {
  const errs = parseGoOutput(read('tidy-grpc-naming.txt'), 'tidy', ctx, 'svc/go.mod');
  assert.equal(errs.length, 1);
  assert.equal(errs[0].file, 'svc/go.mod');
  assert.match(errs[0].message, /^example\.com\/probe34\/naming imports google\.golang\.org\/grpc\/naming: module google\.golang\.org\/grpc@latest found/);
  assert.match(errs[0].cause!, /grpc v1\.30\.0 deleted/);
  assert.equal(explainError('something nobody has seen'), undefined);
});

test('judging the build list: target line, replacements, legacy generations, client/v2 and raft on 3.6+, grpc floor', () => {
  const ok = judgeBuildList(
    [
      { Path: 'example.com/m', Main: true },
      { Path: 'go.etcd.io/etcd/api/v3', Version: 'v3.6.17' },
      { Path: 'go.etcd.io/etcd/client/v3', Version: 'v3.6.17' },
      { Path: 'go.etcd.io/raft/v3', Version: 'v3.6.0' },
      { Path: 'go.etcd.io/bbolt', Version: 'v1.4.3' },
      { Path: 'google.golang.org/grpc', Version: 'v1.83.2' },
      { Path: 'golang.org/x/net', Version: 'v0.50.0' },
    ],
    'v3.6.17',
  );
  assert.deepEqual(ok.problems, []);
  assert.deepEqual(ok.selected.map((s) => s.path), ['go.etcd.io/etcd/api/v3', 'go.etcd.io/etcd/client/v3', 'go.etcd.io/raft/v3', 'go.etcd.io/bbolt', 'google.golang.org/grpc']);
  const bad = judgeBuildList(
    [
      { Path: 'go.etcd.io/etcd/api/v3', Version: 'v3.6.17', Replace: { Path: 'go.etcd.io/etcd/api/v3', Version: 'v3.0.0-20240510030858-58a71a22f3a5' } },
      { Path: 'go.etcd.io/etcd/client/v3', Version: 'v3.6.17', Replace: { Path: 'github.com/k3s-io/etcd/client/v3', Version: 'v3.5.7-k3s1' } },
      { Path: 'go.etcd.io/etcd/client/pkg/v3', Version: 'v3.6.17', Replace: { Path: '../pkg' } },
      { Path: 'go.etcd.io/etcd/client/v2', Version: 'v2.305.36' },
      { Path: 'go.etcd.io/etcd/raft/v3', Version: 'v3.5.36' },
      { Path: 'go.etcd.io/etcd/server/v3', Version: 'v3.6.4' },
      { Path: 'github.com/coreos/etcd', Version: 'v3.3.27+incompatible' },
      { Path: 'google.golang.org/grpc', Version: 'v1.83.2', Replace: { Path: 'google.golang.org/grpc', Version: 'v1.51.0' } },
    ],
    'v3.6.17',
  );
  assert.equal(bad.problems.length, 8, bad.problems.join('\n'));
  assert.deepEqual(
    bad.selected.map((s) => s.note?.split(/[:,(]/)[0].trim()),
    ['replaced by go.etcd.io/etcd/api/v3 v3.0.0-20240510030858-58a71a22f3a5', 'replaced by github.com/k3s-io/etcd/client/v3 v3.5.7-k3s1', 'replaced by the local directory ../pkg', 'client/v2 has no 3.6 release', "3.5's raft module; etcd 3.6 uses go.etcd.io/raft/v3", 'etcd v3.6.4', 'a pre-3.5 etcd generation', 'below the grpc v1.83.2 etcd v3.6.17 requires'],
  );
  // A module only the graph needs (no package of it compiled) is noted, not a problem.
  const graphOnly = judgeBuildList([{ Path: 'go.etcd.io/etcd/client/v2', Version: 'v2.305.0' }, { Path: 'go.etcd.io/etcd/client/v3', Version: 'v3.6.17' }], 'v3.6.17', new Set(['go.etcd.io/etcd/client/v3']));
  assert.deepEqual(graphOnly.problems, []);
  assert.match(graphOnly.selected[0].note!, /only in the module graph/);
  // A 3.4 target keeps go.etcd.io/etcd at a 3.4 pseudo-version.
  const on34 = judgeBuildList([{ Path: 'go.etcd.io/etcd', Version: 'v0.5.0-alpha.5.0.20260601203031-6e72c68a3199' }], 'v3.4.45');
  assert.deepEqual(on34.problems, []);
});
