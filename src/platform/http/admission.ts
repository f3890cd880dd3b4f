import type { NextFunction, Request, Response } from 'express';
import { Authenticator } from '../auth/authenticator.js';
import { principalKey } from '../auth/principal.js';
import type { AppServices } from '../context.js';
import { AppError, ErrorCode } from '../errors.js';
import type { RateDecision, RateLimiter } from '../limits/rate-limiter.js';
import { isDatabaseUnavailable, sendDatabaseUnavailable } from './database-outage.js';

/** The IETF `ratelimit-*` headers of a decision (draft-ietf-httpapi-ratelimit-headers). */
function setRateLimitHeaders(res: Response, decision: RateDecision): void {
  res.setHeader('ratelimit-limit', String(decision.limit));
  res.setHeader('ratelimit-remaining', String(decision.remaining));
  res.setHeader('ratelimit-reset', String(decision.resetSeconds));
}

function refuse(res: Response, status: number, code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): void {
  res.status(status).json({ errors: [{ message, extensions: { code, ...extensions, requestId: res.locals.requestId } }] });
}

/**
 * Admits a /graphql request before its body is read: authenticates its credential (headers only),
 * counts it against the caller's rate limit (the principal's, or the address's without one) and
 * puts the `ratelimit-*` headers on the answer, whatever it turns out to be. 401 for a bad
 * credential, 429 over the limit, 503 with `retry-after` while the database cannot be reached.
 */
export function graphqlAdmission(app: AppServices, rateLimiter: RateLimiter | null) {
  const count = async (req: Request, res: Response, key: string): Promise<RateDecision | undefined> => {
    const decision = await rateLimiter?.hit(key);
    if (decision) setRateLimitHeaders(res, decision);
    return decision;
  };
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      let principal;
      try {
        const credential = Authenticator.credentialFrom(req.header('authorization'), req.header('x-api-key'));
        principal = await app.authenticator.authenticate(credential, req.header('origin'));
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        await count(req, res, `ip:${req.ip}`);
        if (e.extensions.code === ErrorCode.FORBIDDEN) return refuse(res, 403, ErrorCode.FORBIDDEN, e.message);
        return refuse(res, 401, ErrorCode.UNAUTHENTICATED, e.message);
      }
      res.locals.principal = principal;
      const decision = await count(req, res, principal ? principalKey(principal) : `ip:${req.ip}`);
      if (decision && !decision.allowed) {
        res.setHeader('retry-after', String(decision.retryAfterSeconds));
        return refuse(res, 429, ErrorCode.RATE_LIMITED, `Too many requests: retry in ${decision.retryAfterSeconds} s`, { retryAfterSeconds: decision.retryAfterSeconds });
      }
      next();
    } catch (e) {
      if (isDatabaseUnavailable(e)) {
        app.logger.warn('database unreachable while admitting a request', { requestId: res.locals.requestId, error: e });
        return sendDatabaseUnavailable(res, res.locals.requestId as string);
      }
      next(e);
    }
  };
}
