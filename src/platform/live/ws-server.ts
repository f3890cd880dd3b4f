import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import type { Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Principal } from '../auth/principal.js';
import { ApiKeyScope } from '../auth/scopes.js';
import { createContext, type AppServices } from '../context.js';
import { AppError, ErrorCode, toPublicError } from '../errors.js';
import type { QueryLimits } from '../limits/query-limits.js';
import type { ServerMetrics } from '../observability.js';

/** Close codes of our own, beside graphql-ws's CloseCode. */
export enum LiveCloseCode {
  Unauthenticated = 4401,
  Forbidden = 4403,
}

interface ConnectionParams {
  authorization?: string;
  [key: string]: unknown;
}

type Extra = {
  principal?: Principal;
};

export interface LiveServerOptions {
  httpServer: Server;
  schema: GraphQLSchema;
  app: AppServices;
  metrics: ServerMetrics;
  validationRules: ValidationRule[];
  limits: QueryLimits;
}

type Ctx = Context<ConnectionParams, Extra & { socket: import('ws').WebSocket }>;

function publicErrors(errors: readonly GraphQLError[], requestId: string): GraphQLError[] {
  return errors.map((e) => {
    const { error } = toPublicError(e.toJSON(), e, requestId);
    return new GraphQLError(error.message, { extensions: error.extensions });
  });
}

/**
 * graphql-ws on the HTTP server's `/graphql`: authenticates in connection_init, applies the same
 * query limits as HTTP (Apollo's rules do not run here), and counts open subscriptions.
 */
export function attachWebSocketServer(options: LiveServerOptions): { close(): Promise<void>; wss: WebSocketServer } {
  const { httpServer, schema, app, metrics, validationRules, limits } = options;
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: app.config.bodyLimitBytes });
  const disposable = useServer<ConnectionParams, Extra>(
    {
      schema,
      onConnect: async (ctx: Ctx) => {
        const credential = ctx.connectionParams?.authorization;
        try {
          const value = typeof credential === 'string' ? credential.replace(/^Bearer\s+/i, '') : undefined;
          const principal = await app.authenticator.authenticate(value);
          if (!principal) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Authentication required');
          if (!principal.scopes.has(ApiKeyScope.READ)) {
            ctx.extra.socket.close(LiveCloseCode.Forbidden, 'Forbidden: the READ scope is needed');
            return false;
          }
          ctx.extra.principal = principal;
          return true;
        } catch (e) {
          if (!(e instanceof AppError)) app.logger.error('websocket authentication failed', { error: e });
          ctx.extra.socket.close(LiveCloseCode.Unauthenticated, 'Unauthorized');
          return false;
        }
      },
      onSubscribe: async (ctx: Ctx, _id, payload) => {
        const requestId = randomUUID();
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: limits.maxTokens });
        } catch (e) {
          return publicErrors([e instanceof GraphQLError ? e : new GraphQLError(String(e))], requestId);
        }
        const errors = validate(schema, document, [...specifiedRules, ...validationRules]);
        if (errors.length) return publicErrors(errors, requestId);
        return {
          schema,
          document,
          variableValues: payload.variables ?? undefined,
          operationName: payload.operationName ?? undefined,
          contextValue: createContext(app, requestId, ctx.extra.principal ?? null),
        };
      },
      onOperation: () => {
        metrics.subscriptions.inc();
      },
      onComplete: () => {
        metrics.subscriptions.dec();
      },
      onError: (_ctx, _id, _payload, errors) => {
        return publicErrors(errors, randomUUID());
      },
    },
    wss,
  );
  return {
    wss,
    close: async () => {
      for (const socket of wss.clients) socket.close(1001, 'Server shutting down');
      await disposable.dispose();
    },
  };
}
