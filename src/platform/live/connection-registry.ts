import type { DataSource } from 'typeorm';
import type { Logger } from '../logger.js';
import type { RevocationListener } from '../revocation/revocation-listener.js';
import { revokes, type Revocation } from '../revocation/revocation.js';
import { LiveCloseCode, type LiveConnection } from './live-connection.js';

/** Options of a ConnectionRegistry. */
export interface RegistryOptions {
  /**
   * How often every open connection's credential is checked against the database (default 30 s),
   * a safety net behind the revocation channel (which also triggers a sweep when it reconnects). 0 disables it.
   */
  sweepEveryMs?: number;
}

/**
 * The open connections of this node, by tenant. It ends a principal's connections (4403) as soon
 * as the revocation channel (PostgreSQL NOTIFY) announces their credential revoked, and sweeps for
 * revoked or expired credentials now and then and whenever that channel reconnects.
 */
export class ConnectionRegistry {
  private readonly byTenant = new Map<string, Set<LiveConnection>>();
  private readonly sweeper?: NodeJS.Timeout;
  private readonly unsubscribe: Array<() => void>;
  private sweeping = false;

  constructor(
    revocations: RevocationListener,
    private readonly ds: DataSource,
    private readonly logger: Logger,
    options: RegistryOptions = {},
  ) {
    const every = options.sweepEveryMs ?? 30_000;
    if (every > 0) {
      this.sweeper = setInterval(() => void this.sweep(), every);
      this.sweeper.unref();
    }
    this.unsubscribe = [revocations.subscribe((r) => this.revoke(r)), revocations.onResync(() => void this.sweep())];
  }

  /** Adds an open connection; it is removed when its socket closes. */
  add(connection: LiveConnection): void {
    const tenantId = connection.tenantId;
    let connections = this.byTenant.get(tenantId);
    if (!connections) this.byTenant.set(tenantId, (connections = new Set()));
    connections.add(connection);
    connection.socket.once('close', () => this.remove(connection));
  }

  /** Open connections on this node. */
  size(): number {
    let n = 0;
    for (const t of this.byTenant.values()) n += t.size;
    return n;
  }

  /** Checks every open connection's credential now and closes those no longer valid. */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const all = [...this.byTenant.values()].flatMap((t) => [...t]);
      const keyIds = [...new Set(all.flatMap((c) => (c.principal.apiKeyId ? [c.principal.apiKeyId] : [])))];
      const members = all.filter((c) => c.principal.userId);
      const invalidKeys = new Set<string>();
      const invalidMembers = new Set<string>();
      if (keyIds.length) {
        const rows: Array<{ id: string }> = await this.ds.query(
          `SELECT k.id FROM unnest($1::uuid[]) AS x(id) LEFT JOIN api_keys k ON k.id = x.id
           WHERE k.id IS NULL OR k.revoked_at IS NOT NULL OR k.expires_at <= now()`,
          [keyIds],
        );
        for (const r of rows) invalidKeys.add(r.id);
      }
      if (members.length) {
        // A member's socket ends when the membership is gone, the role changed, or the session was revoked.
        const rows: Array<{ org: string; usr: string; sid: string | null }> = await this.ds.query(
          `SELECT x.org, x.usr, x.sid FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[]) AS x(org, usr, role, sid)
           LEFT JOIN memberships m ON m.organization_id = x.org AND m.user_id = x.usr
           LEFT JOIN sessions s ON s.organization_id = x.org AND s.id = x.sid
           WHERE m.user_id IS NULL OR m.role <> x.role OR s.revoked_at IS NOT NULL`,
          [
            members.map((c) => c.principal.organizationId),
            members.map((c) => c.principal.userId),
            members.map((c) => c.principal.role ?? null),
            members.map((c) => c.principal.sessionId ?? null),
          ],
        );
        for (const r of rows) invalidMembers.add(`${r.org}:${r.usr}:${r.sid ?? ''}`);
      }
      for (const c of all) {
        const p = c.principal;
        const member = `${p.organizationId}:${p.userId}:${p.sessionId ?? ''}`;
        if ((p.apiKeyId && invalidKeys.has(p.apiKeyId)) || (p.userId && invalidMembers.has(member))) {
          c.close(LiveCloseCode.Forbidden, 'Forbidden: the credential is no longer valid');
        }
      }
    } catch (error) {
      this.logger.warn('live credential sweep failed', { error });
    } finally {
      this.sweeping = false;
    }
  }

  /** Stops the sweeps and the revocation subscription. */
  close(): void {
    clearInterval(this.sweeper);
    this.unsubscribe.forEach((fn) => fn());
    this.byTenant.clear();
  }

  private remove(connection: LiveConnection): void {
    const connections = this.byTenant.get(connection.tenantId);
    if (!connections || !connections.delete(connection)) return;
    if (connections.size === 0) this.byTenant.delete(connection.tenantId);
  }

  /** Closes, at once, every connection whose credential `revocation` ends (its subscriptions stop before any further event). */
  private revoke(revocation: Revocation): void {
    for (const c of [...(this.byTenant.get(revocation.organizationId) ?? [])]) {
      if (revokes(revocation, c.principal)) c.close(LiveCloseCode.Forbidden, 'Forbidden: the credential was revoked');
    }
  }
}
