/**
 * The shapes of the dashboard's JSON API beyond the run view (runview/model.ts): shared by the server and
 * the front end, so neither can drift. Type-only and free of imports from Node code.
 */
import type { Verification } from '../runview/model.js';

/** GET /api/runs, and the `runs` events of /api/events. */
export interface RunListItem {
  runId: string;
  kind: string;
  path: string[];
  cluster?: string | undefined;
  clusterId?: string | undefined;
  endpoints: string[];
  /** running | interrupted | the run's result. */
  state: string;
  startedAt: number;
  endedAt?: number | undefined;
  durationMs: number;
  stepsDone: number;
  steps: number;
  verification: Verification | null;
}

export interface MemberRow {
  name: string;
  endpoint: string;
  version: string | null;
  reachable: boolean;
  healthy: boolean | null;
  leader: boolean;
  dbSize: number | null;
  error: string | null;
}

/** GET /api/clusters: `{ clusters: ClusterRow[] }`. */
export interface ClusterRow {
  name: string;
  source: 'local' | 'run';
  clusterId: string | null;
  clusterVersion: string | null;
  endpoints: string[];
  runs: string[];
  members: MemberRow[];
  error: string | null;
}

/** GET /api/backups (what `upshift backup ls -o json` prints; the fields the page shows). */
export interface BackupsResult {
  backups: { file: string; createdAt: string; size: number; revision: number; totalKeys: number; etcdVersion: string; clusterId: string; memberName: string; present: boolean }[];
  unreadable: { path: string; error: string }[];
  partials: string[];
}
