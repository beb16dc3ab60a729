/**
 * upshift's library API (curated). The CLI is built on exactly these pieces.
 * @packageDocumentation
 */
export * from './core/errors.js';
export { upshiftHome, homePaths } from './core/home.js';
export { writeFileAtomic, produceFileAtomic, JsonlJournal } from './core/files.js';
export { parseDuration } from './core/duration.js';
export type { LocalCluster, MemberLaunch, MemberState } from './cluster/model.js';
export type { InstalledEtcd, EtcdManifest } from './binaries/layout.js';
export { readInstalled, requireInstalled, listInstalled } from './binaries/layout.js';
export type { MemberSpec, ClusterConnection } from './cluster/model.js';
export { clusterUp, clusterStart, clusterDown, startMember, stopMember, clusterConnection, loadCluster, saveCluster, listClusters, memberArgs, memberRunState, waitClusterHealthy, probeHealth } from './cluster/local.js';
export type { ClusterUpOptions, StartMemberOptions, StopMemberOptions, StopMemberResult, ClusterDownResult } from './cluster/local.js';
export * as client from './client/index.js';
export { EndpointClient, EtcdClient, resolveConnection, isSafeToRetry, EtcdError } from './client/index.js';
export * as knowledge from './knowledge/index.js';
export { installVersion, alreadyInstalled, verifyInstalled, makeSource, parseSourceSpec, GithubSource, DebianSource, DirSource, GoSource, AutoSource } from './binaries/index.js';
export type { InstallReport, InstallOptions, BinarySource, AvailableReport, FetchedBinaries } from './binaries/index.js';
export * as deps from './deps/index.js';
export { plan, upgradePath, requireKnownVersion } from './plan/planner.js';
export { parseConfigText, readConfigFile } from './plan/config.js';
export { discover as discoverForPlan } from './plan/discover.js';
export type { Plan, PlanInput, Hop, PlanAction, Finding as PlanFinding, ConfigSource, ClusterFacts } from './plan/types.js';
export { clusterStatus, statusProbe, discoverStatus, assessStatus, renderStatus, EndpointPool } from './status/index.js';
export type { StatusResult, MemberStatus, StatusAlarm, Finding as StatusFinding } from './status/index.js';
export { runBench, type EngineOptions as BenchEngineOptions } from './bench/engine.js'; export { compareResults, type Comparison as BenchComparison } from './bench/compare.js'; export { renderHtml as renderBenchHtml } from './bench/html.js'; export type { BenchConfig } from './bench/config.js'; export type { BenchResult } from './bench/result.js';
export * as backup from './backup/index.js'; export { saveSnapshot, verifyBackup, checkConsistency, restoreToLocalCluster } from './backup/index.js';
export { adjustArgsForVersion, type AdjustedArgs, type ArgAdjustment } from './plan/args.js';
export { checkHistory, type HistoryReport, type Violation as HistoryViolation } from './history/check.js'; export { parseHistory, readHistory, serializeHistory, HistoryWriter } from './history/io.js'; export type { History, Operation as HistoryOperation } from './history/model.js'; export { checkRegister, checkRegisterBySearch } from './history/linearizability.js';
export { CanaryWorkload, type CanaryOptions, type CanaryReport } from './workload/canary.js';
export * as upgrade from './upgrade/index.js'; export { UpgradeExecutor, type UpgradeReport, type UpgradeSettings } from './upgrade/executor.js';
export * as topology from './topology/index.js'; export * as contract from './contract/index.js'; export * as lifecycle from './lifecycle/index.js';
