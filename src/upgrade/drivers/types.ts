/**
 * The driver interface: how the executor stops, installs and starts one member. Deliberately narrow
 * (three verbs and a name), so deployments other than local clusters and shell templates (systemd over
 * SSH, Kubernetes) can follow without touching the executor.
 */
import { UpshiftError, ExitCode } from '../../core/errors.js';
import type { ArgAdjustment } from '../../plan/args.js';
import type { Setting } from '../../plan/types.js';

export interface DriverMember {
  /** etcd member name. */
  name: string;
  id?: string | undefined;
  clientURL: string;
  peerURL: string;
}

export interface DriverCallOptions {
  /** Hard deadline for the call. */
  deadlineMs: number;
  signal?: AbortSignal | undefined;
}

export interface StopOptions extends DriverCallOptions {
  /** SIGTERM-like (etcd transfers leadership and drains) vs SIGKILL-like. */
  graceful: boolean;
  /** Version the member runs now (template variable {{version}} of the stop command). */
  version: string;
}

export interface StartOptions extends DriverCallOptions {
  version: string;
  /** Full etcd argument list, when the plan changes flags; otherwise the member's own configuration. */
  args?: string[] | undefined;
}

export interface FreshStartOptions extends StartOptions {
  /** The membership to join (`name=peerURL,...`), from MemberAdd; the member starts with `--initial-cluster-state existing`. */
  initialCluster: string;
}

/** The flag changes a start on `version` applies to a member's command line (src/plan/args.ts adjustArgsForVersion). */
export interface FlagChangeReport {
  member: string;
  version: string;
  adjustments: ArgAdjustment[];
  /** Flags the version does not define and no rule maps: etcd would refuse to start. */
  unresolved: string[];
}

/** What a driver call did, for the journal. Never holds secrets (drivers redact captured output). */
export interface DriverResult {
  durationMs: number;
  /** The command that ran (exec driver), redacted. */
  command?: string | undefined;
  /** Tails of captured output, redacted. */
  stdout?: string | undefined;
  stderr?: string | undefined;
  detail?: Record<string, unknown> | undefined;
}

export interface MemberOps {
  readonly kind: string;
  stop(member: DriverMember, opts: StopOptions): Promise<DriverResult>;
  /** Put binaries of `version` in place for the member (may be a no-op when start picks the binary). */
  install(member: DriverMember, version: string, opts: DriverCallOptions): Promise<DriverResult>;
  start(member: DriverMember, opts: StartOptions): Promise<DriverResult>;
  /**
   * Optional, with startFresh: what replacing a member as a fresh one needs (a rollback when the old binary
   * cannot open the member's data). Move the member's data dir aside — never delete it.
   */
  moveDataAside?(member: DriverMember, opts: DriverCallOptions & { version: string }): Promise<DriverResult>;
  /** Optional: start the member with an empty data dir as a new member of the existing cluster. */
  startFresh?(member: DriverMember, opts: FreshStartOptions): Promise<DriverResult>;
  /** Optional: the flag changes start() will apply, hop by hop (`versions` in order), checked before anything is touched. */
  flagChanges?(member: string, versions: string[]): Promise<FlagChangeReport[]>;
  /** Optional: a member found already running on the version a start wanted (a resumed run): let the driver record it. */
  adopt?(member: string): Promise<void>;
  /** Optional (readiness): where the member's data lives on this machine, so its WAL and v2 snapshot can be read directly. */
  memberData?(member: string): Promise<{ dataDir: string; walDir?: string | undefined }>;
  /** Optional (readiness): the member's etcd settings as it runs now (command line, `--config-file` keys, named config files). */
  memberSettings?(member: string): Promise<Setting[]>;
  /** Optional (readiness, exec `check` template): run the user's v2 content check on the member's host; exit 0 = clean; undefined = no check configured for it. */
  checkV2?(member: DriverMember, version: string, opts: DriverCallOptions): Promise<(DriverResult & { exitCode: number }) | undefined>;
}

/** A driver call failed (non-zero exit, deadline, process did not come up). */
export class DriverStepError extends UpshiftError {
  constructor(
    message: string,
    readonly result: DriverResult,
    opts: { hint?: string; cause?: unknown } = {},
  ) {
    super('driver-step-failed', message, ExitCode.needsAttention, { ...opts, details: { command: result.command, stderr: result.stderr } });
  }
}
