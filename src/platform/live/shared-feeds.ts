/** Starts a feed: call `emit` for each item; return the function that stops it. */
export type FeedStarter<T> = (emit: (item: T) => void) => () => void;

/**
 * One upstream per key, however many local listeners it has: the first listener of a key starts
 * its feed, the last one to leave stops it. Work done per item (a query, a computation) is then
 * done once per node, not once per subscriber.
 */
export class SharedFeeds<T> {
  private readonly feeds = new Map<string, { listeners: Set<(item: T) => void>; stop: () => void }>();

  /** Listens to `key`'s feed, starting it with `start` if it is not running; returns the leave function. */
  join(key: string, start: FeedStarter<T>, listener: (item: T) => void): () => void {
    let feed = this.feeds.get(key);
    if (!feed) {
      const listeners = new Set<(item: T) => void>();
      feed = { listeners, stop: () => {} };
      this.feeds.set(key, feed);
      feed.stop = start((item) => {
        for (const l of [...listeners]) l(item);
      });
    }
    const joined = feed;
    joined.listeners.add(listener);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      joined.listeners.delete(listener);
      if (joined.listeners.size === 0 && this.feeds.get(key) === joined) {
        this.feeds.delete(key);
        joined.stop();
      }
    };
  }

  /** Running feeds. */
  size(): number {
    return this.feeds.size;
  }
}
