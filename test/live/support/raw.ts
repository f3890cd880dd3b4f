import { once } from 'node:events';
import WebSocket from 'ws';
import { wsUrl } from './live';

/**
 * A bare graphql-transport-ws connection, for what the real client cannot do on purpose:
 * stop reading, or vanish without a close handshake.
 */
export class RawConnection {
  /** Every message received after the ack, as the bytes came (text). */
  readonly messages: string[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.messages.push(String(data)));
  }

  /** The raw `next` messages received for subscription `id`. */
  nexts(id: string): string[] {
    return this.messages.filter((m) => {
      const parsed = JSON.parse(m) as { id?: string; type: string };
      return parsed.type === 'next' && parsed.id === id;
    });
  }

  complete(id: string): void {
    this.ws.send(JSON.stringify({ id, type: 'complete' }));
  }

  /** Opens, sends connection_init and waits for the ack. */
  static async open(base: string, authorization: string): Promise<RawConnection> {
    const ws = new WebSocket(wsUrl(base), 'graphql-transport-ws');
    await once(ws, 'open');
    const acked = new Promise<void>((resolve, reject) => {
      ws.on('message', function onMessage(data) {
        if (JSON.parse(String(data)).type === 'connection_ack') {
          ws.off('message', onMessage);
          resolve();
        }
      });
      ws.once('close', (code) => reject(new Error(`closed with ${code} before the ack`)));
    });
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization } }));
    await acked;
    return new RawConnection(ws);
  }

  subscribe(id: string, query: string, variables?: Record<string, unknown>): void {
    this.ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
  }

  /** Stops reading from the socket: the server's writes pile up in the kernel, then on the server. */
  pause(): void {
    (this.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  resume(): void {
    (this.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  }

  /** Resolves with the close code the client sees. */
  closed(): Promise<number> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve(-1);
    return once(this.ws, 'close').then(([code]) => code as number);
  }
}
