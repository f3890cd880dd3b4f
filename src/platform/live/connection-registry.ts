import type { Authenticator } from '../auth/authenticator.js';
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
    private readonly authenticator: Authenticator,
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
      const invalid = await this.authenticator.noLongerValid(all.map((c) => c.principal));
      for (const c of all) if (invalid.has(c.principal)) c.close(LiveCloseCode.Forbidden, 'Forbidden: the credential is no longer valid');
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
