import type { DataSource } from 'typeorm';
import type { Logger } from '../logger.js';
import type { PubSub } from '../pubsub/pubsub.js';

/** A revoked session: its id and when its token would have expired anyway. */
export interface RevokedSession {
  id: string;
  expiresAt: Date | string;
}

/** Options of SessionRevocations. */
export interface SessionRevocationOptions {
  /**
   * How often the list is brought up to date from the database (default 30 s), which catches
   * revocations whose announcement this node missed. 0 disables it.
   */
  refreshEveryMs?: number;
}

/** Revocations that commit this long after their `revoked_at` are still caught by the refresh. */
const REFRESH_OVERLAP_MS = 60_000;

/**
 * The revoked sessions this node knows of, each kept until its token expires anyway. Checking a
 * token is a Map lookup: the list is loaded once, fed by revocation announcements, and refreshed
 * now and then with one indexed query for what was revoked since the last refresh.
 */
export class SessionRevocations {
  private readonly revoked = new Map<string, number>();
  private readonly timer?: NodeJS.Timeout;
  private loaded?: Promise<void>;
  private since = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly logger: Logger,
    options: SessionRevocationOptions = {},
  ) {
    const every = options.refreshEveryMs ?? 30_000;
    if (every > 0) {
      this.timer = setInterval(() => void this.refresh(), every);
      this.timer.unref();
    }
  }

  /** Loads the list (the server does it before it listens); later calls wait for the same load. */
  load(): Promise<void> {
    return (this.loaded ??= this.refresh());
  }

  /** True when the session was revoked. */
  async isRevoked(sessionId: string): Promise<boolean> {
    await this.load();
    return this.revoked.has(sessionId);
  }

  /** Records revoked sessions (from an announcement, or this node's own revocation). */
  add(sessions: readonly RevokedSession[]): void {
    for (const s of sessions) this.revoked.set(s.id, new Date(s.expiresAt).getTime());
  }

  /** Reads what was revoked since the last refresh (everything still unexpired, the first time). */
  async refresh(): Promise<void> {
    try {
      const started = Date.now();
      const rows: Array<{ id: string; expires_at: Date }> = await this.ds.query(
        `SELECT id, expires_at FROM sessions WHERE revoked_at IS NOT NULL AND revoked_at >= $1 AND expires_at > now()`,
        [new Date(this.since - REFRESH_OVERLAP_MS)],
      );
      this.add(rows.map((r) => ({ id: r.id, expiresAt: r.expires_at })));
      this.since = started;
      const now = Date.now();
      for (const [id, expires] of this.revoked) if (expires <= now) this.revoked.delete(id);
    } catch (error) {
      this.logger.warn('could not refresh the session revocation list', { error });
    }
  }

  /** Stops the refreshes. */
  close(): void {
    clearInterval(this.timer);
  }
}

/** The node-wide topic session revocations travel on until the platform's revocation channel carries them. */
export const SESSIONS_REVOKED = { tenant: 'all-tenants', topic: 'sessions-revoked' } as const;

/** Feeds this node's session revocation list from every node's announcements; returns the unsubscription. */
export function listenForRevokedSessions(pubsub: PubSub, list: SessionRevocations): () => void {
  return pubsub.subscribe(SESSIONS_REVOKED.tenant, SESSIONS_REVOKED.topic, (payload) => list.add((payload as { sessions: RevokedSession[] }).sessions));
}
