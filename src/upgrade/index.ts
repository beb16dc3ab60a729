/** The rolling upgrade and downgrade: pure decisions (order, quorum guard, gates, step plans, resume, failure policy), readiness checks, drivers, executor. */
export * from './observation.js';
export { quorumGuard, type QuorumVerdict } from './quorum.js';
export { orderMembers, leadershipAction, chooseTransferee, nextMember, type LeaderTransferPolicy, type LeadershipAction, type OrderedMember } from './order.js';
export { evaluateGates, DEFAULT_GATES, READY_GATES, type GateThresholds, type GateInput, type GateReport, type GateCheck } from './gates.js';
export { planRun, planDowngrade, planDowngradeRollback, planDowngradeCancel, hopNeedsReadiness, memberStepId, type Step, type StepKind, type Hop as UpgradeHop, type RunPlanOptions } from './steps.js';
export { reconstruct, begunStepIsDone, memberDurations, type JournalRecord, type ResumePoint, type RunResult } from './journal.js';
export { decideOnFailure, rollbackPossible, downgradePath, downgradeApiCovers, type FailurePolicy, type FailureDecision } from './policy.js';
export { runReadinessChecks, blockersOf, describeFinding, type ReadinessFinding, type ReadinessTarget, type ReadinessPlan, type ReadinessOptions } from './readiness/index.js';
export { checkV2ContentOfDataDir, checkV2Content, upstreamVerdict, type V2ContentReport } from './readiness/v2-content.js';
export { compareMembership, readBackendMembership, membershipFromDb, type Disagreement, type BackendMembership } from './readiness/membership.js';
export { preflight, type PreflightResult } from './preflight.js';
export { observeCluster, tcpProbe } from './observe.js';
export { UpgradeLock, readLock, breakLock, LOCK_KEY, type LockHolder } from './lock.js';
export { UpgradeExecutor, DEFAULT_SETTINGS, assertPreflight, assertReady, exitCodeFor, type UpgradeReport, type UpgradeSettings, type ExecutorEnv, type ExecutorHooks, type Operation } from './executor.js';
export type { MemberOps, DriverMember, DriverResult, StopOptions, StartOptions } from './drivers/types.js';
export { DriverStepError } from './drivers/types.js';
export { ExecDriver, loadExecConfig, parseExecConfig, renderTemplate, type ExecConfig } from './drivers/exec.js';
export { LocalDriver } from './drivers/local.js';
