/**
 * The pure half of `deps --verify`: read what the go command printed (build, vet, tidy, get) into located
 * errors, each mapped to the known API change that explains it; and judge the build list `go list -m -json
 * all` reports after the plan against the target (every etcd module on the target line, no replacement
 * still pinning older code, no pre-3.5 generation left).
 */
import type { ListedModule } from './inputs.js';
import { etcdModuleOf } from './knowledge/families.js';
import { explainError } from './knowledge/api-changes.js';
import { etcdReleaseOf, grpcFloorOf, lineOf } from './knowledge/releases.js';
import { forkBaseRelease } from './replaces.js';
import { GRPC, LEGACY_FAMILIES } from './common.js';
import { compareSemver, isPseudoVersion, parseSemver } from './version.js';

export type VerifyStepKind = 'edit' | 'fix' | 'get' | 'tidy' | 'vendor' | 'build' | 'vet' | 'list';

export interface VerifyError {
  step: VerifyStepKind;
  /** Relative to the analysed directory; a dependency's file is shown as module@version/path. */
  file: string;
  line?: number;
  column?: number;
  message: string;
  /** The module (path@version) whose file it is, when not the user's. */
  module?: string;
  /** The known API change that explains the error, and how to fix it. */
  cause?: string;
  fix?: string;
  source?: string;
}

export interface VerifySelected {
  path: string;
  version: string;
  replacedBy?: string;
  /** On the target line (etcd modules), at or above the target's floor (grpc). */
  onTarget: boolean;
  note?: string;
}

export interface VerifyStep {
  command: string;
  ok: boolean;
  durationMs: number;
  /** 1: the plan as printed; 2: what re-analysing the result asked for (a dependency upgraded in round 1). */
  round: number;
  /** Last lines of output when the step failed. */
  output?: string;
}

export interface VerifyResult {
  /** False when the plan could not be verified at all (reason says why). */
  ran: boolean;
  reason?: string;
  go?: string;
  target: string;
  built: boolean;
  vetted: boolean;
  onTarget: boolean;
  selected: VerifySelected[];
  errors: VerifyError[];
  /** Why the plan does not work, in one line each (failed steps, modules off target). */
  problems: string[];
  steps: VerifyStep[];
  durationMs: number;
}

export interface ParseContext {
  /** Absolute directory the command ran in (a module of the scratch copy). */
  cwd: string;
  /** Absolute root of the scratch copy (= the analysed directory). */
  root: string;
  /** GOMODCACHE, to show dependency files as module@version/path. */
  modCache: string;
}

const NOISE = /^go: (downloading|finding module|found |upgraded|added|removed|downgraded|extracting|to add module requirements|module .* is deprecated)|^# |^note: |^\s*$|^go: warning: "\.\/\.\.\." matched no packages/;

/** Turn one absolute or cwd-relative path into the shown form. */
function showPath(p: string, ctx: ParseContext): { file: string; module?: string } {
  const abs = p.startsWith('/') ? p : `${ctx.cwd.replace(/\/$/, '')}/${p.replace(/^\.\//, '')}`;
  const mc = ctx.modCache.replace(/\/$/, '') + '/';
  if (abs.startsWith(mc)) {
    const rest = abs.slice(mc.length);
    const m = /^(.+?@[^/]+)\//.exec(rest);
    return { file: rest, ...(m ? { module: unescapeModPath(m[1]) } : {}) };
  }
  const root = ctx.root.replace(/\/$/, '') + '/';
  return { file: abs.startsWith(root) ? abs.slice(root.length) : p };
}

/** The module cache escapes upper-case letters as !x (go.dev/ref/mod#module-cache). */
function unescapeModPath(s: string): string {
  return s.replace(/!([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * Errors from go command output. `file:line:col: message` lines become located errors; `go: ...` errors
 * (with their tab-indented import-chain continuation lines) become module-level errors on go.mod.
 */
export function parseGoOutput(output: string, step: VerifyStepKind, ctx: ParseContext, goModFile = 'go.mod'): VerifyError[] {
  const out: VerifyError[] = [];
  const lines = output.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i].replace(/\r$/, '');
    if (NOISE.test(l) || /^\s/.test(l)) continue;
    l = l.replace(/^vet: /, '');
    const loc = /^((?:\/|\.{0,2}\/?)[^\s:]*\.go):(\d+)(?::(\d+))?: (.*)$/.exec(l);
    if (loc) {
      const shown = showPath(loc[1], ctx);
      out.push(withCause({ step, file: shown.file, line: Number(loc[2]), ...(loc[3] ? { column: Number(loc[3]) } : {}), message: loc[4], ...(shown.module ? { module: shown.module } : {}) }));
      continue;
    }
    if (/^too many errors$/.test(l)) continue;
    // go: <message>, possibly continued on tab-indented lines (import chains).
    let msg = l.replace(/^go: /, '');
    while (i + 1 < lines.length && /^\t/.test(lines[i + 1])) msg += ' ' + lines[++i].trim();
    const gm = /^(?:go\.mod|[^\s]*\/go\.mod):(\d+)(?::(\d+))?: (.*)$/.exec(msg);
    if (gm) out.push(withCause({ step, file: goModFile, line: Number(gm[1]), ...(gm[2] ? { column: Number(gm[2]) } : {}), message: gm[3] }));
    else out.push(withCause({ step, file: goModFile, message: msg }));
  }
  // The same error printed twice (vet repeats build errors) counts once.
  return out.filter((e, i) => out.findIndex((x) => x.file === e.file && x.line === e.line && x.message === e.message) === i);
}

function withCause(e: VerifyError): VerifyError {
  const x = explainError(e.message);
  return x ? { ...e, cause: x.change.cause, fix: x.fix, source: x.change.source } : e;
}

/**
 * The build list after the plan, judged against the target: etcd modules (and grpc, bbolt, raft for
 * context) with whether each is where the plan meant to put it.
 */
export function judgeBuildList(listed: readonly ListedModule[], target: string): { selected: VerifySelected[]; problems: string[] } {
  const selected: VerifySelected[] = [];
  const problems: string[] = [];
  const targetLine = lineOf(target);
  const is34 = compareSemver(target, 'v3.5.0') < 0;
  for (const m of listed) {
    if (m.Main || !m.Version) continue;
    const fam = etcdModuleOf(m.Path);
    const isGrpc = m.Path === GRPC;
    if (!isGrpc && (!fam || fam.module !== m.Path)) continue;
    const rep = m.Replace;
    const replacedBy = rep ? (rep.Version ? `${rep.Path} ${rep.Version}` : rep.Path) : undefined;
    const s: VerifySelected = { path: m.Path, version: m.Version, ...(replacedBy ? { replacedBy } : {}), onTarget: true };
    const inUse = rep?.Version ?? m.Version;
    if (isGrpc) {
      const floor = grpcFloorOf(target);
      if (floor && !is34 && compareSemver(inUse, floor) < 0) {
        s.onTarget = false;
        s.note = `below the grpc ${floor} etcd ${target} requires`;
      }
    } else if (fam!.family === 'split') {
      if (m.Path === 'go.etcd.io/etcd/tools/v3' || m.Path === 'go.etcd.io/etcd/v3') continue;
      if (rep && !rep.Version) {
        s.onTarget = false;
        s.note = `replaced by the local directory ${rep.Path}: which etcd it holds is not known`;
      } else {
        const rel = rep && rep.Path !== m.Path ? forkBaseRelease(rep.Version) : etcdReleaseOf(m.Path, inUse)?.release;
        const sv = rel ? parseSemver(rel) : undefined;
        if (m.Path === 'go.etcd.io/etcd/client/v2' && compareSemver(target, 'v3.6.0') >= 0) {
          s.onTarget = false;
          s.note = `client/v2 has no ${targetLine} release (3.5 code${rel ? `, etcd ${rel}` : ''})`;
        } else if (m.Path === 'go.etcd.io/etcd/raft/v3' && compareSemver(target, 'v3.6.0') >= 0) {
          s.onTarget = false;
          s.note = `3.5's raft module; etcd ${targetLine} uses go.etcd.io/raft/v3`;
        } else if (isPseudoVersion(inUse) || !rel || !sv || `${sv.major}.${sv.minor}` !== targetLine || compareSemver(rel, target) < 0) {
          s.onTarget = false;
          s.note = rep ? `replaced by ${replacedBy}${rel ? ` (etcd ${rel})` : ''}, not etcd ${target}` : isPseudoVersion(inUse) ? `an untagged commit, not etcd ${target}` : `etcd ${rel ?? inUse}, not ${target}`;
        }
      }
    } else if (LEGACY_FAMILIES.has(fam!.family)) {
      const rel = etcdReleaseOf(m.Path, inUse);
      if (!(is34 && fam!.family === 'etcd-root' && rel && lineOf(rel.release) === '3.4')) {
        s.onTarget = false;
        s.note = `a pre-3.5 etcd generation${rel ? ` (etcd ${rel.release})` : ''} still in the build`;
      }
    } else if (fam!.family === 'bbolt-coreos') {
      s.onTarget = false;
      s.note = 'the pre-rename bbolt path, brought by etcd ≤3.3 code';
    }
    selected.push(s);
    if (!s.onTarget) problems.push(`${m.Path} ${m.Version}${replacedBy ? ` => ${replacedBy}` : ''}: ${s.note}`);
  }
  return { selected, problems };
}
