import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

/**
 * A graceful stop for HTTP keep-alive connections. Closing an idle keep-alive connection at once
 * (what `server.close()` does) races a client that is sending on it at that moment: its request
 * meets a reset (ECONNRESET), and a non-idempotent one cannot be retried safely. Draining instead
 * stops accepting new connections, keeps answering on the open ones for a grace period, each
 * answer with `connection: close` (so the client stops reusing that connection), and ends the
 * connections still idle when the grace period is over.
 */
export class KeepAliveDrain {
  private draining = false;
  /** Open connections and the responses in flight on each. */
  private readonly connections = new Map<Socket, Set<ServerResponse>>();

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.connections.set(socket, new Set());
      socket.once('close', () => this.connections.delete(socket));
    });
    // A WebSocket is no keep-alive connection: the live server closes those itself.
    server.on('upgrade', (_req: IncomingMessage, socket: Socket) => this.connections.delete(socket));
    // Before the application's listener, which may answer at once.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      const inFlight = this.connections.get(req.socket);
      if (this.draining) res.shouldKeepAlive = false;
      if (!inFlight) return;
      inFlight.add(res);
      res.once('close', () => inFlight.delete(res));
    });
  }

  /** True once draining has begun: readiness answers 503 so load balancers send elsewhere. */
  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * Stops accepting connections and waits until every open connection has closed (each answer
   * from now on closes its connection) or `graceMs` has passed; then ends the idle ones.
   */
  async drain(graceMs: number): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    // net.Server's close: http.Server's own would also close idle connections at once.
    NetServer.prototype.close.call(this.server);
    for (const responses of this.connections.values()) {
      for (const res of responses) if (!res.headersSent) res.shouldKeepAlive = false;
    }
    const deadline = Date.now() + graceMs;
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const [socket, responses] of this.connections) if (responses.size === 0) socket.end();
  }
}
