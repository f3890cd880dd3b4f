import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';

const ISSUER = 'rapport';
const AUDIENCE = 'rapport-api';

/** What a session token says: a user, acting in one organization, until `expiresAt`. */
export interface SessionClaims {
  userId: string;
  organizationId: string;
  expiresAt: Date;
}

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** Signs a session token (HS256 JWT) for one user in one organization. */
export async function signSessionToken(secret: string, userId: string, organizationId: string, ttlSeconds: number): Promise<string> {
  return new SignJWT({ org: organizationId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key(secret));
}

/** Verifies a session token; null when it is malformed, tampered with or expired. */
export async function verifySessionToken(secret: string, token: string): Promise<SessionClaims | null> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
    if (typeof payload.sub !== 'string' || typeof payload.org !== 'string' || typeof payload.exp !== 'number') return null;
    return { userId: payload.sub, organizationId: payload.org, expiresAt: new Date(payload.exp * 1000) };
  } catch (e) {
    if (e instanceof joseErrors.JOSEError || e instanceof TypeError) return null;
    throw e;
  }
}
