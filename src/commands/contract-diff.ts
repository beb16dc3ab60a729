/**
 * `upshift contract diff --from V --to V`: what changes in etcd's API between two releases. buf's rules at
 * WIRE_JSON and WIRE on the shipped protos, plus what buf cannot see: gateway routes and rewrites, the v2
 * API, `etcd_version` annotations against the lowest member version, server flags (src/contract/).
 */
import type { CommandContext } from '../core/context.js';
import { ExitCode, UsageError, type CommandOutcome } from '../core/errors.js';
import { renderFindings, renderTable } from '../core/output.js';
import { severityRank, type Severity } from '../core/finding.js';
import { diffEtcdApi, type EtcdContractDiff } from '../contract/etcd-diff.js';
import { outcome } from './command.js';

export interface ContractDiffOptions {
  from?: string;
  to?: string;
  buf?: boolean;
  failOn?: string;
  output?: string;
}

export async function run(opts: ContractDiffOptions, ctx: CommandContext): Promise<EtcdContractDiff | CommandOutcome<EtcdContractDiff>> {
  if (!opts.from || !opts.to) throw new UsageError('contract diff needs --from and --to', { hint: 'e.g. upshift contract diff --from 3.4.23 --to 3.7.4' });
  const failOn = opts.failOn ?? 'blocker';
  if (!['none', 'info', 'warning', 'blocker'].includes(failOn)) throw new UsageError(`--fail-on ${failOn}: unknown level`, { hint: 'use blocker, warning, info or none' });
  const r = await diffEtcdApi(opts.from, opts.to, { buf: opts.buf !== false, env: ctx.env });
  for (const n of r.notes) ctx.stderr.write(`note: ${n}\n`);
  const worst = r.findings.reduce<Severity | undefined>((w, f) => (w === undefined || severityRank[f.severity] < severityRank[w] ? f.severity : w), undefined);
  if (failOn !== 'none' && worst && severityRank[worst] <= severityRank[failOn as Severity]) return outcome(r, ExitCode.problem);
  return r;
}

export function render(r: EtcdContractDiff): string {
  const out: string[] = [];
  out.push(`etcd API ${r.from} -> ${r.to}: ${r.summary.blockers} blocker(s), ${r.summary.warnings} warning(s), ${r.summary.infos} note(s)`);
  out.push(`  from: ${r.sources.from}`);
  out.push(`  to:   ${r.sources.to}`);
  if (r.buf.available) out.push(`  buf ${r.buf.version}: ${Object.entries(r.buf.categories).map(([c, l]) => `${c} ${l.length} breaking`).join(', ')}`);
  else out.push(`  buf: not run (${r.buf.reason})`);
  const added = r.added.filter((e) => e.kind === 'rpc' || e.kind === 'field' || e.kind === 'enum-value');
  if (added.length) {
    out.push('');
    out.push(`added (${added.length}):`);
    for (const e of added) out.push(`  + ${e.kind.padEnd(10)} ${e.name}${e.since ? `  (etcd ${e.since})` : ''}${e.detail ? `  ${e.detail}` : ''}`);
  }
  if (r.removed.length) {
    out.push('');
    out.push(`removed (${r.removed.length}):`);
    for (const e of r.removed) out.push(`  - ${e.kind.padEnd(10)} ${e.name}${e.detail ? `  ${e.detail}` : ''}`);
  }
  if (r.gateway.routes.length) {
    out.push('');
    out.push('gateway routes:');
    for (const g of r.gateway.routes) out.push(`  ${g.change.padEnd(10)} ${g.detail}`);
  }
  if (r.flags.length) {
    out.push('');
    out.push(`server flags (${r.flags.length}; \`upshift plan --config FILE\` checks your own):`);
    out.push(renderTable({ head: ['flag', 'change', 'since', 'use instead'], rows: r.flags.map((f) => [`--${f.flag}`, f.change, f.since, f.replacement ?? '']) }).trimEnd());
  }
  out.push('');
  out.push(renderFindings(r.findings.filter((f) => !f.code.startsWith('flag-'))).trimEnd());
  return out.join('\n').trimEnd() + '\n';
}
