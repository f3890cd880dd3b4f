import { ApiKeyScope, ROLE_SCOPES, Role } from './scopes.js';

/** Who is calling: a member through a session token, or an API key. Always one organization. */
export interface Principal {
  organizationId: string;
  kind: 'USER' | 'API_KEY';
  userId?: string;
  apiKeyId?: string;
  /** The session a session token belongs to, when sessions are tracked (revocable one by one). */
  sessionId?: string;
  /** The widget token, when the caller is a widget. */
  widgetTokenId?: string;
  role?: Role;
  scopes: ReadonlySet<ApiKeyScope>;
  /** When the credential stops being valid (session expiry or key expiry), if ever. */
  expiresAt?: Date;
}

/** The principal of a member with `role`. */
export function userPrincipal(organizationId: string, userId: string, role: Role, expiresAt?: Date): Principal {
  return { organizationId, kind: 'USER', userId, role, scopes: new Set(ROLE_SCOPES[role]), expiresAt };
}
