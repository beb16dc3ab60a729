import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseRestoreVersion, judgeRestore, parseInitialCluster } from './plan.js';
import { UsageError } from '../core/errors.js';

const installed = ['3.3.25', '3.4.23', '3.5.16', '3.5.30'];

test('restore version: the snapshot\'s when installed, the asked one otherwise', () => {
  assert.equal(chooseRestoreVersion(undefined, '3.4.23', installed).version, '3.4.23');
  assert.equal(chooseRestoreVersion('3.5.30', '3.4.23', installed).version, '3.5.30');
});

test('restore version: newest installed patch of the same minor when the exact one is missing', () => {
  const r = chooseRestoreVersion(undefined, '3.5.2', installed);
  assert.equal(r.version, '3.5.30');
  assert.match(r.note!, /same minor/);
});

test('restore version: older minor refused, unknown version asks for --version', () => {
  assert.throws(() => chooseRestoreVersion('3.4.23', '3.5.30', installed), UsageError);
  assert.throws(() => chooseRestoreVersion(undefined, null, installed), /--version/);
  assert.throws(() => chooseRestoreVersion(undefined, '3.6.1', installed), /no 3.6.x is installed/);
});

test('initial cluster parsing', () => {
  const m = parseInitialCluster('a=http://10.0.0.1:2380,b=https://10.0.0.2:2380,a=http://[::1]:2380');
  assert.deepEqual([...m.keys()], ['a', 'b']);
  assert.deepEqual(m.get('a'), ['http://10.0.0.1:2380', 'http://[::1]:2380']);
  assert.throws(() => parseInitialCluster('a'), /name=peerURL/);
  assert.throws(() => parseInitialCluster('a=ftp://x'), /not an http/);
});

test('judgeRestore: all equal passes; a different hash, revision or key count fails naming the member', () => {
  const exp = { revision: 100, hashKV: { hash: 42, compactRevision: 50 }, liveKeys: 7 };
  const good = { name: 'm1', revision: 100, hash: 42, compactRevision: 50, liveKeys: 7 };
  assert.ok(judgeRestore(exp, [good, { ...good, name: 'm2' }]).every((c) => c.ok));
  const bad = judgeRestore(exp, [good, { ...good, name: 'm2', hash: 43, liveKeys: 6, revision: 101 }]);
  const failed = bad.filter((c) => !c.ok).map((c) => c.name);
  assert.deepEqual(failed, ['m2:revision', 'm2:hashKV', 'm2:keys', 'members-agree']);
});

test('judgeRestore: an empty snapshot (revision 0) expects the server at revision 1', () => {
  const checks = judgeRestore({ revision: 0, hashKV: null, liveKeys: 0 }, [{ name: 'm1', revision: 1, hash: 1, compactRevision: -1, liveKeys: 0 }]);
  assert.ok(checks.every((c) => c.ok));
});
