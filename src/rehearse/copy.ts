/**
 * The rehearsal's throw-away copy: a local cluster restored from the backup (the same restore path as
 * `upshift restore`), named and shaped like the source, with every member advertising its fault-layer
 * proxies, so every client RPC and every raft message passes the layer. `detachCopy` (for --keep)
 * points the members back at their own URLs, because the proxies end with this process; `removeCopy`
 * stops it by PID and deletes it.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { clusterDown, loadCluster, memberDataDir, saveCluster, startMember, stopMember, waitClusterHealthy } from '../cluster/local.js';
import type { LocalCluster } from '../cluster/model.js';
import type { ConnectionConfig } from '../client/connection.js';
import { EndpointClient } from '../client/endpoint.js';
import { errorMessage } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';
import { homePaths } from '../core/home.js';
import { FaultLayer } from '../faults/layer.js';
import { restoreToLocalCluster, type BumpFlags, type LocalRestoreResult, type SnapshotForRestore } from '../restore/restore.js';

export interface CopySpec extends BumpFlags {
  home: string;
  name: string;
  members: string[];
  version: string;
  tls: boolean;
  extraArgs: string[];
  seed: string;
  /** Members whose client links need the L7 proxy (the schedule's per-RPC faults); the rest get L4. */
  clientL7: string[];
  snap: SnapshotForRestore;
  /** The source's credentials: a restored snapshot keeps its users. */
  auth?: { user: string; password: string } | undefined;
  /** Deadlines as the source's connection has them. */
  dialTimeoutMs: number;
  commandTimeoutMs: number;
  signal?: AbortSignal | undefined;
  progress?: ((line: string) => void) | undefined;
}

export interface Copy {
  name: string;
  layer: FaultLayer;
  restore: LocalRestoreResult;
  /** Through the fault layer (what the rehearsal's upgrade uses). */
  config: ConnectionConfig;
  members: string[];
}

const read = (f: string): Promise<Buffer> => readFile(f);

export async function makeCopy(spec: CopySpec): Promise<Copy> {
  const layer = await FaultLayer.create({ members: spec.members.map((m) => ({ name: m, dataDir: memberDataDir(spec.home, spec.name, m) })), seed: spec.seed, clientL7: spec.clientL7, ...(spec.tls ? { tls: { terminate: true } } : {}) });
  let restore: LocalRestoreResult;
  try {
    restore = await restoreToLocalCluster(spec.home, spec.snap, {
      name: spec.name,
      members: spec.members.length,
      version: spec.version,
      ...(spec.auth ? { user: spec.auth.user, password: spec.auth.password } : {}),
      bumpRevision: spec.bumpRevision,
      markCompacted: spec.markCompacted,
      signal: spec.signal,
      progress: spec.progress,
      shape: {
        memberNames: spec.members,
        extraArgs: spec.extraArgs,
        tls: spec.tls,
        advertise: async (m) => {
          await layer.setTargets(m.name, { clientPort: m.clientPort, peerPort: m.peerPort });
          if (m.tls && layer.clientIsL7(m.name)) {
            await layer.setTls(m.name, { cert: await read(m.tls.member.certFile), key: await read(m.tls.member.keyFile), ca: await read(m.tls.cluster.caCert), clientCert: await read(m.tls.cluster.clientCert), clientKey: await read(m.tls.cluster.clientKey) });
          }
          return layer.advertised(m.name);
        },
      },
    });
  } catch (e) {
    await layer.close();
    throw e;
  }
  const cluster = await loadCluster(spec.home, spec.name);
  const config: ConnectionConfig = {
    endpoints: spec.members.map((m) => layer.advertised(m).clientURL),
    tls: cluster.tls
      ? { ca: await read(cluster.tls.caCert), cert: await read(cluster.tls.clientCert), key: await read(cluster.tls.clientKey), insecureSkipVerify: false, files: { ca: cluster.tls.caCert, cert: cluster.tls.clientCert, key: cluster.tls.clientKey } }
      : undefined,
    auth: spec.auth,
    dialTimeoutMs: spec.dialTimeoutMs,
    commandTimeoutMs: spec.commandTimeoutMs,
    clusterName: spec.name,
  };
  return { name: spec.name, layer, restore, config, members: spec.members };
}

/**
 * For --keep: the proxies end with this process, so the kept copy must not depend on them. Peer URLs are
 * updated to the members' own (MemberUpdate, through the layer while it still runs), then each member is
 * restarted in turn advertising its own client URL. Returns what was done, or what failed.
 */
export async function detachCopy(home: string, copy: Copy): Promise<string[]> {
  const notes: string[] = [];
  try {
    const cluster = await loadCluster(home, copy.name);
    const proxyToReal = new Map<string, string>();
    for (const m of cluster.members) {
      const a = copy.layer.advertised(m.name);
      proxyToReal.set(a.clientURL, m.clientURL);
      proxyToReal.set(a.peerURL, m.peerURL);
    }
    const c = new EndpointClient(copy.config.endpoints[0]!, copy.config);
    try {
      const list = await c.memberList({ timeoutMs: 5000 });
      for (const m of list.members) {
        const real = m.peerURLs.map((u) => proxyToReal.get(u.replace(/\/$/, '')) ?? u);
        if (real.join() !== m.peerURLs.join()) await c.memberUpdate(m.id, real, { timeoutMs: 5000 });
      }
    } finally {
      c.close();
    }
    const swap = (s: string): string => {
      let out = s;
      for (const [p, r] of proxyToReal) out = out.split(p).join(r);
      return out;
    };
    for (const m of cluster.members) {
      m.args = m.args.map(swap);
      m.spec.initialCluster = swap(m.spec.initialCluster);
      delete m.spec.advertise;
    }
    await saveCluster(cluster);
    for (const m of cluster.members) {
      if (m.pid === undefined) continue;
      await stopMember(cluster, m.name, { signal: 'SIGTERM', timeoutMs: 20_000 });
      await startMember(home, cluster, m.name, { wait: 'healthy', timeoutMs: 60_000 });
    }
    await waitClusterHealthy(cluster, 60_000);
    notes.push(`the copy ${copy.name} was kept and now runs without the fault layer (members advertise their own URLs): upshift status --cluster ${copy.name}; remove it with upshift cluster down ${copy.name} --purge`);
  } catch (e) {
    notes.push(`the copy ${copy.name} was kept but could not be moved off the fault layer (${errorMessage(e)}): its members advertise proxies that ended with this process; remove it with upshift cluster down ${copy.name} --purge`);
  }
  return notes;
}

/** How much of each member's log a rehearsal keeps: the end, where a failed hop's story is. */
export const KEPT_LOG_BYTES = 256 * 1024;

/**
 * Keep the tail of every copy member's etcd log in `dir` (the run's directory, beside its journal) before the
 * copy is removed: a no-go, or a member slow to come back, can then be read after the fact.
 * Returns member -> file; a member without a log is left out.
 */
export async function keepMemberLogs(home: string, name: string, dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const c = await loadCluster(home, name).catch(() => undefined);
  for (const m of c?.members ?? []) {
    if (!m.logFile) continue;
    try {
      const fh = await open(m.logFile, 'r');
      try {
        const size = (await fh.stat()).size;
        const len = Math.min(size, KEPT_LOG_BYTES);
        const buf = Buffer.alloc(len);
        await fh.read(buf, 0, len, size - len);
        const file = join(dir, 'member-logs', `${m.name}.etcd.log`);
        await writeFileAtomic(file, buf);
        out[m.name] = file;
      } finally {
        await fh.close();
      }
    } catch {
      // No log (the member never started): nothing to keep.
    }
  }
  return out;
}

/** Stop the copy by PID, delete it and the backups its upgrade took. */
export async function removeCopy(home: string, name: string, clusterId: string | undefined): Promise<void> {
  await clusterDown(home, name, { purge: true, timeoutMs: 10_000 }).catch(() => undefined);
  if (clusterId) await rm(homePaths.backupsDir(home, clusterId), { recursive: true, force: true }).catch(() => undefined);
}

export type { LocalCluster };
