/**
 * Who opened a TCP connection on this machine: the process owning the other end, found through Linux's
 * /proc (net/tcp{,6} maps the peer's port to a socket inode; /proc/PID/fd maps the inode to a process).
 * The fault layer uses it to tell which member dialed a raft peer link, so a partition can cut the links
 * a member opens as well as those opened to it (every member dials every other one's advertised peer URL,
 * so a per-member proxy alone cannot tell m1->m2 from m3->m2). Linux only; elsewhere nothing is identified
 * and link-scoped faults match no connection (the report says how many connections were identified).
 */
import { readFile, readdir, readlink } from 'node:fs/promises';

/** `0100007F:1F90` (IPv4, little-endian word) or 32 hex digits (IPv6) -> port. */
function portOf(hexAddr: string): number {
  return parseInt(hexAddr.slice(hexAddr.indexOf(':') + 1), 16);
}

/** Inode of the socket whose local port is `localPort` and remote port is `remotePort`, from /proc/net/tcp{,6}. */
export async function socketInode(localPort: number, remotePort: number): Promise<string | undefined> {
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      if (portOf(f[1]!) === localPort && portOf(f[2]!) === remotePort) return f[9];
    }
  }
  return undefined;
}

/** Does process `pid` hold socket `inode`? */
export async function processHoldsSocket(pid: number, inode: string): Promise<boolean> {
  const want = `socket:[${inode}]`;
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      if ((await readlink(`/proc/${pid}/fd/${fd}`)) === want) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}

/**
 * An `identify` function for L4FaultProxy: the name (of `candidates()`: name -> pid, read at call time so
 * restarted members are found under their new PID) of the process that opened the accepted connection.
 */
export function identifyByProcess(candidates: () => Promise<Map<string, number>> | Map<string, number>): (remote: { address: string; port: number }, listenPort: number) => Promise<string | undefined> {
  return async (remote, listenPort) => {
    const inode = await socketInode(remote.port, listenPort);
    if (!inode || inode === '0') return undefined;
    for (const [name, pid] of await candidates()) {
      if (await processHoldsSocket(pid, inode)) return name;
    }
    return undefined;
  };
}

/**
 * PIDs of live etcd processes by member name, found by their `--data-dir` (argv in /proc): a member
 * restarted by anyone (the upgrade's driver, a rollback) is found under its new PID.
 */
export async function etcdPidsByDataDir(dataDirs: Record<string, string>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const wanted = new Map(Object.entries(dataDirs).map(([name, dir]) => [dir.replace(/\/+$/, ''), name]));
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    let argv: string[];
    try {
      argv = (await readFile(`/proc/${e}/cmdline`, 'utf8')).split('\0');
    } catch {
      continue;
    }
    if (!(argv[0]?.split('/').pop() ?? '').startsWith('etcd')) continue;
    const i = argv.findIndex((a) => a === '--data-dir' || a.startsWith('--data-dir='));
    if (i < 0) continue;
    const dir = (argv[i] === '--data-dir' ? argv[i + 1] : argv[i]!.slice('--data-dir='.length))?.replace(/\/+$/, '');
    const name = dir ? wanted.get(dir) : undefined;
    if (name) out.set(name, Number(e));
  }
  return out;
}
