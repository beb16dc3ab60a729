/**
 * The proxies of a cluster's fault layer (run in the layer's own thread: layer.ts): one client proxy and
 * one peer proxy per member, on 127.0.0.1 with free ports, created before the members start so their
 * advertised URLs can be the proxies' (every client, and every member dialing a peer, then goes through
 * them). Client links get the L7 proxy (TLS terminated with the member's own certificate when it serves
 * TLS); without certificates a TLS member's client link gets the L4 proxy and per-RPC faults cannot act
 * on it (`notes` says so). Peer links get the L4 proxy, which identifies the member that dialed each
 * connection (sockets.ts) so links can be cut one by one. `apply`/`lift` turn a timeline entry
 * (schedule.ts) into proxy rules.
 */
import { L4FaultProxy, type L4Rule } from './l4-proxy.js';
import { L7FaultProxy, type L7TlsOptions } from './l7-proxy.js';
import { identifyByProcess } from './sockets.js';
import type { RpcRule } from './rpc-rules.js';
import type { TimelineEntry } from './schedule.js';

const HOST = '127.0.0.1';

/** TLS material for one member's client proxy: its server certificate and key (presented to clients), the cluster CA and a client certificate (for the member). */
export interface MemberTlsMaterial {
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
  clientCert?: Buffer | undefined;
  clientKey?: Buffer | undefined;
}

export interface LayerTls {
  /** true: the L7 proxies terminate TLS with each member's own certificate (`setTls`); false: client links are relayed at L4. */
  terminate: boolean;
}

export interface ProxySetOptions {
  members: string[];
  seed: string | number;
  /** Members serve TLS on their client and peer ports. */
  tls?: LayerTls | undefined;
  /**
   * Members whose client link gets the L7 proxy (per-RPC faults); the others get the L4 proxy, which
   * costs clients less (bench/faults-proxy-overhead.ts). Default: every member.
   */
  clientL7?: string[] | undefined;
  /** Current PIDs by member name (for telling which member opened a peer connection). */
  pids: () => Map<string, number> | Promise<Map<string, number>>;
}

interface MemberProxies {
  client: L7FaultProxy | L4FaultProxy;
  peer: L4FaultProxy;
}

export interface LayerStats {
  /** `tls` (members serving TLS): `terminated` by the L7 proxy with the member's certificate, `passed-through` at L4, `no-certificate` (L7 never given one: it resets connections). */
  client: Record<string, { kind: 'l7' | 'l4'; tls?: 'terminated' | 'passed-through' | 'no-certificate' | undefined; stats: unknown }>;
  peer: Record<string, unknown>;
}

export class ProxySet {
  private readonly proxies = new Map<string, MemberProxies>();
  readonly notes: string[] = [];

  private constructor(private readonly opts: ProxySetOptions) {}

  /** Start every proxy (no target yet: `setTargets` before the members start). */
  static async create(opts: ProxySetOptions): Promise<ProxySet> {
    const layer = new ProxySet(opts);
    const identify = identifyByProcess(opts.pids);
    try {
      for (const name of opts.members) {
        let client: L7FaultProxy | L4FaultProxy;
        const wantL7 = !opts.clientL7 || opts.clientL7.includes(name);
        if (wantL7 && (!opts.tls || opts.tls.terminate)) {
          client = new L7FaultProxy({ listen: { host: HOST, port: 0 }, target: { host: HOST, port: 1 }, awaitTls: Boolean(opts.tls), seed: opts.seed, name: `${name}/client` });
        } else {
          client = new L4FaultProxy({ listen: { host: HOST, port: 0 }, target: { host: HOST, port: 1 }, seed: opts.seed, name: `${name}/client` });
          if (wantL7) layer.notes.push(`${name} serves TLS and its certificates are not at hand: its client link goes through the L4 proxy (TLS passed through; blackhole and reset only, no per-RPC abort or delay)`);
        }
        const peer = new L4FaultProxy({ listen: { host: HOST, port: 0 }, target: { host: HOST, port: 1 }, identify, seed: opts.seed, name: `${name}/peer` });
        layer.proxies.set(name, { client, peer });
        await client.start();
        await peer.start();
      }
    } catch (e) {
      await layer.close();
      throw e;
    }
    return layer;
  }

  private get(name: string): MemberProxies {
    const p = this.proxies.get(name);
    if (!p) throw new Error(`the fault layer has no member ${name}`);
    return p;
  }

  /** The URLs a member advertises (the proxies'). */
  advertised(name: string): { clientURL: string; peerURL: string } {
    const p = this.get(name);
    const scheme = this.opts.tls ? 'https' : 'http';
    return { clientURL: `${scheme}://${HOST}:${p.client.address.port}`, peerURL: `${scheme}://${HOST}:${p.peer.address.port}` };
  }

  /** The TLS material of a member whose client link the L7 proxy terminates. */
  setTls(name: string, m: MemberTlsMaterial): void {
    const c = this.get(name).client;
    if (!(c instanceof L7FaultProxy)) return;
    const tls: L7TlsOptions = { listen: { cert: m.cert, key: m.key, ca: m.ca }, upstream: { ca: m.ca, cert: m.clientCert, key: m.clientKey } };
    c.useTls(tls);
  }

  /** Where a member really listens. */
  setTargets(name: string, t: { clientPort: number; peerPort: number }): void {
    const p = this.get(name);
    p.client.retarget({ host: HOST, port: t.clientPort });
    p.peer.retarget({ host: HOST, port: t.peerPort });
  }

  clientIsL7(name: string): boolean {
    return this.get(name).client instanceof L7FaultProxy;
  }

  /**
   * Put a timeline entry's faults in place (network faults only; process faults are the runner's).
   * Returns what was done, or why nothing could be.
   */
  apply(e: TimelineEntry): { applied: string[]; skipped: string[] } {
    const applied: string[] = [];
    const skipped: string[] = [];
    const p = e.params;
    const onClient = (name: string, rpc: Omit<RpcRule, 'id'>, l4?: Omit<L4Rule, 'id'>): void => {
      const c = this.get(name).client;
      if (c instanceof L7FaultProxy) {
        c.addRule({ id: e.id, ...rpc });
        applied.push(`${name} client link`);
      } else if (l4) {
        c.addRule({ id: e.id, ...l4 });
        applied.push(`${name} client link (L4)`);
      } else skipped.push(`${name}: its client link is L4 (TLS without certificates), ${e.fault} needs the L7 proxy`);
    };
    /** Peer links: `members` = the cut side; `others` the far ends (undefined: every other member). */
    const onPeers = (members: string[], rule: Omit<L4Rule, 'id' | 'from'>, only?: string[]): void => {
      for (const m of members) {
        const far = only ?? this.opts.members.filter((x) => x !== m);
        // Connections into m's peer port from the far ends, and connections m opened to each far end.
        this.get(m).peer.addRule({ id: e.id, from: only ? far : undefined, ...rule });
        for (const f of far) this.get(f).peer.addRule({ id: e.id, from: [m], ...rule });
        applied.push(`peer links ${m}<->${far.join(',')}`);
      }
    };
    const l4: Omit<L4Rule, 'id' | 'from'> =
      e.fault === 'latency'
        ? { latencyMs: p.latencyMs, jitterMs: p.jitterMs, direction: p.direction }
        : e.fault === 'bandwidth'
          ? { bandwidth: p.bytesPerSec, direction: p.direction }
          : e.fault === 'slow-close'
            ? { slowCloseMs: p.delayMs }
            : e.fault === 'blackhole' || e.fault === 'partition'
              ? { blackhole: true }
              : e.fault === 'reset'
                ? { reset: true }
                : {};
    const t = e.target;
    switch (e.fault) {
      case 'abort':
        for (const m of t.members) onClient(m, { methods: p.methods, abort: { rate: p.rate!, code: p.code! } });
        break;
      case 'delay':
        for (const m of t.members) onClient(m, { methods: p.methods, delay: { ms: p.latencyMs!, jitterMs: p.jitterMs, rate: p.rate } });
        break;
      case 'watch-delay':
        for (const m of t.members) onClient(m, { streamDelay: { ms: p.latencyMs!, jitterMs: p.jitterMs } });
        break;
      case 'partition':
        onPeers(t.members, l4);
        if (p.clients) for (const m of t.members) onClient(m, { blackhole: true }, { blackhole: true });
        break;
      case 'blackhole':
      case 'reset':
        if (t.kind === 'member') for (const m of t.members) onClient(m, e.fault === 'reset' ? { reset: true } : { methods: p.methods, blackhole: true }, l4);
        else if (t.kind === 'link') onPeers([t.members[0]], l4, [t.members[1]]);
        else onPeers(t.members, l4);
        break;
      case 'latency':
      case 'bandwidth':
      case 'slow-close':
        if (t.kind === 'link') onPeers([t.members[0]], l4, [t.members[1]]);
        else onPeers(t.members, l4);
        break;
      default:
        skipped.push(`${e.fault} is a process fault`);
    }
    return { applied, skipped };
  }

  /** Take a timeline entry's rules off every proxy. */
  lift(id: string): void {
    for (const p of this.proxies.values()) {
      p.client.removeRule(id);
      p.peer.removeRule(id);
    }
  }

  stats(): LayerStats {
    const out: LayerStats = { client: {}, peer: {} };
    for (const [name, p] of this.proxies) {
      const tls = !this.opts.tls ? undefined : !(p.client instanceof L7FaultProxy) ? 'passed-through' : p.client.tlsTerminated ? 'terminated' : 'no-certificate';
      out.client[name] = { kind: p.client instanceof L7FaultProxy ? 'l7' : 'l4', ...(tls ? { tls } : {}), stats: structuredClone(p.client.stats) };
      out.peer[name] = structuredClone(p.peer.stats);
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.proxies.values()].flatMap((p) => [p.client.close(), p.peer.close()]));
  }
}
