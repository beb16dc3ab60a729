/**
 * Unpacking a .deb: `dpkg-deb -x` when present. Without dpkg-deb (a non-Debian machine with apt is
 * rare, but possible), the .deb's ar container is read here and its data.tar.* unpacked with the
 * `tar` package (gzip built in; xz/zstd through the xz/zstd tools). Hand-written because the ar
 * format is a few lines (deb(5)) and no maintained npm ar reader exists.
 */
import { spawn, execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { EnvironmentError, ProblemError, errorMessage } from '../core/errors.js';

export interface ArMember {
  name: string;
  offset: number;
  size: number;
}

/** Members of a common-format ar archive (`!<arch>\n`, 60-byte headers, 2-byte alignment). */
export function parseArHeaders(buf: Buffer): ArMember[] {
  if (buf.subarray(0, 8).toString('latin1') !== '!<arch>\n') throw new Error('not an ar archive (bad magic)');
  const out: ArMember[] = [];
  let pos = 8;
  while (pos + 60 <= buf.length) {
    const h = buf.subarray(pos, pos + 60).toString('latin1');
    if (h.slice(58, 60) !== '`\n') throw new Error(`bad ar header at offset ${pos}`);
    const name = h.slice(0, 16).trim().replace(/\/$/, '');
    const size = Number(h.slice(48, 58).trim());
    if (!Number.isFinite(size)) throw new Error(`bad ar member size at offset ${pos}`);
    out.push({ name, offset: pos + 60, size });
    pos += 60 + size + (size % 2);
  }
  return out;
}

function hasTool(tool: string): Promise<boolean> {
  return new Promise((resolve) => execFile(tool, ['--version'], { timeout: 10_000 }, (e) => resolve(!e || (e as NodeJS.ErrnoException).code !== 'ENOENT')));
}

/** Extract the data of `debPath` into `outDir` (paths like `usr/bin/etcd` appear under it). */
export async function extractDeb(debPath: string, outDir: string): Promise<void> {
  if (await hasTool('dpkg-deb')) {
    await new Promise<void>((resolve, reject) => {
      execFile('dpkg-deb', ['-x', debPath, outDir], { timeout: 120_000 }, (e, _o, stderr) =>
        e ? reject(new ProblemError('deb-extract-failed', `dpkg-deb -x ${debPath} failed: ${stderr.trim() || errorMessage(e)}`)) : resolve(),
      );
    });
    return;
  }
  await extractDebWithoutDpkg(debPath, outDir);
}

export async function extractDebWithoutDpkg(debPath: string, outDir: string): Promise<void> {
  const fh = await open(debPath, 'r');
  try {
    const buf = await fh.readFile();
    let members: ArMember[];
    try {
      members = parseArHeaders(buf);
    } catch (e) {
      throw new ProblemError('deb-extract-failed', `${debPath}: ${errorMessage(e)}`);
    }
    const data = members.find((m) => m.name.startsWith('data.tar'));
    if (!data) throw new ProblemError('deb-extract-failed', `${debPath} has no data.tar member`);
    const bytes = buf.subarray(data.offset, data.offset + data.size);
    const ext = data.name.slice('data.tar'.length);
    const tool = ext === '.xz' ? 'xz' : ext === '.zst' ? 'zstd' : undefined;
    if (!tool) {
      // .gz and uncompressed are read by the tar package directly.
      await pipeline(Readable.from([bytes]), tar.x({ cwd: outDir }));
      return;
    }
    const child = spawn(tool, ['-dc'], { stdio: ['pipe', 'pipe', 'ignore'] });
    const spawned = new Promise<void>((resolve, reject) => {
      child.on('error', (e: NodeJS.ErrnoException) =>
        reject(
          e.code === 'ENOENT'
            ? new EnvironmentError('dpkg-deb-missing', `neither dpkg-deb nor ${tool} is installed; cannot unpack ${data.name} of ${debPath}`, {
                hint: `install dpkg (dpkg-deb) or ${tool}`,
              })
            : e,
        ),
      );
      child.on('close', (code) => (code === 0 ? resolve() : reject(new ProblemError('deb-extract-failed', `${tool} -dc failed (exit ${code}) on ${debPath}`))));
    });
    child.stdin.end(bytes);
    await Promise.all([pipeline(child.stdout, tar.x({ cwd: outDir })), spawned]);
  } finally {
    await fh.close();
  }
}
