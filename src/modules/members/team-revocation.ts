import type { RevokedSession } from '../../platform/auth/session-revocations.js';
import type { TenantScope } from '../../platform/context.js';
import { PRINCIPAL_REVOKED, type PrincipalRevokedEvent } from '../../platform/auth/principal.events.js';
import { SESSIONS_REVOKED } from '../../platform/auth/session-revocations.js';

/** What a team change ends at once. */
export interface TeamRevocation {
  /** A member whose role changed or who was removed: their open sockets here close. */
  membershipOf?: string;
  /** Sessions whose tokens stop working everywhere (logOut). */
  sessions?: RevokedSession[];
}

/**
 * Announces, once the transaction commits, what a team change ends: this node's session list at
 * once, then every node's list and every socket concerned. The one place that knows how
 * revocations travel (today the pub/sub; the platform's NOTIFY channel when it lands).
 */
export function revokeTeamAccess(scope: TenantScope, revocation: TeamRevocation): void {
  const { pubsub, authenticator } = scope.app;
  const sessions = revocation.sessions ?? [];
  scope.session.afterCommit(() => {
    authenticator.revokedSessions.add(sessions);
    if (sessions.length) void pubsub.publish(SESSIONS_REVOKED.tenant, SESSIONS_REVOKED.topic, { sessions });
    const event: PrincipalRevokedEvent = { userId: revocation.membershipOf, sessionIds: sessions.map((s) => s.id) };
    void pubsub.publish(scope.session.tenantId, PRINCIPAL_REVOKED, event);
  });
}
