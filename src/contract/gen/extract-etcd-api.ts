#!/usr/bin/env -S node --import tsx
/**
 * Dev-only generator (not shipped behaviour): extracts etcd's client API per release from the published
 * Go modules and writes src/contract/data/etcd-api.json, which `upshift contract diff` and the topology
 * impact read. Usage (needs Go and a module proxy; an etcd git mirror fills in releases the proxy does
 * not serve):
 *   node --import tsx src/contract/gen/extract-etcd-api.ts [--git ETCD_GIT_DIR] [--versions 3.4.23,3.7.4] [--out FILE]
 *
 * Per release it records, with the module (path@version and go.sum hash) or git tag it came from:
 *   - the API protos: etcdserverpb/rpc.proto and the files it imports from etcd (mvccpb/kv.proto,
 *     authpb/auth.proto, versionpb/version.proto from 3.6), laid out at their import paths so buf
 *     compiles them (`etcd/mvcc/mvccpb/kv.proto` in 3.4, `etcd/api/mvccpb/kv.proto` from 3.5);
 *   - the gRPC gateway routes as the generated gateway registers them (etcdserverpb/gw/rpc.pb.gw.go:
 *     `mux.Handle(METHOD, pattern_Svc_Rpc_0, ...)` and the pattern's literal path segments);
 *   - the gateway path rewrites the server applies first (embed/serve.go: `/v3beta/` -> `/v3/`);
 *   - whether the server still carries the v2 HTTP API (etcdserver/api/v2http/client.go, behind --enable-v2).
 * Where: 3.5+ from go.etcd.io/etcd/api/v3@vX and go.etcd.io/etcd/server/v3@vX; 3.4 from go.etcd.io/etcd
 * at the tag's pseudo-version (shared/reference/go-modules.md §1.3; src/deps/knowledge/releases.ts).
 * The protos etcd's files import from elsewhere (gogoproto, google/api, protoc-gen-openapiv2) come from
 * the modules etcd's go.mod names, once. Identical files are stored once (by content hash).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { releasedPatches } from '../../knowledge/index.js';
import { pseudoVersionFor34 } from '../../deps/knowledge/releases.js';
import { gatewayRoutes, pathRewrites, type GatewayRoute } from '../gateway.js';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const gitDir = arg('--git');
let modcache = '';
const log = (s: string): void => void process.stderr.write(s + '\n');

interface Download {
  Path: string;
  Version: string;
  Dir?: string;
  Sum?: string;
  Error?: string;
}

function goDownload(mod: string): Download | undefined {
  try {
    const text = execFileSync('go', ['mod', 'download', '-json', mod], { encoding: 'utf8', cwd: tmpdir(), env: { ...process.env, GOMODCACHE: modcache, GOFLAGS: '-modcacherw' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const d = JSON.parse(text) as Download;
    return d.Dir ? d : undefined;
  } catch (e) {
    const text = (e as { stdout?: string }).stdout;
    if (text) {
      try {
        const d = JSON.parse(text) as Download;
        log(`  ${mod}: ${d.Error?.split('\n')[0] ?? 'not available'}`);
      } catch {
        /* not JSON */
      }
    }
    return undefined;
  }
}

/** A tree to read files from: a module directory or a git tag. */
interface Tree {
  read(path: string): string | undefined;
  source: Source;
}

type Source = { kind: 'go-module'; modules: { path: string; version: string; sum: string }[] } | { kind: 'git'; repo: 'etcd-io/etcd'; tag: string; commit: string };

function dirTree(dirs: Record<string, string>): (prefixPath: string) => string | undefined {
  // `prefixPath` is "api:etcdserverpb/rpc.proto" style: module key and the path inside it.
  return (p) => {
    const [key, rel] = p.split(':') as [string, string];
    const file = join(dirs[key]!, rel);
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  };
}

function moduleTree(version: string): Tree | undefined {
  const line = version.split('.').slice(0, 2).join('.');
  if (line === '3.4') {
    const pv = pseudoVersionFor34(`v${version}`);
    const d = pv && goDownload(`go.etcd.io/etcd@${pv}`);
    if (!d) return undefined;
    const read = dirTree({ api: d.Dir!, server: d.Dir! });
    return { read, source: { kind: 'go-module', modules: [{ path: d.Path, version: d.Version, sum: d.Sum! }] } };
  }
  const api = goDownload(`go.etcd.io/etcd/api/v3@v${version}`);
  const server = api && goDownload(`go.etcd.io/etcd/server/v3@v${version}`);
  if (!api || !server) return undefined;
  return {
    read: dirTree({ api: api.Dir!, server: server.Dir! }),
    source: { kind: 'go-module', modules: [{ path: api.Path, version: api.Version, sum: api.Sum! }, { path: server.Path, version: server.Version, sum: server.Sum! }] },
  };
}

function gitTree(version: string): Tree | undefined {
  if (!gitDir) return undefined;
  const tag = `v${version}`;
  let commit: string;
  try {
    commit = execFileSync('git', ['-C', gitDir, 'rev-parse', `${tag}^{commit}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
  const is34 = version.startsWith('3.4.');
  const read = (p: string): string | undefined => {
    const [key, rel] = p.split(':') as [string, string];
    const path = is34 ? rel : `${key}/${rel}`;
    try {
      return execFileSync('git', ['-C', gitDir, 'show', `${commit}:${path}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 26 });
    } catch {
      return undefined;
    }
  };
  return { read, source: { kind: 'git', repo: 'etcd-io/etcd', tag, commit: commit.slice(0, 12) } };
}

/** Where each file sits in the tree, and the path etcd's imports use for it. */
function layout(version: string): { tree: string; importPath: string }[] {
  if (version.startsWith('3.4.')) {
    return [
      { tree: 'api:etcdserver/etcdserverpb/rpc.proto', importPath: 'etcd/etcdserver/etcdserverpb/rpc.proto' },
      { tree: 'api:mvcc/mvccpb/kv.proto', importPath: 'etcd/mvcc/mvccpb/kv.proto' },
      { tree: 'api:auth/authpb/auth.proto', importPath: 'etcd/auth/authpb/auth.proto' },
    ];
  }
  return [
    { tree: 'api:etcdserverpb/rpc.proto', importPath: 'etcd/api/etcdserverpb/rpc.proto' },
    { tree: 'api:mvccpb/kv.proto', importPath: 'etcd/api/mvccpb/kv.proto' },
    { tree: 'api:authpb/auth.proto', importPath: 'etcd/api/authpb/auth.proto' },
    { tree: 'api:versionpb/version.proto', importPath: 'etcd/api/versionpb/version.proto' },
  ];
}

const gwPath = (v: string) => (v.startsWith('3.4.') ? 'api:etcdserver/etcdserverpb/gw/rpc.pb.gw.go' : 'api:etcdserverpb/gw/rpc.pb.gw.go');
const servePath = (v: string) => (v.startsWith('3.4.') ? 'server:embed/serve.go' : 'server:embed/serve.go');
const v2Path = (v: string) => (v.startsWith('3.4.') ? 'server:etcdserver/api/v2http/client.go' : 'server:etcdserver/api/v2http/client.go');

function main(): void {
  const out = arg('--out') ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'etcd-api.json');
  const versions = arg('--versions')?.split(',') ?? ['3.4', '3.5', '3.6', '3.7'].flatMap((m) => releasedPatches(m));
  modcache = mkdtempSync(join(tmpdir(), 'upshift-etcd-api-'));
  const blobs: Record<string, string> = {};
  const blob = (text: string): string => {
    const id = createHash('sha256').update(text).digest('hex').slice(0, 16);
    blobs[id] = text;
    return id;
  };

  interface Snapshot {
    files: Record<string, string>;
    gateway: { routes: GatewayRoute[]; rewrites: { from: string; to: string }[] };
    v2: { served: boolean; evidence: string };
  }

  const snapshots: Record<string, Snapshot> = {};
  const byVersion: Record<string, { snapshot: string; source: Source }> = {};
  const missing: string[] = [];

  for (const v of versions) {
    const tree = moduleTree(v) ?? gitTree(v);
    if (!tree) {
      log(`${v}: neither the module proxy nor --git has it; skipped`);
      missing.push(v);
      continue;
    }
    const files: Record<string, string> = {};
    for (const f of layout(v)) {
      const text = tree.read(f.tree);
      if (text === undefined) {
        if (f.importPath.endsWith('version.proto')) continue; // versionpb exists from 3.6 on
        throw new Error(`${v}: ${f.tree} missing in ${JSON.stringify(tree.source)}`);
      }
      files[f.importPath] = blob(text);
    }
    const gw = tree.read(gwPath(v));
    if (!gw) throw new Error(`${v}: no gateway file`);
    const serve = tree.read(servePath(v)) ?? '';
    const v2 = tree.read(v2Path(v)) !== undefined;
    const snap: Snapshot = {
      files,
      gateway: { routes: gatewayRoutes(gw), rewrites: pathRewrites(serve) },
      v2: { served: v2, evidence: v2 ? 'etcdserver/api/v2http/client.go (served with --enable-v2)' : 'no etcdserver/api/v2http in the server' },
    };
    const id = createHash('sha256').update(JSON.stringify(snap)).digest('hex').slice(0, 12);
    snapshots[id] = snap;
    byVersion[v] = { snapshot: id, source: tree.source };
    log(`${v}: ${tree.source.kind === 'git' ? `git ${tree.source.tag}` : tree.source.modules.map((m) => `${m.path}@${m.version}`).join(' ')} -> ${id}`);
  }

  // The protos etcd imports from elsewhere, from the modules etcd's go.mod names.
  const deps: { files: Record<string, string>; sources: { path: string; version: string; sum: string; files: string[] }[] } = { files: {}, sources: [] };
  const depSpecs = [
    { mod: 'github.com/gogo/protobuf@v1.3.2', files: [['gogoproto/gogo.proto', 'gogoproto/gogo.proto']] },
    { mod: 'github.com/grpc-ecosystem/grpc-gateway@v1.16.0', files: [['third_party/googleapis/google/api/annotations.proto', 'google/api/annotations.proto'], ['third_party/googleapis/google/api/http.proto', 'google/api/http.proto']] },
    { mod: 'github.com/grpc-ecosystem/grpc-gateway/v2@v2.29.0', files: [['protoc-gen-openapiv2/options/annotations.proto', 'protoc-gen-openapiv2/options/annotations.proto'], ['protoc-gen-openapiv2/options/openapiv2.proto', 'protoc-gen-openapiv2/options/openapiv2.proto']] },
  ];
  for (const d of depSpecs) {
    const dl = goDownload(d.mod);
    if (!dl) throw new Error(`cannot download ${d.mod}`);
    for (const [from, to] of d.files) deps.files[to!] = blob(readFileSync(join(dl.Dir!, from!), 'utf8'));
    deps.sources.push({ path: dl.Path, version: dl.Version, sum: dl.Sum!, files: d.files.map((f) => f[1]!) });
  }

  const doc = {
    generatedBy: 'src/contract/gen/extract-etcd-api.ts',
    generatedAt: new Date().toISOString().slice(0, 10),
    note: 'etcd client API per release: protos at their import paths, gateway routes and rewrites, v2 API presence. Do not edit by hand; re-run the generator.',
    versions: byVersion,
    missing,
    snapshots,
    deps,
    blobs: Object.fromEntries(Object.entries(blobs).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
  writeFileSync(out, JSON.stringify(doc, null, 1) + '\n');
  rmSync(modcache, { recursive: true, force: true });
  log(`wrote ${out}: ${Object.keys(byVersion).length} releases, ${Object.keys(snapshots).length} distinct API snapshots, ${Object.keys(blobs).length} files${missing.length ? `; missing: ${missing.join(', ')}` : ''}`);
}

// Only when run as a script (importing this file must never regenerate the data).
if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) main();
