/** The `deps` result model: what JSON prints, what the table and SARIF printers render. */
import type { Family, Mapping } from './knowledge/families.js';
import type { EtcdRelease } from './knowledge/releases.js';
import type { AdvisoryHit } from './knowledge/advisories.js';
import type { VerifyResult } from './verify-report.js';

import type { Finding } from '../core/finding.js';

export type { Severity } from '../core/finding.js';

export interface DepsFinding extends Finding {
  /** Location for SARIF / editors: file relative to the analysed directory. */
  file?: string;
  line?: number;
  column?: number;
  /** What to do about it. */
  fix?: string;
}

export interface EtcdModuleReport {
  path: string;
  version: string;
  direct: boolean;
  replacedBy?: string;
  /** What the replace does: the code that builds is the replacement's (see src/deps/replaces.ts). */
  replacement?: { kind: 'fork' | 'pin' | 'redirect' | 'local'; path: string; version?: string; line: number; versioned: boolean };
  family: Family;
  /**
   * Where the requirement was seen: 'implied' = brought by another etcd module at its version (that module's
   * go.mod, knowledge/releases.ts impliedEtcdRequires); 'replace' = only a go.mod replace names it, so a
   * dependency brings it.
   */
  seenIn: ('go.mod' | 'go.sum' | 'graph' | 'vendor' | 'go-list' | 'implied' | 'replace')[];
  /** Version MVS selects over the given graph (or go list / vendor), when known. */
  selected?: string;
  release?: EtcdRelease;
  pseudo?: { base: string; time: string; commit: string };
  /** The version the build really uses: the replacement's when `replace` swaps in another version of the same module. */
  effective?: string;
  /** Requirement chains from the main module (module graph, not the import graph `go mod why -m` walks). */
  requiredBy?: string[];
  /** Files of this module importing a package of it (the direct-use evidence `// indirect` is about). */
  importedBy?: string[];
  line?: number;
}

export interface ImportReport {
  file: string;
  line: number;
  column: number;
  path: string;
  name?: string;
  newPath?: string;
  kind: Mapping['kind'];
  module?: string;
  buildConstraint?: string;
}

export interface DepsReport {
  module: string;
  /** Directory of this module relative to the analysed one ('' = top). */
  dir: string;
  go?: string;
  toolchain?: string;
  target: string;
  etcd: EtcdModuleReport[];
  grpc: { version: string | null; replacedBy?: string; selected?: string; effective?: string };
  imports: ImportReport[];
  findings: DepsFinding[];
  advisories: AdvisoryHit[];
  commands: string[];
  /** etcd reaches this module only through dependencies (no etcd import, every etcd requirement `// indirect`). */
  viaDependency?: boolean;
  /** go.mod `replace` lines the plan drops (stop-gaps, and replaces that would pin old code past the upgrade). */
  replacesToDrop: { line: number; text: string }[];
  /** Modules the target line needs, with versions (used by `deps fix`). */
  targetRequires: { path: string; version: string }[];
  /** Legacy requirements the migration removes. */
  legacyRequires: string[];
  summary: { blockers: number; warnings: number; infos: number; legacyImports: number; filesScanned: number };
  nested?: DepsReport[];
  /** `--verify`: the plan applied in a scratch copy and built with the Go toolchain. */
  verify?: VerifyResult;
}
