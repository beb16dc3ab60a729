import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from './cluster-env.js';

test('cluster env (shell): exports, unsets what the cluster lacks, never prints the password', () => {
  const out = render({
    name: 'x',
    env: { ETCDCTL_API: '3', ETCDCTL_ENDPOINTS: 'https://127.0.0.1:1,https://127.0.0.1:2', ETCDCTL_CACERT: '/h/ca.crt', ETCDCTL_CERT: '/h/c.crt', ETCDCTL_KEY: '/h/c.key', ETCDCTL_USER: 'root' },
    passwordFile: "/h/it's/root.password",
  });
  assert.match(out, /^export ETCDCTL_API=3$/m);
  assert.match(out, /^export ETCDCTL_ENDPOINTS=https:\/\/127\.0\.0\.1:1,https:\/\/127\.0\.0\.1:2$/m);
  assert.match(out, /^export ETCDCTL_USER="root:\$\(cat '\/h\/it'\\''s\/root\.password'\)"$/m);
  assert.match(out, /^unset ETCDCTL_PASSWORD$/m);
  const plain = render({ name: 'y', env: { ETCDCTL_API: '3', ETCDCTL_ENDPOINTS: 'http://127.0.0.1:1' }, passwordFile: null });
  assert.match(plain, /^unset ETCDCTL_CACERT ETCDCTL_CERT ETCDCTL_KEY ETCDCTL_USER ETCDCTL_PASSWORD$/m);
  assert.doesNotMatch(plain, /ETCDCTL_USER=/);
  // A 3.6+ cluster: no ETCDCTL_API (etcdctl 3.6 warns about it), and a value left by another cluster is unset.
  const v36 = render({ name: 'z', env: { ETCDCTL_ENDPOINTS: 'http://127.0.0.1:1' }, passwordFile: null });
  assert.match(v36, /^unset ETCDCTL_API ETCDCTL_CACERT/m);
});
