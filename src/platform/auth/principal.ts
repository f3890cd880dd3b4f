import { ApiKeyScope, ROLE_SCOPES, Role } from './scopes.js';

/** Who is calling: a member through a session token, or an API key. Always one organization. */
export interface Principal {
  organizationId: string;
  kind: 'USER' | 'API_KEY';
  userId?: string;
  apiKeyId?: string;
  /** The session's id (`jti`) when the caller came with a session token. */
  sessionId?: string;
  /** How people recognise the caller: the user's email or the key's name (the audit log shows it). */
  name?: string;
  role?: Role;
  scopes: ReadonlySet<ApiKeyScope>;
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
