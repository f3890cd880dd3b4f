import type { DataSource } from 'typeorm';
import { UnauthenticatedError } from '../errors.js';
import type { Logger } from '../logger.js';
import { apiKeyMatches, apiKeyPrefix, looksLikeApiKey } from './api-key-secret.js';
import { userPrincipal, type Principal } from './principal.js';
import { ApiKeyScope, Role } from './scopes.js';
import { SessionRevocations } from './session-revocations.js';
import { verifySessionToken } from './session-tokens.js';

/** How often, at most, a key's `lastUsedAt` is written by one node. */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

interface ApiKeyRow {
  organization_id: string;
  id: string;
  name: string;
  secret_hash: Buffer;
  scopes: string[];
  expires_at: Date | null;
  revoked_at: Date | null;
}

/**
 * Turns a credential (session token or API key secret) into a Principal. Lookups run before a
 * tenant is known, so they use the owner connection; everything after runs under RLS.
 */
export class Authenticator {
  private readonly lastUsedWritten = new Map<string, number>();
  /** Sessions revoked before they expired (logOut, removal), held in memory. */
  readonly revokedSessions: SessionRevocations;

  constructor(
    private readonly ds: DataSource,
    private readonly sessionSecret: string,
    private readonly logger: Logger,
  ) {
    this.revokedSessions = new SessionRevocations(ds, logger);
  }

  /** Stops background work. */
  close(): void {
    this.revokedSessions.close();
  }

  /** Reads the credential from `Authorization: Bearer …` or `x-api-key`. */
  static credentialFrom(authorization?: string | null, apiKeyHeader?: string | null): string | undefined {
    if (apiKeyHeader) return apiKeyHeader.trim();
    if (!authorization) return undefined;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
    if (!match) throw new UnauthenticatedError('Malformed Authorization header: expected "Bearer <token>"');
    return match[1];
  }

  /** The principal for a credential; null without one; UNAUTHENTICATED for a bad one. */
  async authenticate(credential: string | undefined): Promise<Principal | null> {
    if (credential === undefined) return null;
    const principal = looksLikeApiKey(credential) ? await this.apiKey(credential) : await this.session(credential);
    if (!principal) throw new UnauthenticatedError('Invalid, expired or revoked credential');
    return principal;
  }

  /** True while the principal's credential is still valid (not revoked, not expired, still a member). */
  async stillValid(principal: Principal): Promise<boolean> {
    if (principal.expiresAt && principal.expiresAt.getTime() <= Date.now()) return false;
    if (principal.kind === 'API_KEY') {
      const rows: unknown[] = await this.ds.query(
        `SELECT 1 FROM api_keys WHERE organization_id = $1 AND id = $2 AND revoked_at IS NULL`,
        [principal.organizationId, principal.apiKeyId],
      );
      return rows.length > 0;
    }
    if (principal.sessionId && (await this.revokedSessions.isRevoked(principal.sessionId))) return false;
    return (await this.member(principal.organizationId, principal.userId!)) !== null;
  }

  private async session(token: string): Promise<Principal | null> {
    const claims = await verifySessionToken(this.sessionSecret, token);
    if (!claims || (await this.revokedSessions.isRevoked(claims.sessionId))) return null;
    const member = await this.member(claims.organizationId, claims.userId);
    return (
      member &&
      userPrincipal(claims.organizationId, claims.userId, member.role, { sessionId: claims.sessionId, name: member.email, expiresAt: claims.expiresAt })
    );
  }

  /** The user's role in the organization (read on every request, so a change counts at once) and email. */
  private async member(organizationId: string, userId: string): Promise<{ role: Role; email: string } | null> {
    const rows: Array<{ role: Role; email: string }> = await this.ds.query(
      `SELECT m.role, u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.organization_id = $1 AND m.user_id = $2`,
      [organizationId, userId],
    );
    return rows[0] ?? null;
  }

  private async apiKey(secret: string): Promise<Principal | null> {
    const rows: ApiKeyRow[] = await this.ds.query(
      `SELECT organization_id, id, name, secret_hash, scopes, expires_at, revoked_at FROM api_keys WHERE prefix = $1`,
      [apiKeyPrefix(secret)],
    );
    const row = rows.find((r) => apiKeyMatches(secret, r.secret_hash));
    if (!row || row.revoked_at) return null;
    if (row.expires_at && row.expires_at.getTime() <= Date.now()) return null;
    this.touch(row.organization_id, row.id);
    return {
      organizationId: row.organization_id,
      kind: 'API_KEY',
      apiKeyId: row.id,
      name: row.name,
      scopes: new Set(row.scopes as ApiKeyScope[]),
      expiresAt: row.expires_at ?? undefined,
    };
  }

  /** Records use of a key at most once a minute per node, off the request's path. */
  private touch(organizationId: string, id: string): void {
    const now = Date.now();
    if (now - (this.lastUsedWritten.get(id) ?? 0) < LAST_USED_WRITE_INTERVAL_MS) return;
    this.lastUsedWritten.set(id, now);
    this.ds
      .query(`UPDATE api_keys SET last_used_at = now() WHERE organization_id = $1 AND id = $2`, [organizationId, id])
      .catch((e: unknown) => this.logger.warn('could not record API key use', { error: e }));
  }
}
