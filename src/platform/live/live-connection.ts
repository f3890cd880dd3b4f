import type { WebSocket } from 'ws';
import type { Principal } from '../auth/principal.js';
import { EventQueue } from './event-queue.js';

/** Close codes of our own, beside graphql-ws's CloseCode. */
export enum LiveCloseCode {
  /** connection_init carried no valid credential. */
  Unauthenticated = 4401,
  /** The credential lacks the READ scope, or was revoked or expired while connected. */
  Forbidden = 4403,
  /** The client reads too slowly: more was waiting for it than the server keeps. */
  SlowConsumer = 4413,
}

/** Per-connection limits that keep a slow or hostile client from growing the server's memory. */
export interface LiveLimits {
  /** Most bytes waiting in the socket's send buffer before the client is dropped (default 1 MiB). */
  maxBufferedBytes: number;
  /** Most events waiting in one subscription's queue before the client is dropped (default 20,000: twice the largest recordMetrics batch). */
  maxQueuedEvents: number;
  /** How long a dropped client gets to take its close frame before the socket is cut (default 5 s). */
  closeGraceMs: number;
  /** How often the server pings; a client that has not answered the last ping by the next is cut (default 12 s, graphql-ws's; 0: never). */
  keepAliveMs: number;
}

export const DEFAULT_LIVE_LIMITS: LiveLimits = { maxBufferedBytes: 1024 * 1024, maxQueuedEvents: 20_000, closeGraceMs: 5_000, keepAliveMs: 12_000 };

/** Something a connection ends when it closes: its running subscriptions. */
export interface Endable {
  end(): void;
}

/** setTimeout's longest delay; longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One authenticated WebSocket connection: who it is, its running subscriptions, and the ways it
 * ends (client goes away, credential revoked or expired, reads too slowly).
 */
export class LiveConnection {
  private readonly running = new Set<Endable>();
  private expiryTimer?: NodeJS.Timeout;
  private keepAliveTimer?: NodeJS.Timeout;
  private awaitingPong = false;
  private closed = false;

  constructor(
    readonly socket: WebSocket,
    readonly principal: Principal,
    readonly limits: LiveLimits,
    private readonly onClosedBy: (code: LiveCloseCode) => void = () => {},
  ) {
    this.armExpiry();
    this.armKeepAlive();
    socket.once('close', () => this.release());
  }

  get tenantId(): string {
    return this.principal.organizationId;
  }

  /** Whether the connection is still open from the server's side. */
  get open(): boolean {
    return !this.closed;
  }

  /** Registers a running subscription, ended if the connection is dropped; returns its unregistration. */
  track(item: Endable): () => void {
    if (this.closed) {
      item.end();
      return () => {};
    }
    this.running.add(item);
    return () => this.running.delete(item);
  }

  /** True when the socket's send buffer holds more than the limit. */
  overloaded(): boolean {
    return this.socket.bufferedAmount > this.limits.maxBufferedBytes;
  }

  /** A bounded queue for one subscription; overflowing it drops this client as a slow consumer. */
  queue<T>(onEnd?: () => void): EventQueue<T> {
    return new EventQueue<T>({
      maxQueued: this.limits.maxQueuedEvents,
      onOverflow: () => this.close(LiveCloseCode.SlowConsumer, 'Slow consumer: too many events waiting'),
      onEnd,
    });
  }

  /** Queues an item unless the client is already too far behind, in which case it is dropped. */
  deliver<T>(queue: EventQueue<T>, item: T): void {
    if (this.closed) return;
    // A queue piped into the fan-out is checked when its frame is written (once per delivery).
    if (!queue.piped && this.overloaded()) return this.close(LiveCloseCode.SlowConsumer, 'Slow consumer: send buffer full');
    queue.push(item);
  }

  /**
   * Ends every subscription at once (releasing their listeners), then closes the socket with
   * `code`; a client that does not take the close frame within the grace period is cut off.
   */
  close(code: LiveCloseCode, reason: string): void {
    if (this.closed) return;
    this.release();
    this.onClosedBy(code);
    this.socket.close(code, reason);
    const socket = this.socket;
    setTimeout(() => {
      if (socket.readyState !== socket.CLOSED) socket.terminate();
    }, this.limits.closeGraceMs).unref();
  }

  private release(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.expiryTimer);
    clearInterval(this.keepAliveTimer);
    for (const item of [...this.running]) item.end();
    this.running.clear();
  }

  /**
   * Pings the client every `keepAliveMs` and cuts it if the last ping is still unanswered. This
   * replaces graphql-ws's own keep-alive, which pinged whatever the socket held and terminated the
   * socket a period later even after the server had begun to close it: a slow consumer dropped with
   * 4413 lost its close frame (1006) when a ping had gone out behind the megabytes it had not read.
   * Here a client behind on reading (bytes waiting on the server) is not pinged (the slow consumer
   * rule governs it, and a ping would wait behind what it has not read), and a connection that is
   * closing is left to `closeGraceMs`.
   */
  private armKeepAlive(): void {
    if (!(this.limits.keepAliveMs > 0)) return;
    this.socket.on('pong', () => (this.awaitingPong = false));
    this.keepAliveTimer = setInterval(() => {
      if (this.closed) return;
      if (this.awaitingPong) return this.socket.terminate();
      if (this.socket.bufferedAmount > 0) return;
      this.awaitingPong = true;
      this.socket.ping();
    }, this.limits.keepAliveMs);
    this.keepAliveTimer.unref();
  }

  private armExpiry(): void {
    const expiresAt = this.principal.expiresAt?.getTime();
    if (expiresAt === undefined) return;
    const wait = expiresAt - Date.now();
    if (wait <= 0) return this.close(LiveCloseCode.Forbidden, 'Forbidden: the credential has expired');
    this.expiryTimer = setTimeout(() => this.armExpiry(), Math.min(wait, MAX_TIMER_MS));
    this.expiryTimer.unref();
  }
}
