import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memberArgs, argValue, atLeast, parseEtcdVersion } from './args.js';
import type { MemberSpec } from './model.js';

const spec: MemberSpec = {
  name: 'm1',
  host: '127.0.0.1',
  clientPort: 4001,
  peerPort: 4002,
  metricsPort: 4003,
  dataDir: '/h/clusters/x/members/m1/data',
  initialCluster: 'm1=http://127.0.0.1:4002,m2=http://127.0.0.1:5002',
  initialClusterState: 'new',
  initialClusterToken: 'tok',
};

const tlsSpec: MemberSpec = {
  ...spec,
  tls: { caFile: '/t/ca.crt', certFile: '/t/m1-server.crt', keyFile: '/t/m1-server.key', peerCertFile: '/t/m1-peer.crt', peerKeyFile: '/t/m1-peer.key' },
};

test('parseEtcdVersion / atLeast', () => {
  assert.deepEqual(parseEtcdVersion('v3.4.23'), { major: 3, minor: 4, patch: 23 });
  assert.equal(atLeast('3.3.25', 3, 4), false);
  assert.equal(atLeast('3.4.0', 3, 4), true);
  assert.equal(atLeast('4.0.0', 3, 9), true);
  assert.throws(() => parseEtcdVersion('latest'));
});

test('memberArgs: the common flags for every version', () => {
  for (const v of ['3.3.25', '3.4.23', '3.5.30', '3.6.5']) {
    const a = memberArgs(spec, v);
    assert.equal(argValue(a, 'name'), 'm1');
    assert.equal(argValue(a, 'data-dir'), spec.dataDir);
    assert.equal(argValue(a, 'listen-client-urls'), 'http://127.0.0.1:4001');
    assert.equal(argValue(a, 'advertise-client-urls'), 'http://127.0.0.1:4001');
    assert.equal(argValue(a, 'initial-advertise-peer-urls'), 'http://127.0.0.1:4002');
    assert.equal(argValue(a, 'listen-metrics-urls'), 'http://127.0.0.1:4003');
    assert.equal(argValue(a, 'initial-cluster'), spec.initialCluster);
    assert.equal(argValue(a, 'initial-cluster-state'), 'new');
    assert.equal(argValue(a, 'initial-cluster-token'), 'tok');
    assert.ok(a.every((x) => x.startsWith('--') && x.includes('=')), 'every flag is --flag=value');
  }
});

test('memberArgs: logger flags differ per version (3.3 has no --logger; 3.4 gets zap explicitly)', () => {
  assert.equal(argValue(memberArgs(spec, '3.3.25'), 'logger'), undefined);
  assert.equal(argValue(memberArgs(spec, '3.4.23'), 'logger'), 'zap');
  assert.equal(argValue(memberArgs(spec, '3.4.23'), 'log-outputs'), 'stderr');
  assert.equal(argValue(memberArgs(spec, '3.5.30'), 'logger'), 'zap');
  // Flags that 3.5 removed (reference/etcd-versions.md §2.2) are never generated.
  for (const v of ['3.3.25', '3.4.23', '3.5.30']) {
    const a = memberArgs(tlsSpec, v).join(' ');
    assert.doesNotMatch(a, /--(debug|log-output=|log-package-levels|ca-file|peer-ca-file)/);
  }
});

test('memberArgs: TLS uses https URLs and client+peer cert auth with the trusted CA', () => {
  const a = memberArgs(tlsSpec, '3.5.30');
  assert.equal(argValue(a, 'listen-client-urls'), 'https://127.0.0.1:4001');
  assert.equal(argValue(a, 'listen-peer-urls'), 'https://127.0.0.1:4002');
  assert.equal(argValue(a, 'listen-metrics-urls'), 'http://127.0.0.1:4003', 'metrics stay plain http');
  assert.equal(argValue(a, 'client-cert-auth'), 'true');
  assert.equal(argValue(a, 'peer-client-cert-auth'), 'true');
  assert.equal(argValue(a, 'trusted-ca-file'), '/t/ca.crt');
  assert.equal(argValue(a, 'peer-trusted-ca-file'), '/t/ca.crt');
  assert.equal(argValue(a, 'cert-file'), '/t/m1-server.crt');
  assert.equal(argValue(a, 'peer-key-file'), '/t/m1-peer.key');
});

test('memberArgs: extra args come last (so they override), and pre-3.3 is refused', () => {
  const a = memberArgs({ ...spec, extraArgs: ['--snapshot-count=100', '--initial-cluster-state=existing'] }, '3.5.30');
  assert.equal(a[a.length - 1], '--initial-cluster-state=existing');
  assert.equal(argValue(a, 'initial-cluster-state'), 'existing');
  assert.throws(() => memberArgs(spec, '3.2.32'), /not supported/);
});
