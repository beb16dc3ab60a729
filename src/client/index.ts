/**
 * upshift's etcd client layer: per-member `EndpointClient`s for maintenance calls, `EtcdClient` for KV,
 * watch and lease, HTTP helpers for /version, /health and /metrics, and typed errors that say whether a
 * failed request may have been applied. See each module's header for the rules it follows.
 */
export { resolveConnection, parseEndpoints, splitUser, describeConnection, clusterToConnection, readLocalCluster, DEFAULT_ENDPOINT } from './connection.js';
export type { ConnectionConfig, TlsConfig, AuthConfig, ConnectionFlags } from './connection.js';
export { EndpointClient, tokenSourceFor, statusInfo } from './endpoint.js';
export { openSnapshotStream, SnapshotBodyDecoder, type SnapshotReceiver, type SnapshotEnd, type SnapshotStreamOptions } from './snapshot-stream.js';
export type { SnapshotStream, EndpointClientOptions } from './endpoint.js';
export { EtcdClient, Watcher, LeaseKeeper, LEASE_EXPIRED } from './kv.js';
export type { RangeOptions, RangeResult, PutResult, DeleteResult, Compare, TxnOp, TxnResult, TxnResponseOp, WatchOptions, WatchEvent, Bytes, EtcdClientOptions } from './kv.js';
export { Transport, TokenSource, CHANNEL_OPTIONS, type CallOptions } from './transport.js';
export {
  EtcdError,
  EtcdUnavailableError,
  EtcdDeadlineError,
  EtcdAuthError,
  EtcdServerError,
  EtcdCancelledError,
  toEtcdError,
  isSafeToRetry,
  type RequestOutcome,
  type OperationKind,
} from './errors.js';
export { httpGet, httpAgent, getVersion, getHealth, getMetrics, type HttpHealth, type HttpOptions } from './http.js';
export { parsePrometheus, metricValue, metricLabel, histogram, histogramQuantile, PrometheusParseError, type MetricFamily, type ParseOptions, type Sample, type HistogramData } from './prometheus.js';
export * from './types.js';
export { etcdServices, PROTO_DIR } from './proto.js';
