import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Authenticator } from '../auth/authenticator.js';
import type { Principal } from '../auth/principal.js';
import { AppError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';

/** A REST call as a feature sees it: no express, only what it needs. */
export interface RestCall {
  requestId: string;
  /** The authenticated caller, or null without a credential. */
  principal: Principal | null;
  query: Readonly<Record<string, string | undefined>>;
  header(name: string): string | undefined;
  /** The request body, streamed. */
  body: Readable;
}

/** What a REST handler answers: a status and a JSON body. */
export interface RestAnswer {
  status: number;
  body: unknown;
}

/** An error meant for a REST client, with its HTTP status (the body is the usual GraphQL-style error). */
export class HttpError extends AppError {
  constructor(readonly status: number, code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(code, message, extensions);
  }
}

const STATUS_OF_CODE: Partial<Record<string, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.RATE_LIMITED]: 429,
};

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Adapts a feature's REST handler to express: request id, credential (Bearer or x-api-key, as on
 * /graphql), and errors as `{errors: [{message, extensions: {code, requestId}}]}` with a 4xx for a
 * client's mistake and a masked 500 for anything else.
 */
export function restRoute(authenticator: Authenticator, logger: Logger, handler: (call: RestCall) => Promise<RestAnswer>): RequestHandler {
  return async (req: Request, res: Response, _next: NextFunction) => {
    const given = req.header('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);
    try {
      const principal = await authenticator.authenticate(Authenticator.credentialFrom(req.header('authorization'), req.header('x-api-key')));
      const answer = await handler({
        requestId,
        principal,
        query: req.query as Record<string, string | undefined>,
        header: (name) => req.header(name),
        body: req,
      });
      res.status(answer.status).json(answer.body);
    } catch (error) {
      if (res.headersSent) return;
      // A body the handler did not read would otherwise keep the socket busy; the answer closes it.
      if (!req.complete) res.setHeader('connection', 'close');
      if (error instanceof AppError) {
        const code = error.extensions.code as string;
        const status = error instanceof HttpError ? error.status : (STATUS_OF_CODE[code] ?? 400);
        res.status(status).json({ errors: [{ message: error.message, extensions: { ...error.extensions, requestId } }] });
        return;
      }
      logger.error('REST handler failed', { requestId, error });
      res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId } }] });
    }
  };
}
