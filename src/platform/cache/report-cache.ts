import type { TenantDb } from '../../db/tenant.js';

/**
 * The bound tenant's data version: it grows with every committed write to a report's input
 * tables, on whichever node (migration DataVersions). Null when this transaction has written
 * itself (what it sees may yet roll back), so nothing computed from it is cached.
 */
export async function tenantDataVersion(db: TenantDb): Promise<string | null> {
  const [row] = await db.query<{ v: string | null }>(`SELECT tenant_data_version()::text AS v`);
  return row?.v ?? null;
}

/**
 * Computed reports of one node, keyed by what they are computed from, the tenant's data version
 * included: a write anywhere changes the version, so every node stops using what it held, with
 * no message between nodes. Concurrent identical requests share one computation; a failed one
 * is not kept. The oldest entries go first beyond `maxEntries`.
 */
export class ReportCache<T> {
  private readonly done = new Map<string, T>();
  private readonly running = new Map<string, Promise<T>>();

  constructor(private readonly maxEntries = 256) {}

  /** The report under `key`, computed by `compute` unless held or being computed; `key` null: computed, not kept. */
  get(key: string | null, compute: () => Promise<T>): Promise<T> {
    if (key === null) return compute();
    const held = this.done.get(key);
    if (held !== undefined) {
      this.done.delete(key);
      this.done.set(key, held);
      return Promise.resolve(held);
    }
    let run = this.running.get(key);
    if (!run) {
      run = compute().then(
        (value) => {
          this.running.delete(key);
          this.done.set(key, value);
          if (this.done.size > this.maxEntries) this.done.delete(this.done.keys().next().value as string);
          return value;
        },
        (error: unknown) => {
          this.running.delete(key);
          throw error;
        },
      );
      this.running.set(key, run);
    }
    return run;
  }

  /** How many reports are held. */
  get size(): number {
    return this.done.size;
  }
}
