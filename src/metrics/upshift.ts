/**
 * upshift's metric families (names and labels are documented in the README, "Metrics"):
 * - runs: the newest run of each cluster — state, current step, members upgraded, duration;
 * - gates: the latest window of each member of those runs — value, threshold, verdict;
 * - canary: ops, errors and a latency histogram per op type, counted from the run's histories;
 * - backups: per cluster id, from the catalogue ($UPSHIFT_HOME/backups) — last success time, duration, size,
 *   revision, count and failures — what an alert on "no good backup for 24 h" needs.
 * Cardinality is bounded: at most MAX_CLUSTERS clusters, one run each, members x 8 gates, 2 op types.
 * Run and gate families are computed from the run views at scrape time; the canary counters are fed as the
 * runs' histories grow (RunStore ops listener).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { readCatalogue } from '../backup/manifest.js';
import type { OpEvent } from '../runview/files.js';
import { RunStore } from '../runview/store.js';
import { hostname } from 'node:os';
import { newRegistry, startMetricsServer, type ListenAddr, type MetricsServer } from './registry.js';
import { currentStep, membersUpgraded, runStateLabel, type RunView } from '../runview/model.js';

export const MAX_CLUSTERS = 20;

export const RUN_STATES = ['running', 'interrupted', 'succeeded', 'paused', 'rolled-back', 'failed', 'aborted'] as const;

/** Latency buckets (seconds): 1 ms to 10 s, what a canary op against etcd takes, healthy to stalled. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The label naming a run's cluster: the local cluster's name, else its cluster id, else its first endpoint. */
export function clusterLabel(v: Pick<RunView, 'cluster' | 'clusterId' | 'endpoints'>): string {
  return v.cluster ?? v.clusterId ?? v.endpoints[0] ?? 'unknown';
}

/** The runs the metrics describe: the newest of each cluster (at most MAX_CLUSTERS clusters, newest first). */
export function trackedRuns(views: readonly RunView[]): RunView[] {
  const newest = new Map<string, RunView>();
  for (const v of views) {
    const k = clusterLabel(v);
    const cur = newest.get(k);
    if (!cur || v.startedAt > cur.startedAt) newest.set(k, v);
  }
  return [...newest.values()].sort((a, b) => b.startedAt - a.startedAt).slice(0, MAX_CLUSTERS);
}

export interface UpshiftMetricsSource {
  /** The runs to describe (already the tracked ones), with gates. */
  runs(): RunView[];
  home: string;
}

export class UpshiftMetrics {
  private readonly canaryOps: Counter<'cluster' | 'run_id' | 'op'>;
  private readonly canaryErrors: Counter<'cluster' | 'run_id' | 'op'>;
  private readonly canaryLatency: Histogram<'cluster' | 'run_id' | 'op'>;
  /** Label sets of the canary families, per run, so a run that stops being tracked is removed. */
  private readonly canaryRuns = new Map<string, Set<string>>();

  constructor(
    reg: Registry,
    private readonly source: UpshiftMetricsSource,
  ) {
    const runs = (): RunView[] => source.runs();
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (g: Gauge<L>) => void | Promise<void>): void => {
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers: [reg],
        async collect() {
          this.reset();
          await fill(this);
        },
      });
    };
    const base = (v: RunView) => ({ cluster: clusterLabel(v), run_id: v.runId });

    gauge('upshift_run_info', 'The newest run of each cluster (value 1): kind and versions.', ['cluster', 'run_id', 'kind', 'from', 'to'], (g) => {
      for (const v of runs()) g.set({ ...base(v), kind: v.kind, from: v.from, to: v.to }, 1);
    });
    gauge('upshift_run_state', 'The run state: 1 for the current state, 0 for the others.', ['cluster', 'run_id', 'state'], (g) => {
      for (const v of runs()) for (const s of RUN_STATES) g.set({ ...base(v), state: s }, runStateLabel(v) === s ? 1 : 0);
    });
    gauge('upshift_run_step', 'The step running now (or the last one that ran), value: its 1-based position.', ['cluster', 'run_id', 'step', 'kind'], (g) => {
      for (const v of runs()) {
        const s = currentStep(v);
        if (s) g.set({ ...base(v), step: s.id, kind: s.kind }, v.steps.indexOf(s) + 1);
      }
    });
    gauge('upshift_run_steps', 'Steps of the run.', ['cluster', 'run_id'], (g) => {
      for (const v of runs()) g.set(base(v), v.steps.length);
    });
    gauge('upshift_run_steps_done', 'Steps of the run done.', ['cluster', 'run_id'], (g) => {
      for (const v of runs()) g.set(base(v), v.steps.filter((s) => s.status === 'done').length);
    });
    gauge('upshift_run_members_upgraded', 'Member upgrades (member x hop) whose steps are all done.', ['cluster', 'run_id'], (g) => {
      for (const v of runs()) g.set(base(v), membersUpgraded(v));
    });
    gauge('upshift_run_members', 'Members of the cluster when the run began.', ['cluster', 'run_id'], (g) => {
      for (const v of runs()) g.set(base(v), v.members.length);
    });
    gauge('upshift_run_start_timestamp_seconds', 'When the run began (Unix seconds).', ['cluster', 'run_id'], (g) => {
      for (const v of runs()) g.set(base(v), v.startedAt / 1000);
    });
    gauge('upshift_run_duration_seconds', 'How long the run has taken (until its end, or until now while it runs).', ['cluster', 'run_id'], (g) => {
      for (const v of runs()) g.set(base(v), ((v.endedAt ?? Date.now()) - v.startedAt) / 1000);
    });

    const latestGates = (v: RunView) => {
      const byMember = new Map<string, RunView['gates'][number]>();
      for (const w of v.gates) byMember.set(w.member, w);
      return [...byMember.values()];
    };
    gauge('upshift_gate_value', "A gate's measured value in the member's latest soak window (numeric gates only).", ['cluster', 'run_id', 'member', 'gate'], (g) => {
      for (const v of runs()) for (const w of latestGates(v)) for (const c of w.checks) if (typeof c.value === 'number') g.set({ ...base(v), member: w.member, gate: c.name }, c.value);
    });
    gauge('upshift_gate_threshold', "A gate's threshold in the member's latest soak window (numeric gates only).", ['cluster', 'run_id', 'member', 'gate'], (g) => {
      for (const v of runs()) for (const w of latestGates(v)) for (const c of w.checks) if (typeof c.threshold === 'number') g.set({ ...base(v), member: w.member, gate: c.name }, c.threshold);
    });
    gauge('upshift_gate_passed', "A gate's verdict in the member's latest soak window: 1 passed, 0 failed (live while the window is open).", ['cluster', 'run_id', 'member', 'gate'], (g) => {
      for (const v of runs()) for (const w of latestGates(v)) for (const c of w.checks) g.set({ ...base(v), member: w.member, gate: c.name }, c.ok ? 1 : 0);
    });

    this.canaryOps = new Counter({ name: 'upshift_canary_ops_total', help: 'Canary operations completed, by op type (put, get).', labelNames: ['cluster', 'run_id', 'op'], registers: [reg] });
    this.canaryErrors = new Counter({ name: 'upshift_canary_errors_total', help: 'Canary operations that failed or stayed indeterminate after safe retries, by op type.', labelNames: ['cluster', 'run_id', 'op'], registers: [reg] });
    this.canaryLatency = new Histogram({ name: 'upshift_canary_latency_seconds', help: 'Canary operation latency (start to end, safe retries included), by op type.', labelNames: ['cluster', 'run_id', 'op'], buckets: LATENCY_BUCKETS, registers: [reg] });

    let cache: { at: number; rows: BackupRow[] } | undefined;
    const backups = async (): Promise<BackupRow[]> => {
      if (!cache || Date.now() - cache.at > 10_000) cache = { at: Date.now(), rows: await backupRows(source.home) };
      return cache.rows;
    };
    gauge('upshift_backup_last_success_timestamp_seconds', 'When the newest backup whose file is present was taken (Unix seconds), per cluster id.', ['cluster_id'], async (g) => {
      for (const b of await backups()) if (b.last) g.set({ cluster_id: b.clusterId }, b.last.createdAt / 1000);
    });
    gauge('upshift_backup_last_duration_seconds', 'How long the newest present backup took to save.', ['cluster_id'], async (g) => {
      for (const b of await backups()) if (b.last) g.set({ cluster_id: b.clusterId }, b.last.durationMs / 1000);
    });
    gauge('upshift_backup_last_size_bytes', 'Size of the newest present backup.', ['cluster_id'], async (g) => {
      for (const b of await backups()) if (b.last) g.set({ cluster_id: b.clusterId }, b.last.size);
    });
    gauge('upshift_backup_last_revision', 'Store revision of the newest present backup.', ['cluster_id'], async (g) => {
      for (const b of await backups()) if (b.last) g.set({ cluster_id: b.clusterId }, b.last.revision);
    });
    gauge('upshift_backups', 'Backups in the catalogue whose file is present with its recorded size.', ['cluster_id'], async (g) => {
      for (const b of await backups()) g.set({ cluster_id: b.clusterId }, b.present);
    });
    gauge('upshift_backup_failures', 'Catalogue problems: missing (file gone or truncated), unreadable (manifest), partial (leftover of an interrupted save).', ['cluster_id', 'kind'], async (g) => {
      for (const b of await backups()) for (const k of ['missing', 'unreadable', 'partial'] as const) g.set({ cluster_id: b.clusterId, kind: k }, b.failures[k]);
    });
  }

  /** Count canary ops of a tracked run (RunStore ops listener). */
  observeOps(v: RunView, ops: readonly OpEvent[]): void {
    const k = `${clusterLabel(v)}\u0000${v.runId}`;
    const seen = this.canaryRuns.get(k) ?? new Set<string>();
    this.canaryRuns.set(k, seen);
    for (const o of ops) {
      const labels = { ...{ cluster: clusterLabel(v), run_id: v.runId }, op: o.kind };
      seen.add(o.kind);
      this.canaryOps.inc(labels);
      if (o.error) this.canaryErrors.inc(labels);
      else this.canaryErrors.inc(labels, 0);
      this.canaryLatency.observe(labels, o.latencyMs / 1000);
    }
  }

  /** Drop the canary series of runs no longer tracked (a newer run of the same cluster began). */
  retain(tracked: readonly RunView[]): void {
    const keep = new Set(tracked.map((v) => `${clusterLabel(v)}\u0000${v.runId}`));
    for (const [k, ops] of this.canaryRuns) {
      if (keep.has(k)) continue;
      const [cluster, run_id] = k.split('\u0000') as [string, string];
      for (const op of ops) {
        this.canaryOps.remove({ cluster, run_id, op });
        this.canaryErrors.remove({ cluster, run_id, op });
        this.canaryLatency.remove({ cluster, run_id, op });
      }
      this.canaryRuns.delete(k);
    }
  }
}

interface BackupRow {
  clusterId: string;
  present: number;
  last?: { createdAt: number; durationMs: number; size: number; revision: number } | undefined;
  failures: { missing: number; unreadable: number; partial: number };
}

/** Per cluster directory under $UPSHIFT_HOME/backups (at most MAX_CLUSTERS, most recently used first). */
async function backupRows(home: string): Promise<BackupRow[]> {
  const root = join(home, 'backups');
  let dirs: string[] = [];
  try {
    dirs = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
  const rows: BackupRow[] = [];
  for (const id of dirs) {
    const dir = join(root, id);
    const cat = await readCatalogue(dir).catch(() => ({ entries: [], unreadable: [{ path: dir, error: 'unreadable' }] }));
    const names = await readdir(dir).catch(() => [] as string[]);
    const present = cat.entries.filter((e) => e.present);
    const last = present[0]?.manifest;
    rows.push({
      clusterId: id,
      present: present.length,
      last: last ? { createdAt: Date.parse(last.createdAt), durationMs: last.durationMs, size: last.size, revision: last.revision } : undefined,
      failures: { missing: cat.entries.length - present.length, unreadable: cat.unreadable.length, partial: names.filter((n) => n.startsWith('.') && n.endsWith('.part')).length },
    });
  }
  return rows.sort((a, b) => (b.last?.createdAt ?? 0) - (a.last?.createdAt ?? 0)).slice(0, MAX_CLUSTERS);
}

/**
 * Describe the runs of `store` (newest per cluster, optionally only those `include` accepts) in `reg`:
 * keeps them followed so their canary counters grow, and drops runs that stop being tracked.
 */
export function runMetrics(reg: Registry, store: RunStore, include: (v: RunView) => boolean = () => true): UpshiftMetrics {
  let tracked: string[] = [];
  const metrics = new UpshiftMetrics(reg, {
    home: store.home,
    runs: () => {
      const full = new Map(store.followedViews().map((v) => [v.runId, v]));
      return tracked.map((id) => full.get(id)).filter((v): v is RunView => v !== undefined);
    },
  });
  store.onOps((v, ops) => {
    if (tracked.includes(v.runId)) metrics.observeOps(v, ops);
  });
  const update = async (): Promise<void> => {
    const runs = trackedRuns(store.views().filter(include));
    tracked = runs.map((v) => v.runId);
    metrics.retain(runs);
    await store.pin(tracked);
  };
  store.onIndexChange(() => void update());
  return metrics;
}

/**
 * `--metrics-addr ADDR` of a run command: /metrics on ADDR for the runs this process runs (its run-begin or
 * resume record carries this pid), plus the backup families, until `close()`.
 */
export async function serveOwnRunMetrics(addr: ListenAddr, home: string): Promise<MetricsServer> {
  const store = new RunStore(home);
  const reg = newRegistry({ process: true });
  const me = hostname();
  runMetrics(reg, store, (v) => v.pid === process.pid && v.host === me);
  await store.refresh();
  store.start();
  const server = await startMetricsServer(addr, reg);
  return {
    ...server,
    close: async () => {
      store.stop();
      await server.close();
    },
  };
}
