/**
 * etcd's API per release (shipped data with sources), its diff between releases (buf rules plus gateway
 * routes, annotations, v2, flags) and buf's breaking check on any protos.
 *
 * @example
 * ```ts
 * import { contract } from 'upshift';
 * const d = await contract.diffEtcdApi('3.4.23', '3.7.4'); // d.added, d.gateway.routes, d.findings
 * const c = await contract.checkProtos('old/api.proto', 'new/api.proto'); // c.breaking, c.findings (buf's)
 * ```
 */
export { diffEtcdApi, type EtcdContractDiff } from './etcd-diff.js';
export { checkProtos, checkSarif, type CheckResult } from './check.js';
export { apiData, resolveApi, type ApiData, type ApiSnapshot, type GatewayRoute } from './data.js';
export { parseApi, type ApiModel } from './model.js';
export { diffModels, diffRoutes, diffFlags, diffFindings, type StructuralDiff, type ContractFinding } from './diff.js';
export { findBuf, bufBreaking, BREAKING_CATEGORIES, type BufFinding, type BreakingCategory } from './buf.js';
