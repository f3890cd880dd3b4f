/** Topic of a tenant on which a revoked credential (API key, widget token, member) is announced: its open subscriptions must end. */
export const PRINCIPAL_REVOKED = 'principal-revoked';

/** Payload of `PRINCIPAL_REVOKED`. */
export interface PrincipalRevokedEvent {
  apiKeyId?: string;
  widgetTokenId?: string;
  userId?: string;
  /** Revoked sessions (logOut): only sockets opened with one of them close. */
  sessionIds?: string[];
}
