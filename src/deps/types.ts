/** The `deps` result model: what JSON prints, what the table and SARIF printers render. */
import type { Family, Mapping } from './knowledge/families.js';
import type { EtcdRelease } from './knowledge/releases.js';
import type { AdvisoryHit } from './knowledge/advisories.js';

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
  family: Family;
  /** Where the requirement was seen. */
  seenIn: ('go.mod' | 'go.sum' | 'graph' | 'vendor' | 'go-list')[];
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
  /** go.mod `replace` lines that exist only as stop-gaps for the legacy stack. */
  replacesToDrop: { line: number; text: string }[];
  /** Modules the target line needs, with versions (used by `deps fix`). */
  targetRequires: { path: string; version: string }[];
  /** Legacy requirements the migration removes. */
  legacyRequires: string[];
  summary: { blockers: number; warnings: number; infos: number; legacyImports: number; filesScanned: number };
  nested?: DepsReport[];
}
