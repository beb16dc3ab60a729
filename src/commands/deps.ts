/**
 * `upshift deps [DIR]`: analyse a Go module's etcd dependency (discover -> analyse (pure) -> print).
 * No Go toolchain or network: go.mod, go.sum, vendor/modules.txt, .go files, and optionally
 * `go mod graph` / `go list -m -json all` output the user captured. `--verify` proves the plan with the
 * Go toolchain in a scratch copy (src/deps/verify.ts); without Go it says so and exits 3.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { ExitCode, UsageError, type ExitCodeValue } from '../core/errors.js';
import { severityRank } from '../core/finding.js';
import { note, type CommandContext } from '../core/context.js';
import { outcome } from './command.js';
import type { CommandOutcome } from '../core/errors.js';
import { analyzeModule, resolveTarget, type DepsReport, type Severity } from '../deps/analyze.js';
import { discoverModules, type ModuleInputs } from '../deps/discover.js';
import { verifyTree, type VerifyRun } from '../deps/verify.js';
import { GoModSyntaxError } from '../deps/gomod.js';
import { InputError, parseGoListJson, parseModGraph, type GraphEdge, type ListedModule } from '../deps/inputs.js';
import { DEFAULT_TARGET, pseudoVersionFor34 } from '../deps/knowledge/releases.js';
import { renderDepsSarif, renderDepsTable, type DepsResult } from '../deps/render.js';

export interface DepsOptions {
  dir?: string;
  target?: string;
  graph?: string;
  goList?: string;
  output?: string;
  failOn?: string;
  includeVendor?: boolean;
  /** Apply the plan in a scratch copy and build it with the Go toolchain. */
  verify?: boolean;
  /** For tests: text to use for `--graph -` instead of process.stdin. */
  stdinText?: string;
}

async function readInput(path: string, what: string, stdinText?: string): Promise<string> {
  if (path === '-') {
    if (stdinText !== undefined) return stdinText;
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${what}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { hint: `pass a file written by \`${what === '--graph' ? 'go mod graph' : 'go list -m -json all'} > FILE\`, or - for stdin` });
  }
}

/** Map parse errors of user inputs to exit 2, naming file:line:col. */
export function asUsageError(e: unknown, dir: string): never {
  if (e instanceof GoModSyntaxError) {
    throw new UsageError(`malformed go.mod: ${e.message}`, { code: 'gomod-syntax', hint: goModHint(e.reason), details: { file: e.file, line: e.pos.line, column: e.pos.col, reason: e.reason } });
  }
  if (e instanceof InputError) {
    throw new UsageError(`malformed input: ${e.message}`, { code: 'deps-input', details: { file: e.file, line: e.line, column: e.col, reason: e.reason } });
  }
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    throw new UsageError(`no go.mod in ${dir}`, { code: 'no-go-mod', hint: 'run upshift deps in (or pass) a Go module directory' });
  }
  throw e;
}

/** The fix for the etcd versions the go command refuses (reference §2.4), else a generic pointer. */
function goModHint(reason: string): string {
  const m = /go\.etcd\.io\/etcd: version "(v3\.4\.\d+)" invalid/.exec(reason);
  if (m) {
    const pv = pseudoVersionFor34(m[1]);
    return `etcd 3.4 tags cannot be required as versions; use the pseudo-version of the tag's commit${pv ? ` (go.etcd.io/etcd ${pv})` : ''}, or migrate to go.etcd.io/etcd/client/v3`;
  }
  const v2 = /go\.etcd\.io\/etcd\/client\/v2: version "v3\.5\.(\d+)" invalid/.exec(reason);
  if (v2) return `client/v2 is versioned v2.305.N for etcd 3.5.N: use go.etcd.io/etcd/client/v2 v2.305.${v2[1]}`;
  return 'fix the line shown (the go command reports the same problem)';
}

export interface AnalyzedTree {
  result: DepsResult;
  modules: ModuleInputs[];
  target: string;
}

export async function analyzeTree(opts: DepsOptions): Promise<AnalyzedTree> {
  const dir = resolve(opts.dir ?? '.');
  const target = resolveTarget(opts.target, DEFAULT_TARGET);
  if (!target) throw new UsageError(`--target ${opts.target}: not a known etcd release`, { hint: 'use a line (3.4, 3.5, 3.6, 3.7) or a release such as v3.5.33' });
  let graph: GraphEdge[] | undefined;
  let goList: ListedModule[] | undefined;
  try {
    if (opts.graph) graph = parseModGraph(await readInput(opts.graph, '--graph', opts.stdinText), opts.graph === '-' ? '<stdin>' : opts.graph);
    if (opts.goList) goList = parseGoListJson(await readInput(opts.goList, '--go-list', opts.stdinText), opts.goList === '-' ? '<stdin>' : opts.goList);
  } catch (e) {
    asUsageError(e, dir);
  }
  let modules;
  try {
    modules = await discoverModules(dir, { includeVendor: opts.includeVendor ?? false });
  } catch (e) {
    asUsageError(e, dir);
  }
  const [top, ...nested] = modules!;
  // Graph and go list output describe the top module only.
  const result: DepsResult = { ...analyzeModule(top, { target, ...(graph ? { graph } : {}), ...(goList ? { goList } : {}) }), root: dir };
  if (nested.length) result.nested = nested.map((m) => analyzeModule(m, { target }));
  return { result, modules: modules!, target };
}

export async function analyzeDir(opts: DepsOptions): Promise<DepsResult> {
  return (await analyzeTree(opts)).result;
}

/** Every report of the tree by module dir. */
export function reportsByDir(r: DepsReport): Map<string, DepsReport> {
  const m = new Map<string, DepsReport>([[r.dir, r]]);
  for (const n of r.nested ?? []) m.set(n.dir, n);
  return m;
}

/** Run --verify over an analysed tree and attach each module's result (and its graph-informed plan). */
export async function verifyAnalyzed(tree: AnalyzedTree, ctx: CommandContext, keepScratch = false): Promise<VerifyRun> {
  const run = await verifyTree(tree.modules, reportsByDir(tree.result), {
    root: tree.result.root!,
    target: tree.target,
    env: ctx.env,
    home: ctx.home,
    signal: ctx.signal,
    progress: (l) => note(ctx, `upshift: ${l}`),
    keepScratch,
  });
  const attach = (r: DepsReport): DepsReport => {
    const updated = run.reports.get(r.dir);
    const merged: DepsReport = updated && updated !== r ? { ...updated, ...(r.nested ? { nested: r.nested } : {}) } : r;
    const v = run.results.get(r.dir);
    if (v) merged.verify = v;
    return merged;
  };
  const top = attach(tree.result);
  tree.result = { ...top, root: tree.result.root!, ...(tree.result.nested ? { nested: tree.result.nested.map(attach) } : {}) };
  return run;
}

/** Exit code of a verification: 3 when it could not run (no Go), 1 when a plan does not build or misses the target. */
export function verifyExitCode(r: DepsReport): ExitCodeValue | undefined {
  const all = [r, ...(r.nested ?? [])].map((m) => m.verify).filter((v): v is NonNullable<typeof v> => v !== undefined);
  if (!all.length) return undefined;
  if (all.some((v) => !v.ran)) return ExitCode.environment;
  return all.some((v) => !verifyPassed(v)) ? ExitCode.problem : ExitCode.ok;
}

export function verifyPassed(v: NonNullable<DepsReport['verify']>): boolean {
  return v.ran && v.built && v.vetted && v.onTarget && v.problems.length === 0;
}

export function worstSeverity(r: DepsReport): Severity | undefined {
  let worst: Severity | undefined;
  for (const m of [r, ...(r.nested ?? [])]) for (const f of m.findings) if (!worst || severityRank[f.severity] < severityRank[worst]) worst = f.severity;
  return worst;
}

export async function run(opts: DepsOptions, ctx: CommandContext): Promise<DepsResult | CommandOutcome<DepsResult>> {
  const failOn = opts.failOn ?? 'blocker';
  if (!['none', 'info', 'warning', 'blocker'].includes(failOn)) throw new UsageError(`--fail-on ${failOn}: unknown level`, { hint: 'use warning or blocker (or none)' });
  const tree = await analyzeTree(opts);
  if (opts.verify) {
    // With --verify the exit code is the verification's: the findings describe the tree before the plan.
    await verifyAnalyzed(tree, ctx);
    const code = verifyExitCode(tree.result);
    if (code !== undefined) return code === ExitCode.ok ? tree.result : outcome(tree.result, code);
  }
  const result = tree.result;
  const worst = worstSeverity(result);
  if (failOn !== 'none' && worst && severityRank[worst] <= severityRank[failOn as Severity]) return outcome(result, ExitCode.problem);
  return result;
}

export function render(result: DepsResult, format: string): string {
  if (format === 'sarif') {
    // package.json sits two levels up from both src/commands and dist/commands.
    const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
    return renderDepsSarif(result, version);
  }
  return renderDepsTable(result);
}
