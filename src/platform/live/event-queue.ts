/** Options of an EventQueue. */
export interface EventQueueOptions {
  /** Most items waiting to be read; one more calls `onOverflow` and ends the queue. */
  maxQueued: number;
  /** Called once when the reader falls more than `maxQueued` items behind. */
  onOverflow?: () => void;
  /** Called once when the queue ends for any reason (release listeners here). */
  onEnd?: () => void;
}

/** Where a piped queue's items go, as they come (see EventQueue.pipeTo). */
export interface QueueSink<T> {
  push(item: T): void;
  /** The queue ended (its producer finished, or someone ended it). */
  end(): void;
  /** The producer failed; `end` follows. */
  fail(error: unknown): void;
}

/**
 * A push-to-pull bridge: event listeners `push`, a subscription reads it as an AsyncIterator.
 * Bounded: a reader that falls too far behind overflows it instead of growing memory.
 * `return()` (the client completed, or the socket closed) ends it at once, pending reads included.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private readonly waiting: Array<{ resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }> = [];
  private error: unknown;
  private failed = false;
  private ended = false;
  private sink?: QueueSink<T>;

  constructor(private readonly options: EventQueueOptions) {}

  /** Queues an item for the reader; ignored once the queue has ended. */
  push(item: T): void {
    if (this.ended) return;
    if (this.sink) return this.sink.push(item);
    const waiter = this.waiting.shift();
    if (waiter) return waiter.resolve({ value: item, done: false });
    if (this.items.length >= this.options.maxQueued) {
      this.end();
      this.options.onOverflow?.();
      return;
    }
    this.items.push(item);
  }

  /** Ends the queue with an error: the reader gets what was queued, then the error. */
  fail(error: unknown): void {
    if (this.ended || this.failed) return;
    this.failed = true;
    this.error = error;
    if (this.sink) {
      this.sink.fail(error);
      return this.end();
    }
    if (!this.items.length) this.flushWaiters();
  }

  /** Ends the queue: pending and later reads are done. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.items.length = 0;
    for (const w of this.waiting.splice(0)) w.resolve({ value: undefined, done: true });
    this.options.onEnd?.();
    this.sink?.end();
  }

  /**
   * Switches the queue from reads to pushes, for a consumer that handles items synchronously (the
   * live fan-out): what is queued goes to `sink` now, every later item as it is pushed, then its
   * failure or end. No item waits in the queue any more, so `maxQueued` no longer applies: the sink
   * bounds what it keeps. Not for a queue that is also read.
   */
  pipeTo(sink: QueueSink<T>): void {
    if (this.ended) return sink.end();
    this.sink = sink;
    for (const item of this.items.splice(0)) {
      if (this.ended) return;
      sink.push(item);
    }
    if (this.failed && !this.ended) {
      sink.fail(this.error);
      this.end();
    }
  }

  /** Whether the queue pushes to a sink (pipeTo) rather than being read. */
  get piped(): boolean {
    return this.sink !== undefined;
  }

  /** Items waiting to be read. */
  get size(): number {
    return this.items.length;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.failed && !this.ended) {
      const error = this.error;
      this.end();
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.end();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private flushWaiters(): void {
    const waiters = this.waiting.splice(0);
    if (!waiters.length) return;
    const error = this.error;
    this.end();
    for (const w of waiters) w.reject(error);
  }
}
