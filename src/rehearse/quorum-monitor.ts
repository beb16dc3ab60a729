/**
 * Did the copy keep quorum through the rehearsal? Every 250 ms, per member: is its process running (not
 * stopped, killed or frozen by SIGSTOP), and what does its plain-http metrics listener (never behind the
 * fault proxies) say about `etcd_server_has_leader`. A sample is without quorum when fewer than a quorum
 * of members run, or when members answer that they see no leader and fewer than a quorum see one. A
 * member that does not answer in time proves nothing either way (on a busy machine the monitor itself
 * is late): it is not counted as lost. A leader handoff costs a few hundred milliseconds; quorum counts
 * as lost when a stretch lasts QUORUM_LOSS_MS (five default election timeouts: the cluster failed to
 * elect, not just re-elected).
 */
import { httpRequest } from '../cluster/http.js';
import { quorumSize } from '../core/raft.js';

export const QUORUM_LOSS_MS = 5000;
const INTERVAL_MS = 250;

export interface QuorumReport {
  kept: boolean;
  samples: number;
  /** Samples where a quorum of members saw a leader. */
  withQuorum: number;
  /** The longest stretch without a quorum seeing a leader. */
  longestLossMs: number;
  /** Stretches without quorum, as ms since the monitor started (start, end). */
  losses: { fromMs: number; toMs: number }[];
}

export interface MonitoredMember {
  metricsURL: string;
  /** Its process runs (and is not frozen). */
  running: boolean;
}

export class QuorumMonitor {
  private timer: NodeJS.Timeout | undefined;
  private t0 = 0;
  private samples = 0;
  private withQuorum = 0;
  private lossStart: number | undefined;
  private readonly losses: { fromMs: number; toMs: number }[] = [];
  private busy = false;

  constructor(private readonly members: () => Promise<MonitoredMember[]>) {}

  start(): void {
    this.t0 = performance.now();
    this.timer = setInterval(() => void this.sample(), INTERVAL_MS);
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const members = await this.members();
      const seen = await Promise.all(
        members.map(async (m): Promise<'leader' | 'no-leader' | 'down' | 'silent'> => {
          if (!m.running) return 'down';
          try {
            const r = await httpRequest(`${m.metricsURL}/metrics`, { timeoutMs: 1000 });
            return /^etcd_server_has_leader 1$/m.test(r.body) ? 'leader' : 'no-leader';
          } catch {
            return 'silent';
          }
        }),
      );
      const now = performance.now() - this.t0;
      this.samples++;
      const q = quorumSize(members.length);
      const count = (k: string): number => seen.filter((x) => x === k).length;
      const lost = members.length - count('down') < q || (count('no-leader') > 0 && count('leader') < q);
      if (!lost) {
        this.withQuorum++;
        if (this.lossStart !== undefined) this.losses.push({ fromMs: Math.round(this.lossStart), toMs: Math.round(now) });
        this.lossStart = undefined;
      } else if (this.lossStart === undefined) this.lossStart = now;
    } finally {
      this.busy = false;
    }
  }

  stop(): QuorumReport {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.lossStart !== undefined) this.losses.push({ fromMs: Math.round(this.lossStart), toMs: Math.round(performance.now() - this.t0) });
    this.lossStart = undefined;
    const longest = this.losses.reduce((m, l) => Math.max(m, l.toMs - l.fromMs), 0);
    return { kept: longest < QUORUM_LOSS_MS, samples: this.samples, withQuorum: this.withQuorum, longestLossMs: longest, losses: [...this.losses] };
  }
}
