/**
 * Types of the etcd knowledge base. The data itself lives in `./data/*.ts` as typed constants; every
 * entry carries a `source` naming the upstream file, tag or page it was taken from
 * (`etcd@vX.Y.Z:path` = etcd-io/etcd at that tag, `etcd:path` = etcd-io/etcd main at c34dc7e,
 * `web:path` = etcd-io/website at 8245979, `proxy:module@vX.Y.Z` = the Go module proxy's record of that
 * module version, https://proxy.golang.org/<module>/@v/<version>.info).
 */

/** A full etcd release version, `X.Y.Z` (no leading v). */
export type Version = string;
/** A minor line, `X.Y`. */
export type Minor = string;

export interface Sourced {
  /** Where the fact comes from (upstream file at a tag, docs page, advisory URL). */
  readonly source: string;
}

export type SupportStatus = 'supported' | 'eol';

/** How current a body of knowledge is (the shipped data, or the shipped data plus what was learned). */
export interface KnowledgeEdition {
  /** When the list of releases was last checked against upstream (YYYY-MM-DD). */
  readonly releasesCheckedAt: string;
  /** The newest release it knows, with its date. */
  readonly newestRelease: { readonly version: Version; readonly date: string; readonly source: string };
  /** Up to when upstream's release notes, advisories and upgrade guides were read (YYYY-MM-DD). */
  readonly notesAsOf: string;
  readonly notesSource: string;
}

/** A published pre-release (alpha, beta, rc) of a line that has no release yet. */
export interface PreRelease extends Sourced {
  readonly version: string;
  readonly date: string;
}

export interface ReleaseLine extends Sourced {
  readonly minor: Minor;
  /** Patches 0..latestPatch were all released (verified against the git tags; no gaps). */
  readonly latestPatch: number;
  readonly status: SupportStatus;
  /** For EOL lines: the final release and what upstream said. */
  readonly eol?: { readonly finalRelease: Version; readonly date?: string; readonly note: string; readonly source: string };
  /** Upstream's minimum recommended patch for production on this line, if it states one. */
  readonly recommendedMinimum?: { readonly version: Version; readonly reason: string; readonly source: string };
  /** Date of the latest release (CHANGELOG header, or the Go module proxy's release time). */
  readonly latestDate?: string;
  /**
   * The newest patch whose release notes upshift read, when older than latestPatch: fixes and advisories
   * of later patches are unknown to the data (they were listed from the Go module proxy).
   */
  readonly notesThroughPatch?: number;
}

/**
 * An affected range in OSV style: versions >= introduced and < fixed (a range with `fixed` may span
 * older lines that never got the fix). No `fixed` means every later patch of the line of `introduced`
 * (and only that line) is affected, e.g. an EOL line that never got the fix.
 */
export interface AffectedRange {
  readonly introduced: Version;
  readonly fixed?: Version;
}

export type AdvisoryKind = 'cve' | 'security' | 'data-integrity' | 'upgrade-blocker' | 'dependency';
export type AdvisorySeverity = 'critical' | 'high' | 'moderate' | 'low' | 'unknown';

export interface Advisory extends Sourced {
  /** CVE id when there is one, else GHSA id, else the etcd issue/PR (`etcd#13766`). */
  readonly id: string;
  readonly aliases?: readonly string[];
  readonly kind: AdvisoryKind;
  readonly severity: AdvisorySeverity;
  /** What is affected: the server, the Go client, or both. */
  readonly component: 'server' | 'client' | 'server+client';
  readonly ranges: readonly AffectedRange[];
  readonly summary: string;
  /** Only matters when this holds (e.g. auth enabled); shown with the finding. */
  readonly condition?: string;
}

/** A patch range upstream tells people not to run, and what to run instead. */
export interface KnownBadPatch extends Sourced {
  readonly id: string;
  readonly range: AffectedRange;
  readonly recommendedMinimum: Version;
  readonly reason: string;
}

export type FlagChangeKind = 'removed' | 'renamed' | 'default-changed' | 'deprecated' | 'behavior' | 'added';

/** What etcd does when a config still uses the flag after the change. */
export type FlagReaction =
  /** etcd refuses to start (unknown CLI flag: flag.Parse fails, os.Exit(2); or a value check errors). */
  | 'exits'
  /** etcd starts and logs a warning. */
  | 'warns'
  /** etcd starts and ignores the setting without a word (unknown YAML keys). */
  | 'ignored'
  /** etcd accepts it; only semantics/default differ. */
  | 'accepted';

export interface FlagRule extends Sourced {
  /** Flag name without dashes, e.g. `logger`. For value rules, `value` narrows it. */
  readonly flag: string;
  /** The `--config-file` YAML key when it differs from the flag name. */
  readonly yamlKey?: string;
  /** Only when the flag has this value (e.g. logger=capnslog). */
  readonly value?: string;
  /** Only when the value matches this regular expression (e.g. an empty host in a URL). */
  readonly valuePattern?: string;
  /** First version where the change applies (`X.Y` or `X.Y.Z`). */
  readonly since: string;
  readonly kind: FlagChangeKind;
  /** New flag (renamed) or the feature-gate expression replacing it. */
  readonly replacement?: string;
  readonly oldDefault?: string;
  readonly newDefault?: string;
  readonly detail: string;
  /** What to do about it. */
  readonly action: string;
  /** etcd's reaction by where the setting comes from. */
  readonly reaction: { readonly cli: FlagReaction; readonly yaml: FlagReaction; readonly env: FlagReaction };
}

/** Minimum source patch before a minor hop, with the history of the floor. */
export interface PatchFloor extends Sourced {
  readonly fromMinor: Minor;
  readonly toMinor: Minor;
  readonly minimum: Version;
  readonly reason: string;
  readonly history?: readonly { readonly minimum: Version; readonly why: string; readonly source: string }[];
}

export interface HopRule extends Sourced {
  readonly id: string;
  readonly fromMinor: Minor;
  readonly toMinor: Minor;
  readonly severity: 'blocker' | 'warning' | 'info';
  /** When this rule applies (checked by the planner). */
  readonly when: 'always' | 'auth-enabled' | 'v2-store-in-use' | 'v2-unknown';
  readonly message: string;
  /** Shell-ready pre-check the operator runs, if any. */
  readonly check?: string;
  /** Whether a rule with `when` true makes the hop non-rolling. */
  readonly breaksRolling?: boolean;
}

export interface PatchRule extends Sourced {
  readonly id: string;
  /** Source versions in this range trigger the rule when patch-upgrading within the line. */
  readonly range: AffectedRange;
  readonly severity: 'blocker' | 'warning' | 'info';
  readonly message: string;
  readonly check?: string;
}

export type DowngradeMechanism =
  /** Only while at least one member still runs the old minor: swap binaries back. */
  | 'binary-swap-while-mixed'
  /**
   * Rolling, zero-downtime: one member at a time, start the older binary on the same data dir with a
   * compatibility flag that lets it join the newer cluster (3.5 -> 3.4: --next-cluster-version-compatible).
   */
  | 'rolling-compat-flag'
  /** `etcdctl downgrade validate|enable` then replace members (3.6+). */
  | 'downgrade-api'
  /** Patch downgrade within a minor: swap binaries. */
  | 'patch-swap'
  | 'snapshot-restore-only';

export interface DowngradeSupport extends Sourced {
  readonly fromMinor: Minor;
  readonly toMinor: Minor;
  readonly mechanism: DowngradeMechanism;
  readonly supported: boolean;
  /** Minimum target patch, if any. */
  readonly minimumTarget?: Version;
  readonly blockedBy?: readonly string[];
  readonly steps: readonly string[];
}
