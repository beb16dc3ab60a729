/**
 * `upshift contract check BEFORE AFTER`: buf's breaking-change rules on the user's protos (buf itself,
 * `--error-format json`); exit 1 when AFTER breaks BEFORE at the chosen category; SARIF for CI.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { CommandContext } from '../core/context.js';
import { ExitCode, UsageError, type CommandOutcome } from '../core/errors.js';
import { renderTable } from '../core/output.js';
import { checkProtos, checkSarif, type CheckResult } from '../contract/check.js';
import { outcome } from './command.js';

export interface ContractCheckOptions {
  before?: string;
  after?: string;
  category?: string;
  excludePath?: string[];
  output?: string;
}

export async function run(opts: ContractCheckOptions, ctx: CommandContext): Promise<CheckResult | CommandOutcome<CheckResult>> {
  if (!opts.before || !opts.after) throw new UsageError('contract check needs BEFORE and AFTER', { hint: 'e.g. upshift contract check old/api.proto new/api.proto' });
  const r = await checkProtos(opts.before, opts.after, { category: opts.category, excludePaths: opts.excludePath ?? [], env: ctx.env });
  return r.breaking ? outcome(r, ExitCode.problem) : r;
}

export function render(r: CheckResult, format: string): string {
  if (format === 'sarif') {
    const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
    return checkSarif(r, version, resolve(r.after.endsWith('.proto') ? resolve(r.after, '..') : r.after));
  }
  if (!r.breaking) return `no breaking changes at ${r.category} (${r.before} -> ${r.after}; buf ${r.buf.version})\n`;
  return (
    `${r.findings.length} breaking change(s) at ${r.category} (${r.before} -> ${r.after}; buf ${r.buf.version}):\n` +
    renderTable({ head: ['rule', 'where', 'message'], rows: r.findings.map((f) => [f.rule, f.path ? `${f.path}:${f.line}:${f.column}` : '', f.message]) })
  );
}
