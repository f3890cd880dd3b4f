import { PRINCIPAL_REVOKED, type PrincipalRevokedEvent } from '../../platform/auth/principal.events.js';
import type { TenantScope } from '../../platform/context.js';

/**
 * Tells every node that a widget token was revoked, once the revoking transaction commits, so
 * that the sockets of widgets using it close. The one place revocation is announced from.
 */
export function announceWidgetTokenRevoked(scope: TenantScope, widgetTokenId: string): void {
  scope.publishAfterCommit(PRINCIPAL_REVOKED, { widgetTokenId } satisfies PrincipalRevokedEvent);
}
