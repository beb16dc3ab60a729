/**
 * The fault layer's own thread (FaultLayer with `thread: 'own'`): the proxies run here on an event loop
 * of their own. Requests come from layer.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serveLayerRequest, startProxySet, type LayerInit, type LayerRequest } from './layer.js';

async function main(): Promise<void> {
  const { set, ready } = await startProxySet(workerData as LayerInit);
  const port = parentPort!;
  port.postMessage(ready);
  port.on('message', (req: LayerRequest) => {
    void serveLayerRequest(set, req).then((reply) => {
      port.postMessage(reply);
      if (req.op === 'close') port.close();
    });
  });
}

main().catch((e: unknown) => parentPort!.postMessage({ type: 'failed', error: e instanceof Error ? e.message : String(e) }));
