/**
 * Go-module side of upshift: read a Go project's etcd dependency without a Go toolchain, migrate it, and
 * (with a Go toolchain) prove the migration plan in a scratch copy.
 *
 * @example
 * ```ts
 * import { deps } from 'upshift';
 * const mod = deps.parseGoMod(text, 'go.mod');
 * deps.decodePseudoVersion('v0.5.0-alpha.5.0.20200910180754-dd1b699fc489'); // { base: 'v0.5.0-alpha.5', commit: 'dd1b699fc489', ... }
 * deps.etcdReleaseOf('go.etcd.io/etcd', 'v0.5.0-alpha.5.0.20200910180754-dd1b699fc489'); // { release: 'v3.4.13', ahead: 2, ... }
 * ```
 */
export { parseGoMod, formatGoMod, setRequire, removeLine, isIndirect, GoModSyntaxError, type GoMod, type Require, type Replace } from './gomod.js';
export { parseGoModSyntax, printGoModSyntax, type GoModSyntax } from './gomod-syntax.js';
export { compareSemver, compareGoVersion, decodePseudoVersion, isPseudoVersion, parseSemver, type PseudoVersion } from './version.js';
export { parseGoSum, parseModulesTxt, parseModGraph, parseGoListJson, InputError, type GraphEdge, type SumLine, type VendoredModule, type ListedModule } from './inputs.js';
export { buildGraph, selectVersions, requirementChain, requirersOf } from './mvs.js';
export { scanGoImports, GoScanError, type GoFileHeader, type ImportSpec } from './goimports.js';
export { discoverModules, type ModuleInputs } from './discover.js';
export { analyzeModule, resolveTarget, type DepsReport, type DepsFinding, type EtcdModuleReport, type ImportReport } from './analyze.js';
export { rewriteGoFile, rewriteGoMod, type FileEdit, type GoModEdit } from './codemod.js';
export { planMigration, type MigrationPlan } from './migration-plan.js';
export { renderDepsSarif, renderDepsTable } from './render.js';
export { RULES } from './rules.js';
export { classifyReplace, forkBaseRelease, type ReplaceInfo, type ReplaceKind } from './replaces.js';
export { computeFix, type FixPlan } from './fix.js';
export { verifyTree, type VerifyOptions, type VerifyRun } from './verify.js';
export { judgeBuildList, parseGoOutput, type VerifyResult, type VerifyError, type VerifySelected, type VerifyStep } from './verify-report.js';
export { API_CHANGES, explainError, type ApiChange } from './knowledge/api-changes.js';
export { mapImportPath, etcdModuleOf, type Family, type Mapping } from './knowledge/families.js';
export { etcdReleaseOf, pseudoVersionFor34, grpcWindowOf, grpcFloorOf, goFloorOf, bboltVersionFor, impliedEtcdRequires, LATEST_PATCH, DEFAULT_TARGET, ETCD_34_TAGS, SPLIT_RELEASES } from './knowledge/releases.js';
export { ADVISORIES, advisoriesFor, type AdvisoryHit } from './knowledge/advisories.js';
export { MOVES_33_TO_34, MOVES_34_TO_35, MOVES_35_TO_36, MOVES_36_TO_37, type PackageMove } from './knowledge/moves-data.js';
