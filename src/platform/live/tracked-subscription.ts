import type { Endable } from './live-connection.js';

const DONE: IteratorResult<never> = { value: undefined, done: true };

/**
 * Wraps a running subscription's iterator so that its end is seen exactly once, however it comes:
 * the stream finishes or fails, the client completes it, the socket closes, or the server drops
 * the connection (`end`). The open-subscriptions gauge is kept by this.
 */
export class TrackedSubscription<T> implements AsyncIterableIterator<T>, Endable {
  private readonly inner: AsyncIterator<T>;
  private ended = false;

  constructor(source: AsyncIterable<T>, private readonly onEnd: () => void) {
    this.inner = source[Symbol.asyncIterator]();
  }

  async next(): Promise<IteratorResult<T>> {
    if (this.ended) return DONE;
    try {
      const r = await this.inner.next();
      if (r.done) this.finish();
      return this.ended ? DONE : r;
    } catch (e) {
      if (this.ended) return DONE;
      this.finish();
      throw e;
    }
  }

  async return(): Promise<IteratorResult<T>> {
    this.end();
    return DONE;
  }

  async throw(error?: unknown): Promise<IteratorResult<T>> {
    this.end();
    throw error;
  }

  /** Ends it from outside: the inner stream is returned (its listeners released) and onEnd runs. */
  end(): void {
    if (this.ended) return;
    this.finish();
    void Promise.resolve(this.inner.return?.()).catch(() => {});
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
  }
}
