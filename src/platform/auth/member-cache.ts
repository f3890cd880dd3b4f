import type { Role } from './scopes.js';

/** What authentication needs of a membership: the role and the user's email. */
export interface CachedMember {
  role: Role;
  email: string;
}

/** Options of a MemberCache. */
export interface MemberCacheOptions {
  /** Entries older than this are read again (default 60 s): a bound on what a lost notice could cost. */
  ttlMs?: number;
  /** At most this many entries (default 50,000); the oldest go first. */
  maxEntries?: number;
}

/**
 * The memberships this node has read, so that a session token costs no membership lookup per
 * request. It holds only what exists (a missing membership is never cached) and is emptied by
 * the revocation channel: `forget` for a role change or removal (every node hears it on commit),
 * `clear` when the channel reconnects (notices may have been missed). While the channel is down
 * the caller bypasses it (`usable`). A read that began before an invalidation is not stored.
 */
export class MemberCache {
  private readonly entries = new Map<string, CachedMember & { at: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  /** Bumped by every invalidation; a read that saw an older value must not be stored. */
  private epoch = 0;

  constructor(options: MemberCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 50_000;
  }

  private static key(organizationId: string, userId: string): string {
    return `${organizationId}:${userId}`;
  }

  /** The cached membership, if fresh. */
  get(organizationId: string, userId: string): CachedMember | undefined {
    const key = MemberCache.key(organizationId, userId);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (Date.now() - entry.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** The epoch to pass to `set` for a read that starts now. */
  begin(): number {
    return this.epoch;
  }

  /** Stores a membership read from the database, unless something was invalidated since `epoch`. */
  set(organizationId: string, userId: string, member: CachedMember, epoch: number): void {
    if (epoch !== this.epoch) return;
    const key = MemberCache.key(organizationId, userId);
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { role: member.role, email: member.email, at: Date.now() });
  }

  /** Forgets one membership (its role changed, or it ended). */
  forget(organizationId: string, userId: string): void {
    this.epoch += 1;
    this.entries.delete(MemberCache.key(organizationId, userId));
  }

  /** Forgets everything. */
  clear(): void {
    this.epoch += 1;
    this.entries.clear();
  }

  /** How many memberships are held. */
  get size(): number {
    return this.entries.size;
  }
}
