import type { ApolloServerPlugin } from '@apollo/server';
import type { Response } from 'express';
import type { RequestContext } from '../context.js';

/** What a client is told to wait, in seconds, while the database cannot be reached. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

// Connection-level failures: node's socket errors, pg's own messages, and PostgreSQL's SQLSTATE
// classes 08 (connection exception) and 57P (operator intervention: shutdown, crash, cannot connect now).
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);
const MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection refused|the database system is (starting up|shutting down)/i;

/** True when `error` (or what it wraps) says the database could not be reached, not that a statement failed. */
export function isDatabaseUnavailable(error: unknown): boolean {
  type Wrapped = { code?: unknown; message?: unknown; originalError?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown; thrownValue?: unknown };
  for (let e = error as Wrapped | undefined, i = 0; e && i < 6; i++) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (SOCKET_CODES.has(code) || code.startsWith('08') || code.startsWith('57P')) return true;
    if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
    if (Array.isArray(e.errors) && e.errors.some(isDatabaseUnavailable)) return true; // AggregateError of a failed connect
    // thrownValue: graphql-js wraps a non-Error (pg's bare connect failure, seen from logIn) in NonErrorThrown.
    e = (e.originalError ?? e.driverError ?? e.cause ?? e.thrownValue) as Wrapped | undefined;
  }
  return false;
}

/** Answers 503 with `retry-after`, the masked error body clients get for any fault. */
export function sendDatabaseUnavailable(res: Response, requestId: string): void {
  res.setHeader('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
  res.status(503).json({
    errors: [{ message: 'Service unavailable: the database cannot be reached; retry later', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId, retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS } }],
  });
}

/** Turns an operation that failed because the database was unreachable into HTTP 503 with `retry-after`. */
export function databaseOutagePlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ errors, response }) {
          if (!errors?.some((e) => isDatabaseUnavailable(e))) return;
          response.http.status = 503;
          response.http.headers.set('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
        },
      };
    },
  };
}
