import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from './context.js';
import { ErrorCode, toPublicError } from './errors.js';
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
