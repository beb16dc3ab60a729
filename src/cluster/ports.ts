/** Free TCP ports on a host, picked by the kernel (bind port 0). */
import { createServer, type Server } from 'node:net';

/**
 * `n` distinct free ports. All listeners are held open until every port is known, so the kernel never
 * hands out the same port twice; they are closed before returning, so another process may still take
 * one before etcd binds it — callers detect "address already in use" and pick again.
 */
export async function allocateFreePorts(n: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = createServer();
      servers.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen({ port: 0, host, exclusive: true }, () => resolve());
      });
      const addr = s.address();
      if (!addr || typeof addr === 'string') throw new Error('could not read a bound port');
      ports.push(addr.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => (s.listening ? s.close(() => r()) : r()))));
  }
}
