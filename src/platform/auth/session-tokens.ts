import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { isUuid } from '../../db/ids.js';

const ISSUER = 'rapport';
const AUDIENCE = 'rapport-api';

/** What a session token says: a user, acting in one organization, until `expiresAt`. */
export interface SessionClaims {
  /** The session's id (`jti`), kept server-side so that the session can be revoked. */
  sessionId: string;
  userId: string;
  organizationId: string;
  expiresAt: Date;
}

/** The HMAC key of the last secret used (a server has one): made once, not per token. */
let cached: { secret: string; key: KeyObject } | undefined;

function key(secret: string): KeyObject {
  if (cached?.secret !== secret) cached = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
  return cached.key;
}

/** Signs a session token (HS256 JWT) for one user in one organization, with the session's id as `jti`. */
export async function signSessionToken(
  secret: string,
  userId: string,
  organizationId: string,
  ttlSeconds: number,
  sessionId: string = randomUUID(),
): Promise<string> {
  return new SignJWT({ org: organizationId })
    .setJti(sessionId)
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
    // A token without a session id could never be revoked: it is not accepted.
    if (typeof payload.jti !== 'string' || !isUuid(payload.jti)) return null;
    return { sessionId: payload.jti, userId: payload.sub, organizationId: payload.org, expiresAt: new Date(payload.exp * 1000) };
  } catch (e) {
    if (e instanceof joseErrors.JOSEError || e instanceof TypeError) return null;
    throw e;
  }
}
