/** `upshift status` as a library: discover (I/O) -> assess (pure) -> render. */
export { discoverStatus, pickEndpoint, type DiscoverOptions } from './discover.js';
export { assessStatus, defaultKnowledge, DEFAULT_QUOTA_BYTES, MAX_APPLY_GAP, type StatusKnowledge } from './assess.js';
export { renderStatus } from './render.js';
export type { StatusResult, MemberStatus, StatusAlarm, Finding, Severity, StatusObservation, MemberObservation } from './model.js';

import type { ConnectionConfig } from '../client/connection.js';
import { discoverStatus, type DiscoverOptions } from './discover.js';
import { assessStatus } from './assess.js';
import type { StatusResult } from './model.js';

/** Discover and assess in one call: what the upgrade executor and tests use between steps. */
export async function clusterStatus(config: ConnectionConfig, opts: DiscoverOptions = {}): Promise<StatusResult> {
  return assessStatus(await discoverStatus(config, opts));
}
