/**
 * The migration plan for one module (pure): which modules to require at the target line, which legacy
 * requirements and replaces go, and the commands to run, in the order that works:
 *   1. `go mod edit -go=F`: the target's client declares go F and `go get` would raise the line anyway;
 *      raising it first makes every later step load a pruned module graph (go.dev/ref/mod#graph-pruning) —
 *      on a go 1.16 module the unpruned graph of today's grpc means thousands of go.mod downloads.
 *   2. `go mod edit -dropreplace=...`: replaces that would pin old code past the upgrade, and stop-gaps.
 *   3. `upshift deps fix`: import paths (and the same go.mod edits).
 *   4. `go get` the target modules; for etcd that only a dependency brings, `go get <dependency>@latest`.
 *   5. `go mod tidy` (drops the legacy requirements no import needs any more — never `go get X@none`, which
 *      also removes every module that requires X), `go mod vendor` when vendored, build and vet.
 */
import type { GoMod, Replace } from './gomod.js';
import type { EtcdModuleReport, ImportReport } from './types.js';
import { LEGACY_FAMILIES, replText } from './common.js';
import { dropReplaceArg } from './replaces.js';
import { etcdModuleOf } from './knowledge/families.js';
import { pseudoVersionFor34, raftVersionFor } from './knowledge/releases.js';
import { compareGoVersion, compareSemver, parseSemver } from './version.js';

export interface MigrationInput {
  mod: GoMod;
  /** Module directory relative to the analysed one ('' = top). */
  rel: string;
  target: string;
  imports: readonly ImportReport[];
  /** etcd-related modules in the build list. */
  inBuild: readonly EtcdModuleReport[];
  /** The split etcd modules are used at different versions. */
  skewed: boolean;
  /** This module's own etcd use (imports, direct requirements) moves to the target. */
  migrating: boolean;
  /** etcd comes only through dependencies. */
  viaDependency: boolean;
  /** Replaces to drop (decided by the analysis, each with its finding). */
  drops: readonly Replace[];
  /** Direct dependencies that bring a legacy etcd generation (from the graph). */
  requirers: readonly string[];
  vendored: boolean;
  /** `go` line of the target's client/v3. */
  goFloor?: string;
  /** Whether a module other than the main one requires this path (known with a graph). */
  stillRequired?: (path: string) => boolean;
}

export interface MigrationPlan {
  targetRequires: { path: string; version: string }[];
  legacyRequires: string[];
  replacesToDrop: { line: number; text: string }[];
  commands: string[];
}

const NOT_PINNED = new Set(['go.etcd.io/etcd/v3', 'go.etcd.io/etcd/tools/v3', 'go.etcd.io/bbolt']);

function client2For(target: string): string | undefined {
  const sv = parseSemver(target)!;
  return sv.minor === 5 ? `v2.305.${sv.patch}` : undefined;
}

export function planMigration(input: MigrationInput): MigrationPlan {
  const { mod, rel, target, imports, inBuild, migrating, viaDependency } = input;
  const is34 = compareSemver(target, 'v3.5.0') < 0;
  const is36 = compareSemver(target, 'v3.6.0') >= 0;
  const targetRequires: { path: string; version: string }[] = [];
  const want = (path: string): void => {
    if (targetRequires.some((t) => t.path === path) || NOT_PINNED.has(path)) return;
    if (path === 'go.etcd.io/raft/v3') targetRequires.push({ path, version: raftVersionFor(target) });
    else if (path === 'go.etcd.io/etcd/client/v2') {
      const v = client2For(target);
      if (v) targetRequires.push({ path, version: v });
    } else if (path === 'go.etcd.io/etcd/raft/v3' && is36) return;
    else targetRequires.push({ path, version: target });
  };
  const hasLegacy = inBuild.some((e) => LEGACY_FAMILIES.has(e.family) && e.seenIn.includes('go.mod')) || imports.some((i) => LEGACY_FAMILIES.has(etcdModuleOf(i.path)!.family));

  if (migrating) {
    if (is34) {
      if (hasLegacy) targetRequires.push({ path: 'go.etcd.io/etcd', version: pseudoVersionFor34(target)! });
    } else {
      const needed = new Set<string>();
      for (const im of imports) if (im.module && (im.kind === 'rename' || im.kind === 'unchanged' || im.kind === 'api-change')) needed.add(im.module);
      for (const im of imports) if (im.kind === 'split') needed.add('go.etcd.io/etcd/client/v3');
      if (hasLegacy && needed.size === 0) needed.add('go.etcd.io/etcd/client/v3');
      if (needed.has('go.etcd.io/etcd/client/v3') || needed.has('go.etcd.io/etcd/server/v3')) {
        needed.add('go.etcd.io/etcd/api/v3');
        needed.add('go.etcd.io/etcd/client/pkg/v3');
      }
      for (const m of [...needed].sort()) want(m);
      // Split modules go.mod already requires move too (no skew), client/v2 to its v2.305.N pair on 3.5.
      for (const e of inBuild) if (e.family === 'split' && e.seenIn.includes('go.mod')) want(e.path);
      // The client trio moves together (modules.md rule 1): client/v3 or server/v3 bring api/v3 and client/pkg/v3.
      if (targetRequires.some((t) => t.path === 'go.etcd.io/etcd/client/v3' || t.path === 'go.etcd.io/etcd/server/v3')) {
        want('go.etcd.io/etcd/api/v3');
        want('go.etcd.io/etcd/client/pkg/v3');
      }
      targetRequires.sort((a, b) => (a.path < b.path ? -1 : 1));
      if (imports.some((i) => etcdModuleOf(i.path)?.family === 'bbolt-coreos') || inBuild.some((e) => e.family === 'bbolt-coreos' && e.direct)) {
        targetRequires.push({ path: 'go.etcd.io/bbolt', version: 'v1.3.12' });
      }
    }
  } else if (viaDependency && !is34) {
    // Split modules a dependency brings: raise them (the dependency compiles against the target; --verify proves it).
    for (const e of inBuild) if (e.family === 'split' && e.replacement?.kind !== 'local' && compareSemver(e.selected ?? e.version, target) < 0) want(e.path);
    targetRequires.sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  const legacyRequires = !migrating
    ? []
    : (is34
        ? inBuild.filter((e) => (e.family === 'coreos' || e.family === 'etcd-v3-master' || e.family === 'bbolt-coreos') && e.seenIn.includes('go.mod'))
        : inBuild.filter((e) => (LEGACY_FAMILIES.has(e.family) || e.family === 'bbolt-coreos' || (e.path === 'go.etcd.io/etcd/raft/v3' && is36)) && e.seenIn.includes('go.mod'))
      )
        .filter((e) => !input.stillRequired?.(e.path))
        .map((e) => e.path);
  const drops = [...input.drops];
  // A replace of a requirement the migration removes goes with it.
  for (const r of mod.replace) if (legacyRequires.includes(r.oldPath) && !drops.includes(r)) drops.push(r);
  const replacesToDrop = drops.map((r) => ({ line: r.pos.line, text: r.stmt.raw?.trim() ?? `${r.oldPath} => ${replText(r)}` }));

  const commands: string[] = [];
  const upgrades = targetRequires.filter((t) => {
    const cur = inBuild.find((e) => e.path === t.path);
    return !cur || compareSemver(cur.selected ?? cur.version, t.version) < 0 || cur.replacement !== undefined;
  });
  const needsWork = (migrating && (hasLegacy || legacyRequires.length > 0 || input.skewed || upgrades.length > 0)) || drops.length > 0 || upgrades.length > 0 || input.requirers.length > 0;
  if (needsWork) {
    const dirArg = rel ? ` ${rel}` : '';
    if (input.goFloor && (upgrades.length || hasLegacy) && (!mod.go || compareGoVersion(mod.go.version, input.goFloor) < 0)) commands.push(`go mod edit -go=${input.goFloor}`);
    for (const r of drops) commands.push(`go mod edit -dropreplace=${dropReplaceArg(r)}`);
    if (migrating && imports.some((i) => i.newPath && i.kind === 'rename')) commands.push(`upshift deps fix${dirArg} --target ${target}`);
    if (targetRequires.length && (upgrades.length || input.skewed || hasLegacy)) commands.push(`go get ${targetRequires.map((t) => `${t.path}@${t.version}`).join(' ')}`);
    if (input.requirers.length) commands.push(`go get ${input.requirers.map((p) => `${p}@latest`).join(' ')}`);
    commands.push('go mod tidy');
    if (input.vendored) commands.push('go mod vendor');
    commands.push('go build ./... && go vet ./...');
  }
  return { targetRequires, legacyRequires, replacesToDrop, commands };
}
