/** `upshift cluster down NAME [--purge]`: stop every member by PID and wait for it to exit. */
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { parseDuration } from '../core/duration.js';
import { renderTable } from '../core/output.js';
import { clusterDown, type ClusterDownResult } from '../cluster/local.js';

export interface ClusterDownOpts {
  name: string;
  purge?: boolean;
  timeout?: string;
  output?: string;
}

export async function run(opts: ClusterDownOpts, ctx: CommandContext): Promise<ClusterDownResult> {
  const timeoutMs = parseDuration(opts.timeout ?? '15s', '--timeout');
  const r = await clusterDown(ctx.home, opts.name, { purge: Boolean(opts.purge), timeoutMs });
  note(ctx, r.purged ? `cluster "${r.name}" stopped and its data removed` : `cluster "${r.name}" stopped; data kept in ${r.dir} (remove with --purge)`);
  return r;
}

export function render(r: ClusterDownResult): string {
  return renderTable({
    head: ['MEMBER', 'PID', 'RESULT'],
    rows: r.members.map((m) => [
      m.name,
      m.pid ?? '-',
      !m.wasRunning ? 'was not running' : `stopped by ${m.signal}${m.escalated ? ' (SIGTERM timed out)' : ''} in ${m.durationMs} ms`,
    ]),
  });
}
