/**
 * `upshift knowledge update [--sources proxy,github] [--git DIR] [--goproxy URL] [--github-api URL]
 * [--go-command] [--timeout D]`: learn etcd releases newer than the shipped data from whatever this
 * machine can reach, and store them under UPSHIFT_HOME with where and when each came from. Exit 0 when
 * at least one source answered; 3 when none did (the stored knowledge is kept, and its age is said).
 */
import type { CommandContext } from '../core/context.js';
import { note } from '../core/context.js';
import { ExitCode, UsageError } from '../core/errors.js';
import type { CommandOutcome } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { renderTable } from '../core/output.js';
import { outcome } from './command.js';
import { knowledgeLine } from '../knowledge/index.js';
import { refreshKnowledge, type RefreshReport, type SourceKind } from '../knowledge/refresh.js';

export interface KnowledgeUpdateOptions {
  sources?: string;
  git?: string;
  goproxy?: string;
  githubApi?: string;
  goCommand?: boolean;
  timeout?: string;
  output?: string;
}

const KINDS: readonly SourceKind[] = ['proxy', 'github', 'git'];

export function sourcesFrom(opts: Pick<KnowledgeUpdateOptions, 'sources' | 'git'>): SourceKind[] {
  const list = (opts.sources ?? 'proxy,github').split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of list) {
    if (!KINDS.includes(s as SourceKind)) throw new UsageError(`--sources: unknown source "${s}"`, { hint: `use a comma-separated list of ${KINDS.join(', ')}` });
  }
  if (list.includes('git') && !opts.git) throw new UsageError('--sources git needs --git DIR (an etcd-io/etcd clone with its tags)');
  const out = new Set(list as SourceKind[]);
  if (opts.git) out.add('git');
  return [...out];
}

export async function run(opts: KnowledgeUpdateOptions, ctx: CommandContext): Promise<RefreshReport | CommandOutcome<RefreshReport>> {
  const sources = sourcesFrom(opts);
  const deadlineMs = opts.timeout !== undefined ? parseDuration(opts.timeout, '--timeout') : 15_000;
  const report = await refreshKnowledge({
    home: ctx.home,
    env: ctx.env,
    signal: ctx.signal,
    http: ctx,
    sources,
    gitDir: opts.git,
    goproxy: opts.goproxy,
    githubApi: opts.githubApi,
    useGo: opts.goCommand,
    deadlineMs,
    progress: (l) => note(ctx, `upshift knowledge update: ${l}`),
  });
  for (const s of report.sources) if (!s.ok) note(ctx, `upshift knowledge update: ${s.source}: ${s.error}`);
  if (report.sources.every((s) => !s.ok)) {
    note(ctx, `upshift knowledge update: no source answered; kept the knowledge as it was (release list checked ${report.knowledge.releasesCheckedAt}, ${report.ageDays} day${report.ageDays === 1 ? '' : 's'} ago)`);
    return outcome(report, ExitCode.environment);
  }
  return report;
}

export function render(r: RefreshReport): string {
  const rows = r.sources.map((s) => [s.source, s.ok ? 'ok' : 'FAILED', s.ok ? `${s.versions} releases listed` : s.error]);
  let out = renderTable({ head: ['SOURCE', 'RESULT', 'DETAIL'], rows });
  const notes = r.sources.flatMap((s) => s.notes.map((n) => `  ${s.kind}: ${n}`));
  if (notes.length) out += notes.join('\n') + '\n';
  out += r.learned.length
    ? `\nNew releases learned:\n${r.learned.map((l) => `  ${l.version}${l.date ? ` (${l.date.slice(0, 10)})` : ''}  from ${l.source}`).join('\n')}\n`
    : `\nNo release newer than what upshift knew.\n`;
  if (r.replacedDamaged) out += `Replaced a damaged store: ${r.replacedDamaged}\n`;
  out += `\nStored in ${r.stored}${r.updatedAt ? ` (updated ${r.updatedAt})` : ' (nothing stored yet)'}\n`;
  out += `${knowledgeLine(r.knowledge)}; ${r.ageDays} day${r.ageDays === 1 ? '' : 's'} old\n`;
  return out;
}
