import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every API key secret starts with this, so people and secret scanners recognise it. */
export const API_KEY_PREFIX = 'rr_';
/** Every widget token starts with this: a publishable credential, restricted by scope and origin. */
export const WIDGET_TOKEN_PREFIX = 'rrw_';
const PREFIX_LENGTH = 12;

/** A new secret: `prefix` + 32 random bytes in base64url (43 characters). */
function generateSecret(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** A new API key secret: `rr_` + 43 characters. */
export function generateApiKeySecret(): string {
  return generateSecret(API_KEY_PREFIX);
}

/** A new widget token: `rrw_` + 43 characters. */
export function generateWidgetToken(): string {
  return generateSecret(WIDGET_TOKEN_PREFIX);
}

/** The short, non-secret start of a secret, stored to find the key (or token) and shown in lists. */
export function apiKeyPrefix(secret: string): string {
  return secret.slice(0, PREFIX_LENGTH);
}

/** SHA-256 of the secret: enough for 256 random bits, and the only form that is stored. */
export function hashApiKeySecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** True when `secret` hashes to `stored`, compared in constant time. */
export function apiKeyMatches(secret: string, stored: Buffer): boolean {
  const actual = hashApiKeySecret(secret);
  return actual.length === stored.length && timingSafeEqual(actual, stored);
}

/** True when the string has the shape of an API key secret. */
export function looksLikeApiKey(value: string): boolean {
  return /^rr_[A-Za-z0-9_-]{43,}$/.test(value);
}

/** True when the string has the shape of a widget token. */
export function looksLikeWidgetToken(value: string): boolean {
  return /^rrw_[A-Za-z0-9_-]{43,}$/.test(value);
}
