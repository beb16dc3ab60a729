/** Fault injection in user space (no `tc netem` needed): L7 gRPC and L4 TCP proxies, process faults, seeded schedules. */
export { L7FaultProxy, encodeGrpcMessage, type L7ProxyOptions, type L7Stats, type L7TlsOptions } from './l7-proxy.js';
export { L4FaultProxy, type L4ProxyOptions, type L4Rule, type L4Stats, type Direction } from './l4-proxy.js';
export { decideRpc, methodMatches, parseAbortSpec, parseGrpcCode, parseRate, grpcCodeName, WATCH_METHOD, type RpcRule, type RpcDecision } from './rpc-rules.js';
export { seededRng, jittered, type Rng } from './rng.js';
export { OrderedReleaseQueue } from './queue.js';
export { signalProcess, processState, type ProcessFault } from './process.js';
export { identifyByProcess, socketInode, processHoldsSocket, etcdPidsByDataDir } from './sockets.js';
export { loadSchedule, parseSchedule, resolveTimeline, stepMatches, describeEntry, parseBandwidth, FAULT_KINDS, type FaultSchedule, type FaultSpec, type FaultKind, type Timeline, type TimelineEntry } from './schedule.js';
export { FaultLayer, type LayerInit } from './layer.js';
export { ProxySet, type ProxySetOptions, type LayerTls, type LayerStats, type MemberTlsMaterial } from './proxy-set.js';
export { FaultRunner, faultTimelineOf, type FaultEvent, type MemberProcesses } from './runner.js';
