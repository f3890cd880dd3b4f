import { channelOf, LocalListeners, type Listener, type PubSub } from './pubsub.js';

/** In-process PubSub, used when no REDIS_URL is configured. */
export class MemoryPubSub implements PubSub {
  private readonly local = new LocalListeners();

  /** `onListenerError` hears what a throwing listener threw (the other listeners still run). */
  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  async publish(tenantId: string, topic: string, payload: unknown): Promise<void> {
    // Delivered asynchronously (the dispatch queue runs in its own turns), as Redis would.
    this.local.dispatch(channelOf(tenantId, topic), payload, { publishedAt: Date.now() }, this.onListenerError);
  }

  subscribe(tenantId: string, topic: string, listener: Listener): () => void {
    const { remove } = this.local.add(channelOf(tenantId, topic), listener);
    return () => void remove();
  }

  listenerCount(): number {
    return this.local.count();
  }

  async settled(): Promise<void> {}

  async close(): Promise<void> {}
}
