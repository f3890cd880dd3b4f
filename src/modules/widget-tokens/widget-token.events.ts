import type { TenantScope } from '../../platform/context.js';
import { LIVE_TOPICS } from '../../platform/live/topics.js';

/**
 * Tells every node that a widget token was revoked, once the revoking transaction commits, so
 * that the sockets of widgets using it close. The one place revocation is announced from.
 */
export function announceWidgetTokenRevoked(scope: TenantScope, widgetTokenId: string): void {
  scope.publishAfterCommit(LIVE_TOPICS.principalRevoked, { widgetTokenId });
}
