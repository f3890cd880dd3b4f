import { Client, type Notification } from 'pg';
import type { Logger } from '../logger.js';
import { parseRevocation, REVOCATION_CHANNEL, type Revocation } from './revocation.js';

/** Options of a RevocationListener. */
export interface RevocationListenerOptions {
  /** Wait before reconnecting after the listening connection is lost (default 500 ms, doubling up to 5 s). */
  reconnectMs?: number;
  /** How often the listening connection is checked with a round trip (default 10 s). */
  heartbeatMs?: number;
}

type Handler = (revocation: Revocation) => void;

/**
 * This node's ear on the revocation channel: one PostgreSQL connection of its own (outside the
 * pool) that LISTENs, hands every revocation to the subscribers, and comes back by itself when
 * the database does. Notifications sent while it was away are lost, so on every reconnection the
 * `resync` subscribers are called to re-check what they hold against the database.
 */
export class RevocationListener {
  private readonly handlers = new Set<Handler>();
  private readonly resyncs = new Set<() => void>();
  private client?: Client;
  private timer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private closed = false;
  private everConnected = false;
  private failures = 0;

  constructor(
    private readonly connectionString: string,
    private readonly logger: Logger,
    private readonly options: RevocationListenerOptions = {},
  ) {}

  /** Connects and listens; a failure is logged and retried in the background, never thrown. */
  async start(): Promise<void> {
    await this.connect();
  }

  /** Calls `handler` with every revocation any node announces; returns the unsubscription. */
  subscribe(handler: Handler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Calls `handler` after each reconnection, when notifications may have been missed. */
  onResync(handler: () => void): () => void {
    this.resyncs.add(handler);
    return () => this.resyncs.delete(handler);
  }

  /** Whether the listening connection is up right now. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Stops listening for good. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new Client({ connectionString: this.connectionString, keepAlive: true, application_name: 'rapport-revocation' });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => this.dispatch(message));
    try {
      await client.connect();
      await client.query(`LISTEN ${REVOCATION_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.retry(error);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.failures = 0;
    this.heartbeat = setInterval(() => {
      client.query('SELECT 1').catch((error: unknown) => this.lost(client, error));
    }, this.options.heartbeatMs ?? 10_000);
    this.heartbeat.unref();
    if (this.everConnected) {
      this.logger.info('revocation listener is back');
      this.resyncs.forEach((fn) => fn());
    }
    this.everConnected = true;
  }

  private lost(client: Client, error?: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearInterval(this.heartbeat);
    client.removeAllListeners('end');
    void client.end().catch(() => undefined);
    if (!this.closed) this.retry(error);
  }

  private retry(error: unknown): void {
    if (this.closed) return;
    const base = this.options.reconnectMs ?? 500;
    const wait = Math.min(base * 2 ** this.failures, 5_000);
    this.failures += 1;
    this.logger.warn('revocation listener lost its connection; retrying', { error, retryInMs: wait });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connect(), wait);
    this.timer.unref();
  }

  private dispatch(message: Notification): void {
    if (message.channel !== REVOCATION_CHANNEL) return;
    const revocation = parseRevocation(message.payload);
    if (!revocation) return this.logger.warn('ignored a malformed revocation notification', { payload: message.payload });
    for (const handler of [...this.handlers]) {
      try {
        handler(revocation);
      } catch (error) {
        this.logger.error('revocation handler failed', { error });
      }
    }
  }
}
