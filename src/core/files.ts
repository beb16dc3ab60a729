/**
 * Crash-safe file writing, after etcd's snapshot save (client/v3/snapshot/v3_snapshot.go): write to
 * `NAME.part` with private mode, verify, fsync, rename, fsync the directory. A crash leaves either the
 * old file or the new one, never a torn one; a stray `.part` is garbage to clean up, never data.
 */
import { open, readFile, rename, rm, mkdir } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openSync, fsyncSync, closeSync, writeSync } from 'node:fs';
import { UsageError } from './errors.js';

export interface AtomicWriteOptions {
  /** File mode; default 0o600 (private), as etcd does for snapshots. */
  mode?: number;
  /** Called with the .part path after the data is written and fsynced, before the rename. Throw to abort. */
  verify?: (partPath: string) => Promise<void>;
}

/** A unique `.part` name beside the target, so concurrent writers never share one. */
export function partPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
}

/** fsync a file or a directory by path (a directory's fsync makes its entries, e.g. a rename, durable). */
export async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export const fsyncDir = fsyncPath;

/** Write `data` to `target` atomically (see module comment). */
export async function writeFileAtomic(target: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  await commitAtomic(target, opts, async (part) => {
    const fh = await open(part, 'wx', opts.mode ?? 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
  });
}

/**
 * Run `produce(partPath)` to create the file (e.g. stream into it), then fsync, verify and rename.
 * The .part is removed on any failure.
 */
export async function produceFileAtomic(
  target: string,
  produce: (partPath: string) => Promise<void>,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  await commitAtomic(target, opts, async (part) => {
    await produce(part);
    const fh = await open(part, 'r+');
    try {
      await fh.chmod(opts.mode ?? 0o600);
      await fh.sync();
    } finally {
      await fh.close();
    }
  });
}

/**
 * The shared protocol: `write(part)` leaves the data fsynced in a fresh `.part` beside `target`; then verify,
 * rename over the target and fsync the directory. The .part is removed on any failure.
 */
async function commitAtomic(target: string, opts: AtomicWriteOptions, write: (partPath: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const part = partPathFor(target);
  try {
    await write(part);
    if (opts.verify) await opts.verify(part);
    await rename(part, target);
    await fsyncDir(dirname(target));
  } catch (e) {
    await rm(part, { force: true });
    throw e;
  }
}

/** Read a file the user named (`what`: the flag or argument) as UTF-8; unreadable -> exit 2 naming both. */
export async function readInputFile(file: string, what: string, opts: { code?: string; hint: string }): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${what}: cannot read ${file}: ${(e as Error).message}`, opts);
  }
}

/**
 * Append-only JSONL journal. Each record is one line written with a single write(2) and fsynced
 * before `append` returns, so a decision is on disk before it is acted on.
 */
export class JsonlJournal {
  private fd: number;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'a', 0o600);
  }
  /** `sync: false` for telemetry: the line is written (a kill cannot lose it) but made durable only by the next synced append. */
  append(record: Record<string, unknown>, opts: { sync?: boolean } = {}): void {
    const line = JSON.stringify(record) + '\n';
    writeSync(this.fd, line);
    if (opts.sync !== false) fsyncSync(this.fd);
  }
  close(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}
