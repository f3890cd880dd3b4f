import type { TenantDb } from '../db/tenant.js';

/** Work another feature does inside the writing transaction (so it commits or rolls back with the write). */
export type WriteHookHandler<P> = (db: TenantDb, payload: P) => Promise<void>;

/**
 * A point where a feature lets others act in its transaction without importing them: the writer
 * calls `run`, a feature above it registers with `on` at start (src/hooks.ts). Used where an
 * event for the outside (a webhook) must be written with the change that caused it.
 */
export class WriteHook<P> {
  private readonly handlers: Array<WriteHookHandler<P>> = [];

  constructor(readonly name: string) {}

  /** Adds a handler; the same handler twice is kept once. */
  on(handler: WriteHookHandler<P>): void {
    if (!this.handlers.includes(handler)) this.handlers.push(handler);
  }

  /** Runs every handler in the caller's transaction, one after another. */
  async run(db: TenantDb, payload: P): Promise<void> {
    for (const handler of this.handlers) await handler(db, payload);
  }
}
