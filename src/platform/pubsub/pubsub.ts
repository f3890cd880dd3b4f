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

/** Most events of one channel that its listeners hear in one pass (see DispatchQueue). */
export const MAX_BATCH = 64;

/** How far ahead of the queue's head a pass looks for its channel's events. */
const BATCH_LOOKAHEAD = 4 * MAX_BATCH;

/** A channel's listeners, each with the number of the last event dispatched before it was added. */
type Members = Map<Listener, number>;

/** One event waiting for its listeners. */
interface Pending {
  readonly members: Members;
  readonly payload: unknown;
  readonly meta: EventMeta;
  readonly onError?: (error: unknown) => void;
  /** Its number in the process's dispatch order. */
  readonly seq: number;
  /** Taken into a pass that began at an earlier event of its channel. */
  taken: boolean;
}

/** A pass over one channel's listeners with the events it carries (in dispatch order). */
interface Pass {
  readonly members: Members;
  readonly events: Pending[];
  /** Where the pass is among the listeners (a live iterator: it sees removals, and additions that the events' numbers then filter). */
  readonly cursor: IterableIterator<[Listener, number]>;
  /** The listener a turn's budget ran out on, and the index of its next event. */
  resume?: { entry: [Listener, number]; next: number };
}

/**
 * The one queue of events waiting for their listeners, shared by every LocalListeners of the
 * process. It runs in its own turns of the event loop, each for at most DISPATCH_BUDGET_MS, then
 * yields (setImmediate) so that requests, database answers and socket flushes get their turn
 * between two slices of a fan-out.
 *
 * Smart batching: a pass over a channel's listeners carries every event of that channel waiting
 * near the head of the queue (up to MAX_BATCH), and each listener hears them one after another,
 * in dispatch order. When the queue keeps up, a pass carries one event; when it falls behind, the
 * backlog itself becomes the batch, so a subscriber's socket gets k messages in one system call
 * (the largest cost of a delivery) and the queue catches up instead of lagging further. Each
 * listener still hears each channel's events in order, and only those dispatched while it was
 * listening (it carries the number of the last event dispatched before it was added), and one
 * removed before its turn hears nothing more.
 */
class DispatchQueue {
  private readonly pending: Pending[] = [];
  private head = 0;
  private seq = 0;
  private pass?: Pass;
  private scheduled = false;

  constructor(private readonly budgetMs: number) {}

  /** The number of the last event dispatched (a listener added now hears only later ones). */
  get lastSeq(): number {
    return this.seq;
  }

  push(members: Members, payload: unknown, meta: EventMeta, onError?: (error: unknown) => void): void {
    this.pending.push({ members, payload, meta, onError, seq: ++this.seq, taken: false });
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const deadline = performance.now() + this.budgetMs;
    for (let pass = this.pass ?? this.nextPass(); pass; pass = this.nextPass()) {
      for (let entry = pass.resume?.entry ?? pass.cursor.next().value; entry; entry = pass.cursor.next().value) {
        const [listener, since] = entry;
        const events = pass.events;
        let i = pass.resume?.next ?? 0;
        pass.resume = undefined;
        for (; i < events.length; i++) {
          const event = events[i];
          if (event.seq <= since) continue; // added after this event was dispatched
          if (pass.members.get(listener) !== since) break; // removed (by an earlier call, say)
          try {
            listener(event.payload, event.meta);
          } catch (error) {
            event.onError?.(error);
          }
          // Checked after every call: one listener's share of a large backlog is cut too.
          if (performance.now() >= deadline) {
            pass.resume = { entry, next: i + 1 };
            this.pass = pass;
            return this.schedule();
          }
        }
      }
    }
  };

  /** Takes the next pass off the queue: the head event and its channel's events close behind it. */
  private nextPass(): Pass | undefined {
    this.pass = undefined;
    while (this.head < this.pending.length && this.pending[this.head].taken) this.head++;
    if (this.head >= this.pending.length) {
      this.pending.length = 0;
      this.head = 0;
      return undefined;
    }
    const first = this.pending[this.head++];
    const events = [first];
    const end = Math.min(this.pending.length, this.head + BATCH_LOOKAHEAD);
    for (let i = this.head; i < end && events.length < MAX_BATCH; i++) {
      const event = this.pending[i];
      if (event.members === first.members && !event.taken) {
        event.taken = true;
        events.push(event);
      }
    }
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending.splice(0, this.head);
      this.head = 0;
    }
    return { members: first.members, events, cursor: first.members.entries() };
  }
}

/** This process's dispatch queue (see DispatchQueue). */
const queue = new DispatchQueue(DISPATCH_BUDGET_MS);

/** Dispatches to local listeners; the in-process PubSub and the Redis one share it. */
export class LocalListeners {
  private readonly channels = new Map<string, Members>();

  add(channel: string, listener: Listener): { first: boolean; remove: () => boolean } {
    let set = this.channels.get(channel);
    const first = !set;
    if (!set) this.channels.set(channel, (set = new Map()));
    set.set(listener, queue.lastSeq);
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
   * are called in later turns of the event loop (never inside this call), each hearing the
   * channel's events in the order they were dispatched; a listener removed meanwhile is skipped,
   * and one that throws does not stop the others (`onError` hears it).
   */
  dispatch(channel: string, payload: unknown, meta: EventMeta, onError?: (error: unknown) => void): void {
    const set = this.channels.get(channel);
    if (!set) return;
    queue.push(set, payload, meta, onError);
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
