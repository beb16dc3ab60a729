/**
 * Loads upshift's hand-written etcd protos (repo-root `proto/`) into grpc-js service constructors.
 *
 * Loader options, chosen once for the whole client layer:
 * - `keepCase: true`: message fields keep etcd's proto names (`range_end`, `dbSizeInUse`, `TTL`, `ID`), so what
 *   the code reads is what the API reference documents. src/client/types.ts converts to upshift's own shapes.
 * - `longs: String`: int64/uint64 arrive as decimal strings (member and lease IDs use all 64 bits and do not fit a
 *   JS number); conversions to number (revisions, sizes) or hex (IDs) happen in one place (src/client/convert.ts).
 * - `enums: String`, `bytes: Buffer`, `defaults: true` (a field a server did not send reads as its zero value),
 *   `oneofs: true` (the set oneof member's name is exposed, e.g. `request_union`).
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** `proto/` resolved relative to this module: src/client/ (tsx) and dist/client/ (built) both sit two levels below the package root. */
export const PROTO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'proto');

export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  bytes: Buffer,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

type ServiceCtor = grpc.ServiceClientConstructor;

export interface EtcdServices {
  KV: ServiceCtor;
  Watch: ServiceCtor;
  Lease: ServiceCtor;
  Cluster: ServiceCtor;
  Maintenance: ServiceCtor;
  Auth: ServiceCtor;
  Health: ServiceCtor;
}

let cached: EtcdServices | undefined;

/** Parsed once per process (parsing costs ~20 ms; status and the upgrade executor create many clients). */
export function etcdServices(): EtcdServices {
  if (cached) return cached;
  const def = protoLoader.loadSync(['rpc.proto', 'health.proto'], LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    etcdserverpb: Record<string, ServiceCtor>;
    grpc: { health: { v1: { Health: ServiceCtor } } };
  };
  const e = pkg.etcdserverpb;
  cached = {
    KV: e.KV!,
    Watch: e.Watch!,
    Lease: e.Lease!,
    Cluster: e.Cluster!,
    Maintenance: e.Maintenance!,
    Auth: e.Auth!,
    Health: pkg.grpc.health.v1.Health,
  };
  return cached;
}
