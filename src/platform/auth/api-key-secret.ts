import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every API key secret starts with this, so people and secret scanners recognise it. */
export const API_KEY_PREFIX = 'rr_';
const PREFIX_LENGTH = 12;

/** A new secret: `rr_` + 32 random bytes in base64url (43 characters). */
export function generateApiKeySecret(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** The short, non-secret start of a secret, stored to find the key and shown in lists. */
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
