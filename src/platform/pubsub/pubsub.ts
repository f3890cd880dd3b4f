/** What travels with every event beside its payload. */
export interface EventMeta {
  /** Epoch ms when the event was published, which is right after its write committed. */
  publishedAt: number;
}

/** A listener of one tenant topic. */
export type Listener = (payload: unknown, meta: EventMeta) => void;

/**
 * Tenant-scoped publish/subscribe. Every topic is prefixed by the tenant id, so a subscriber can
 * only ever hear its own tenant's events.
 */
export interface PubSub {
  publish(tenantId: string, topic: string, payload: unknown): Promise<void>;
  /** Adds a listener; the returned function removes it. */
  subscribe(tenantId: string, topic: string, listener: Listener): () => void;
  /** Number of listeners, for metrics and leak tests. */
  listenerCount(): number;
  /** Resolves once every subscribe and unsubscribe so far has taken effect (at once in process). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** The channel name of a tenant topic. */
export function channelOf(tenantId: string, topic: string): string {
  return `rapport:${tenantId}:${topic}`;
}

/** Listeners called in one turn of the event loop by LocalListeners.dispatch. */
export const DISPATCH_CHUNK = 200;

/** Dispatches to local listeners; the in-process PubSub and the Redis one share it. */
export class LocalListeners {
  private readonly channels = new Map<string, Set<Listener>>();

  add(channel: string, listener: Listener): { first: boolean; remove: () => boolean } {
    let set = this.channels.get(channel);
    const first = !set;
    if (!set) this.channels.set(channel, (set = new Set()));
    set.add(listener);
    return {
      first,
      remove: () => {
        set!.delete(listener);
        if (set!.size === 0 && this.channels.get(channel) === set) {
          this.channels.delete(channel);
          return true;
        }
        return false;
      },
    };
  }

  /**
   * Calls every listener of the channel; one that throws does not stop the others. Listeners are
   * called DISPATCH_CHUNK at a time, each chunk in its own turn of the event loop, so that a
   * channel with thousands of subscribers never keeps requests waiting behind one event (each
   * listener still hears a channel's events in order).
   */
  dispatch(channel: string, payload: unknown, meta: EventMeta, onError?: (error: unknown) => void): void {
    const set = this.channels.get(channel);
    if (!set) return;
    const listeners = [...set];
    const run = (from: number) => {
      const to = Math.min(listeners.length, from + DISPATCH_CHUNK);
      for (let i = from; i < to; i++) {
        if (from > 0 && !set.has(listeners[i])) continue; // removed while waiting for its turn
        try {
          listeners[i](payload, meta);
        } catch (error) {
          onError?.(error);
        }
      }
      if (to < listeners.length) setImmediate(() => run(to));
    };
    run(0);
  }

  /** Whether the channel has any listener. */
  has(channel: string): boolean {
    return this.channels.has(channel);
  }

  count(): number {
    let n = 0;
    for (const set of this.channels.values()) n += set.size;
    return n;
  }
}
