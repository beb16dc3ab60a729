/**
 * The plan model: what `plan()` takes and returns. The JSON of `upshift plan -o json` is `Plan` itself
 * (SPEC: `{from, to, path, hops: [{from, to, kind, rolling, steps}], findings, cves: {fixed, remaining}}`,
 * extended with structured `actions` per hop for the upgrade executor, flag changes, and context).
 */
import type { Finding as BaseFinding } from '../core/finding.js';
import type { FlagReaction } from '../knowledge/types.js';
import type { KnowledgeStamp } from '../knowledge/index.js';

export type { Severity } from '../core/finding.js';

export interface Finding extends BaseFinding {
  /** The hop it belongs to, `3.4.23 -> 3.5.33`. */
  hop?: string;
  /** Config file and line the finding is about. */
  file?: string;
  line?: number;
  /** Flag name (no dashes) for flag findings. */
  flag?: string;
}

/** Where a setting came from, which decides how etcd reacts to it. */
export type SettingOrigin = 'cli' | 'yaml' | 'env';

export interface Setting {
  /** Flag name without dashes; YAML keys are kept as written (nested ones as `client-transport-security.cert-file`). */
  name: string;
  /** Raw value as written (booleans/lists stringified); undefined for a bare boolean flag. */
  value?: string | undefined;
  origin: SettingOrigin;
  file: string;
  line?: number | undefined;
  /** The name as written (`--foo`, `ETCD_FOO`, `foo:`), for messages. */
  raw: string;
}

export interface ConfigSource {
  file: string;
  kind: 'yaml' | 'flags' | 'systemd' | 'env';
  settings: Setting[];
  /** Parser notes (unresolved ${VARS}, EnvironmentFile= references, ...). */
  notes: Finding[];
}

/** Facts about a live cluster (from `discover`), all optional so `--from` runs without them. */
export interface ClusterFacts {
  members: {
    name: string;
    id: string;
    version?: string | undefined;
    isLeader: boolean;
    isLearner: boolean;
    clientURL?: string | undefined;
    dbSize?: number | undefined;
    reachable: boolean;
  }[];
  clusterVersion?: string | undefined;
  /** Largest db size seen, bytes. */
  dbSize?: number | undefined;
  /** How auth status was determined. */
  authEvidence?: string | undefined;
  v2Evidence?: string | undefined;
}

export type V2State = 'in-use' | 'enabled' | 'not-observed' | 'unknown';

export interface PlanInput {
  from: string;
  to: string;
  /** Versions to pin along the path (e.g. an intermediate 3.5.32 instead of the latest 3.5). */
  via?: readonly string[];
  /** true/false when known; undefined when nobody said. */
  authEnabled?: boolean | undefined;
  v2Store?: V2State | undefined;
  configs?: readonly ConfigSource[];
  cluster?: ClusterFacts | undefined;
}

export type ActionType =
  | 'check-health'
  | 'check-version'
  | 'precheck'
  | 'backup'
  | 'update-config'
  | 'upgrade-member'
  | 'move-leader'
  | 'wait-cluster-version'
  | 'wait-storage-version';

/** A machine-readable step for the upgrade executor. */
export interface PlanAction {
  type: ActionType;
  /** Version the step is about (binary to install, cluster version to wait for). */
  version?: string;
  /** Member name, when the plan knows the members. */
  member?: string;
  /** `follower` members first, the `leader` last; `any` when members are not known. */
  role?: 'follower' | 'leader' | 'any';
  /** Pre-check id (`v2store-clean`, `data-dir-mode`, ...). */
  check?: string;
  /** Command an operator would run for it. */
  command?: string;
  /** Flag edits for update-config. */
  changes?: FlagChange[];
  /** For upgrade-member: start with the configuration prepared by the `with-binary` update-config step. */
  newConfig?: boolean;
  /** For update-config: before the hop, or with each member's binary switch. */
  when?: 'before' | 'with-binary';
}

export interface FlagChange {
  file: string;
  flag: string;
  origin: SettingOrigin;
  change: 'remove' | 'rename' | 'review';
  replacement?: string;
  reaction: FlagReaction;
  /** `before`: edit every member's config before the hop (the old version accepts it); `with-binary`: edit it as each member switches binaries. */
  when: 'before' | 'with-binary';
}

export interface Hop {
  from: string;
  to: string;
  kind: 'patch' | 'minor';
  rolling: boolean;
  /** Why this hop is there (floor, pinned, latest patch of an intermediate minor, target). */
  reason: string;
  steps: string[];
  actions: PlanAction[];
  flagChanges: FlagChange[];
}

export interface DowngradeInfo {
  from: string;
  to: string;
  pairs: {
    fromMinor: string;
    toMinor: string;
    mechanism: string;
    supported: boolean;
    minimumTarget?: string;
    blockedBy?: string[];
    steps: string[];
    source: string;
  }[];
}

export interface Plan {
  from: string;
  to: string;
  direction: 'upgrade' | 'downgrade' | 'none';
  path: string[];
  hops: Hop[];
  findings: Finding[];
  cves: { fixed: string[]; remaining: string[] };
  /** Data-integrity bugs and upgrade blockers fixed by / still present at the target. */
  integrity: { fixed: string[]; remaining: string[] };
  /** Present when to < from: the supported downgrade procedure for each minor pair. */
  downgrade?: DowngradeInfo;
  /** What the plan assumed (so a reviewer sees it). */
  assumptions: { authEnabled: boolean | 'unknown'; v2Store: V2State; members: number | 'unknown'; configs: string[] };
  /** Summary of blockers, so scripts need not scan findings. */
  blocked: boolean;
  /** The live cluster as discovered (absent with --from). */
  cluster?: ClusterFacts;
  /** How current the knowledge the plan was made from is (release list and release-notes dates). */
  knowledge: KnowledgeStamp;
}
