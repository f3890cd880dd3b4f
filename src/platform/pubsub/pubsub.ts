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

/** Longest a turn of the event loop spends calling listeners before it yields to I/O (ms). */
export const DISPATCH_BUDGET_MS = 1;

/** One event waiting for (the rest of) its listeners. */
interface Pending {
  readonly set: Set<Listener>;
  readonly listeners: Listener[];
  readonly payload: unknown;
  readonly meta: EventMeta;
  readonly onError?: (error: unknown) => void;
  next: number;
}

/**
 * The one queue of events waiting for their listeners, shared by every LocalListeners of the
 * process. It runs in its own turns of the event loop, each for at most DISPATCH_BUDGET_MS, then
 * yields (setImmediate) so that requests, database answers and socket flushes get their turn
 * between two slices of a fan-out. Events are taken in the order they were dispatched, so each
 * listener hears a channel's events in order. (The queue it replaces ran one chain of turns per
 * event, 200 listeners a turn each: with k events waiting every turn ran k x 200 listeners, and
 * the write path's statements each waited for several such turns.)
 */
class DispatchQueue {
  private readonly pending: Pending[] = [];
  private head = 0;
  private scheduled = false;

  constructor(private readonly budgetMs: number) {}

  push(event: Pending): void {
    this.pending.push(event);
    this.schedule();
  }

  /** Events not yet heard by all their listeners. */
  get size(): number {
    return this.pending.length - this.head;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const deadline = performance.now() + this.budgetMs;
    while (this.head < this.pending.length) {
      const event = this.pending[this.head];
      const { listeners, set } = event;
      while (event.next < listeners.length) {
        const listener = listeners[event.next++];
        if (!set.has(listener)) continue; // removed while the event waited for it
        try {
          listener(event.payload, event.meta);
        } catch (error) {
          event.onError?.(error);
        }
        if (performance.now() >= deadline && this.size > 0) return this.yield();
      }
      this.pending[this.head++] = undefined as unknown as Pending;
    }
    this.pending.length = 0;
    this.head = 0;
  };

  private yield(): void {
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending.splice(0, this.head);
      this.head = 0;
    }
    this.schedule();
  }
}

/** This process's dispatch queue (see DispatchQueue). */
const queue = new DispatchQueue(DISPATCH_BUDGET_MS);

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
   * Queues the event for every listener the channel has now, on the process's dispatch queue: they
   * are called in later turns of the event loop (never inside this call), in the order events were
   * dispatched, a listener removed meanwhile is skipped, and one that throws does not stop the
   * others (`onError` hears it).
   */
  dispatch(channel: string, payload: unknown, meta: EventMeta, onError?: (error: unknown) => void): void {
    const set = this.channels.get(channel);
    if (!set) return;
    queue.push({ set, listeners: [...set], payload, meta, onError, next: 0 });
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
