/**
 * Declared etcd dependencies of services' Go modules, through `upshift deps` (src/deps: go.mod, go.sum
 * and imports, no Go toolchain): a module requiring any etcd client module declares a dependency on etcd,
 * whether or not the service calls it. `--modules SERVICE=DIR` names the service; a bare DIR is named
 * after the last element of its module path.
 */
import { resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { analyzeModule, discoverModules, GoModSyntaxError, resolveTarget, DEFAULT_TARGET } from '../deps/index.js';

export interface DeclaredDependency {
  service: string;
  /** The dependency's name in the graph (etcd). */
  dependsOn: string;
  evidence: string;
  module: string;
}

export function parseModuleSpec(spec: string): { service?: string | undefined; dir: string } {
  const eq = spec.indexOf('=');
  if (eq > 0 && !spec.slice(0, eq).includes('/')) return { service: spec.slice(0, eq), dir: spec.slice(eq + 1) };
  return { dir: spec };
}

export async function declaredEtcdDependencies(specs: readonly string[], etcdService: string): Promise<DeclaredDependency[]> {
  const out: DeclaredDependency[] = [];
  const target = resolveTarget(undefined, DEFAULT_TARGET);
  for (const spec of specs) {
    const { service, dir } = parseModuleSpec(spec);
    let modules;
    try {
      modules = await discoverModules(resolve(dir));
    } catch (e) {
      if (e instanceof GoModSyntaxError) throw new UsageError(`--modules ${spec}: malformed go.mod: ${e.message}`);
      throw new UsageError(`--modules ${spec}: no Go module in ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { hint: 'pass SERVICE=DIR with the directory holding go.mod' });
    }
    for (const m of modules) {
      if (!m.mod.module) continue;
      const report = analyzeModule(m, { target });
      if (report.etcd.length === 0) continue;
      const name = service && m === modules[0] ? service : (report.module.split('/').pop() ?? report.module);
      // The client module says "this service talks to etcd" best; api/pkg modules come along with it.
      const rank = (p: string): number => (/\/client\/v[23]$/.test(p) ? 0 : p === 'go.etcd.io/etcd' || p === 'github.com/coreos/etcd' ? 1 : 2);
      const req = [...report.etcd].sort((a, b) => rank(a.path) - rank(b.path) || Number(b.direct) - Number(a.direct))[0]!;
      const used = report.imports.length ? `, imported in ${[...new Set(report.imports.map((i) => i.file))].slice(0, 3).join(', ')}` : ', not imported by any .go file';
      out.push({ service: name, dependsOn: etcdService, module: report.module, evidence: `${dir}/go.mod requires ${req.path} ${req.version}${req.line ? ` (line ${req.line})` : ''}${used}` });
    }
  }
  return out;
}
