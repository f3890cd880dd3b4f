import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { signSessionToken } from '../../platform/auth/session-tokens.js';
import type { AppServices, TenantScope } from '../../platform/context.js';
import { ForbiddenError } from '../../platform/errors.js';
import { revokeTeamAccess } from './team-revocation.js';

/** A new session's token and when it expires. */
export interface OpenedSession {
  token: string;
  expiresAt: Date;
}

/**
 * Opens a session of a user in an organization: a row keyed by a new id, and a token that carries
 * that id as `jti`. Runs in the caller's transaction, so a failed sign-in leaves no session.
 */
export async function openSession(app: AppServices, m: EntityManager, userId: string, organizationId: string): Promise<OpenedSession> {
  const { sessionSecret, sessionTtlSeconds } = app.config;
  const id = randomUUID();
  const expiresAt = new Date(Date.now() + sessionTtlSeconds * 1000);
  await m.query(`INSERT INTO sessions (organization_id, id, user_id, expires_at) VALUES ($1, $2, $3, $4)`, [
    organizationId,
    id,
    userId,
    expiresAt,
  ]);
  return { token: await signSessionToken(sessionSecret, userId, organizationId, sessionTtlSeconds, id), expiresAt };
}

/** Sessions of the caller's organization. */
export class SessionService {
  constructor(private readonly scope: TenantScope) {}

  /** Revokes the session the caller used; from the next request on, its token is refused everywhere. */
  async logOut(): Promise<boolean> {
    const sessionId = this.scope.principal.sessionId;
    if (!sessionId) throw new ForbiddenError('logOut ends a session; an API key is ended with revokeApiKey');
    const rows: Array<{ id: string; expiresAt: Date }> = await (await this.scope.db()).query(
      `WITH s AS (UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id, expires_at)
       SELECT id, expires_at AS "expiresAt" FROM s`,
      [sessionId],
    );
    await revokeTeamAccess(this.scope, { sessions: rows });
    return true;
  }

  /** Revokes every open session of a member (on removal), so that a later re-invitation revives none. */
  async revokeAllOf(userId: string): Promise<Array<{ id: string; expiresAt: Date }>> {
    return (await this.scope.db()).query(
      // A CTE, since TypeORM answers a bare UPDATE with [rows, count].
      `WITH s AS (UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() RETURNING id, expires_at)
       SELECT id, expires_at AS "expiresAt" FROM s`,
      [userId],
    );
  }
}
