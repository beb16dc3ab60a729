/**
 * The analysis (pure): from a module's parsed inputs to the `deps` report — etcd modules with versions,
 * direct/indirect, replacements, release mapping, MVS selection and requirement chains; imports with
 * their new homes; findings with stable codes; advisories; the commands to run.
 *
 * The code that builds is what counts: a `replace` decides it whatever `require` says (go.dev/ref/mod
 * #go-mod-file-replace), so releases, advisories, skew and grpc checks follow the replacement.
 */
import { bySeverity } from '../core/finding.js';
import type { ModuleInputs } from './discover.js';
import { GRPC, LEGACY_FAMILIES, effectiveReplace, replText } from './common.js';
import { planMigration } from './migration-plan.js';
import type { GraphEdge, ListedModule } from './inputs.js';
import { buildGraph, requirementChain, requirersOf, selectVersions, type ModuleGraph } from './mvs.js';
import { classifyReplace, dropReplaceArg, forkBaseRelease, type ReplaceInfo } from './replaces.js';
import { compareGoVersion, compareSemver, decodePseudoVersion, isIncompatible, parseSemver } from './version.js';
import { etcdModuleOf, mapImportPath, type Family } from './knowledge/families.js';
import { advisoriesFor, type AdvisoryHit } from './knowledge/advisories.js';
import {
  LATEST_PATCH,
  bboltVersionFor,
  etcdReleaseOf,
  goFloorOf,
  grpcFloorOf,
  grpcWindowOf,
  impliedEtcdRequires,
  lineOf,
  pseudoVersionFor34,
} from './knowledge/releases.js';

export type { Severity, DepsFinding, EtcdModuleReport, ImportReport, DepsReport } from './types.js';
import type { Severity, DepsFinding, EtcdModuleReport, ImportReport, DepsReport } from './types.js';

export interface AnalyzeOptions {
  /** Target etcd release, e.g. v3.6.14. */
  target: string;
  graph?: readonly GraphEdge[];
  goList?: readonly ListedModule[];
}

/** Families that are etcd itself (not bbolt, not the standalone raft module). */
const ETCD_FAMILIES: ReadonlySet<Family> = new Set(['coreos', 'etcd-root', 'etcd-v3-master', 'split']);

/** Normalise a user-given target ("3.5", "v3.6.14", "3.4.13") to a concrete release. */
export function resolveTarget(t: string | undefined, fallback: string): string {
  if (!t) return fallback;
  const s = t.startsWith('v') ? t : `v${t}`;
  const m = /^v3\.(\d+)$/.exec(s);
  if (m) return Number(m[1]) >= 4 && LATEST_PATCH[`3.${m[1]}`] ? LATEST_PATCH[`3.${m[1]}`] : '';
  const sv = parseSemver(s);
  if (!sv || sv.short || sv.major !== 3 || sv.minor < 4 || sv.minor > 7 || compareSemver(s, LATEST_PATCH[`3.${sv.minor}`]) > 0) return '';
  if (sv.minor === 4 && !pseudoVersionFor34(s)) return '';
  return s;
}

/** One version key per code: pseudo-versions of one commit are one version (they can differ in base only). */
function codeKey(e: EtcdModuleReport): string {
  if (e.replacement?.kind === 'local') return `local:${e.replacement.path}`;
  if (e.replacement?.kind === 'fork') return `fork:${e.replacement.path}@${e.replacement.version}`;
  const v = e.effective ?? e.selected ?? e.version;
  return decodePseudoVersion(v)?.commit.slice(0, 12) ?? v.replace(/\+.*$/, '');
}

export function analyzeModule(inp: ModuleInputs, opts: AnalyzeOptions): DepsReport {
  const mod = inp.mod;
  const target = opts.target;
  const prefix = inp.rel ? `${inp.rel}/` : '';
  const goModFile = `${prefix}go.mod`;
  const mainPath = mod.module?.path ?? '';
  const findings: DepsFinding[] = [];
  const add = (f: DepsFinding): void => {
    findings.push(f);
  };
  const at = (line: number, column?: number): { file: string; line: number; column?: number } => ({ file: goModFile, line, ...(column ? { column } : {}) });
  // etcd's own modules (client/v3/go.mod and friends) build their etcd modules from sibling directories.
  const ownEtcd = mainPath !== '' && ETCD_FAMILIES.has(etcdModuleOf(mainPath)?.family as Family);

  // ---- build list: go.mod requires, then graph (MVS), go list, vendor ----
  let graph: ModuleGraph | undefined;
  let selected: Map<string, string> | undefined;
  if (opts.graph && opts.graph.length) {
    const excluded = new Set(mod.exclude.map((e) => `${e.path}@${e.version}`));
    graph = buildGraph(opts.graph, excluded);
    selected = selectVersions(graph);
  }
  if (!selected && opts.goList) {
    selected = new Map(opts.goList.filter((m) => !m.Main && m.Version).map((m) => [m.Path, m.Version!]));
  }
  if (!selected && inp.vendor) selected = new Map(inp.vendor.filter((v) => v.version).map((v) => [v.path, v.version]));

  const replaces: ReplaceInfo[] = mod.replace.map(classifyReplace);
  const infoOf = (r: { pos: { line: number } } | undefined): ReplaceInfo | undefined => (r ? replaces.find((i) => i.replace === r) : undefined);

  const etcd = new Map<string, EtcdModuleReport>();
  const note = (path: string, version: string, seen: EtcdModuleReport['seenIn'][number], direct = false, line?: number): EtcdModuleReport | undefined => {
    const fam = etcdModuleOf(path);
    if (!fam || fam.module !== path) return undefined;
    let e = etcd.get(path);
    if (!e) {
      e = { path, version, direct, family: fam.family, seenIn: [] };
      if (line !== undefined) e.line = line;
      etcd.set(path, e);
    }
    if (!e.seenIn.includes(seen)) e.seenIn.push(seen);
    return e;
  };
  for (const r of mod.require) note(r.path, r.version, 'go.mod', !r.indirect, r.pos.line);
  if (selected) for (const [p, v] of selected) note(p, v, graph ? 'graph' : opts.goList ? 'go-list' : 'vendor');
  if (inp.vendor) for (const v of inp.vendor) note(v.path, v.version, 'vendor', v.explicit);
  if (inp.goSum) for (const s of inp.goSum) if (!s.goModOnly) note(s.path, s.version, 'go.sum');
  // A replaced etcd module that go.mod does not require comes in through a dependency; what builds is the
  // replacement (unless the graph says the module is not in the build at all: then the replace is inert).
  for (const ri of replaces) {
    const r = ri.replace;
    if (!ri.family || ri.kind === 'guard' || r.oldVersion || mod.require.some((q) => q.path === r.oldPath)) continue;
    if (selected && !selected.has(r.oldPath)) continue;
    note(r.oldPath, selected?.get(r.oldPath) ?? '', 'replace', false, r.pos.line);
  }

  /** Replacement, effective version and release of one entry (the replacement decides the code). */
  const resolve = (e: EtcdModuleReport): void => {
    const sel = selected?.get(e.path) ?? e.selected;
    if (sel) e.selected = sel;
    const base = sel && (!e.version || compareSemver(sel, e.version) > 0) ? sel : e.version;
    const rep = effectiveReplace(mod.replace, e.path, base);
    const info = infoOf(rep);
    let inUse = base;
    let rel = base ? etcdReleaseOf(e.path, base) : undefined;
    if (rep && info && info.kind !== 'guard') {
      e.replacedBy = replText(rep);
      const kind = info.kind === 'bbolt-pin' ? 'pin' : info.kind === 'bbolt-rename' ? 'redirect' : info.kind;
      if (kind === 'fork' || kind === 'pin' || kind === 'redirect' || kind === 'local') {
        e.replacement = { kind, path: rep.newPath, ...(rep.newVersion ? { version: rep.newVersion } : {}), line: rep.pos.line, versioned: Boolean(rep.oldVersion) };
      }
      if (kind === 'local') {
        inUse = '';
        rel = undefined;
      } else if (kind === 'fork') {
        inUse = rep.newVersion!;
        const b = forkBaseRelease(rep.newVersion);
        rel = b ? { release: b, ahead: 0, via: 'fork', describe: `fork ${rep.newPath} ${rep.newVersion}` } : undefined;
      } else if (rep.newVersion) {
        // `replace go.etcd.io/etcd => go.etcd.io/etcd <pseudo>` (kubernetes-style pins) swaps the code in use.
        inUse = rep.newVersion;
        rel = etcdModuleOf(rep.newPath) ? etcdReleaseOf(rep.newPath === e.path ? e.path : rep.newPath, rep.newVersion) : rel;
      }
    } else if (opts.goList) {
      const l = opts.goList.find((m) => m.Path === e.path)?.Replace;
      if (l) e.replacedBy = l.Version ? `${l.Path} ${l.Version}` : l.Path;
    }
    if (inUse && inUse !== e.version) e.effective = inUse;
    else delete e.effective;
    if (rel && ETCD_FAMILIES.has(e.family)) e.release = rel;
    else delete e.release;
    const pv = inUse ? decodePseudoVersion(inUse) : undefined;
    if (pv) e.pseudo = { base: pv.base, time: pv.time, commit: pv.commit };
    if (graph) {
      const chain = requirementChain(graph, e.path);
      if (chain) e.requiredBy = chain;
    }
  };
  for (const e of etcd.values()) resolve(e);

  // Without a graph, derive what each required etcd module brings at its version (its go.mod on the proxy):
  // a go 1.16-style go.mod lists client/v3 only, yet client/pkg/v3 at the same version is in the build.
  if (!selected) {
    const queue = [...etcd.values()].filter((e) => e.seenIn.some((s) => s === 'go.mod' || s === 'replace'));
    while (queue.length) {
      const parent = queue.shift()!;
      if (parent.replacement?.kind === 'local') continue;
      const pv = parent.release?.via === 'fork' ? parent.release.release : (parent.effective ?? parent.version);
      if (!pv) continue;
      const pVersion = pv;
      for (const imp of impliedEtcdRequires(parent.path, pVersion)) {
        let e = etcd.get(imp.path);
        const known = e !== undefined && e.seenIn.some((s) => s !== 'go.sum');
        const have = known ? e!.selected || e!.version : '';
        if (known && (e!.replacement || (have && compareSemver(have, imp.version) >= 0))) continue;
        if (!known) {
          e = note(imp.path, imp.version, 'implied');
          if (!e) continue;
          e.version = imp.version;
        } else {
          // MVS: the requirement the parent brings is higher than what go.mod lists.
          e!.selected = imp.version;
          if (!e!.seenIn.includes('implied')) e!.seenIn.push('implied');
        }
        e!.requiredBy = [mainPath, `${parent.path}@${pVersion}`, `${imp.path}@${imp.version}`];
        resolve(e!);
        queue.push(e!);
      }
    }
  }

  const etcdList = [...etcd.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  // go.sum-only entries are history, not the build list (go.dev/ref/mod#go-sum-files): keep them out of the report.
  const inBuild = etcdList.filter((e) => e.seenIn.some((s) => s !== 'go.sum'));
  const inUseOf = (e: EtcdModuleReport): string => e.effective ?? e.selected ?? e.version;

  // ---- grpc ----
  const grpcReq = mod.require.find((r) => r.path === GRPC);
  const grpcSel = selected?.get(GRPC);
  const grpcBase = grpcSel && (!grpcReq || compareSemver(grpcSel, grpcReq.version) > 0) ? grpcSel : grpcReq?.version;
  const grpcRep = effectiveReplace(mod.replace, GRPC, grpcBase ?? '');
  const grpcEffective = grpcRep?.newVersion ?? grpcBase;
  const grpc: DepsReport['grpc'] = grpcBase || grpcRep
    ? {
        version: grpcReq?.version ?? grpcSel ?? null,
        ...(grpcRep ? { replacedBy: replText(grpcRep) } : {}),
        ...(grpcSel ? { selected: grpcSel } : {}),
        ...(grpcEffective ? { effective: grpcEffective } : {}),
      }
    : { version: null };

  // ---- imports ----
  const imports: ImportReport[] = [];
  for (const f of inp.files) {
    if (f.error) {
      add({ severity: 'info', code: 'go-file-unreadable', message: `could not read the imports of ${prefix}${f.rel}: ${f.error}`, file: `${prefix}${f.rel}` });
      continue;
    }
    for (const im of f.header!.imports) {
      if (!etcdModuleOf(im.path)) continue;
      const m = mapImportPath(im.path, target);
      const r: ImportReport = { file: `${prefix}${f.rel}`, line: im.line, column: im.col, path: im.path, kind: m.kind };
      if (im.name !== undefined) r.name = im.name;
      if (m.to && m.to !== im.path) r.newPath = m.to;
      if (m.module) r.module = m.module;
      if (f.header!.buildConstraint) r.buildConstraint = f.header!.buildConstraint;
      imports.push(r);
      const loc = { file: r.file, line: r.line, column: r.column };
      switch (m.kind) {
        case 'rename':
          add({
            severity: 'warning',
            code: 'legacy-import-path',
            message: `${im.path} moved to ${m.to} (module ${m.module}) on etcd ${lineOf(target)}`,
            fix: `upshift deps fix rewrites it to "${m.to}"`,
            source: 'reference go-modules.md §1.6 / Appendix A (etcd git trees)',
            ...loc,
          });
          break;
        case 'api-change':
          add({ severity: 'warning', code: 'manual-migration-api-change', message: `${im.path} is an API change, not a move: ${m.note ?? ''}`.trim(), fix: 'port the code by hand; deps fix leaves this import alone', source: 'CHANGELOG-3.5', ...loc });
          break;
        case 'split':
          add({ severity: 'warning', code: 'manual-migration-split', message: `${im.path} was split across modules: ${(m.note ?? '').replace(/^SPLIT:\s*/, '')}`.trim(), fix: 'rewrite per symbol (Save -> client/v3/snapshot; Restore/Status -> etcdutl/v3/snapshot)', source: 'CHANGELOG-3.5', ...loc });
          break;
        case 'removed':
        case 'internal':
        case 'binary':
          add({ severity: 'warning', code: `package-${m.kind}`, message: `${im.path} has no public replacement on etcd ${lineOf(target)}${m.note ? `: ${m.note}` : ''}`, fix: 'remove the dependency or port to client/v3', ...loc });
          break;
        case 'unknown':
          add({ severity: 'info', code: 'unknown-etcd-package', message: `${im.path} is not a package of any known etcd release${m.note ? ` (${m.note})` : ''}`, ...loc });
          break;
        default:
          break;
      }
    }
  }

  // Direct use from the sources: go.dev/ref/mod#go-mod-file-require — "// indirect" means no package of the
  // module is imported by the main module.
  for (const e of inBuild) {
    const files = [...new Set(imports.filter((i) => etcdModuleOf(i.path)?.module === e.path).map((i) => i.file))];
    if (files.length) e.importedBy = files;
    const req = mod.require.find((r) => r.path === e.path);
    if (req?.indirect && files.length) {
      add({ severity: 'info', code: 'indirect-but-imported', message: `go.mod marks ${e.path} // indirect, but ${files[0]}${files.length > 1 ? ` and ${files.length - 1} more import it` : ' imports it'}`, fix: 'go mod tidy', file: goModFile, line: req.pos.line, column: req.pos.col });
    }
  }

  // ---- who uses etcd: this module, or only its dependencies ----
  const etcdInBuild = inBuild.filter((e) => ETCD_FAMILIES.has(e.family));
  const usesEtcd =
    imports.some((i) => ETCD_FAMILIES.has(etcdModuleOf(i.path)!.family) || etcdModuleOf(i.path)!.family === 'bbolt-coreos') ||
    mod.require.some((r) => !r.indirect && etcdModuleOf(r.path)?.module === r.path && (ETCD_FAMILIES.has(etcdModuleOf(r.path)!.family) || etcdModuleOf(r.path)!.family === 'bbolt-coreos'));
  const viaDependency = !ownEtcd && !usesEtcd && etcdInBuild.length > 0;
  const legacyViaDependency = viaDependency && etcdInBuild.some((e) => LEGACY_FAMILIES.has(e.family));
  /** The plan moves this module's own etcd code to the target line. */
  const migrating = !ownEtcd && usesEtcd;

  // ---- module-level findings ----
  const lineFor = (p: string): { file: string; line?: number; column?: number } => {
    const r = mod.require.find((x) => x.path === p);
    if (r) return { file: goModFile, line: r.pos.line, column: r.pos.col };
    const e = etcd.get(p);
    if (e?.replacement) return at(e.replacement.line);
    // A module another etcd module brings: point at the requirement that brings it.
    const parent = e?.seenIn.includes('implied') && e.requiredBy?.[1] ? e.requiredBy[1].slice(0, e.requiredBy[1].lastIndexOf('@')) : undefined;
    return parent && parent !== p ? lineFor(parent) : { file: goModFile };
  };

  for (const e of inBuild) {
    const loc = lineFor(e.path);
    if (LEGACY_FAMILIES.has(e.family) && e.seenIn.includes('go.mod') && migrating) {
      add({
        severity: 'warning',
        code: 'legacy-module-requirement',
        message: `go.mod requires ${e.path} ${e.version}${e.effective ? ` (replaced: ${e.effective} in use)` : ''}${e.release ? ` (etcd ${e.release.release}${e.release.ahead > 0 ? ` +${e.release.ahead} commits` : ''})` : ''}; the ${lineOf(target)} client lives in go.etcd.io/etcd/client/v3`,
        fix: 'move the imports (upshift deps fix); `go mod tidy` then drops the requirement',
        ...loc,
      });
    }
    // Invalid versions (reference §2.4).
    const used = inUseOf(e);
    // go.etcd.io/etcd v3.4.x and client/v2 v3.x never get here: the go.mod parser rejects them like the go command
    // (x/mod CheckPathMajor; reference §2.4) and the CLI's hint names the pseudo-version / v2.305.x to use.
    if ((e.path === 'go.etcd.io/etcd' || e.path === 'github.com/coreos/etcd') && /^v3\.3\.(14|23)\+incompatible$/.test(used)) {
      add({ severity: 'blocker', code: 'invalid-version', message: `${e.path} ${used} is a tag with a go.mod file, unusable as +incompatible and as v3`, fix: 'pick another 3.3 patch or migrate', source: 'git show v3.3.14:go.mod, v3.3.23:go.mod (reference §2.4)', ...loc });
    }
    if (e.path === 'go.etcd.io/etcd' && isIncompatible(used) && e.replacement?.kind !== 'fork') {
      add({
        severity: 'warning',
        code: 'incompatible-latest',
        message: `go.etcd.io/etcd ${used} is 3.3 code that \`go get …@latest\` picks (the newest v0/v1 tag is v0.5.0-alpha.5 of 2014); it imports github.com/coreos/etcd, so both paths end up in the build with distinct types`,
        fix: 'move to go.etcd.io/etcd/client/v3',
        source: 'etcd-io/etcd#12276, #10398; go.dev/ref/mod#incompatible-versions',
        ...loc,
      });
    }
    if (e.release?.via === 'commit-table' && e.release.ahead > 0) {
      const commented = mod.require.find((r) => r.path === e.path)?.stmt.comment ?? '';
      const misleading = /ae9734ed278b|v3\.4\.13/.test(commented + inp.goModText);
      add({
        severity: 'info',
        code: 'pseudo-version-not-a-tag',
        message: `${e.path} ${inUseOf(e)} is ${e.release.describe ?? `${e.release.release}+${e.release.ahead}`}, not ${e.release.release}${misleading ? ' (a comment in go.mod says otherwise)' : ''}`,
        ...loc,
      });
    } else if (e.release?.via === 'commit-table' && e.release.ahead < 0 && LEGACY_FAMILIES.has(e.family)) {
      add({ severity: 'info', code: 'pseudo-version-not-a-tag', message: `${e.path} ${inUseOf(e)} is ${e.release.describe ?? 'a master commit'}: development code that no release contains as such`, ...loc });
    } else if (e.release?.via === 'timestamp-estimate' && LEGACY_FAMILIES.has(e.family)) {
      add({ severity: 'info', code: 'pseudo-version-unknown-commit', message: `${e.path} ${e.version}: ${e.release.note ?? 'unknown commit'}; the nearest 3.4 tag by date is ${e.release.release}, but master commits interleave by timestamp`, ...loc });
    }
    if (e.path === 'github.com/coreos/etcd' && e.replacement?.kind !== 'local') {
      add({ severity: 'info', code: 'no-vuln-coverage', message: `the Go vuln DB has no entries for github.com/coreos/etcd${e.replacement?.kind === 'fork' ? ` (nor for the fork ${e.replacement.path})` : ''}: govulncheck reports nothing for this code even where it is affected`, source: 'golang/vulndb (reference §4.1)', ...loc });
    }
    if (e.family === 'bbolt-coreos') {
      const rep = effectiveReplace(mod.replace, e.path, e.selected ?? e.version);
      const mismatch = compareSemver(e.selected ?? e.version, 'v1.3.4') >= 0 && !rep;
      add({
        severity: mismatch ? 'blocker' : 'warning',
        code: 'coreos-bbolt',
        message: mismatch
          ? `github.com/coreos/bbolt ${e.selected ?? e.version}: "module declares its path as: go.etcd.io/bbolt but was required as: github.com/coreos/bbolt"`
          : `github.com/coreos/bbolt ${e.version} is the pre-rename path of go.etcd.io/bbolt (pulled in by etcd ≤3.3)${rep ? `; replaced by ${replText(rep)}` : ''}`,
        fix: 'migrate off etcd 3.3; use go.etcd.io/bbolt',
        source: 'etcd-io/etcd#11739, etcd-io/bbolt#249 (reference §2.5)',
        ...loc,
      });
    }
  }

  // Two generations linked at once (reference §2.6).
  const generations = new Map<string, EtcdModuleReport | undefined>();
  for (const e of inBuild) {
    const g =
      e.family === 'coreos' ? 'github.com/coreos/etcd'
      : e.family === 'etcd-root' ? (isIncompatible(inUseOf(e)) ? 'go.etcd.io/etcd (3.3 +incompatible)' : 'go.etcd.io/etcd')
      : e.family === 'etcd-v3-master' ? 'go.etcd.io/etcd/v3'
      : e.path === 'go.etcd.io/etcd/api/v3' ? 'go.etcd.io/etcd/api/v3'
      : undefined;
    if (g && !generations.has(g)) generations.set(g, e);
  }
  for (const im of imports) if (etcdModuleOf(im.path)?.family === 'coreos' && !generations.has('github.com/coreos/etcd')) generations.set('github.com/coreos/etcd', undefined);
  if (generations.size >= 2) {
    const first = [...generations.values()].map((e) => e && lineFor(e.path)).find((l) => l?.line);
    add({
      severity: 'blocker',
      code: 'multiple-etcd-generations',
      message: `${generations.size} etcd generations in one build (${[...generations.keys()].join(', ')}): each registers the same protobuf names (etcdserverpb.*, mvccpb.*, authpb.*), which panics at init ("proto: duplicate enum registered") or is fatal since google.golang.org/protobuf v1.26`,
      fix: 'keep one generation: move everything to the 3.5+ modules (and upgrade the dependencies that still bring an old one)',
      source: 'micro/go-micro#493, etcd-io/etcd#11098 (reference §2.6)',
      ...(first ?? { file: goModFile }),
    });
  }
  if (inBuild.some((e) => e.path === 'go.etcd.io/raft/v3') && inBuild.some((e) => e.path === 'go.etcd.io/etcd/raft/v3')) {
    add({ severity: 'warning', code: 'multiple-raft-modules', message: 'both go.etcd.io/etcd/raft/v3 and go.etcd.io/raft/v3 are in the build; they are different modules registering the same raftpb names', fix: 'use go.etcd.io/raft/v3 only (etcd ≥3.6)', ...lineFor('go.etcd.io/etcd/raft/v3') });
  }

  // Version skew across split modules (modules.md rule 1), judged on the code in use: two modules replaced to
  // the same commit are one version, whatever their pseudo-versions say.
  const split = inBuild.filter((e) => e.family === 'split' && e.path !== 'go.etcd.io/etcd/client/v2' && e.path !== 'go.etcd.io/etcd/tools/v3' && e.replacement?.kind !== 'local' && !(e.seenIn.length === 1 && e.seenIn[0] === 'implied'));
  const skewed = new Set(split.map(codeKey)).size > 1;
  if (skewed && !ownEtcd) {
    const first = split.map((e) => lineFor(e.path)).find((l) => l.line);
    add({
      severity: 'warning',
      code: 'etcd-version-skew',
      message: `etcd modules at different versions: ${split.map((e) => `${e.path}@${inUseOf(e)}`).join(', ')}; all etcd modules are released together and must be used at one version`,
      fix: `go get ${split.map((e) => `${e.path}@${target}`).join(' ')}`,
      source: 'etcd Documentation/contributor-guide/modules.md rule 1',
      ...(first ?? { file: goModFile }),
    });
  }

  // grpc window per etcd release in use (reference §1.4).
  const grpcLoc = grpcReq ? { file: goModFile, line: grpcReq.pos.line, column: grpcReq.pos.col } : grpcRep ? at(grpcRep.pos.line, grpcRep.pos.col) : { file: goModFile };
  if (grpcEffective) {
    for (const e of inBuild) {
      if (!(LEGACY_FAMILIES.has(e.family) || e.path === 'go.etcd.io/etcd/client/v3') || !e.release || (e.release.ahead < 0 && e.release.via !== 'timestamp-estimate')) continue;
      if (e.replacement?.kind === 'fork' && LEGACY_FAMILIES.has(e.family)) {
        // Legacy forks (ozonru/etcd "-grpc1.27") exist to fix the grpc coupling: their business.
        add({ severity: 'info', code: 'fork-replacement', message: `${e.path} is replaced by the fork ${e.replacement.path} ${e.replacement.version ?? ''}`.trimEnd() + '; grpc compatibility depends on the fork', ...at(e.replacement.line) });
        continue;
      }
      const w = grpcWindowOf(e.release.release);
      const floor = grpcFloorOf(e.release.release);
      const tooNew = w?.grpcMax && compareSemver(grpcEffective, w.grpcMax) > 0;
      const tooOld = (w?.grpcMin && compareSemver(grpcEffective, w.grpcMin) < 0) || (floor && compareSemver(grpcEffective, floor) < 0 && e.family === 'split');
      if (tooNew || tooOld) {
        const dup = findings.find((f) => f.code === 'grpc-incompatible' && f.message.includes(`(etcd ${e.release!.release})`));
        if (dup) {
          dup.message = dup.message.replace(' does not work with ', ` does not work with ${e.path} and `);
          continue;
        }
        add({
          severity: 'blocker',
          code: 'grpc-incompatible',
          message: `google.golang.org/grpc ${grpcEffective}${grpcRep ? ' (forced by replace)' : ''} does not work with ${e.path} (etcd ${e.release.release}): ${tooNew ? `needs grpc ≤ ${w!.grpcMax}` : `needs grpc ≥ ${w?.grpcMin ?? floor}`} — ${w?.why ?? 'go.mod requirement of the etcd client'}`,
          fix: tooNew ? `migrate to go.etcd.io/etcd/client/v3@${target}` : 'drop the grpc replace/pin and let MVS select the version etcd requires',
          source: tooNew ? 'etcd-io/etcd#11563, #12124, #12724 (reference §2.1, §2.2)' : 'reference §1.4',
          ...grpcLoc,
        });
      }
    }
  }

  // ---- replaces: what each one does to the upgrade, and which ones the plan drops ----
  const drops: ReplaceInfo[] = [];
  const targetFloor = grpcFloorOf(target);
  const changesVersion = (e: EtcdModuleReport): boolean => compareSemver(e.release?.release ?? e.selected ?? e.version, target) !== 0 || e.release?.via === 'fork';
  for (const ri of replaces) {
    const r = ri.replace;
    const loc = at(r.pos.line, r.pos.col);
    const rt = replText(r);
    if (ri.kind === 'grpc-pin') {
      if (compareSemver(r.newVersion!, 'v1.30.0') < 0) {
        add(
          migrating
            ? { severity: 'warning', code: 'grpc-replace-stopgap', message: `replace ${GRPC} => ${rt} is the stop-gap for etcd ≤3.4 clients; etcd ${lineOf(target)} needs grpc ≥ ${targetFloor ?? 'v1.38.0'}`, fix: `go mod edit -dropreplace=${dropReplaceArg(r)}`, source: 'micro/go-micro#2091, nitro-plugins#575 (reference §2.1)', ...loc }
            : { severity: 'info', code: 'grpc-replace-stopgap', message: `replace ${GRPC} => ${rt} keeps the etcd ≤3.4 code ${viaDependency ? 'that a dependency brings ' : ''}compiling; it must stay until that code moves to etcd ≥3.5`, source: 'micro/go-micro#2091, nitro-plugins#575 (reference §2.1)', ...loc },
        );
        if (migrating) drops.push(ri);
      } else if (targetFloor && compareSemver(r.newVersion!, targetFloor) < 0 && (migrating || (viaDependency && !legacyViaDependency))) {
        add({
          severity: 'warning',
          code: 'grpc-replace-below-target',
          message: `replace ${GRPC} => ${rt} forces grpc ${r.newVersion} on every build, below the ${targetFloor} that etcd ${target} requires (client/v3 go.mod): after the upgrade the etcd client would be compiled against an older grpc than it needs`,
          fix: `go mod edit -dropreplace=${dropReplaceArg(r)} (MVS then selects grpc ≥ ${targetFloor})`,
          source: `go.etcd.io/etcd/client/v3@${target} go.mod (proxy.golang.org)`,
          ...loc,
        });
        drops.push(ri);
      }
      continue;
    }
    if (ri.kind === 'bbolt-rename') {
      add({ severity: 'info', code: 'bbolt-replace', message: `replace ${r.oldPath} => ${rt}: a stop-gap for the bbolt rename, not needed once etcd ≤3.3 is gone${migrating ? '' : ' (keep it while a dependency still brings etcd ≤3.3)'}`, ...(migrating ? { fix: `go mod edit -dropreplace=${dropReplaceArg(r)}` } : {}), ...loc });
      if (migrating) drops.push(ri);
      continue;
    }
    if (ri.kind === 'bbolt-pin') {
      const need = compareSemver(target, 'v3.5.0') >= 0 ? bboltVersionFor(target) : undefined;
      // Only etcd's storage (server/v3, etcdutl/v3) needs the target's bbolt; a pin for the module's own bbolt use stays.
      const bboltInBuild = inBuild.some((e) => e.path === 'go.etcd.io/etcd/server/v3' || e.path === 'go.etcd.io/etcd/etcdutl/v3') || (migrating && imports.some((i) => /^go\.etcd\.io\/etcd\/(server|etcdutl)\/v3(\/|$)/.test(i.newPath ?? i.path)));
      if (need && compareSemver(r.newVersion!, need) < 0 && bboltInBuild && (migrating || viaDependency)) {
        add({ severity: 'warning', code: 'bbolt-pin', message: `replace ${r.oldPath} => ${rt} pins bbolt below the ${need} that etcd ${target}'s server/v3 requires; the pin would hold the upgraded server on older storage code`, fix: `go mod edit -dropreplace=${dropReplaceArg(r)}`, source: `go.etcd.io/etcd/server/v3@${target} go.mod (proxy.golang.org)`, ...loc });
        drops.push(ri);
      }
      continue;
    }
    if (!ri.family || ri.kind === 'guard' || ri.kind === 'other') continue;
    const e = etcd.get(r.oldPath);
    if (ownEtcd) continue; // etcd's own workspace replaces
    if (LEGACY_FAMILIES.has(ri.family)) {
      if (ri.kind === 'fork' || (ri.kind === 'local' && !migrating)) {
        if (!migrating && (!e || !e.seenIn.includes('go.mod')) && !findings.some((f) => f.code === 'fork-replacement' && f.line === r.pos.line)) {
          add({ severity: 'info', code: 'fork-replacement', message: `${r.oldPath} comes in through a dependency and is replaced by ${rt}: that ${ri.kind === 'local' ? 'directory' : 'fork'} is the etcd code this module builds`, ...loc });
        }
        if (migrating) drops.push(ri);
        continue;
      }
      add({ severity: 'info', code: 'legacy-replace', message: `replace ${r.oldPath} => ${rt} pins a legacy etcd path${migrating ? '' : ' that a dependency still brings'}`, ...(migrating ? { fix: `go mod edit -dropreplace=${dropReplaceArg(r)}` } : {}), ...loc });
      if (migrating) drops.push(ri);
      continue;
    }
    // 3.5+ modules (split, raft): a replace that outlives the upgrade.
    if (!e || !(migrating || viaDependency)) continue;
    if (r.oldVersion) {
      if (compareSemver(r.oldVersion, target) !== 0) {
        add({ severity: 'info', code: 'replace-stale', message: `replace ${r.oldPath} ${r.oldVersion} => ${rt} applies to ${r.oldVersion} only; once ${r.oldPath} moves to ${target} it no longer applies`, fix: `go mod edit -dropreplace=${dropReplaceArg(r)}`, ...loc });
        drops.push(ri);
      }
      continue;
    }
    if (!changesVersion(e) && ri.kind !== 'local') continue;
    const what =
      ri.kind === 'local' ? `the local directory ${r.newPath} (its version cannot be read from go.mod, and advisories cannot be judged)`
      : ri.kind === 'fork' ? `the fork ${rt}${e.release ? ` (etcd ${e.release.release})` : ''}`
      : `${rt}${e.release ? ` (etcd ${e.release.release}${e.release.ahead > 0 ? ` +${e.release.ahead}` : ''})` : ''}`;
    add({
      severity: 'warning',
      code: 'replace-overrides-upgrade',
      message: `replace ${r.oldPath} => ${rt} applies to every version: whatever go.mod requires (and \`go get ${r.oldPath}@${target}\` changes only the require), the build uses ${what}`,
      fix:
        ri.kind === 'fork' ? `drop it (go mod edit -dropreplace=${dropReplaceArg(r)}), or point it at the fork's ${lineOf(target)} release (go mod edit -replace=${r.oldPath}=${r.newPath}@<its ${lineOf(target)} tag>)`
        : ri.kind === 'local' ? `update ${r.newPath} to etcd ${target}, or drop the replace (go mod edit -dropreplace=${dropReplaceArg(r)})`
        : `drop it (go mod edit -dropreplace=${dropReplaceArg(r)})`,
      source: 'go.dev/ref/mod#go-mod-file-replace',
      ...loc,
    });
    drops.push(ri);
  }

  // etcd only through dependencies: this module's imports do not change; the dependency decides.
  const requirers = new Map<string, string>();
  if (viaDependency) {
    for (const e of etcdInBuild) {
      const direct = e.requiredBy && e.requiredBy.length > 2 ? e.requiredBy[1] : undefined;
      if (direct && LEGACY_FAMILIES.has(e.family)) {
        const at2 = direct.lastIndexOf('@');
        requirers.set(direct.slice(0, at2), direct.slice(at2 + 1));
      }
    }
    const legacy = etcdInBuild.filter((e) => LEGACY_FAMILIES.has(e.family));
    const via = [...requirers].map(([p, v]) => `${p} ${v}`).join(', ');
    const first = etcdInBuild.map((e) => lineFor(e.path)).find((l) => l.line);
    add({
      severity: legacyViaDependency ? 'warning' : 'info',
      code: 'etcd-via-dependency',
      message: legacyViaDependency
        ? `etcd reaches this module only through ${via ? `dependencies (${via})` : 'a dependency'}: ${legacy.map((e) => `${e.path}${e.replacement ? ` => ${e.replacement.path}${e.replacement.version ? ' ' + e.replacement.version : ''}` : ''}`).join(', ')} is a pre-3.5 generation that no require or import of this module can move; only a release of that dependency built on go.etcd.io/etcd/client/v3 can`
        : `etcd reaches this module only through dependencies (no import of an etcd package; every etcd requirement is // indirect): the plan raises those modules to ${target}, which the dependencies must compile against`,
      fix: legacyViaDependency ? (via ? `upgrade ${[...requirers.keys()].join(', ')} (go get <module>@latest), then re-run upshift deps` : 'find the dependency with `go mod graph` (or run upshift deps --verify) and upgrade it') : 'upshift deps --verify proves it builds',
      ...(first ?? { file: goModFile }),
    });
  }
  if (ownEtcd) {
    add({ severity: 'info', code: 'etcd-own-module', message: `${mainPath} is one of etcd's own modules: its etcd requirements come from sibling directories (local replaces) and its FORBIDDEN_DEPENDENCY replaces guard against legacy paths; nothing to migrate`, file: goModFile });
  }

  // Target line needs (client/v2 gone in 3.6).
  const v2Req = mod.require.find((r) => r.path === 'go.etcd.io/etcd/client/v2');
  const usesV2 = imports.some((i) => /^(github\.com\/coreos\/etcd|go\.etcd\.io\/etcd|go\.etcd\.io\/etcd\/v3)\/client$/.test(i.path) || i.path === 'go.etcd.io/etcd/client/v2' || i.path.startsWith('go.etcd.io/etcd/client/v2/'));
  if ((usesV2 || (v2Req && !v2Req.indirect)) && compareSemver(target, 'v3.6.0') >= 0 && !ownEtcd) {
    add({ severity: 'warning', code: 'client-v2-unavailable', message: `the v2 API client (package client) is not published for etcd ${lineOf(target)}; only go.etcd.io/etcd/client/v2 v2.305.x (etcd 3.5) exists`, fix: 'port to client/v3, or target 3.5 (`--target 3.5`) and use client/v2 v2.305.x', source: 'CHANGELOG-3.6 rc.3, CHANGELOG-3.7', ...(v2Req ? at(v2Req.pos.line, v2Req.pos.col) : { file: goModFile }) });
  }

  // ---- advisories (judged on the code in use: forks by their base release; local checkouts cannot be judged) ----
  const advisories: AdvisoryHit[] = [];
  for (const e of inBuild) {
    if (!ETCD_FAMILIES.has(e.family) || e.replacement?.kind === 'local') continue;
    const fork = e.replacement?.kind === 'fork' ? e.replacement : undefined;
    const v = fork ? e.release?.release : e.effective ?? e.selected ?? e.version;
    if (!v) continue;
    const rel = e.release ?? etcdReleaseOf(e.path, v);
    const hits = advisoriesFor(e.path, v, rel).map((h) =>
      fork ? { ...h, version: fork.version ?? v, reportedByVulnDb: false, note: `judged by the fork's base release ${v}: govulncheck sees the module ${fork.path}, which the Go vuln DB does not cover` } : h,
    );
    advisories.push(...hits);
    const affected = hits.filter((h) => h.affected);
    if (affected.length) {
      // One finding per module (the advisories list has the detail); the DB's blind spots get one more.
      const fixedIn = [...new Set(affected.map((h) => h.fixedIn).filter(Boolean))].join(', ');
      add({
        severity: 'warning',
        code: 'vulnerable-version',
        message: `${e.path} ${fork ? `${fork.path} ${fork.version ?? ''} (fork of etcd ${v})` : `${v}${rel && rel.ahead >= 0 ? ` (etcd ${rel.release})` : ''}`} is affected by ${affected.length} advisor${affected.length === 1 ? 'y' : 'ies'}: ${affected.map((h) => h.id).join(', ')}${fixedIn ? ` — fixed in ${fixedIn}` : ''}`,
        source: 'golang/vulndb @a752ea54',
        fix: viaDependency && LEGACY_FAMILIES.has(e.family) ? 'upgrade the dependency that brings it (see etcd-via-dependency)' : `move to ${e.family === 'split' ? `${e.path}@${target}` : `go.etcd.io/etcd/client/v3@${target}`}`,
        ...lineFor(e.path),
      });
    }
    const missed = affected.filter((x) => !x.reportedByVulnDb);
    if (missed.length) {
      add({
        severity: 'warning',
        code: 'vuln-db-false-negative',
        message: `govulncheck cannot report ${missed.length === 1 ? 'this advisory' : `these ${missed.length} advisories`} for ${e.path}: ${missed.map((h) => h.id).join(', ')} — ${missed[0].note ?? 'not reported by govulncheck'}`,
        source: `golang/vulndb data/reports (${missed.map((h) => h.id).join(', ')}); reference §4.1`,
        ...lineFor(e.path),
      });
    }
  }

  // ---- target requirements and commands ----
  const goFloor = compareSemver(target, 'v3.5.0') >= 0 ? goFloorOf(target) : undefined;
  const plan = planMigration({
    mod,
    rel: inp.rel,
    target,
    imports,
    inBuild,
    skewed,
    migrating,
    viaDependency,
    drops: drops.map((d) => d.replace),
    requirers: [...requirers.keys()],
    vendored: inp.vendor !== undefined,
    ...(goFloor ? { goFloor } : {}),
    ...(graph ? { stillRequired: (p: string) => requirersOf(graph!, p).some((r) => r.from !== mainPath && !r.from.startsWith(`${mainPath}@`)) } : {}),
  });
  if (goFloor && mod.go && compareGoVersion(mod.go.version, goFloor) < 0 && plan.commands.length) {
    add({
      severity: 'info',
      code: 'go-directive-floor',
      message: `go.etcd.io/etcd/client/v3 ${target} declares go ${goFloor}; with Go ≥1.21 your go line (${mod.go.version}) is raised to at least that, so the plan raises it first: from go 1.17 on the go command loads a pruned module graph, which keeps the go get and go mod tidy steps from reading the go.mod of every module ever required`,
      fix: `go mod edit -go=${goFloor}`,
      source: 'go.dev/ref/mod#go-mod-file-go, #graph-pruning; client/v3/go.mod',
      ...at(mod.go.pos.line, mod.go.pos.col),
    });
  }

  findings.sort((a, b) => bySeverity(a, b) || (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  const count = (s: Severity): number => findings.filter((f) => f.severity === s).length;
  return {
    module: mainPath,
    dir: inp.rel,
    ...(mod.go ? { go: mod.go.version } : {}),
    ...(mod.toolchain ? { toolchain: mod.toolchain.name } : {}),
    target,
    etcd: inBuild,
    grpc,
    imports,
    findings,
    advisories,
    commands: plan.commands,
    ...(viaDependency ? { viaDependency } : {}),
    replacesToDrop: plan.replacesToDrop,
    targetRequires: plan.targetRequires,
    legacyRequires: plan.legacyRequires,
    summary: {
      blockers: count('blocker'),
      warnings: count('warning'),
      infos: count('info'),
      legacyImports: imports.filter((i) => i.newPath !== undefined || i.kind !== 'unchanged').length,
      filesScanned: inp.files.length,
    },
  };
}
