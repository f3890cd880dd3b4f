import type { DataSource } from 'typeorm';
import { ownerQuery, preparedStatement, type PreparedStatement } from '../../db/prepared-statement.js';
import { UnauthenticatedError } from '../errors.js';
import type { Logger } from '../logger.js';
import { apiKeyMatches, apiKeyPrefix, looksLikeApiKey, looksLikeWidgetToken } from './api-key-secret.js';
import { userPrincipal, type Principal } from './principal.js';
import { checkWidgetOrigin } from './widget-grant.js';
import { ApiKeyScope, Role } from './scopes.js';
import { MemberCache } from './member-cache.js';
import { SessionRevocations } from './session-revocations.js';
import { verifySessionToken } from './session-tokens.js';

/** The id of an API key's or widget token's row. */
const credentialId = (p: Principal): string | undefined => p.apiKeyId ?? p.widgetTokenId;

/** How often, at most, a key's `lastUsedAt` is written by one node. */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

/** A row of a table of hashed secrets (API keys, widget tokens). */
interface SecretRow {
  organization_id: string;
  id: string;
  name: string;
  secret_hash: Buffer;
  expires_at: Date | null;
  revoked_at: Date | null;
}

interface ApiKeyRow extends SecretRow {
  scopes: string[];
}

interface WidgetTokenRow extends SecretRow {
  metric_keys: string[];
  roi_model_ids: string[];
  allowed_origins: string[];
}

/** The lookups of a request's credential (prepared: one of them runs per request that has no cached answer). */
const MEMBER = preparedStatement(
  'auth.member',
  `SELECT m.role, u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.organization_id = $1 AND m.user_id = $2`,
);
const API_KEY_BY_PREFIX = preparedStatement(
  'auth.api_key_by_prefix',
  `SELECT organization_id, id, name, secret_hash, scopes, expires_at, revoked_at FROM api_keys WHERE prefix = $1`,
);
const WIDGET_TOKEN_BY_PREFIX = preparedStatement(
  'auth.widget_token_by_prefix',
  `SELECT organization_id, id, name, secret_hash, metric_keys, roi_model_ids::text[] AS roi_model_ids, allowed_origins, expires_at, revoked_at
   FROM widget_tokens WHERE prefix = $1`,
);

/**
 * Turns a credential (session token or API key secret) into a Principal. Lookups run before a
 * tenant is known, so they use the owner connection; everything after runs under RLS.
 */
export class Authenticator {
  private readonly lastUsedWritten = new Map<string, number>();
  /** Sessions revoked before they expired (logOut, removal), held in memory. */
  readonly revokedSessions: SessionRevocations;
  /** Memberships read before, emptied by the revocation channel (see MemberCache). */
  readonly members = new MemberCache();

  /**
   * `channelUp`: whether this node hears the revocation channel right now; the membership cache
   * is used only then (without it, every request reads the membership).
   */
  constructor(
    private readonly ds: DataSource,
    private readonly sessionSecret: string,
    private readonly logger: Logger,
    private readonly channelUp: () => boolean = () => false,
  ) {
    this.revokedSessions = new SessionRevocations(ds, logger);
  }

  /** Stops background work. */
  close(): void {
    this.revokedSessions.close();
  }

  /** Reads the credential from `Authorization: Bearer …` or `x-api-key`; UNAUTHENTICATED for a malformed Authorization. */
  static credentialFrom(authorization?: string | null, apiKeyHeader?: string | null): string | undefined {
    if (apiKeyHeader) return apiKeyHeader.trim();
    if (!authorization) return undefined;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
    if (!match) throw new UnauthenticatedError('Malformed Authorization header: expected "Bearer <token>"');
    return match[1];
  }

  /**
   * Reads a WebSocket's `connectionParams.authorization` with the HTTP rules: a value that starts
   * with "Bearer" is read as the Authorization header, anything else as a bare token (x-api-key).
   */
  static liveCredentialFrom(value: unknown): string | undefined {
    if (typeof value !== 'string') return undefined;
    return /^\s*Bearer(\s|$)/i.test(value) ? Authenticator.credentialFrom(value) : Authenticator.credentialFrom(null, value);
  }

  /**
   * The principal for a credential; null without one; UNAUTHENTICATED for a bad one. `origin` is
   * the request's Origin header: a widget token from an origin it does not list is FORBIDDEN.
   */
  async authenticate(credential: string | undefined, origin?: string | null): Promise<Principal | null> {
    if (credential === undefined) return null;
    const principal = looksLikeApiKey(credential)
      ? await this.apiKey(credential)
      : looksLikeWidgetToken(credential)
        ? await this.widgetToken(credential)
        : await this.session(credential);
    if (!principal) throw new UnauthenticatedError('Invalid, expired or revoked credential');
    if (principal.widget) checkWidgetOrigin(principal.widget, origin);
    return principal;
  }

  /**
   * The principals among `principals` whose credential is no longer valid (an API key or widget
   * token revoked, expired or gone; a member who left, whose role changed or whose session was revoked), in at
   * most two statements whatever their number.
   */
  async noLongerValid(principals: readonly Principal[]): Promise<Set<Principal>> {
    const keyIds = [...new Set(principals.flatMap((p) => (p.apiKeyId ? [p.apiKeyId] : [])))];
    const widgetIds = [...new Set(principals.flatMap((p) => (p.widgetTokenId ? [p.widgetTokenId] : [])))];
    const members = principals.filter((p) => p.userId);
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
    if (widgetIds.length) {
      const rows: Array<{ id: string }> = await this.ds.query(
        `SELECT x.id FROM unnest($1::uuid[]) AS x(id) LEFT JOIN widget_tokens w ON w.id = x.id
         WHERE w.id IS NULL OR w.revoked_at IS NOT NULL OR w.expires_at <= now()`,
        [widgetIds],
      );
      for (const r of rows) invalidKeys.add(r.id);
    }
    if (members.length) {
      // A member's credential ends when the membership is gone, the role changed, or the session was revoked.
      const rows: Array<{ org: string; usr: string; sid: string | null }> = await this.ds.query(
        `SELECT x.org, x.usr, x.sid FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[]) AS x(org, usr, role, sid)
         LEFT JOIN memberships m ON m.organization_id = x.org AND m.user_id = x.usr
         LEFT JOIN sessions s ON s.organization_id = x.org AND s.id = x.sid
         WHERE m.user_id IS NULL OR m.role <> x.role OR s.revoked_at IS NOT NULL`,
        [
          members.map((p) => p.organizationId),
          members.map((p) => p.userId),
          members.map((p) => p.role ?? null),
          members.map((p) => p.sessionId ?? null),
        ],
      );
      for (const r of rows) invalidMembers.add(`${r.org}:${r.usr}:${r.sid ?? ''}`);
    }
    const memberKey = (p: Principal) => `${p.organizationId}:${p.userId}:${p.sessionId ?? ''}`;
    return new Set(principals.filter((p) => (credentialId(p) !== undefined && invalidKeys.has(credentialId(p)!)) || (p.userId && invalidMembers.has(memberKey(p)))));
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

  /**
   * The user's role in the organization and email: from the cache while the revocation channel is
   * up (a role change or removal empties its entry on every node when it commits), else read.
   */
  private async member(organizationId: string, userId: string): Promise<{ role: Role; email: string } | null> {
    const cached = this.channelUp() ? this.members.get(organizationId, userId) : undefined;
    if (cached) return cached;
    const epoch = this.members.begin();
    const rows = await ownerQuery<{ role: Role; email: string }>(this.ds, MEMBER, [organizationId, userId]);
    if (rows[0]) this.members.set(organizationId, userId, rows[0], epoch);
    return rows[0] ?? null;
  }

  private async apiKey(secret: string): Promise<Principal | null> {
    const row = await this.liveRow<ApiKeyRow>(API_KEY_BY_PREFIX, secret);
    if (!row) return null;
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

  /** The row found by `byPrefix` (a table of hashed secrets) whose secret this is, unless it is revoked or expired. */
  private async liveRow<T extends SecretRow>(byPrefix: PreparedStatement, secret: string): Promise<T | null> {
    const rows = await ownerQuery<T>(this.ds, byPrefix, [apiKeyPrefix(secret)]);
    const row = rows.find((r) => apiKeyMatches(secret, r.secret_hash));
    if (!row || row.revoked_at) return null;
    if (row.expires_at && row.expires_at.getTime() <= Date.now()) return null;
    return row;
  }

  private async widgetToken(token: string): Promise<Principal | null> {
    const row = await this.liveRow<WidgetTokenRow>(WIDGET_TOKEN_BY_PREFIX, token);
    if (!row) return null;
    return {
      organizationId: row.organization_id,
      kind: 'WIDGET_TOKEN',
      widgetTokenId: row.id,
      name: row.name,
      scopes: new Set(),
      widget: { metricKeys: new Set(row.metric_keys), roiModelIds: new Set(row.roi_model_ids), allowedOrigins: new Set(row.allowed_origins) },
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
