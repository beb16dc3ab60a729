import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVersionOutput } from './probe.js';

test('parseVersionOutput reads etcd, etcdctl and etcdutl version lines', () => {
  assert.equal(parseVersionOutput('etcd Version: 3.3.25\nGit SHA: Not provided\nGo Version: go1.15.9\n', 'etcd'), '3.3.25');
  assert.equal(parseVersionOutput('etcdctl version: 3.4.23\nAPI version: 3.4\n', 'etcdctl'), '3.4.23');
  assert.equal(parseVersionOutput('etcdutl version: 3.5.30\nAPI version: 3.5\n', 'etcdutl'), '3.5.30');
  assert.equal(parseVersionOutput('etcdctl version: 3.4.23\n', 'etcd'), undefined);
  assert.equal(parseVersionOutput('', 'etcdctl'), undefined);
});
