/**
 * `deps --verify` (effectful): prove a migration plan with the real Go toolchain. The analysed tree is copied
 * to a scratch directory (the user's tree is never touched here), each module's plan is run there exactly as
 * printed (`go mod edit`, `upshift deps fix` in-process, `go get`, `go mod tidy`, `go mod vendor`), then
 * `go build ./...` and `go vet ./...`; `go list -m all` says what the build now selects. What the go command
 * prints is read by verify-report.ts (pure).
 *
 * Two refinements over running the printed plan blindly: when etcd comes through dependencies or legacy
 * requirements are involved, the module's real graph (`go mod graph`) is read first and the plan recomputed
 * with it (who requires what, which requirement can go); and after the plan, the result is analysed again,
 * and what that asks for (e.g. raising the split modules a just-upgraded dependency brings) runs as round 2.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { EnvironmentError, errorMessage } from '../core/errors.js';
import { formatDuration } from '../core/output.js';
import { findGo, runGo, type GoTool } from '../binaries/gotool.js';
import { logTail } from '../binaries/gobuild.js';
import { analyzeModule, type DepsReport } from './analyze.js';
import { discoverModules, type ModuleInputs } from './discover.js';
import { computeFix, writeEdits } from './fix.js';
import { isLocalPath } from './gomod.js';
import { compareGoVersion } from './version.js';
import { LEGACY_FAMILIES } from './common.js';
import { etcdModuleOf } from './knowledge/families.js';
import { parseModGraph, type ListedModule } from './inputs.js';
import { requirersOf, buildGraph } from './mvs.js';
import { judgeBuildList, parseGoOutput, type ParseContext, type VerifyError, type VerifyResult, type VerifyStep, type VerifyStepKind } from './verify-report.js';

export type { VerifyResult } from './verify-report.js';

export interface VerifyOptions {
  /** The analysed directory (absolute). */
  root: string;
  target: string;
  env: NodeJS.ProcessEnv;
  home: string;
  signal?: AbortSignal;
  /** Progress lines (stderr). */
  progress: (line: string) => void;
  /** Deadline of each go command (default 20 min: cold builds of etcd's server take minutes on 2 cores). */
  stepDeadlineMs?: number;
  /** Keep the scratch copy (deps fix --verify copies the result back); the caller removes it. */
  keepScratch?: boolean;
}

export interface VerifyRun {
  /** Reports by module dir, recomputed with the real module graph where one was read. */
  reports: Map<string, DepsReport>;
  results: Map<string, VerifyResult>;
  /** The scratch copy of the tree (only with keepScratch). */
  scratch?: string;
}

const SKIP_COPY = new Set(['.git', 'node_modules', '.hg', '.svn']);

/** Modules worth verifying: those with an etcd dependency or a plan. */
export function needsVerify(r: DepsReport): boolean {
  return r.etcd.length > 0 || r.commands.length > 0;
}

export async function verifyTree(modules: readonly ModuleInputs[], reports: ReadonlyMap<string, DepsReport>, opts: VerifyOptions): Promise<VerifyRun> {
  const out: VerifyRun = { reports: new Map(reports), results: new Map() };
  const todo = modules.filter((m) => m.goModText !== '' && reports.get(m.rel) && needsVerify(reports.get(m.rel)!));
  if (!todo.length) return out;
  let tool: GoTool;
  try {
    tool = await findGo(opts.env, opts.home, 'upshift deps --verify', 60_000, opts.signal);
  } catch (e) {
    if (e instanceof EnvironmentError && (e.code === 'go-missing' || e.code === 'go-broken')) {
      // findGo's hint speaks of building etcd (--source); here only the user's own build needs Go.
      const hint = e.code === 'go-missing' ? 'install Go (https://go.dev/dl) and put its bin directory on PATH; the analysis above does not need it' : (e.hint ?? '');
      for (const m of todo) out.results.set(m.rel, notRun(opts.target, `${e.message}; ${hint}`.trim()));
      return out;
    }
    throw e;
  }
  // Verify builds what the user builds: their cgo and target platform settings, not the installer's.
  for (const k of ['CGO_ENABLED', 'GOOS', 'GOARCH'] as const) {
    if (opts.env[k] === undefined) delete tool.procEnv[k];
    else tool.procEnv[k] = opts.env[k];
  }
  const scratch = await mkdtemp(join(tmpdir(), 'upshift-verify-'));
  const src = join(scratch, 'src');
  try {
    opts.progress(`verify: copying ${opts.root} to ${src} (the original is not modified)`);
    await cp(opts.root, src, { recursive: true, filter: (from) => !SKIP_COPY.has(from.slice(from.lastIndexOf(sep) + 1)) || from === opts.root });
    for (const m of todo) {
      const t0 = performance.now();
      const r = await verifyModule(m, reports.get(m.rel)!, tool, src, opts);
      r.result.durationMs = Math.round(performance.now() - t0);
      out.results.set(m.rel, r.result);
      out.reports.set(m.rel, r.report);
    }
    if (opts.keepScratch) out.scratch = src;
    return out;
  } finally {
    if (!opts.keepScratch) await rm(scratch, { recursive: true, force: true });
  }
}

function notRun(target: string, reason: string): VerifyResult {
  return { ran: false, reason, target, built: false, vetted: false, onTarget: false, selected: [], errors: [], problems: [], steps: [], durationMs: 0 };
}

async function verifyModule(m: ModuleInputs, report0: DepsReport, tool: GoTool, src: string, opts: VerifyOptions): Promise<{ report: DepsReport; result: VerifyResult }> {
  const target = opts.target;
  const dir = join(src, m.rel);
  const prefix = m.rel ? `${m.rel}/` : '';
  const goModFile = `${prefix}go.mod`;
  const deadlineMs = opts.stepDeadlineMs ?? 20 * 60_000;
  const result: VerifyResult = { ran: true, go: tool.env.GOVERSION, target, built: false, vetted: false, onTarget: false, selected: [], errors: [], problems: [], steps: [], durationMs: 0 };
  const pctx: ParseContext = { cwd: dir, root: src, modCache: tool.env.GOMODCACHE };
  const label = m.rel ? `${m.rel}: ` : '';

  const go = async (args: string[], kind: VerifyStepKind, round: number, record = true): Promise<{ ok: boolean; stdout: string; stderr: string }> => {
    const command = `go ${args.join(' ')}`;
    opts.progress(`verify: ${label}$ ${args.includes('-f') ? `go ${args.slice(0, args.indexOf('-f')).join(' ')} ${args.at(-1)}` : command}`);
    const r = await runGo(tool, args, 'upshift deps --verify', { cwd: dir, deadlineMs, signal: opts.signal });
    const ok = r.code === 0;
    opts.progress(`verify: ${label}  ${ok ? 'ok' : `FAILED (exit ${r.code})`} in ${formatDuration(r.durationMs)}`);
    if (record) result.steps.push({ command, ok, durationMs: Math.round(r.durationMs), round, ...(ok ? {} : { output: logTail(r.stderr || r.stdout, 30) }) });
    return { ok, stdout: r.stdout, stderr: r.stderr };
  };
  const fail = (command: string, stderr: string, kind: VerifyStepKind): void => {
    const errs = parseGoOutput(stderr, kind, pctx, goModFile);
    result.errors.push(...errs);
    result.problems.push(`\`${command}\` failed: ${errs[0]?.message ?? (logTail(stderr, 1) || 'no output')}`);
  };

  // Local replaces that point outside the copied tree keep pointing at the original directories.
  for (const r of m.mod.replace) {
    if (!isLocalPath(r.newPath)) continue;
    const abs = resolve(m.dir, r.newPath);
    if (abs === opts.root || abs.startsWith(opts.root + sep)) continue;
    const left = r.oldVersion ? `${r.oldPath}@${r.oldVersion}` : r.oldPath;
    await go(['mod', 'edit', `-replace=${left}=${abs}`], 'edit', 0, false);
  }

  // The real graph where the plan depends on who requires what.
  let report = report0;
  const legacy = report0.etcd.some((e) => e.family === 'coreos' || e.family === 'etcd-root' || e.family === 'etcd-v3-master');
  if (report0.viaDependency || legacy) {
    // A go 1.16 module's graph is unpruned: with today's dependencies that is thousands of go.mod downloads.
    // The pruned view (what the plan's raised go line will load) answers who requires what just as well.
    const pruned = !m.mod.go || compareGoVersion(m.mod.go.version, '1.17') < 0 ? ['-go=1.17'] : [];
    const g = await go(['mod', 'graph', ...pruned], 'list', 0, false);
    if (g.ok) {
      try {
        report = { ...analyzeModule(m, { target, graph: parseModGraph(g.stdout, 'go mod graph') }) };
      } catch (e) {
        opts.progress(`verify: ${label}could not read go mod graph (${errorMessage(e)}); keeping the plan from go.mod`);
      }
    } else opts.progress(`verify: ${label}go mod graph failed; keeping the plan from go.mod (${logTail(g.stderr, 1)})`);
  }

  const runPlan = async (commands: readonly string[], round: number): Promise<void> => {
    for (const c of commands) {
      if (c.startsWith('go build')) continue;
      if (c.startsWith('upshift deps fix')) {
        const t0 = performance.now();
        opts.progress(`verify: ${label}$ ${c} (in-process)`);
        const [mod] = await discoverModules(dir);
        const fix = computeFix([mod], target);
        await writeEdits(dir, [...fix.modEdits, ...fix.fileEdits]);
        result.steps.push({ command: c, ok: true, durationMs: Math.round(performance.now() - t0), round });
        continue;
      }
      const args = c.split(' ').slice(1);
      const kind: VerifyStepKind = args[0] === 'get' ? 'get' : args[1] === 'tidy' ? 'tidy' : args[1] === 'vendor' ? 'vendor' : 'edit';
      const r = await go(args, kind, round);
      if (r.ok) continue;
      fail(c, r.stderr, kind);
      // Keep going as far as the go command allows, so the report shows every error, not only the first.
      if (kind === 'tidy') await go(['mod', 'tidy', '-e'], 'tidy', round);
    }
  };
  await runPlan(report.commands, 1);

  // Round 2: what the plan's result still asks for (only actionable steps; at most once).
  if (!result.steps.some((s) => !s.ok)) {
    try {
      const [after] = await discoverModules(dir);
      const again = analyzeModule(after, { target }).commands.filter((c) => /^(go mod edit|go get|upshift deps fix)/.test(c));
      const ran = new Set(result.steps.map((s) => s.command));
      if (again.length && !again.every((c) => ran.has(c))) await runPlan([...again, 'go mod tidy'], 2);
    } catch (e) {
      opts.progress(`verify: ${label}could not re-analyse the result (${errorMessage(e)})`);
    }
  }

  // Build and vet, as the plan's last step says.
  const build = await go(['build', './...'], 'build', 0);
  if (build.ok) {
    result.built = true;
    const vet = await go(['vet', './...'], 'vet', 0);
    result.vetted = vet.ok;
    if (!vet.ok) {
      const errs = parseGoOutput(vet.stderr, 'vet', pctx, goModFile);
      result.errors.push(...errs);
      result.problems.push(`go vet ./... reports ${errs.length} problem${errs.length === 1 ? '' : 's'}`);
    }
  } else {
    const errs = parseGoOutput(build.stderr, 'build', pctx, goModFile);
    result.errors.push(...errs);
    result.problems.push(`go build ./... fails: ${errs.length} error${errs.length === 1 ? '' : 's'}${errs[0] ? ` (first: ${errs[0].file}${errs[0].line ? `:${errs[0].line}` : ''}: ${errs[0].message})` : ''}`);
    // A load error (a missing package) stops go build before compiling anything: build what loads, for the rest.
    if (!errs.some((e) => e.line && !e.module)) await buildWhatLoads(go, result, pctx, goModFile);
  }

  // What the build selects now.
  const list = await go(['list', '-mod=mod', '-m', '-f', '{{.Path}}\t{{.Version}}\t{{with .Replace}}{{.Path}}\t{{.Version}}{{end}}\t{{.Main}}', 'all'], 'list', 0, false);
  if (list.ok) {
    // The modules whose packages this build compiles (test dependencies of dependencies are not among them).
    const deps = await go(['list', '-e', '-mod=mod', '-deps', '-f', '{{with .Module}}{{.Path}}{{end}}', './...'], 'list', 0, false);
    const built = deps.ok ? new Set(deps.stdout.split('\n').filter(Boolean)) : undefined;
    const judged = judgeBuildList(parseListLines(list.stdout), target, built);
    result.selected = judged.selected;
    result.onTarget = judged.problems.length === 0 && judged.selected.some((s) => s.path.startsWith('go.etcd.io/etcd/'));
    if (judged.problems.length) {
      const g = await go(['mod', 'graph'], 'list', 0, false);
      const graph = g.ok ? buildGraph(parseModGraph(g.stdout, 'go mod graph')) : undefined;
      const importers = await legacyImporters(dir, prefix);
      for (const p of judged.problems) {
        const path = p.slice(0, p.indexOf(' '));
        const by = graph ? [...new Set(requirersOf(graph, path).map((x) => x.from).filter((f) => f.includes('@')))] : [];
        const files = importers.get(path) ?? [];
        const why = [
          ...(files.length ? [`imported by ${files.slice(0, 3).join(', ')}${files.length > 3 ? ` and ${files.length - 3} more` : ''}: imports the plan could not move`] : []),
          ...(by.length ? [`required by ${by.slice(0, 3).join(', ')}${by.length > 3 ? ` and ${by.length - 3} more` : ''}`] : []),
        ];
        result.problems.push(`not on the target: ${p}${why.length ? ` (${why.join('; ')})` : ''}`);
      }
    } else if (!result.onTarget) {
      result.problems.push('no go.etcd.io/etcd module is in the build after the plan');
    }
  } else {
    fail('go list -m all', list.stderr, 'list');
  }
  return { report, result };
}

/** After a load failure: report each package's load error, then build the packages that load. */
async function buildWhatLoads(
  go: (args: string[], kind: VerifyStepKind, round: number, record?: boolean) => Promise<{ ok: boolean; stdout: string; stderr: string }>,
  result: VerifyResult,
  pctx: ParseContext,
  goModFile: string,
): Promise<void> {
  const l = await go(['list', '-e', '-mod=mod', '-f', '{{.ImportPath}}\t{{if or .Error .DepsErrors}}bad{{end}}', './...'], 'list', 0, false);
  if (!l.ok) return;
  const good = l.stdout
    .split('\n')
    .map((x) => x.split('\t'))
    .filter(([p, bad]) => p && !bad)
    .map(([p]) => p);
  if (!good.length) return;
  const b = await go(['build', ...good], 'build', 0, false);
  if (!b.ok) {
    const seen = new Set(result.errors.map((e) => `${e.file}:${e.line}:${e.message}`));
    for (const e of parseGoOutput(b.stderr, 'build', pctx, goModFile)) if (!seen.has(`${e.file}:${e.line}:${e.message}`)) result.errors.push(e);
  }
}

/** Files of the (planned) module that still import a pre-3.5 etcd path, by module path. */
async function legacyImporters(dir: string, prefix: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  try {
    const [mod] = await discoverModules(dir);
    for (const f of mod.files) {
      for (const im of f.header?.imports ?? []) {
        const fam = etcdModuleOf(im.path);
        if (!fam || !LEGACY_FAMILIES.has(fam.family)) continue;
        const list = out.get(fam.module) ?? [];
        list.push(`${prefix}${f.rel}:${im.line} (${im.path})`);
        out.set(fam.module, list);
      }
    }
  } catch {
    /* reported elsewhere */
  }
  return out;
}

function parseListLines(text: string): ListedModule[] {
  const out: ListedModule[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const [path, version, rPath, rVersion, main] = line.split('\t');
    out.push({
      Path: path,
      ...(version ? { Version: version } : {}),
      ...(main === 'true' ? { Main: true } : {}),
      ...(rPath ? { Replace: { Path: rPath, ...(rVersion ? { Version: rVersion } : {}) } } : {}),
    });
  }
  return out;
}

/** Files of the scratch copy that differ from the user's tree (go.mod, go.sum, .go, vendor/), for deps fix --verify. */
export async function changedFiles(root: string, scratch: string, modules: readonly ModuleInputs[]): Promise<{ file: string; before?: string; after?: string }[]> {
  const { readFile, readdir } = await import('node:fs/promises');
  const read = async (p: string): Promise<string | undefined> => readFile(p, 'utf8').catch(() => undefined);
  const out: { file: string; before?: string; after?: string }[] = [];
  const consider = async (rel: string): Promise<void> => {
    const [b, a] = await Promise.all([read(join(root, rel)), read(join(scratch, rel))]);
    if (b !== a) out.push({ file: rel, ...(b !== undefined ? { before: b } : {}), ...(a !== undefined ? { after: a } : {}) });
  };
  const walk = async (base: string, rel: string, acc: Set<string>): Promise<void> => {
    const entries = await readdir(join(base, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(base, r, acc);
      else acc.add(r);
    }
  };
  for (const m of modules) {
    if (!m.goModText) continue;
    const p = m.rel ? `${m.rel}/` : '';
    await consider(`${p}go.mod`);
    await consider(`${p}go.sum`);
    for (const f of m.files) await consider(`${p}${f.rel}`);
    const vendor = new Set<string>();
    await walk(root, `${p}vendor`, vendor);
    await walk(scratch, `${p}vendor`, vendor);
    for (const f of vendor) await consider(f);
  }
  return out;
}
