import { ApiKeyScope, ROLE_SCOPES, Role } from './scopes.js';
import type { WidgetGrant } from './widget-grant.js';

/**
 * Who is calling: a member through a session token, an API key, or a widget token. Always one
 * organization. A widget token has no scopes: what it may read is its `widget` grant.
 */
export interface Principal {
  organizationId: string;
  kind: 'USER' | 'API_KEY' | 'WIDGET_TOKEN';
  userId?: string;
  apiKeyId?: string;
  widgetTokenId?: string;
  role?: Role;
  scopes: ReadonlySet<ApiKeyScope>;
  /** Present exactly for a widget token: the metrics and models it may read, from which origins. */
  widget?: WidgetGrant;
  /** When the credential stops being valid (session expiry or key expiry), if ever. */
  expiresAt?: Date;
}

/** The principal of a member with `role`. */
export function userPrincipal(organizationId: string, userId: string, role: Role, expiresAt?: Date): Principal {
  return { organizationId, kind: 'USER', userId, role, scopes: new Set(ROLE_SCOPES[role]), expiresAt };
}

/** A stable name of the credential, for rate-limit counters: `KIND:id`. */
export function principalKey(p: Principal): string {
  return `${p.kind}:${p.widgetTokenId ?? p.apiKeyId ?? p.userId}`;
}
