import type { TenantDb } from '../../db/tenant.js';
import type { Principal } from '../auth/principal.js';

/** The PostgreSQL channel every node LISTENs on for revocations. */
export const REVOCATION_CHANNEL = 'rapport_revocation';

/** What can be revoked. Each kind names the principal field its `id` is compared with. */
export type RevocationKind = 'api_key' | 'session' | 'membership' | 'widget_token';

/**
 * One revoked credential. `id` is the API key's, session's or widget token's id; for a
 * membership it is the member's user id (the membership of that user in `organizationId`).
 */
export interface Revocation {
  kind: RevocationKind;
  organizationId: string;
  id: string;
}

const KINDS: ReadonlySet<string> = new Set<RevocationKind>(['api_key', 'session', 'membership', 'widget_token']);

/**
 * Announces a revocation inside the revoking transaction (the tenant's `db`): PostgreSQL delivers
 * the notification to every node's listener when (and only if) that transaction commits, Redis or not.
 */
export async function announceRevocation(db: TenantDb, revocation: { kind: RevocationKind; id: string }): Promise<void> {
  const payload: Revocation = { kind: revocation.kind, organizationId: db.tenantId, id: revocation.id };
  await db.query('SELECT pg_notify($1, $2)', [REVOCATION_CHANNEL, JSON.stringify(payload)]);
}

/** The revocation a notification payload carries, or null when it is not one. */
export function parseRevocation(payload: string | undefined): Revocation | null {
  try {
    const value = JSON.parse(payload ?? '') as Partial<Revocation>;
    if (typeof value.kind !== 'string' || !KINDS.has(value.kind)) return null;
    if (typeof value.organizationId !== 'string' || typeof value.id !== 'string') return null;
    return { kind: value.kind, organizationId: value.organizationId, id: value.id };
  } catch {
    return null;
  }
}

/** Whether `revocation` ends what `principal` may do. */
export function revokes(revocation: Revocation, principal: Principal): boolean {
  if (revocation.organizationId !== principal.organizationId) return false;
  switch (revocation.kind) {
    case 'api_key':
      return principal.apiKeyId === revocation.id;
    case 'session':
      return principal.sessionId === revocation.id;
    case 'membership':
      return principal.userId === revocation.id;
    case 'widget_token':
      return principal.widgetTokenId === revocation.id;
  }
}
