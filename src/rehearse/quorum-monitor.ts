/**
 * Did the copy keep quorum through the rehearsal? Every 250 ms each member's plain-http metrics listener
 * (never behind the fault proxies) is asked for `etcd_server_has_leader`; a sample where fewer than a
 * quorum of members both answer and see a leader is a sample without quorum. A leader handoff or a
 * follower's restart costs a few hundred milliseconds of that; quorum counts as lost when it lasts
 * QUORUM_LOSS_MS (three default election timeouts: the cluster failed to elect, not just re-elected).
 */
import { httpRequest } from '../cluster/http.js';
import { quorumSize } from '../core/raft.js';

export const QUORUM_LOSS_MS = 3000;
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

export class QuorumMonitor {
  private timer: NodeJS.Timeout | undefined;
  private t0 = 0;
  private samples = 0;
  private withQuorum = 0;
  private lossStart: number | undefined;
  private readonly losses: { fromMs: number; toMs: number }[] = [];
  private busy = false;

  constructor(private readonly metricsURLs: () => string[]) {}

  start(): void {
    this.t0 = performance.now();
    this.timer = setInterval(() => void this.sample(), INTERVAL_MS);
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const urls = this.metricsURLs();
      const seen = await Promise.all(
        urls.map(async (u) => {
          try {
            const r = await httpRequest(`${u}/metrics`, { timeoutMs: 500 });
            return /^etcd_server_has_leader 1$/m.test(r.body);
          } catch {
            return false;
          }
        }),
      );
      const now = performance.now() - this.t0;
      this.samples++;
      if (seen.filter(Boolean).length >= quorumSize(urls.length)) {
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
