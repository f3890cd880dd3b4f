import type { DataSource } from 'typeorm';
import type { Logger } from '../logger.js';
import type { PubSub } from '../pubsub/pubsub.js';
import { LiveCloseCode, type LiveConnection } from './live-connection.js';
import { PRINCIPAL_REVOKED, type PrincipalRevokedEvent } from '../auth/principal.events.js';

/** Options of a ConnectionRegistry. */
export interface RegistryOptions {
  /**
   * How often every open connection's credential is checked against the database (default 30 s),
   * which catches revocations whose event was lost (Redis away). 0 disables it.
   */
  sweepEveryMs?: number;
}

/**
 * The open connections of this node, by tenant. It ends a principal's connections (4403) when
 * `principalRevoked` says so, and sweeps for revoked or expired credentials now and then.
 * One revocation listener per tenant with open connections.
 */
export class ConnectionRegistry {
  private readonly byTenant = new Map<string, { connections: Set<LiveConnection>; unsubscribe: () => void }>();
  private readonly sweeper?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    private readonly pubsub: PubSub,
    private readonly ds: DataSource,
    private readonly logger: Logger,
    options: RegistryOptions = {},
  ) {
    const every = options.sweepEveryMs ?? 30_000;
    if (every > 0) {
      this.sweeper = setInterval(() => void this.sweep(), every);
      this.sweeper.unref();
    }
  }

  /** Adds an open connection; it is removed when its socket closes. */
  add(connection: LiveConnection): void {
    const tenantId = connection.tenantId;
    let tenant = this.byTenant.get(tenantId);
    if (!tenant) {
      const connections = new Set<LiveConnection>();
      const unsubscribe = this.pubsub.subscribe(tenantId, PRINCIPAL_REVOKED, (payload) =>
        this.revoke(connections, payload as PrincipalRevokedEvent),
      );
      tenant = { connections, unsubscribe };
      this.byTenant.set(tenantId, tenant);
    }
    tenant.connections.add(connection);
    connection.socket.once('close', () => this.remove(connection));
  }

  /** Open connections on this node. */
  size(): number {
    let n = 0;
    for (const t of this.byTenant.values()) n += t.connections.size;
    return n;
  }

  /** Checks every open connection's credential now and closes those no longer valid. */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const all = [...this.byTenant.values()].flatMap((t) => [...t.connections]);
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

  /** Stops the sweeps and the revocation listeners. */
  close(): void {
    clearInterval(this.sweeper);
    for (const t of this.byTenant.values()) t.unsubscribe();
    this.byTenant.clear();
  }

  private remove(connection: LiveConnection): void {
    const tenant = this.byTenant.get(connection.tenantId);
    if (!tenant || !tenant.connections.delete(connection)) return;
    if (tenant.connections.size === 0) {
      tenant.unsubscribe();
      this.byTenant.delete(connection.tenantId);
    }
  }

  private revoke(connections: Set<LiveConnection>, event: PrincipalRevokedEvent): void {
    for (const c of [...connections]) {
      const p = c.principal;
      const match =
        (event.apiKeyId !== undefined && p.apiKeyId === event.apiKeyId) ||
        (event.userId !== undefined && p.userId === event.userId) ||
        (p.sessionId !== undefined && !!event.sessionIds?.includes(p.sessionId));
      if (match) c.close(LiveCloseCode.Forbidden, 'Forbidden: the credential was revoked');
    }
  }
}
