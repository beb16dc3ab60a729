/** The rolling upgrade: pure decisions (order, quorum guard, gates, step plan, resume, failure policy), drivers, executor. */
export * from './observation.js';
export { quorumGuard, type QuorumVerdict } from './quorum.js';
export { orderMembers, leadershipAction, chooseTransferee, nextMember, type LeaderTransferPolicy, type LeadershipAction, type OrderedMember } from './order.js';
export { evaluateGates, DEFAULT_GATES, READY_GATES, type GateThresholds, type GateInput, type GateReport, type GateCheck } from './gates.js';
export { planRun, memberStepId, type Step, type StepKind, type Hop as UpgradeHop, type RunPlanOptions } from './steps.js';
export { reconstruct, begunStepIsDone, memberDurations, type JournalRecord, type ResumePoint, type RunResult } from './journal.js';
export { decideOnFailure, rollbackPossible, downgradePath, type FailurePolicy, type FailureDecision } from './policy.js';
export { preflight, type PreflightResult } from './preflight.js';
export { observeCluster, tcpProbe } from './observe.js';
export { UpgradeLock, readLock, breakLock, LOCK_KEY, type LockHolder } from './lock.js';
export { UpgradeExecutor, DEFAULT_SETTINGS, assertPreflight, exitCodeFor, type UpgradeReport, type UpgradeSettings, type ExecutorEnv } from './executor.js';
export type { MemberOps, DriverMember, DriverResult, StopOptions, StartOptions } from './drivers/types.js';
export { DriverStepError } from './drivers/types.js';
export { ExecDriver, loadExecConfig, parseExecConfig, renderTemplate, type ExecConfig } from './drivers/exec.js';
export { LocalDriver } from './drivers/local.js';
