/**
 * The analysis (pure): from a module's parsed inputs to the `deps` report — etcd modules with versions,
 * direct/indirect, replacements, release mapping, MVS selection and requirement chains; imports with
 * their new homes; findings with stable codes; advisories; the commands to run.
 */
import { bySeverity } from '../core/finding.js';
import type { ModuleInputs } from './discover.js';
import { GRPC, LEGACY_FAMILIES, effectiveReplace, replText } from './common.js';
import { planMigration } from './migration-plan.js';
import type { GraphEdge, ListedModule } from './inputs.js';
import { buildGraph, requirementChain, selectVersions, type ModuleGraph } from './mvs.js';
import { compareGoVersion, compareSemver, decodePseudoVersion, isIncompatible, parseSemver } from './version.js';
import { etcdModuleOf, isKnownFork, mapImportPath } from './knowledge/families.js';
import { advisoriesFor, type AdvisoryHit } from './knowledge/advisories.js';
import {
  LATEST_PATCH,
  etcdReleaseOf,
  goFloorOf,
  grpcFloorOf,
  grpcWindowOf,
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
  /** Path prefix for file locations (module dir relative to the analysed dir). */
}

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

export function analyzeModule(inp: ModuleInputs, opts: AnalyzeOptions): DepsReport {
  const mod = inp.mod;
  const target = opts.target;
  const prefix = inp.rel ? `${inp.rel}/` : '';
  const goModFile = `${prefix}go.mod`;
  const findings: DepsFinding[] = [];
  const add = (f: DepsFinding): void => {
    findings.push(f);
  };

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

  const etcd = new Map<string, EtcdModuleReport>();
  const note = (path: string, version: string, seen: EtcdModuleReport['seenIn'][number], direct = false, line?: number): void => {
    const fam = etcdModuleOf(path);
    if (!fam || fam.module !== path) return;
    let e = etcd.get(path);
    if (!e) {
      e = { path, version, direct, family: fam.family, seenIn: [] };
      if (line !== undefined) e.line = line;
      etcd.set(path, e);
    }
    if (!e.seenIn.includes(seen)) e.seenIn.push(seen);
  };
  for (const r of mod.require) note(r.path, r.version, 'go.mod', !r.indirect, r.pos.line);
  if (selected) for (const [p, v] of selected) note(p, v, graph ? 'graph' : opts.goList ? 'go-list' : 'vendor');
  if (inp.vendor) for (const v of inp.vendor) note(v.path, v.version, 'vendor', v.explicit);
  if (inp.goSum) for (const s of inp.goSum) if (!s.goModOnly) note(s.path, s.version, 'go.sum');

  for (const e of etcd.values()) {
    const sel = selected?.get(e.path);
    if (sel) e.selected = sel;
    const effective = sel && compareSemver(sel, e.version) > 0 ? sel : e.version;
    const rep = effectiveReplace(mod.replace, e.path, effective);
    if (rep) e.replacedBy = replText(rep);
    else if (opts.goList) {
      const l = opts.goList.find((m) => m.Path === e.path)?.Replace;
      if (l) e.replacedBy = l.Version ? `${l.Path} ${l.Version}` : l.Path;
    }
    // `replace go.etcd.io/etcd => go.etcd.io/etcd <pseudo>` (kubernetes-style pins) swaps the code in use.
    const inUse = rep?.newVersion && rep.newPath === e.path ? rep.newVersion : effective;
    if (inUse !== e.version) e.effective = inUse;
    const rel = etcdReleaseOf(e.path, rep?.newVersion && etcdModuleOf(rep.newPath) ? rep.newVersion : inUse);
    if (rel && e.family !== 'bbolt' && e.family !== 'bbolt-coreos' && e.family !== 'raft') e.release = rel;
    const pv = decodePseudoVersion(inUse);
    if (pv) e.pseudo = { base: pv.base, time: pv.time, commit: pv.commit };
    if (graph) {
      const chain = requirementChain(graph, e.path);
      if (chain) e.requiredBy = chain;
    }
  }
  const etcdList = [...etcd.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  // go.sum-only entries are history, not the build list (go.dev/ref/mod#go-sum-files): keep them out of the report.
  const inBuild = etcdList.filter((e) => e.seenIn.some((s) => s !== 'go.sum'));

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

  // ---- module-level findings ----
  const lineFor = (p: string): { file: string; line?: number; column?: number } => {
    const r = mod.require.find((x) => x.path === p);
    return r ? { file: goModFile, line: r.pos.line, column: r.pos.col } : { file: goModFile };
  };

  for (const e of inBuild) {
    const loc = lineFor(e.path);
    if (LEGACY_FAMILIES.has(e.family) && e.seenIn.includes('go.mod')) {
      add({
        severity: 'warning',
        code: 'legacy-module-requirement',
        message: `go.mod requires ${e.path} ${e.version}${e.effective ? ` (replaced: ${e.effective} in use)` : ''}${e.release ? ` (etcd ${e.release.release}${e.release.ahead > 0 ? ` +${e.release.ahead} commits` : ''})` : ''}; the ${lineOf(target)} client lives in go.etcd.io/etcd/client/v3`,
        fix: `go get ${e.path}@none after moving the imports`,
        ...loc,
      });
    }
    // Invalid versions (reference §2.4).
    const used = e.effective ?? e.version;
    // go.etcd.io/etcd v3.4.x and client/v2 v3.x never get here: the go.mod parser rejects them like the go command
    // (x/mod CheckPathMajor; reference §2.4) and the CLI's hint names the pseudo-version / v2.305.x to use.
    if ((e.path === 'go.etcd.io/etcd' || e.path === 'github.com/coreos/etcd') && /^v3\.3\.(14|23)\+incompatible$/.test(used)) {
      add({ severity: 'blocker', code: 'invalid-version', message: `${e.path} ${used} is a tag with a go.mod file, unusable as +incompatible and as v3`, fix: 'pick another 3.3 patch or migrate', source: 'git show v3.3.14:go.mod, v3.3.23:go.mod (reference §2.4)', ...loc });
    }
    if (e.path === 'go.etcd.io/etcd' && isIncompatible(used)) {
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
        message: `${e.path} ${e.effective ?? e.version} is ${e.release.describe ?? `${e.release.release}+${e.release.ahead}`}, not ${e.release.release}${misleading ? ' (a comment in go.mod says otherwise)' : ''}`,
        ...loc,
      });
    } else if (e.release?.via === 'commit-table' && e.release.ahead < 0 && LEGACY_FAMILIES.has(e.family)) {
      add({ severity: 'info', code: 'pseudo-version-not-a-tag', message: `${e.path} ${e.effective ?? e.version} is ${e.release.describe ?? 'a master commit'}: development code that no release contains as such`, ...loc });
    } else if (e.release?.via === 'timestamp-estimate' && LEGACY_FAMILIES.has(e.family)) {
      add({ severity: 'info', code: 'pseudo-version-unknown-commit', message: `${e.path} ${e.version}: ${e.release.note ?? 'unknown commit'}; the nearest 3.4 tag by date is ${e.release.release}, but master commits interleave by timestamp`, ...loc });
    }
    if (e.path === 'github.com/coreos/etcd') {
      add({ severity: 'info', code: 'no-vuln-coverage', message: 'the Go vuln DB has no entries for github.com/coreos/etcd: govulncheck reports nothing for this code even where it is affected', source: 'golang/vulndb (reference §4.1)', ...loc });
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
  const generations = new Set<string>();
  for (const e of inBuild) {
    if (e.family === 'coreos') generations.add('github.com/coreos/etcd');
    if (e.family === 'etcd-root') generations.add(isIncompatible(e.effective ?? e.version) ? 'go.etcd.io/etcd (3.3 +incompatible)' : 'go.etcd.io/etcd');
    if (e.family === 'etcd-v3-master') generations.add('go.etcd.io/etcd/v3');
    if (e.path === 'go.etcd.io/etcd/api/v3') generations.add('go.etcd.io/etcd/api/v3');
  }
  for (const im of imports) {
    const fam = etcdModuleOf(im.path)?.family;
    if (fam === 'coreos') generations.add('github.com/coreos/etcd');
  }
  if (generations.size >= 2) {
    add({
      severity: 'blocker',
      code: 'multiple-etcd-generations',
      message: `${generations.size} etcd generations in one build (${[...generations].join(', ')}): each registers the same protobuf names (etcdserverpb.*, mvccpb.*, authpb.*), which panics at init ("proto: duplicate enum registered") or is fatal since google.golang.org/protobuf v1.26`,
      fix: 'keep one generation: move everything to the 3.5+ modules and `go get` the old paths @none',
      source: 'micro/go-micro#493, etcd-io/etcd#11098 (reference §2.6)',
      file: goModFile,
    });
  }
  if (etcd.has('go.etcd.io/etcd/raft/v3') && etcd.has('go.etcd.io/raft/v3') && inBuild.some((e) => e.path === 'go.etcd.io/raft/v3') && inBuild.some((e) => e.path === 'go.etcd.io/etcd/raft/v3')) {
    add({ severity: 'warning', code: 'multiple-raft-modules', message: 'both go.etcd.io/etcd/raft/v3 and go.etcd.io/raft/v3 are in the build; they are different modules registering the same raftpb names', fix: 'use go.etcd.io/raft/v3 only (etcd ≥3.6)', file: goModFile });
  }

  // Version skew across split modules (modules.md rule 1).
  const split = inBuild.filter((e) => e.family === 'split' && e.path !== 'go.etcd.io/etcd/client/v2' && e.path !== 'go.etcd.io/etcd/tools/v3');
  const splitVersions = new Set(split.map((e) => e.selected ?? e.version));
  if (splitVersions.size > 1) {
    add({
      severity: 'warning',
      code: 'etcd-version-skew',
      message: `etcd modules at different versions: ${split.map((e) => `${e.path}@${e.selected ?? e.version}`).join(', ')}; all etcd modules are released together and must be used at one version`,
      fix: `go get ${split.map((e) => `${e.path}@${target}`).join(' ')}`,
      source: 'etcd Documentation/contributor-guide/modules.md rule 1',
      file: goModFile,
    });
  }

  // grpc window per etcd release in use (reference §1.4).
  const grpcLoc = grpcReq ? { file: goModFile, line: grpcReq.pos.line, column: grpcReq.pos.col } : { file: goModFile };
  if (grpcEffective) {
    for (const e of inBuild) {
      if (!(LEGACY_FAMILIES.has(e.family) || e.path === 'go.etcd.io/etcd/client/v3') || !e.release || e.release.ahead < 0 && e.release.via !== 'timestamp-estimate') continue;
      const rep = effectiveReplace(mod.replace, e.path, e.version);
      if (rep && isKnownFork(rep.newPath)) {
        add({ severity: 'info', code: 'fork-replacement', message: `${e.path} is replaced by the fork ${replText(rep)}; grpc compatibility depends on the fork`, file: goModFile, line: rep.pos.line, column: rep.pos.col });
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
  for (const r of mod.replace) {
    if (r.oldPath === GRPC && r.newVersion && compareSemver(r.newVersion, 'v1.30.0') < 0) {
      add({
        severity: 'warning',
        code: 'grpc-replace-stopgap',
        message: `replace ${GRPC} => ${replText(r)} is the stop-gap for etcd ≤3.4 clients; etcd ${lineOf(target)} needs grpc ≥ ${grpcFloorOf(target) ?? 'v1.38.0'}`,
        fix: `go mod edit -dropreplace=${GRPC}`,
        source: 'micro/go-micro#2091, nitro-plugins#575 (reference §2.1)',
        file: goModFile,
        line: r.pos.line,
        column: r.pos.col,
      });
    }
    if ((r.oldPath === 'github.com/coreos/bbolt' && r.newPath === 'go.etcd.io/bbolt') || (r.oldPath === 'go.etcd.io/bbolt' && r.newPath === 'github.com/coreos/bbolt')) {
      add({ severity: 'info', code: 'bbolt-replace', message: `replace ${r.oldPath} => ${replText(r)}: a stop-gap for the bbolt rename, not needed once etcd ≤3.3 is gone`, fix: `go mod edit -dropreplace=${r.oldPath}`, file: goModFile, line: r.pos.line, column: r.pos.col });
    }
    const fam = etcdModuleOf(r.oldPath);
    if (fam && LEGACY_FAMILIES.has(fam.family) && !isKnownFork(r.newPath)) {
      add({ severity: 'info', code: 'legacy-replace', message: `replace ${r.oldPath} => ${replText(r)} pins a legacy etcd path`, fix: `go mod edit -dropreplace=${r.oldPath}`, file: goModFile, line: r.pos.line, column: r.pos.col });
    }
  }

  // Target line needs (go directive floor, client/v2 gone in 3.6).
  const goFloor = goFloorOf(target);
  if (goFloor && mod.go && compareGoVersion(mod.go.version, goFloor) < 0) {
    add({ severity: 'info', code: 'go-directive-floor', message: `go.etcd.io/etcd/client/v3 ${target} declares go ${goFloor}; with Go ≥1.21 your go line (${mod.go.version}) will be raised to at least that`, source: 'go.dev/ref/mod#go-mod-file-go; client/v3/go.mod', file: goModFile, line: mod.go.pos.line, column: mod.go.pos.col });
  }
  const usesV2 = imports.some((i) => /^(github\.com\/coreos\/etcd|go\.etcd\.io\/etcd|go\.etcd\.io\/etcd\/v3)\/client$/.test(i.path) || i.path === 'go.etcd.io/etcd/client/v2' || i.path.startsWith('go.etcd.io/etcd/client/v2/'));
  if (usesV2 && compareSemver(target, 'v3.6.0') >= 0) {
    add({ severity: 'warning', code: 'client-v2-unavailable', message: `the v2 API client (package client) is not published for etcd ${lineOf(target)}; only go.etcd.io/etcd/client/v2 v2.305.x (etcd 3.5) exists`, fix: 'port to client/v3, or target 3.5 (`--target 3.5`) and use client/v2 v2.305.x', source: 'CHANGELOG-3.6 rc.3, CHANGELOG-3.7', file: goModFile });
  }

  // ---- advisories ----
  const advisories: AdvisoryHit[] = [];
  for (const e of inBuild) {
    if (e.family === 'bbolt' || e.family === 'bbolt-coreos' || e.family === 'raft') continue;
    const v = e.effective ?? e.version;
    const rel = e.release ?? etcdReleaseOf(e.path, v);
    const hits = advisoriesFor(e.path, v, rel);
    advisories.push(...hits);
    const affected = hits.filter((h) => h.affected);
    if (affected.length) {
      // One finding per module (the advisories list has the detail); the DB's blind spots get their own.
      const fixedIn = [...new Set(affected.map((h) => h.fixedIn).filter(Boolean))].join(', ');
      add({
        severity: 'warning',
        code: 'vulnerable-version',
        message: `${e.path} ${v}${rel && rel.ahead >= 0 ? ` (etcd ${rel.release})` : ''} is affected by ${affected.length} advisor${affected.length === 1 ? 'y' : 'ies'}: ${affected.map((h) => h.id).join(', ')}${fixedIn ? ` — fixed in ${fixedIn}` : ''}`,
        source: 'golang/vulndb @a752ea54',
        fix: `move to go.etcd.io/etcd/client/v3@${target}`,
        ...lineFor(e.path),
      });
    }
    for (const h of affected.filter((x) => !x.reportedByVulnDb)) {
      add({ severity: 'warning', code: 'vuln-db-false-negative', message: `${h.id} (${h.aliases.join(', ')}): ${h.note ?? 'not reported by govulncheck'}`, source: h.source, ...lineFor(e.path) });
    }
  }

  // ---- target requirements and commands ----
  const { targetRequires, legacyRequires, replacesToDrop, commands } = planMigration({ mod, rel: inp.rel, target, imports, inBuild, skewed: splitVersions.size > 1 });

  findings.sort((a, b) => bySeverity(a, b) || (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  const count = (s: Severity): number => findings.filter((f) => f.severity === s).length;
  return {
    module: mod.module?.path ?? '',
    dir: inp.rel,
    ...(mod.go ? { go: mod.go.version } : {}),
    ...(mod.toolchain ? { toolchain: mod.toolchain.name } : {}),
    target,
    etcd: inBuild,
    grpc,
    imports,
    findings,
    advisories,
    commands,
    replacesToDrop,
    targetRequires,
    legacyRequires,
    summary: {
      blockers: count('blocker'),
      warnings: count('warning'),
      infos: count('info'),
      legacyImports: imports.filter((i) => i.newPath !== undefined || i.kind !== 'unchanged').length,
      filesScanned: inp.files.length,
    },
  };
}
