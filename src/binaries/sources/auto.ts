/**
 * `--source auto`: Debian's packages when this machine has apt and a Debian mirror (signed, no
 * GitHub access needed), else GitHub's release archives, else a build from the Go modules (versions
 * neither ships, or a site with only a module mirror). A version already installed never reaches
 * a source (install.ts checks first). `dir:` is never guessed: the user names a directory explicitly.
 */
import { EnvironmentError, UsageError, isUpshiftError } from '../../core/errors.js';
import { note } from '../../core/context.js';
import type { AvailableReport, BinarySource, FetchedBinaries, SourceContext } from './source.js';

export class AutoSource implements BinarySource {
  readonly name = 'auto';
  constructor(private readonly order: BinarySource[]) {}

  async fetch(version: string, workDir: string, ctx: SourceContext): Promise<FetchedBinaries> {
    const misses: string[] = [];
    let unreachable = false;
    for (const src of this.order) {
      try {
        const got = await src.fetch(version, workDir, ctx);
        note(ctx, `  etcd ${version}: using source ${src.name}`);
        return got;
      } catch (e) {
        // Fall through only when this source does not have it or cannot be used here; a checksum
        // mismatch or a broken binary is a problem to report, not to route around.
        if (!(e instanceof UsageError && e.code === 'unknown-version') && !(e instanceof EnvironmentError)) throw e;
        if (e instanceof EnvironmentError) unreachable = true;
        misses.push(`${src.name}: ${e.message}`);
        note(ctx, `  etcd ${version}: source ${src.name} cannot provide it (${isUpshiftError(e) ? e.code : 'error'}); trying the next`);
      }
    }
    const msg = `no source could provide etcd ${version}: ${misses.join(' | ')}`;
    // If any source was unusable we cannot claim the version does not exist.
    if (unreachable) throw new EnvironmentError('no-source', msg, { hint: 'fix the network/mirror, or pass --source explicitly (dir:PATH works offline)' });
    throw new UsageError(msg, { code: 'unknown-version', hint: 'check the version against `upshift etcd list --available`' });
  }

  /** All sources' offers in one report (each version's detail names its source). `list` asks each source separately. */
  async available(ctx: SourceContext): Promise<AvailableReport> {
    const reports = await Promise.all(this.order.map((s) => s.available(ctx)));
    const problems = reports.filter((r) => !r.reachable).map((r) => `${r.source}: ${r.error ?? 'unreachable'}`);
    return {
      source: 'auto',
      origin: reports.map((r) => r.origin).filter(Boolean).join(' '),
      reachable: reports.some((r) => r.reachable),
      versions: reports.flatMap((r) => r.versions.map((v) => ({ version: v.version, detail: `${r.source}${v.detail ? `: ${v.detail}` : ''}` }))),
      ...(problems.length ? { warnings: problems } : {}),
    };
  }
}
