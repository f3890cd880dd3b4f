import type { RevokedSession } from '../../platform/auth/session-revocations.js';
import type { TenantScope } from '../../platform/context.js';
import { SESSIONS_REVOKED } from '../../platform/auth/session-revocations.js';
import { announceRevocation } from '../../platform/revocation/revocation.js';

/** What a team change ends at once. */
export interface TeamRevocation {
  /** A member whose role changed or who was removed: their open sockets close. */
  membershipOf?: string;
  /** Sessions whose tokens stop working everywhere (logOut). */
  sessions?: RevokedSession[];
}

/**
 * Announces what a team change ends, inside its transaction: the platform's revocation channel
 * (PostgreSQL NOTIFY, heard by every node when it commits, Redis or not) closes the sockets
 * concerned and feeds every node's session list; once committed, this node's list learns it at once.
 */
export async function revokeTeamAccess(scope: TenantScope, revocation: TeamRevocation): Promise<void> {
  const { pubsub, authenticator } = scope.app;
  const sessions = revocation.sessions ?? [];
  const db = await scope.db();
  if (revocation.membershipOf) await announceRevocation(db, { kind: 'membership', id: revocation.membershipOf });
  for (const s of sessions) await announceRevocation(db, { kind: 'session', id: s.id });
  scope.session.afterCommit(() => {
    authenticator.revokedSessions.add(sessions);
    if (sessions.length) void pubsub.publish(SESSIONS_REVOKED.tenant, SESSIONS_REVOKED.topic, { sessions });
  });
}
