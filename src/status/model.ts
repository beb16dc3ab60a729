/**
 * The result of `upshift status` (SPEC "upshift status"), and the raw observation it is computed from.
 *
 * JSON conventions: every member object has every key. A value the member's server version does not report,
 * or that could not be read because the member did not answer, is `null` — never a made-up zero:
 * `storageVersion` is null before 3.6; `raftAppliedIndex` and `dbSizeInUse` are null on 3.3; `dbSizeQuota`
 * is the 3.6 Status field, else the `etcd_server_quota_backend_bytes` metric, else null (the assessment then
 * assumes etcd's 2 GiB default and says so).
 */
import type { Alarm, HealthResult, Member, StatusInfo, VersionInfo } from '../client/types.js';
import type { Finding as BaseFinding } from '../core/finding.js';
import type { KnowledgeStamp } from '../knowledge/index.js';
import type { Setting } from '../plan/types.js';

export type { Severity } from '../core/finding.js';

export interface Finding extends BaseFinding {
  /** Member names the finding is about, when it is about members. */
  members?: string[];
}

export interface MemberStatus {
  id: string;
  name: string;
  /** The client URL upshift queried (an extension of SPEC's fields). */
  endpoint: string | null;
  clientURLs: string[];
  peerURLs: string[];
  isLearner: boolean;
  version: string | null;
  storageVersion: string | null;
  isLeader: boolean;
  raftTerm: number | null;
  raftIndex: number | null;
  raftAppliedIndex: number | null;
  dbSize: number | null;
  dbSizeInUse: number | null;
  /** Backend quota in bytes (3.6 Status, else the metric); extension. */
  dbSizeQuota: number | null;
  /** 3.6+ Status: a downgrade enabled in the cluster, as this member reports it (a 3.5 member cannot: null); extension. */
  downgradeInfo: { enabled: boolean; targetVersion: string } | null;
  /** 3.6+ `etcd_server_feature_enabled`: every gate with its stage and state; null when not read or before 3.6; extension. */
  featureGates: FeatureGateState[] | null;
  healthy: boolean;
  errors: string[];
}

export interface StatusAlarm {
  memberId: string;
  memberName: string | null;
  alarm: string;
}

export interface StatusResult {
  healthy: boolean;
  clusterId: string | null;
  /** major.minor.0 as /version reports it (e.g. "3.5.0"); null when no member told. */
  clusterVersion: string | null;
  /** Member id (hex) of the leader; null when there is none. */
  leader: string | null;
  members: MemberStatus[];
  alarms: StatusAlarm[];
  findings: Finding[];
  /** How current the etcd knowledge behind the version findings is (added by the status command). */
  knowledge?: KnowledgeStamp;
}

/** What discovery saw for one member (or one endpoint, with --endpoints-only). */
export interface MemberObservation {
  /** From MemberList; synthesised from the endpoint when the list could not be read or was not used. */
  member: Member;
  /** Whether `member` came from a MemberList. */
  listed: boolean;
  endpoint: string | undefined;
  status?: StatusInfo | undefined;
  statusError?: string | undefined;
  health?: HealthResult | undefined;
  version?: VersionInfo | undefined;
  versionError?: string | undefined;
  /** From /metrics, when read. */
  metrics?: { quotaBytes?: number | undefined; clusterVersion?: string | undefined; hasLeader?: number | undefined; featureGates?: FeatureGateState[] | undefined } | undefined;
}

export interface FeatureGateState {
  name: string;
  stage: string;
  enabled: boolean;
}

export interface StatusObservation {
  /** The endpoints the user gave. */
  seeds: string[];
  /** Endpoint whose MemberList was used. */
  memberListFrom?: string | undefined;
  memberListError?: string | undefined;
  members: MemberObservation[];
  alarms?: Alarm[] | undefined;
  alarmsError?: string | undefined;
  /** The settings each member runs with, by member name, where upshift knows them (a local cluster's command lines). */
  settings?: Record<string, Setting[]> | undefined;
}
