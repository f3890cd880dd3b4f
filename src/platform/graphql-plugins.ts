import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from './context.js';
import { authorizeWidgetOperation } from './auth/widget-grant.js';
import { AppError, BadInputError, ErrorCode, toPublicError, withHttpStatus } from './errors.js';
import type { Logger } from './logger.js';

/**
 * Ends each operation's tenant transaction: commit when it raised no error, otherwise roll back,
 * so a failed mutation leaves nothing half-written. Events queued with afterCommit go out after.
 */
export function transactionPlugin(logger: Logger): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        // formatError gets no context, so each error carries its request id from here.
        async didEncounterErrors({ contextValue, errors }) {
          for (const e of errors) (e.extensions as Record<string, unknown>).requestId = contextValue.requestId;
        },
        async willSendResponse({ contextValue, errors, response }) {
          const session = contextValue.scope?.session;
          if (!session) return;
          try {
            await session.finish(!errors?.length);
          } catch (error) {
            logger.error('commit failed', { requestId: contextValue.requestId, error });
            if (response.body.kind === 'single') {
              response.body.singleResult = {
                errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId: contextValue.requestId } }],
              };
            }
          }
        },
      };
    },
  };
}

/** Formats errors for clients: public codes pass, the rest is logged with the request id and masked. */
export function errorFormatter(logger: Logger): NonNullable<ApolloServerOptions<RequestContext>['formatError']> {
  return (formatted, error) => {
    const requestId = (formatted.extensions?.requestId as string | undefined) ?? 'unknown';
    const result = toPublicError(formatted, error, requestId);
    if (result.masked) logger.error('internal error', { requestId, error: unwrap(error), path: formatted.path });
    return result.error;
  };
}

function unwrap(error: unknown): unknown {
  let e = error as { originalError?: unknown };
  while (e && e.originalError) e = e.originalError as { originalError?: unknown };
  return e;
}

/** The path of the first string in `value` that holds a NUL character (PostgreSQL text cannot), or null. */
export function findNulCharacter(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path || 'value' : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNulCharacter(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const found = findNulCharacter(inner, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return null;
}

/** BAD_USER_INPUT naming the first text that holds a NUL character, in variables or inline; null when none does. */
export function nulCharacterError(variables: unknown, query: string | undefined): BadInputError | null {
  const where = findNulCharacter(variables ?? {}) ?? (query?.includes('\\u0000') ? 'query' : null);
  if (!where) return null;
  // Fields are named as resolvers name them: `name` for `input.name`, `points[2].key` as it is.
  const field = /^[^.[]+\.(.+)$/.exec(where)?.[1] ?? where;
  const index = /^[^.[]+\[(\d+)\]/.exec(where)?.[1];
  return new BadInputError(`${field} must not contain the NUL character (U+0000)`, {
    field,
    ...(index === undefined ? {} : { index: Number(index) }),
  });
}

/**
 * Refuses, before any resolver runs and with HTTP 400: text holding a NUL character (in variables
 * or inline), and subscriptions sent over HTTP (they need a socket).
 */
export function nulCharacterPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, operation }) {
          const error = nulCharacterError(request.variables, request.query);
          if (error) throw withHttpStatus(error);
          if (operation?.operation === 'subscription') {
            throw withHttpStatus(new BadInputError('Subscriptions run over WebSocket (graphql-transport-ws) on /graphql, not over HTTP'));
          }
        },
      };
    },
  };
}

/**
 * A widget token's operation is checked against its grant, every selected field with its
 * arguments, before anything runs (FORBIDDEN, HTTP 403). Other principals pass: their scopes are
 * checked per operation by the auth checker.
 */
export function widgetGrantPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, document, operationName, request, schema }) {
          const grant = contextValue.principal?.widget;
          if (!grant) return;
          try {
            authorizeWidgetOperation(grant, schema, document, operationName, request.variables);
          } catch (e) {
            throw e instanceof AppError ? withHttpStatus(e, e.extensions.code === ErrorCode.FORBIDDEN ? 403 : 400) : e;
          }
        },
      };
    },
  };
}
