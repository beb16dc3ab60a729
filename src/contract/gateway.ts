/**
 * Reading etcd's HTTP gateway from its sources (used by gen/extract-etcd-api.ts): the routes the
 * generated gateway registers (etcdserverpb/gw/rpc.pb.gw.go, grpc-gateway v1 and v2 output) and the path
 * rewrites the server applies before them (embed/serve.go). Pure text extraction: no Go toolchain.
 */
import type { GatewayRoute } from './data.js';

export type { GatewayRoute };

/** Routes as registered by the generated gateway (grpc-gateway v1 and v2 output). */
export function gatewayRoutes(gw: string): GatewayRoute[] {
  const patterns = new Map<string, string>();
  for (const m of gw.matchAll(/(pattern_(\w+?)_(\w+)_\d+)\s*=\s*runtime\.MustPattern\(runtime\.NewPattern\(\d+,\s*\[\]int\{[^}]*\},\s*\[\]string\{([^}]*)\}/g)) {
    const segs = [...m[4]!.matchAll(/"([^"]*)"/g)].map((s) => s[1]);
    patterns.set(m[1]!, '/' + segs.join('/'));
  }
  const seen = new Set<string>();
  const routes: GatewayRoute[] = [];
  for (const m of gw.matchAll(/mux\.Handle\((?:"(\w+)"|http\.Method(\w+)),\s*(pattern_(\w+?)_(\w+)_\d+),/g)) {
    const method = (m[1] ?? m[2]!).toUpperCase();
    const path = patterns.get(m[3]!);
    if (!path) continue;
    const rpc = `/etcdserverpb.${m[4]}/${m[5]}`;
    const key = `${method} ${path} ${rpc}`;
    if (seen.has(key)) continue; // RegisterXHandlerServer and RegisterXHandlerClient register the same route
    seen.add(key);
    routes.push({ method, path, rpc });
  }
  return routes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.rpc < b.rpc ? -1 : 1));
}

/** `/v3beta/` -> `/v3/` style rewrites in the server's HTTP handler (embed/serve.go). */
export function pathRewrites(serve: string): { from: string; to: string }[] {
  const out: { from: string; to: string }[] = [];
  for (const m of serve.matchAll(/strings\.Replace\(req\.URL\.Path,\s*"([^"]+)",\s*"([^"]+)",\s*1\)/g)) out.push({ from: m[1]!, to: m[2]! });
  return out;
}

