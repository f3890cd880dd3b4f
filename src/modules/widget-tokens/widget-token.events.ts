import type { TenantDb } from '../../db/tenant.js';
import { announceRevocation } from '../../platform/revocation/revocation.js';

/**
 * Tells every node, through the shared revocation channel (PostgreSQL NOTIFY, delivered when the
 * revoking transaction commits, Redis or not), that a widget token was revoked, so that the
 * sockets of widgets using it close at once.
 */
export function announceWidgetTokenRevoked(db: TenantDb, widgetTokenId: string): Promise<void> {
  return announceRevocation(db, { kind: 'widget_token', id: widgetTokenId });
}
