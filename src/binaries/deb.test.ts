import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractDebWithoutDpkg } from './deb.js';

const haveDpkgDeb = (() => {
  try {
    execFileSync('dpkg-deb', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// Builds real .debs with dpkg-deb (xz and gzip data members) and unpacks them with the fallback reader.
for (const compression of ['xz', 'gzip'] as const) {
  test(`extractDebWithoutDpkg unpacks a ${compression} .deb like dpkg-deb -x`, { skip: !haveDpkgDeb && 'dpkg-deb not installed' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deb-test-'));
    try {
      const pkg = join(dir, 'pkg');
      mkdirSync(join(pkg, 'DEBIAN'), { recursive: true });
      mkdirSync(join(pkg, 'usr/bin'), { recursive: true });
      writeFileSync(join(pkg, 'DEBIAN/control'), 'Package: fake-etcd\nVersion: 1.0-1\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: test\n');
      writeFileSync(join(pkg, 'usr/bin/etcdctl'), '#!/bin/sh\necho etcdctl version: 1.0\n');
      chmodSync(join(pkg, 'usr/bin/etcdctl'), 0o755);
      const deb = join(dir, 'fake.deb');
      execFileSync('dpkg-deb', ['--root-owner-group', `-Z${compression}`, '-b', pkg, deb], { stdio: 'ignore' });
      const out = join(dir, 'out');
      mkdirSync(out);
      await extractDebWithoutDpkg(deb, out);
      assert.equal(readFileSync(join(out, 'usr/bin/etcdctl'), 'utf8'), readFileSync(join(pkg, 'usr/bin/etcdctl'), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
