/** What both fault proxies share: a TCP listener handing accepted sockets over paused, and a target that can move. */
import { createServer, type Server, type Socket } from 'node:net';

export interface Endpoint {
  host: string;
  port: number;
}

export abstract class ProxyListener {
  private server: Server | undefined;
  private port = 0;
  protected target: Endpoint;

  protected constructor(
    private readonly listenOn: Endpoint,
    target: Endpoint,
    /** allowHalfOpen: a FIN from one side is relayed as a FIN, not answered by closing both ways. */
    private readonly halfOpen: boolean,
  ) {
    this.target = { ...target };
  }

  /** A new client connection, paused until the subclass is ready to read it. */
  protected abstract accept(socket: Socket): void;

  /** Start listening; resolves with the bound port (listen port 0 picks a free one). */
  async start(): Promise<number> {
    const server = createServer({ pauseOnConnect: true, noDelay: true, allowHalfOpen: this.halfOpen }, (s) => this.accept(s));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.listenOn.host, port: this.listenOn.port, exclusive: true }, () => resolve());
    });
    server.on('error', () => undefined);
    const a = server.address();
    this.port = typeof a === 'object' && a ? a.port : 0;
    return this.port;
  }

  get address(): Endpoint {
    return { host: this.listenOn.host, port: this.port };
  }

  /** Point new connections at another target (existing ones keep theirs). */
  retarget(target: Endpoint): void {
    this.target = { ...target };
  }

  get currentTarget(): Endpoint {
    return { ...this.target };
  }

  /** Stop listening (connections are the subclass's to close). */
  protected async stopListening(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
