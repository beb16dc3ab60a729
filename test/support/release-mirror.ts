/**
 * A local etcd release mirror in the GitHub release layout (what `--base-url` reads), made from the test
 * binaries: BASE/vX.Y.Z/etcd-vX.Y.Z-linux-ARCH.tar.gz, BASE/vX.Y.Z/SHA256SUMS and a directory listing at
 * BASE/, served on 127.0.0.1. The installer verifies the archives against SHA256SUMS as it would GitHub's.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { releasePlatform } from '../../src/binaries/sources/github.js';
import { testBinDir } from './home.js';

export interface ReleaseMirror {
  url: string;
  /** Request paths served, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startReleaseMirror(versions: string[]): Promise<ReleaseMirror> {
  const work = mkdtempSync(join(tmpdir(), 'upshift-mirror-'));
  const files = new Map<string, Buffer>();
  try {
    for (const v of versions) {
      const top = `etcd-v${v}-${releasePlatform()}`;
      mkdirSync(join(work, top));
      // etcdutl exists from 3.5 on.
      for (const b of ['etcd', 'etcdctl', 'etcdutl']) if (existsSync(join(testBinDir(), v, b))) symlinkSync(join(testBinDir(), v, b), join(work, top, b));
      const archive = join(work, `${top}.tar.gz`);
      // follow: the archive holds the binaries, not the links; level 1: the test pays little CPU for gzip.
      await tar.c({ file: archive, cwd: work, gzip: { level: 1 }, follow: true, portable: true }, [top]);
      const bytes = readFileSync(archive);
      files.set(`/v${v}/${top}.tar.gz`, bytes);
      files.set(`/v${v}/SHA256SUMS`, Buffer.from(`${createHash('sha256').update(bytes).digest('hex')}  ${top}.tar.gz\n`));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const listing = Buffer.from(`<html>${versions.map((v) => `<a href="v${v}/">v${v}/</a>`).join(' ')}</html>`);
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    const body = path === '/' ? listing : files.get(path);
    if (body) res.writeHead(200, { 'content-length': body.length }).end(body);
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
