/** `upshift status` as a library: discover (I/O) -> assess (pure) -> render. */
export { discoverStatus, pickEndpoint, EndpointPool, type DiscoverOptions } from './discover.js';
export { assessStatus, defaultKnowledge, DEFAULT_QUOTA_BYTES, MAX_APPLY_GAP, type StatusKnowledge } from './assess.js';
export { renderStatus } from './render.js';
export type { StatusResult, MemberStatus, StatusAlarm, Finding, Severity, StatusObservation, MemberObservation } from './model.js';

import type { ConnectionConfig } from '../client/connection.js';
import { discoverStatus, EndpointPool, type DiscoverOptions } from './discover.js';
import { assessStatus } from './assess.js';
import type { StatusResult } from './model.js';

/** Discover and assess in one call. Pass `pool` to reuse connections and the auth token across calls. */
export async function clusterStatus(config: ConnectionConfig, opts: DiscoverOptions & { pool?: EndpointPool } = {}): Promise<StatusResult> {
  return assessStatus(await discoverStatus(config, opts));
}

/**
 * A status checker for repeated use (upgrade gates, tests that poll): connections and the token stay open
 * between checks. `close()` when done.
 *
 *   const probe = statusProbe(config);
 *   try { const s = await probe.check({ metrics: false }); } finally { probe.close(); }
 */
export function statusProbe(config: ConnectionConfig): { check(opts?: DiscoverOptions): Promise<StatusResult>; close(): void } {
  const pool = new EndpointPool(config);
  return {
    check: (opts: DiscoverOptions = {}) => clusterStatus(config, { ...opts, pool }),
    close: () => pool.close(),
  };
}
