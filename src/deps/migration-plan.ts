/**
 * The migration plan for one module (pure): which modules to require at the target line, which legacy
 * requirements and stop-gap replaces go, and the commands to run (reference §5.3: `go get` the target
 * modules, `@none` the old paths, drop the grpc/bbolt replaces, `go mod tidy`).
 */
import type { GoMod } from './gomod.js';
import type { EtcdModuleReport, ImportReport } from './types.js';
import { GRPC, LEGACY_FAMILIES, replText } from './common.js';
import { etcdModuleOf } from './knowledge/families.js';
import { pseudoVersionFor34, raftVersionFor } from './knowledge/releases.js';
import { compareSemver, parseSemver } from './version.js';

export interface MigrationInput {
  mod: GoMod;
  /** Module directory relative to the analysed one ('' = top). */
  rel: string;
  target: string;
  imports: readonly ImportReport[];
  /** etcd-related modules in the build list. */
  inBuild: readonly EtcdModuleReport[];
  /** The split etcd modules are required at different versions. */
  skewed: boolean;
}

export interface MigrationPlan {
  targetRequires: { path: string; version: string }[];
  legacyRequires: string[];
  replacesToDrop: { line: number; text: string }[];
  commands: string[];
}

export function planMigration(input: MigrationInput): MigrationPlan {
  const { mod, rel, target, imports, inBuild } = input;
  const neededModules = new Set<string>();
  for (const im of imports) if (im.module && (im.kind === 'rename' || im.kind === 'unchanged' || im.kind === 'api-change')) neededModules.add(im.module);
  for (const im of imports) if (im.kind === 'split') neededModules.add('go.etcd.io/etcd/client/v3');
  const hasLegacy = inBuild.some((e) => LEGACY_FAMILIES.has(e.family) && e.seenIn.includes('go.mod')) || imports.some((i) => LEGACY_FAMILIES.has(etcdModuleOf(i.path)!.family));
  if (hasLegacy && neededModules.size === 0) neededModules.add('go.etcd.io/etcd/client/v3');
  if (neededModules.has('go.etcd.io/etcd/client/v3') || neededModules.has('go.etcd.io/etcd/server/v3')) {
    neededModules.add('go.etcd.io/etcd/api/v3');
    neededModules.add('go.etcd.io/etcd/client/pkg/v3');
  }
  const targetRequires: { path: string; version: string }[] = [];
  const is34 = compareSemver(target, 'v3.5.0') < 0;
  if (is34) {
    if (hasLegacy) targetRequires.push({ path: 'go.etcd.io/etcd', version: pseudoVersionFor34(target)! });
  } else {
    for (const m of [...neededModules].sort()) {
      if (m === 'go.etcd.io/bbolt') continue;
      if (m === 'go.etcd.io/raft/v3') targetRequires.push({ path: m, version: raftVersionFor(target) });
      else if (m === 'go.etcd.io/etcd/client/v2') {
        if (compareSemver(target, 'v3.6.0') < 0) targetRequires.push({ path: m, version: `v2.3${String(parseSemver(target)!.minor).padStart(2, '0')}.${parseSemver(target)!.patch}` });
      } else if (m !== 'go.etcd.io/etcd/v3' && m !== 'go.etcd.io/etcd/tools/v3') targetRequires.push({ path: m, version: target });
    }
    // Existing split modules move to the target version too (no skew).
    for (const e of inBuild) {
      if (e.family === 'split' && e.seenIn.includes('go.mod') && !targetRequires.some((t) => t.path === e.path) && e.path !== 'go.etcd.io/etcd/client/v2' && e.path !== 'go.etcd.io/etcd/tools/v3') {
        if (compareSemver(target, 'v3.6.0') >= 0 && e.path === 'go.etcd.io/etcd/raft/v3') continue;
        targetRequires.push({ path: e.path, version: target });
      }
    }
    if (imports.some((i) => etcdModuleOf(i.path)?.family === 'bbolt-coreos') || inBuild.some((e) => e.family === 'bbolt-coreos' && e.direct)) {
      targetRequires.push({ path: 'go.etcd.io/bbolt', version: 'v1.3.12' });
    }
  }
  const legacyRequires = is34
    ? inBuild.filter((e) => (e.family === 'coreos' || e.family === 'etcd-v3-master' || e.family === 'bbolt-coreos') && e.seenIn.includes('go.mod')).map((e) => e.path)
    : inBuild
        .filter((e) => (LEGACY_FAMILIES.has(e.family) || e.family === 'bbolt-coreos' || (e.path === 'go.etcd.io/etcd/raft/v3' && compareSemver(target, 'v3.6.0') >= 0)) && e.seenIn.includes('go.mod'))
        .map((e) => e.path);
  const replacesToDrop = mod.replace
    .filter(
      (r) =>
        (r.oldPath === GRPC && r.newVersion && compareSemver(r.newVersion, 'v1.30.0') < 0) ||
        ((r.oldPath === 'github.com/coreos/bbolt' || r.oldPath === 'go.etcd.io/bbolt') && (r.newPath === 'go.etcd.io/bbolt' || r.newPath === 'github.com/coreos/bbolt')) ||
        legacyRequires.includes(r.oldPath) ||
        (etcdModuleOf(r.oldPath) !== undefined && LEGACY_FAMILIES.has(etcdModuleOf(r.oldPath)!.family)),
    )
    .map((r) => ({ line: r.pos.line, text: r.stmt.raw?.trim() ?? `${r.oldPath} => ${replText(r)}` }));

  const commands: string[] = [];
  const needsWork = hasLegacy || legacyRequires.length > 0 || replacesToDrop.length > 0 || input.skewed || targetRequires.some((t) => {
    const cur = inBuild.find((e) => e.path === t.path);
    return !cur || compareSemver(cur.selected ?? cur.version, t.version) < 0;
  });
  if (needsWork) {
    const dirArg = rel ? ` ${rel}` : '';
    if (imports.some((i) => i.newPath && i.kind === 'rename')) commands.push(`upshift deps fix${dirArg} --target ${target}`);
    if (targetRequires.length) commands.push(`go get ${targetRequires.map((t) => `${t.path}@${t.version}`).join(' ')}`);
    for (const r of mod.replace.filter((x) => replacesToDrop.some((d) => d.line === x.pos.line))) commands.push(`go mod edit -dropreplace=${r.oldVersion ? `${r.oldPath}@${r.oldVersion}` : r.oldPath}`);
    if (legacyRequires.length) commands.push(`go get ${legacyRequires.map((p) => `${p}@none`).join(' ')}`);
    commands.push('go mod tidy');
    commands.push('go build ./... && go vet ./...');
  }
  return { targetRequires, legacyRequires, replacesToDrop, commands };
}
