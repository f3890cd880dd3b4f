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
  /** The session's id (`jti`) when the caller came with a session token. */
  sessionId?: string;
  /** The widget token, when the caller is a widget. */
  widgetTokenId?: string;
  /** How people recognise the caller: the user's email or the key's name (the audit log shows it). */
  name?: string;
  role?: Role;
  scopes: ReadonlySet<ApiKeyScope>;
  /** Present exactly for a widget token: the metrics and models it may read, from which origins. */
  widget?: WidgetGrant;
  /** When the credential stops being valid (session expiry or key expiry), if ever. */
  expiresAt?: Date;
}

/** What a session adds to a member's principal. */
export interface SessionInfo {
  sessionId?: string;
  name?: string;
  expiresAt?: Date;
}

/** The principal of a member with `role`. */
export function userPrincipal(organizationId: string, userId: string, role: Role, session: SessionInfo = {}): Principal {
  return { organizationId, kind: 'USER', userId, role, scopes: new Set(ROLE_SCOPES[role]), ...session };
}

/** A stable name of the credential, for rate-limit counters: `KIND:id`. */
export function principalKey(p: Principal): string {
  return `${p.kind}:${p.widgetTokenId ?? p.apiKeyId ?? p.userId}`;
}
