import cors from 'cors';
import type { RequestHandler } from 'express';

/** Headers a browser on an allowed origin may send to /graphql. */
export const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'x-api-key'];

/**
 * CORS for `/graphql` from `CORS_ORIGINS` (exact origins). A listed origin gets its own origin
 * echoed back, on preflights (204) and answers; any other origin gets no allow-origin header, so
 * its browser refuses the answer. Apollo's CSRF prevention stays on for everyone: a cross-origin
 * "simple" request (no content-type: application/json, no custom header) is refused before it runs.
 */
export function corsMiddleware(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return cors({
    origin: (origin, done) => done(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: ['x-request-id', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
    maxAge: 600,
    optionsSuccessStatus: 204,
  });
}
