/**
 * The `local` driver: clusters made by `upshift cluster up`, through src/cluster's startMember /
 * stopMember (processes tracked by PID; the member's launch configuration is data, regenerated for the
 * target version by memberArgs, so "same configuration" holds across flag renames between versions).
 */
import { loadCluster, startMember, stopMember, findMember } from '../../cluster/local.js';
import { requireInstalled } from '../../binaries/layout.js';
import { DriverStepError, type DriverCallOptions, type DriverMember, type DriverResult, type MemberOps, type StartOptions, type StopOptions } from './types.js';
import { errorMessage } from '../../core/errors.js';

export class LocalDriver implements MemberOps {
  readonly kind = 'local';
  constructor(
    readonly home: string,
    readonly clusterName: string,
  ) {}

  async stop(member: DriverMember, opts: StopOptions): Promise<DriverResult> {
    const t0 = performance.now();
    const cluster = await loadCluster(this.home, this.clusterName);
    try {
      const r = await stopMember(cluster, member.name, { signal: opts.graceful ? 'SIGTERM' : 'SIGKILL', timeoutMs: opts.deadlineMs, escalate: true });
      return { durationMs: performance.now() - t0, detail: { wasRunning: r.wasRunning, signal: r.signal, escalated: r.escalated, pid: r.pid } };
    } catch (e) {
      throw new DriverStepError(`stop ${member.name}: ${errorMessage(e)}`, { durationMs: performance.now() - t0 }, { cause: e });
    }
  }

  /** Local binaries are installed under $UPSHIFT_HOME/etcd/VERSION; installing means: be sure they are there. */
  async install(member: DriverMember, version: string, _opts: DriverCallOptions): Promise<DriverResult> {
    const t0 = performance.now();
    const inst = await requireInstalled(this.home, version);
    return { durationMs: performance.now() - t0, detail: { binary: inst.etcd, member: member.name } };
  }

  async start(member: DriverMember, opts: StartOptions): Promise<DriverResult> {
    const t0 = performance.now();
    const cluster = await loadCluster(this.home, this.clusterName);
    try {
      // 'listening': the executor's wait-ready step does the real readiness checks (version, catch-up).
      const m = await startMember(this.home, cluster, member.name, { version: opts.version, ...(opts.args ? { args: opts.args } : {}), wait: 'listening', timeoutMs: opts.deadlineMs });
      return { durationMs: performance.now() - t0, detail: { pid: m.pid, version: m.version } };
    } catch (e) {
      throw new DriverStepError(`start ${member.name} on etcd ${opts.version}: ${errorMessage(e)}`, { durationMs: performance.now() - t0 }, { cause: e });
    }
  }

  /** The version cluster.json records for a member (what a restart would run). */
  async recordedVersion(name: string): Promise<string> {
    return findMember(await loadCluster(this.home, this.clusterName), name).version;
  }
}
