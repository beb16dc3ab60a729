/**
 * Inter-process locks for installs and the private apt state. proper-lockfile keeps the lock fresh
 * (mtime) while held, so a lock left by a killed process goes stale after `STALE_MS` without
 * guessing from PIDs; it also works when UPSHIFT_HOME is on a shared file system.
 * The lock only avoids duplicate work and apt's own "could not get lock" errors: install correctness
 * comes from the atomic directory rename (see install.ts), not from this lock.
 */
import lockfile from 'proper-lockfile';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EnvironmentError } from '../core/errors.js';
import { formatDuration } from '../core/output.js';

const STALE_MS = 30_000;
const POLL_MS = 250;

/**
 * Run `fn` holding the lock `lockPath` (created as a directory). Waits for another holder up to
 * `waitMs` (calling `onWait` once), then fails with exit 3 naming the lock.
 */
export async function withLock<T>(
  lockPath: string,
  waitMs: number,
  fn: () => Promise<T>,
  opts: { signal?: AbortSignal; onWait?: () => void } = {},
): Promise<T> {
  await mkdir(dirname(lockPath), { recursive: true });
  const deadline = Date.now() + waitMs;
  let waited = false;
  let release: (() => Promise<void>) | undefined;
  for (;;) {
    try {
      release = await lockfile.lock(lockPath, { realpath: false, stale: STALE_MS, lockfilePath: lockPath, retries: 0,
        // Correctness never depends on this lock (see above), so losing it must not crash the process.
        onCompromised: () => undefined,
      });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
      if (!waited) opts.onWait?.();
      waited = true;
      if (Date.now() >= deadline || opts.signal?.aborted) {
        throw new EnvironmentError('lock-timeout', `another upshift process has held ${lockPath} for over ${formatDuration(waitMs)}`, {
          hint: `wait for it to finish, or remove ${lockPath} if no upshift process is running`,
        });
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
