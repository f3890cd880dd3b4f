/** What a member of a key hears after each recomputation. */
export type Coalesced<V> = { value: V } | { error: unknown };

/** How one key is computed and kept up to date. */
export interface CoalescedSource<V> {
  /** Computes the key's current value. The source of the joiner that made the key is used while it lives. */
  compute: () => Promise<V>;
  /**
   * Called when the key gets its first member: start listening for changes and call `trigger` on
   * each; return the function that stops listening (called when the last member leaves).
   */
  activate?: (trigger: () => void) => () => void;
}

/** Options of a Coalescer. */
export interface CoalescerOptions {
  /** Shortest time between the starts of two computations of one key, in ms (default 250). */
  intervalMs?: number;
}

/** A member's handle on a key. */
export interface Membership<V> {
  /** The value at the time of joining: the last one computed, or a fresh computation shared with every other joiner. */
  current: Promise<V>;
  /** Stops hearing the key; the last member to leave stops its computations. */
  leave(): void;
}

interface Entry<V> {
  source: CoalescedSource<V>;
  members: Set<(result: Coalesced<V>) => void>;
  /** Joiners still waiting for their current value. */
  joining: number;
  latest?: { value: V };
  running?: Promise<V>;
  /** A trigger arrived while a computation was running. */
  dirty: boolean;
  timer?: NodeJS.Timeout;
  lastStart: number;
  deactivate?: () => void;
}

/**
 * Recomputes a value per key at most once per interval however often it is triggered, and shares
 * each result with every member of the key. A trigger while idle schedules one computation
 * `intervalMs` later (gathering the triggers in between); a trigger during a computation schedules
 * one for `intervalMs` after that computation started.
 */
export class Coalescer<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly intervalMs: number;
  /** Computations started so far, over all keys (for benches and tests). */
  computations = 0;

  constructor(options: CoalescerOptions = {}) {
    this.intervalMs = options.intervalMs ?? 250;
  }

  /**
   * Joins `key`: `current` resolves with its value, then `listener` hears every recomputation until
   * `leave`. A value that `accepts` refuses (one computed before the joiner's part of the key
   * existed) is not given as `current`: the key is computed again for it.
   */
  join(key: string, source: CoalescedSource<V>, listener: (result: Coalesced<V>) => void, accepts: (value: V) => boolean = () => true): Membership<V> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { source, members: new Set(), joining: 0, dirty: false, lastStart: -Infinity };
      this.entries.set(key, entry);
      const created = entry;
      entry.deactivate = source.activate?.(() => this.trigger(key, created));
    }
    entry.joining++;
    const joined = entry;
    let left = false;
    const current = (async () => {
      try {
        const value = await this.valueFor(joined, (v) => left || accepts(v));
        if (!left) joined.members.add(listener);
        return value;
      } finally {
        joined.joining--;
        this.release(key, joined);
      }
    })();
    return {
      current,
      leave: () => {
        if (left) return;
        left = true;
        joined.members.delete(listener);
        this.release(key, joined);
      },
    };
  }

  /** The running computation's value, else the last one, else a fresh one; computed again while `accepts` refuses it. */
  private async valueFor(entry: Entry<V>, accepts: (value: V) => boolean): Promise<V> {
    for (let tries = 0; ; tries++) {
      if (tries === 10) throw new Error('no computation of the key included the joiner');
      if (entry.running) {
        const value = await entry.running;
        if (accepts(value)) return value;
        continue; // another joiner may have started the next computation meanwhile
      }
      if (entry.latest && accepts(entry.latest.value)) return entry.latest.value;
      const value = await this.run(entry);
      if (accepts(value)) return value;
    }
  }

  /** Schedules a recomputation of `key` if anyone is listening to it. */
  touch(key: string): void {
    const entry = this.entries.get(key);
    if (entry) this.trigger(key, entry);
  }

  /** Keys with members or joiners. */
  size(): number {
    return this.entries.size;
  }

  private trigger(key: string, entry: Entry<V>): void {
    if (this.entries.get(key) !== entry) return;
    if (entry.running) {
      entry.dirty = true;
      return;
    }
    if (entry.timer) return;
    this.schedule(entry, this.intervalMs);
  }

  private schedule(entry: Entry<V>, delayMs: number): void {
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      void this.run(entry).catch(() => {}); // members hear the error
    }, Math.max(0, delayMs));
  }

  private run(entry: Entry<V>): Promise<V> {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.dirty = false;
    entry.lastStart = Date.now();
    this.computations++;
    const deliver = (result: Coalesced<V>) => {
      for (const member of [...entry.members]) member(result);
    };
    const running = (async () => {
      await null; // `running` is set before anything below can finish
      try {
        const value = await entry.source.compute();
        entry.latest = { value };
        deliver({ value });
        return value;
      } catch (error) {
        deliver({ error });
        throw error;
      } finally {
        entry.running = undefined;
        if (entry.dirty && !entry.timer && (entry.members.size || entry.joining)) {
          this.schedule(entry, entry.lastStart + this.intervalMs - Date.now());
        }
      }
    })();
    entry.running = running;
    return running;
  }

  private release(key: string, entry: Entry<V>): void {
    if (entry.members.size || entry.joining || this.entries.get(key) !== entry) return;
    this.entries.delete(key);
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.deactivate?.();
  }
}
