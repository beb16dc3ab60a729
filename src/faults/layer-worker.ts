/**
 * The fault layer's thread: the proxies (proxy-set.ts) run here, on their own event loop, so the
 * rehearsal's own work (the canary, history checks, snapshot hashing) never delays a raft heartbeat or an
 * RPC passing through, and the proxies never delay the rehearsal. Requests come from layer.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ProxySet } from './proxy-set.js';
import { etcdPidsByDataDir } from './sockets.js';
import type { LayerInit, LayerRequest, LayerReply } from './layer.js';

const init = workerData as LayerInit;
const toBuf = (u: Uint8Array | undefined): Buffer | undefined => (u ? Buffer.from(u) : undefined);

async function main(): Promise<void> {
  const set = await ProxySet.create({
    members: init.members.map((m) => m.name),
    seed: init.seed,
    tls: init.tls,
    pids: () => etcdPidsByDataDir(Object.fromEntries(init.members.filter((m) => m.dataDir).map((m) => [m.name, m.dataDir!]))),
  });
  const port = parentPort!;
  port.postMessage({
    type: 'ready',
    advertised: Object.fromEntries(init.members.map((m) => [m.name, set.advertised(m.name)])),
    l7: Object.fromEntries(init.members.map((m) => [m.name, set.clientIsL7(m.name)])),
    notes: set.notes,
  });
  port.on('message', (req: LayerRequest) => {
    void (async (): Promise<LayerReply> => {
      try {
        switch (req.op) {
          case 'setTargets':
            set.setTargets(req.member, req.targets);
            return { id: req.id, ok: true };
          case 'setTls': {
            const m = req.material;
            set.setTls(req.member, { cert: Buffer.from(m.cert), key: Buffer.from(m.key), ca: Buffer.from(m.ca), clientCert: toBuf(m.clientCert), clientKey: toBuf(m.clientKey) });
            return { id: req.id, ok: true };
          }
          case 'apply':
            return { id: req.id, ok: true, result: set.apply(req.entry) };
          case 'lift':
            set.lift(req.faultId);
            return { id: req.id, ok: true };
          case 'stats':
            return { id: req.id, ok: true, result: set.stats() };
          case 'close':
            await set.close();
            return { id: req.id, ok: true };
        }
      } catch (e) {
        return { id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) };
      }
    })().then((reply) => {
      port.postMessage(reply);
      if (req.op === 'close') port.close();
    });
  });
}

main().catch((e: unknown) => parentPort!.postMessage({ type: 'failed', error: e instanceof Error ? e.message : String(e) }));
