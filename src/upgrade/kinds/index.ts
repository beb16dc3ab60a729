/**
 * One handler per step kind, by module: run-level (run.ts), the canary (workload.ts), member moves
 * (member.ts), soak (soak.ts), cluster-wide waits and checks (cluster.ts), etcd's downgrade API
 * (downgrade.ts). The executor looks the handler up; adding a kind means a handler here and a step in
 * steps.ts — the executor itself does not change.
 */
import type { StepHandler } from '../context.js';
import type { StepKind } from '../steps.js';
import { clusterHandlers } from './cluster.js';
import { downgradeHandlers } from './downgrade.js';
import { memberHandlers } from './member.js';
import { runHandlers } from './run.js';
import { soak } from './soak.js';
import { workloadHandlers } from './workload.js';

export const stepHandlers: Readonly<Record<StepKind, StepHandler>> = {
  ...runHandlers,
  ...workloadHandlers,
  ...memberHandlers,
  soak,
  ...clusterHandlers,
  ...downgradeHandlers,
};
