import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { channelOf, LocalListeners, type EventMeta, type Listener, type PubSub } from './pubsub.js';

/** What goes over Redis: the payload with the publishing node and the publish time. */
interface Envelope {
  /** Node id of the publisher, so it can skip its own echo (it delivered locally already). */
  n: string;
  /** Epoch ms of the publish. */
  t: number;
  p: unknown;
}

/** Options of RedisPubSub. */
export interface RedisPubSubOptions {
  /** How long, at most, one `[warn]` per kind of Redis trouble is repeated (default 10 s). */
  warnEveryMs?: number;
}

/**
 * Tenant-scoped pub/sub across nodes through Redis: one publisher and one subscriber connection
 * per node. A channel is subscribed when its first local listener arrives and unsubscribed when its
 * last one leaves. Events reach this node's own listeners directly, so they keep flowing on one
 * node while Redis is away; publishing never throws (failures are logged), and ioredis reconnects
 * and resubscribes on its own when Redis is back.
 */
export class RedisPubSub implements PubSub {
  readonly nodeId = randomUUID();
  private readonly local = new LocalListeners();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly lastWarned = new Map<string, number>();
  private readonly warnEveryMs: number;
  private closed = false;

  constructor(
    url: string,
    private readonly logger: Logger,
    options: RedisPubSubOptions = {},
  ) {
    this.warnEveryMs = options.warnEveryMs ?? 10_000;
    // Publishes fail fast while Redis is away instead of queueing without bound.
    this.publisher = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: 'rapport-publisher' });
    // (Un)subscribes issued while Redis is away wait for it; channels are resubscribed on reconnect.
    this.subscriber = new Redis(url, { autoResubscribe: true, maxRetriesPerRequest: null, connectionName: 'rapport-subscriber' });
    for (const [name, conn] of [['publisher', this.publisher], ['subscriber', this.subscriber]] as const) {
      conn.on('error', (error: unknown) => this.warn(`redis-${name}`, `Redis ${name} connection error`, { error }));
      conn.on('ready', () => {
        if (this.lastWarned.delete(`redis-${name}`)) this.logger.info(`Redis ${name} connection is back`);
      });
    }
    this.subscriber.on('message', (channel: string, message: string) => this.receive(channel, message));
  }

  async publish(tenantId: string, topic: string, payload: unknown): Promise<void> {
    const channel = channelOf(tenantId, topic);
    const meta: EventMeta = { publishedAt: Date.now() };
    this.local.dispatch(channel, payload, meta, this.onListenerError);
    if (this.closed) return;
    const envelope: Envelope = { n: this.nodeId, t: meta.publishedAt, p: payload };
    try {
      await this.publisher.publish(channel, JSON.stringify(envelope));
    } catch (error) {
      this.warn('redis-publish', 'could not publish a live event to Redis; other nodes miss it', { error, topic });
    }
  }

  subscribe(tenantId: string, topic: string, listener: Listener): () => void {
    const channel = channelOf(tenantId, topic);
    const { first, remove } = this.local.add(channel, listener);
    if (first) this.track(this.subscriber.subscribe(channel));
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      if (remove() && !this.closed) this.track(this.subscriber.unsubscribe(channel));
    };
  }

  listenerCount(): number {
    return this.local.count();
  }

  /** Resolves once every SUBSCRIBE and UNSUBSCRIBE issued so far has been answered by Redis. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  private track(command: Promise<unknown>): void {
    const p = command.catch((error: unknown) => {
      if (!this.closed) this.warn('redis-subscribe', 'Redis (un)subscribe failed', { error });
    });
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private receive(channel: string, message: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message) as Envelope;
    } catch (error) {
      this.warn('redis-message', 'ignored a malformed live event from Redis', { error, channel });
      return;
    }
    if (envelope.n === this.nodeId) return;
    this.local.dispatch(channel, envelope.p, { publishedAt: envelope.t }, this.onListenerError);
  }

  /** What a listener threw, logged (the other listeners are still called). */
  private readonly onListenerError = (error: unknown): void => this.logger.error('live listener failed', { error });

  /** Logs a warning at most once per `warnEveryMs` for each kind, so an outage does not flood the log. */
  private warn(kind: string, msg: string, fields: Record<string, unknown>): void {
    const now = Date.now();
    const last = this.lastWarned.get(kind);
    if (last !== undefined && now - last < this.warnEveryMs) return;
    this.lastWarned.set(kind, now);
    this.logger.warn(msg, fields);
  }
}
