import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMadison, parseControl, aptProblems } from './apt.js';
import { parseArHeaders } from './deb.js';

test('parseMadison keeps binary package versions of the asked package', () => {
  const out = [
    'etcd-server |   3.5.30-2 | http://deb.debian.org/debian sid/main amd64 Packages',
    'etcd-server |   3.5.29-1 | http://deb.debian.org/debian sid/main amd64 Packages',
    'etcd-client |   3.5.30-2 | http://deb.debian.org/debian sid/main amd64 Packages',
    '      etcd |   3.5.30-2 | http://deb.debian.org/debian sid/main Sources',
  ].join('\n');
  assert.deepEqual(parseMadison(out, 'etcd-server'), ['3.5.30-2', '3.5.29-1']);
  assert.deepEqual(parseMadison('', 'etcd-server'), []);
});

test('parseControl reads the first paragraph with continuation lines', () => {
  const c = parseControl('Package: etcd-server\nVersion: 3.4.23-4+b4\nDescription: daemon\n more text\nSHA256: abc\n\nPackage: other\n');
  assert.equal(c.Package, 'etcd-server');
  assert.equal(c.Version, '3.4.23-4+b4');
  assert.equal(c.Description, 'daemon\nmore text');
  assert.equal(c.SHA256, 'abc');
});

test('aptProblems keeps E:/W: lines but not the harmless root sandbox warning', () => {
  const p = aptProblems({
    code: 100,
    stdout: 'Get:1 x\nErr:2 http://m/debian sid InRelease\n',
    stderr: "W: Download is performed unsandboxed as root as file '/x' couldn't be accessed by user '_apt'.\nW: GPG error: NO_PUBKEY 1234\nE: The repository 'http://m/debian sid InRelease' is not signed.\n",
  });
  assert.equal(p.errors.length, 2);
  assert.deepEqual(p.warnings, ['W: GPG error: NO_PUBKEY 1234']);
});

test('parseArHeaders reads members of a .deb-shaped ar archive', () => {
  const member = (name: string, data: string): Buffer => {
    const h = `${name.padEnd(16)}${'0'.padEnd(12)}${'0'.padEnd(6)}${'0'.padEnd(6)}${'100644'.padEnd(8)}${String(data.length).padEnd(10)}\`\n`;
    return Buffer.concat([Buffer.from(h, 'latin1'), Buffer.from(data), Buffer.from(data.length % 2 ? '\n' : '')]);
  };
  const buf = Buffer.concat([Buffer.from('!<arch>\n'), member('debian-binary', '2.0\n'), member('control.tar.xz', 'abc'), member('data.tar.gz/', 'hello')]);
  const m = parseArHeaders(buf);
  assert.deepEqual(m.map((x) => [x.name, x.size]), [['debian-binary', 4], ['control.tar.xz', 3], ['data.tar.gz', 5]]);
  assert.equal(buf.subarray(m[2]!.offset, m[2]!.offset + 5).toString(), 'hello');
  assert.throws(() => parseArHeaders(Buffer.from('nope')), /bad magic/);
});
