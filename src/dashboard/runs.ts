/**
 * Runs as the dashboard lists them: every run under $UPSHIFT_HOME/runs with its state (a run whose process
 * died without ending is `interrupted`), path, duration, steps and proof.
 */
import { listRuns } from '../upgrade/runs.js';
import { runAlive } from '../runview/store.js';
import { buildRunView, runStateLabel, type RunView } from '../runview/model.js';
import type { RunListItem } from './api-types.js';

/** running | interrupted | the run's result, asking whether its process lives when the view does not say. */
export function stateLabelOf(view: Pick<RunView, 'pid' | 'host' | 'state' | 'alive'>): string {
  return runStateLabel({ state: view.state, alive: view.alive ?? runAlive(view) });
}

export function listItem(view: RunView): RunListItem {
  const last = Math.max(view.startedAt, ...view.journal.map((l) => l.t));
  const state = stateLabelOf(view);
  return {
    runId: view.runId,
    kind: view.kind,
    path: view.path,
    cluster: view.cluster,
    clusterId: view.clusterId,
    endpoints: view.endpoints,
    state,
    startedAt: view.startedAt,
    endedAt: view.endedAt,
    durationMs: (view.endedAt ?? (state === 'running' ? Date.now() : last)) - view.startedAt,
    stepsDone: view.steps.filter((s) => s.status === 'done').length,
    steps: view.steps.length,
    verification: view.verification ?? null,
  };
}

/** Every run, live ones first, then newest first. */
export async function listRunItems(home: string): Promise<RunListItem[]> {
  const items: RunListItem[] = [];
  for (const r of await listRuns(home)) {
    const v = buildRunView(r.records);
    if (v) items.push(listItem(v));
  }
  const rank = (s: string): number => (s === 'running' ? 0 : 1);
  return items.sort((a, b) => rank(a.state) - rank(b.state) || b.startedAt - a.startedAt);
}
