import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { Authenticator } from '../auth/authenticator.js';
import { principalKey, type Principal } from '../auth/principal.js';
import type { AppServices } from '../context.js';
import { AppError, ErrorCode } from '../errors.js';
import type { RateDecision, RateLimiter } from '../limits/rate-limiter.js';
import { isDatabaseUnavailable, sendDatabaseUnavailable } from './database-outage.js';

/**
 * What admitting one request decided, before anything is written: the caller (`admitted`), a
 * refusal (401/403/429), or a fault (the database unreachable, or anything else). `decision` is
 * the rate-limit count, when one was made.
 */
export type Admission =
  | { kind: 'admitted'; principal: Principal | null; decision?: RateDecision }
  | { kind: 'refused'; status: number; code: ErrorCode; message: string; extensions?: Record<string, unknown>; decision?: RateDecision }
  | { kind: 'fault'; error: unknown; decision?: RateDecision };

/** The IETF `ratelimit-*` headers of a decision (draft-ietf-httpapi-ratelimit-headers). */
export function setRateLimitHeaders(res: { setHeader(name: string, value: string): unknown }, decision: RateDecision): void {
  res.setHeader('ratelimit-limit', String(decision.limit));
  res.setHeader('ratelimit-remaining', String(decision.remaining));
  res.setHeader('ratelimit-reset', String(decision.resetSeconds));
}

/** The caller's address as express's `req.ip` gives it (no `trust proxy`): the socket's peer. */
export function addressOf(req: IncomingMessage): string | undefined {
  return req.socket.remoteAddress;
}

/**
 * Decides on a /graphql request from its headers only: authenticates its credential and counts it
 * against the caller's rate limit (the principal's, or the address's without one). Writes nothing;
 * the express middleware below (or the fast route, for a request it serves) acts on the answer.
 */
export function graphqlAdmissionDecider(app: AppServices, rateLimiter: RateLimiter | null) {
  return async (req: IncomingMessage): Promise<Admission> => {
    let decision: RateDecision | undefined;
    try {
      let principal;
      try {
        const credential = Authenticator.credentialFrom(req.headers.authorization, req.headers['x-api-key'] as string | undefined);
        principal = await app.authenticator.authenticate(credential, req.headers.origin);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        decision = await rateLimiter?.hit(`ip:${addressOf(req)}`);
        if (e.extensions.code === ErrorCode.FORBIDDEN) return { kind: 'refused', status: 403, code: ErrorCode.FORBIDDEN, message: e.message, decision };
        return { kind: 'refused', status: 401, code: ErrorCode.UNAUTHENTICATED, message: e.message, decision };
      }
      decision = await rateLimiter?.hit(principal ? principalKey(principal) : `ip:${addressOf(req)}`);
      if (decision && !decision.allowed) {
        const { retryAfterSeconds } = decision;
        return { kind: 'refused', status: 429, code: ErrorCode.RATE_LIMITED, message: `Too many requests: retry in ${retryAfterSeconds} s`, extensions: { retryAfterSeconds }, decision };
      }
      return { kind: 'admitted', principal, decision };
    } catch (error) {
      return { kind: 'fault', error, decision };
    }
  };
}

/** Where the fast route leaves the admission it already decided, for the express path to act on. */
export const DECIDED_ADMISSION = Symbol('decided admission');

/**
 * Admits a /graphql request before its body is read: authenticates its credential (headers only),
 * counts it against the caller's rate limit (the principal's, or the address's without one) and
 * puts the `ratelimit-*` headers on the answer, whatever it turns out to be. 401 for a bad
 * credential, 429 over the limit, 503 with `retry-after` while the database cannot be reached.
 * A request the fast route already admitted (and then left to express) is not counted again.
 */
export function graphqlAdmission(app: AppServices, rateLimiter: RateLimiter | null) {
  const decide = graphqlAdmissionDecider(app, rateLimiter);
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const decided = (req as { [DECIDED_ADMISSION]?: Admission })[DECIDED_ADMISSION];
    const admission = decided ?? (await decide(req));
    if (admission.decision) setRateLimitHeaders(res, admission.decision);
    if (admission.kind === 'admitted') {
      res.locals.principal = admission.principal;
      return next();
    }
    if (admission.kind === 'refused') {
      if (admission.code === ErrorCode.RATE_LIMITED) res.setHeader('retry-after', String(admission.decision!.retryAfterSeconds));
      const extensions = { code: admission.code, ...admission.extensions, requestId: res.locals.requestId };
      return void res.status(admission.status).json({ errors: [{ message: admission.message, extensions }] });
    }
    if (isDatabaseUnavailable(admission.error)) {
      app.logger.warn('database unreachable while admitting a request', { requestId: res.locals.requestId, error: admission.error });
      return sendDatabaseUnavailable(res, res.locals.requestId as string);
    }
    next(admission.error);
  };
}
